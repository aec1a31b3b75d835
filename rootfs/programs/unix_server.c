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
	int s = lab_socket("unix_server", AF_UNIX, SOCK_STREAM);

	unlink(LAB_UNIX_PATH);
	lab_listen("unix_server", s, &addr, sizeof(addr));
	lab_ready();

	lab_greet_one("unix_server", s, greeting, sizeof(greeting) - 1);
	close(s);
	unlink(LAB_UNIX_PATH);
	return 0;
}
