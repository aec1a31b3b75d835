/*
 * Connect to the scenario's server with an inline `syscall`: rax holds the
 * system call number (42, connect), the arguments go in rdi, rsi, rdx; the
 * instruction clobbers rcx and r11, the kernel's result comes back in rax.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

static long my_connect(int fd, const struct sockaddr_in *sa)
{
	long ret;

	asm volatile("syscall"
		     : "=a"(ret)
		     : "a"(42L), "D"((long)fd), "S"(sa), "d"((long)sizeof(*sa))
		     : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(SERVER_PORT),
		.sin_addr.s_addr = htonl(SERVER_ADDR),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long ret;

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	ret = my_connect(fd, &sa);
	printf("connect returned %ld\n", ret);
	close(fd);
	return ret == 0 ? 0 : 1;
}
