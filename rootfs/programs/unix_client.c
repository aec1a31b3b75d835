/*
 * unix_client: connect to /tmp/lab.sock (lab_connect's inline assembly:
 * the kernel ends up in unix_stream_connect), print the greeting, answer.
 */
#include "lab.h"

int main(int argc, char **argv)
{
	struct sockaddr_un addr = lab_unix_addr();
	int s = lab_socket("unix_client", AF_UNIX, SOCK_STREAM);

	lab_client_connect("unix_client", s, &addr, sizeof(addr), argc, argv);
	lab_answer_greeting("unix_client", s, "hello over a UNIX-domain socket");
	return 0;
}
