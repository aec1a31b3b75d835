/*
 * hello: the client of the hello/hi pair.  Sends "hello" to the hi server
 * on 127.0.0.1:1234 and prints its answer.  connect() is lab_connect's
 * inline assembly, as in tcp_client.
 */
#include "lab.h"

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	char buf[64];
	ssize_t n;
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		lab_die("hello: socket");
	if (lab_client_connect(s, &addr, sizeof(addr), argc, argv) < 0)
		lab_die("hello: connect");
	if (send(s, "hello", 5, 0) < 0)
		lab_die("hello: send");
	n = recv(s, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		lab_die("hello: recv");
	buf[n] = '\0';
	printf("hello: recv \"%s\"\n", buf);
	close(s);
	return strcmp(buf, "hi") != 0;
}
