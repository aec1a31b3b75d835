/*
 * udp_server: wait for one datagram on 127.0.0.1:1234 and echo it back in
 * upper case.  Datagram sockets have no listen/accept: the client's connect
 * only fixes its peer address (inet_dgram_connect, not inet_stream_connect).
 */
#include <ctype.h>

#include "lab.h"

int main(void)
{
	struct sockaddr_in addr = lab_inet_addr(), peer;
	socklen_t peer_len = sizeof(peer);
	int s = lab_socket("udp_server", AF_INET, SOCK_DGRAM);
	char buf[256];
	ssize_t n;

	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		lab_die("udp_server: bind");
	lab_ready();

	n = recvfrom(s, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &peer_len);
	if (n < 0)
		lab_die("udp_server: recvfrom");
	buf[n] = '\0';
	printf("udp_server: received \"%s\"\n", buf);
	for (ssize_t i = 0; i < n; i++)
		buf[i] = toupper((unsigned char)buf[i]);
	if (sendto(s, buf, n, 0, (struct sockaddr *)&peer, peer_len) < 0)
		lab_die("udp_server: sendto");
	close(s);
	return 0;
}
