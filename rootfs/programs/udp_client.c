/*
 * udp_client: connect a datagram socket to 127.0.0.1:1234 (lab_connect's
 * inline assembly), send one datagram, print the server's answer.
 */
#include "lab.h"

static const char msg[] = "hello over udp";

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	char buf[256];
	ssize_t n;
	int s;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		lab_die("udp_client: socket");
	if (lab_client_connect(s, &addr, sizeof(addr), argc, argv) < 0)
		lab_die("udp_client: connect");
	if (send(s, msg, sizeof(msg) - 1, 0) < 0)
		lab_die("udp_client: send");
	n = recv(s, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("udp_client: recv");
	buf[n] = '\0';
	printf("udp_client: received \"%s\"\n", buf);
	close(s);
	return 0;
}
