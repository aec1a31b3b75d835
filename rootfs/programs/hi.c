/*
 * hi: the server of the hello/hi pair.  Accepts one client on
 * 127.0.0.1:1234 and answers "hi" to its "hello".
 */
#include "lab.h"

int main(void)
{
	struct sockaddr_in addr = lab_inet_addr(), peer;
	socklen_t peer_len = sizeof(peer);
	char buf[64];
	int one = 1, s, c;
	ssize_t n;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("hi: socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(s, 1) < 0)
		lab_die("hi: bind/listen");
	lab_ready();

	c = accept(s, (struct sockaddr *)&peer, &peer_len);
	if (c < 0)
		lab_die("hi: accept");
	n = recv(c, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("hi: recv");
	buf[n] = '\0';
	printf("hi: recv \"%s\" from %s:%d\n", buf, inet_ntoa(peer.sin_addr),
	       ntohs(peer.sin_port));
	if (strcmp(buf, "hello") != 0)
		return 1;
	if (send(c, "hi", 2, 0) < 0)
		lab_die("hi: send");
	close(c);
	close(s);
	return 0;
}
