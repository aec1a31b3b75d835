/*
 * unix_server: accept one client on the UNIX-domain socket /tmp/lab.sock,
 * greet it, print what it sends.  The same calls as tcp_server; the kernel
 * dispatches them to unix_stream_ops instead of inet_stream_ops.
 */
#include "lab.h"

static const char greeting[] = "Welcome to the UNIX-domain server!";

int main(void)
{
	struct sockaddr_un addr = lab_unix_addr();
	char buf[256];
	ssize_t n;
	int s, c;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("unix_server: socket");
	unlink(LAB_UNIX_PATH);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 1) < 0)
		lab_die("unix_server: bind/listen");
	lab_ready();

	c = accept(s, NULL, NULL);
	if (c < 0)
		lab_die("unix_server: accept");
	if (send(c, greeting, sizeof(greeting) - 1, 0) < 0)
		lab_die("unix_server: send");
	n = recv(c, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("unix_server: recv");
	buf[n] = '\0';
	printf("unix_server: received \"%s\"\n", buf);
	close(c);
	close(s);
	unlink(LAB_UNIX_PATH);
	return 0;
}
