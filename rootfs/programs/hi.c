/*
 * hi: the server of the hello/hi pair.  Accepts one client on
 * 127.0.0.1:1234 and answers "hi" to its "hello".
 */
#include "lab.h"

int main(void)
{
	struct sockaddr_in addr = lab_inet_addr(), peer;
	socklen_t peer_len = sizeof(peer);
	int one = 1, s = lab_socket("hi", AF_INET, SOCK_STREAM), c;
	char buf[64];

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	lab_listen("hi", s, &addr, sizeof(addr));
	lab_ready();

	c = accept(s, (struct sockaddr *)&peer, &peer_len);
	if (c < 0)
		lab_die("hi: accept");
	lab_recv("hi", c, buf, sizeof(buf));
	printf("hi: recv \"%s\" from %s:%d\n", buf, inet_ntoa(peer.sin_addr),
	       ntohs(peer.sin_port));
	if (strcmp(buf, "hello") != 0)
		return 1;
	lab_send("hi", c, "hi", 2);
	close(c);
	close(s);
	return 0;
}
