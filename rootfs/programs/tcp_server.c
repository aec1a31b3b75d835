/*
 * tcp_server: accept one client on 127.0.0.1:1234, greet it, print what it
 * sends, exit.  Its bind() is made by inline assembly (lab_bind), so the
 * `bind` scenario can trace it.
 */
#include "lab.h"

/* Sent with its terminating NUL (sizeof, not sizeof - 1). */
static const char greeting[] = "Welcome to the lab server!";

int main(void)
{
	struct sockaddr_in addr = lab_inet_addr();
	int one = 1, s = lab_socket("server", AF_INET, SOCK_STREAM);

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lab_bind(s, &addr, sizeof(addr)) < 0)
		lab_die("server: bind");
	if (listen(s, 1) < 0)
		lab_die("server: listen");
	printf("server: listening on 127.0.0.1:%d\n", LAB_PORT);
	fflush(stdout);
	lab_ready();

	lab_greet_one("server", s, greeting, sizeof(greeting));
	close(s);
	return 0;
}
