/*
 * udp_client: connect a datagram socket to 127.0.0.1:1234 (lab_connect's
 * inline assembly), send one datagram, print the server's answer.
 */
#include "lab.h"

static const char msg[] = "hello over udp";

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	int s = lab_socket("udp_client", AF_INET, SOCK_DGRAM);

	lab_client_connect("udp_client", s, &addr, sizeof(addr), argc, argv);
	lab_send("udp_client", s, msg, sizeof(msg) - 1);
	lab_print_received("udp_client", s);
	close(s);
	return 0;
}
