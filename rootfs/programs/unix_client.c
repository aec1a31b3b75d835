/*
 * unix_client: connect to /tmp/lab.sock (lab_connect's inline assembly:
 * the kernel ends up in unix_stream_connect), print the greeting, answer.
 */
#include "lab.h"

static const char reply[] = "hello over a UNIX-domain socket";

int main(int argc, char **argv)
{
	struct sockaddr_un addr = lab_unix_addr();
	char buf[256];
	ssize_t n;
	int s;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("unix_client: socket");
	if (lab_client_connect(s, &addr, sizeof(addr), argc, argv) < 0)
		lab_die("unix_client: connect");
	n = recv(s, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("unix_client: recv");
	buf[n] = '\0';
	printf("unix_client: received \"%s\"\n", buf);
	if (send(s, reply, sizeof(reply) - 1, 0) < 0)
		lab_die("unix_client: send");
	close(s);
	return 0;
}
