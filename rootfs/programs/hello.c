/*
 * hello: the client of the hello/hi pair.  Sends "hello" to the hi server
 * on 127.0.0.1:1234 and prints its answer.  connect() is lab_connect's
 * inline assembly, as in tcp_client.
 */
#include "lab.h"

int main(int argc, char **argv)
{
	struct sockaddr_in addr = lab_inet_addr();
	int s = lab_socket("hello", AF_INET, SOCK_STREAM);
	char buf[64];

	lab_client_connect("hello", s, &addr, sizeof(addr), argc, argv);
	lab_send("hello", s, "hello", 5);
	lab_recv("hello", s, buf, sizeof(buf));
	printf("hello: recv \"%s\"\n", buf);
	close(s);
	return strcmp(buf, "hi") != 0;
}
