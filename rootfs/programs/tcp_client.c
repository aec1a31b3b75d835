/*
 * tcp_client: connect to 127.0.0.1:1234, print the server's greeting, send
 * a line back.  connect() is made by inline assembly (lab_connect in lab.h):
 * this is the system call `labctl trace connect` follows into the kernel.
 *   tcp_client            x86-64 `syscall` 42; i386 socketcall(SYS_CONNECT)
 *   tcp_client --direct   i386 only: the direct connect system call, 362
 */
#include "lab.h"

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	int s = lab_socket("client", AF_INET, SOCK_STREAM);

	lab_client_connect("client", s, &addr, sizeof(addr), argc, argv);
	/* s must still be the socket here: the asm's clobbers say so. */
	lab_answer_greeting("client", s, "hello from the client");
	return 0;
}
