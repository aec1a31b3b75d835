/*
 * tcp_client: connect to 127.0.0.1:1234, print the server's greeting, send
 * a line back.  connect() is made by inline assembly (lab_connect in lab.h):
 * this is the system call `labctl trace connect` follows into the kernel.
 *   tcp_client            x86-64 `syscall` 42; i386 socketcall(SYS_CONNECT)
 *   tcp_client --direct   i386 only: the direct connect system call, 362
 */
#include "lab.h"

static const char reply[] = "hello from the client";

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	char buf[256];
	ssize_t n;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("client: socket");
	if (lab_client_connect(s, &addr, sizeof(addr), argc, argv) < 0)
		lab_die("client: connect");
	/* s must still be the socket here: the asm's clobbers say so. */
	n = recv(s, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("client: recv");
	buf[n] = '\0';
	printf("client: received \"%s\"\n", buf);
	if (send(s, reply, sizeof(reply) - 1, 0) < 0)
		lab_die("client: send");
	close(s);
	return 0;
}
