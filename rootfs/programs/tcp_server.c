/*
 * tcp_server: accept one client on 127.0.0.1:1234, greet it, print what it
 * sends, exit.  Its bind() is made by inline assembly (lab_bind), so the
 * `bind` scenario can trace it.
 */
#include "lab.h"

static const char greeting[] = "Welcome to the lab server!";

int main(void)
{
	struct sockaddr_in addr = lab_inet_addr();
	char buf[256];
	int one = 1, s, c;
	ssize_t n;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("server: socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lab_bind(s, &addr, sizeof(addr)) < 0)
		lab_die("server: bind");
	if (listen(s, 1) < 0)
		lab_die("server: listen");
	printf("server: listening on 127.0.0.1:%d\n", LAB_PORT);
	fflush(stdout);
	lab_ready();

	c = accept(s, NULL, NULL);
	if (c < 0)
		lab_die("server: accept");
	if (send(c, greeting, sizeof(greeting), 0) < 0)
		lab_die("server: send");
	n = recv(c, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("server: recv");
	buf[n] = '\0';
	printf("server: received \"%s\"\n", buf);
	close(c);
	close(s);
	return 0;
}
