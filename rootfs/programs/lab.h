/*
 * Shared by the lab programs.  Each system call that labctl traces is made
 * by inline assembly inside a function named after it (lab_connect,
 * lab_bind), so the `syscall` (or `int $0x80`) instruction is easy to find
 * in the binary:  objdump -d tcp_client | grep -A12 '<lab_connect>:'
 *
 * The programs are built static, with frame pointers and debug info:
 *   gcc -static -O1 -g -fno-omit-frame-pointer [-m32]
 */
#ifndef LAB_H
#define LAB_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#define LAB_PORT 1234
#define LAB_UNIX_PATH "/tmp/lab.sock"

/*
 * perror() and exit: the programs have nothing to clean up.  WHAT is a
 * printf format, so that the helpers below can say whose call failed:
 * lab_die("%s: recv", who) prints "client: recv: Connection reset by peer".
 */
static inline __attribute__((noreturn, format(printf, 1, 2)))
void lab_die(const char *what, ...)
{
	int err = errno;	/* vsnprintf may change it */
	char msg[128];
	va_list ap;

	va_start(ap, what);
	vsnprintf(msg, sizeof(msg), what, ap);
	va_end(ap);
	errno = err;
	perror(msg);
	exit(1);
}

/*
 * A background step tells init it is ready (listening) by closing fd 3,
 * the write end of a FIFO init waits on; see rootfs/init.
 */
static inline void lab_ready(void)
{
	close(3);
}

/*
 * The raw kernel calling conventions.  On x86-64 `syscall` takes the number
 * in rax and arguments in rdi, rsi, rdx, r10, r8, r9; it returns in rax and
 * overwrites rcx (the return address) and r11 (the flags).  Telling the
 * compiler all of this (outputs, inputs in fixed registers, the "rcx",
 * "r11" and "memory" clobbers) is what keeps a variable such as the socket
 * fd from silently living in a register the kernel just overwrote.
 *
 * On i386 `int $0x80` takes the number in eax and arguments in ebx, ecx,
 * edx, esi, edi, ebp; it returns in eax and preserves everything else.
 */
#ifdef __x86_64__
static inline __attribute__((always_inline))
long lab_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "a" (nr), "D" (a), "S" (b), "d" (c)
			  : "rcx", "r11", "memory");
	return ret;
}
#else
static inline __attribute__((always_inline))
long lab_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("int $0x80"
			  : "=a" (ret)
			  : "a" (nr), "b" (a), "c" (b), "d" (c)
			  : "memory");
	return ret;
}
#endif

/* The kernel returns -errno; the C library's convention is -1 and errno. */
static inline int lab_result(long ret)
{
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}

/* 127.0.0.1:LAB_PORT, where every INET server of the lab listens. */
static inline struct sockaddr_in lab_inet_addr(void)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(LAB_PORT);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

/* LAB_UNIX_PATH, where the UNIX-domain server listens. */
static inline struct sockaddr_un lab_unix_addr(void)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, LAB_UNIX_PATH);
	return sun;
}

/* socket(), or die: every program opens its socket this way, and WHO (its
 * name) says whose socket failed. */
static inline int lab_socket(const char *who, int domain, int type)
{
	int s = socket(domain, type, 0);

	if (s < 0)
		lab_die("%s: socket", who);
	return s;
}

/* bind() to ADDR and listen() for one client, or die: for the servers
 * whose bind is not the call being traced (hi, unix_server). */
static inline void lab_listen(const char *who, int s, const void *addr, socklen_t len)
{
	if (bind(s, (const struct sockaddr *)addr, len) < 0 || listen(s, 1) < 0)
		lab_die("%s: bind/listen", who);
}

/* send() LEN bytes of MSG, or die: all the programs' sends, checked once. */
static inline void lab_send(const char *who, int fd, const void *msg, size_t len)
{
	if (send(fd, msg, len, 0) < 0)
		lab_die("%s: send", who);
}

/* recv() one message into BUF as a string (at most SIZE - 1 bytes, then
 * the NUL), or die: the programs print what they receive. */
static inline void lab_recv(const char *who, int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, 0);

	if (n < 0)
		lab_die("%s: recv", who);
	buf[n] = '\0';
}

/* recv() what the peer says and print it: `WHO: received "..."`, the
 * line the scenarios look for on the console. */
static inline void lab_print_received(const char *who, int fd)
{
	char buf[256];

	lab_recv(who, fd, buf, sizeof(buf));
	printf("%s: received \"%s\"\n", who, buf);
}

/* i386 socketcall(2) call numbers, from <linux/net.h>. */
#define LAB_SYS_BIND    2
#define LAB_SYS_CONNECT 3

/*
 * connect(fd, addr, len): the system call the lab traces.  x86-64: number 42.
 * i386: socketcall (102) with SYS_CONNECT and a pointer to the three
 * arguments, the way the C library has always done it there.
 */
static __attribute__((noinline, unused))
int lab_connect(int fd, const void *addr, socklen_t len)
{
#ifdef __x86_64__
	return lab_result(lab_syscall3(42, fd, (long)addr, len));
#else
	unsigned long args[3] = { fd, (unsigned long)addr, len };

	return lab_result(lab_syscall3(102, LAB_SYS_CONNECT, (long)args, 0));
#endif
}

/* bind(fd, addr, len): x86-64 number 49; i386 socketcall SYS_BIND. */
static __attribute__((noinline, unused))
int lab_bind(int fd, const void *addr, socklen_t len)
{
#ifdef __x86_64__
	return lab_result(lab_syscall3(49, fd, (long)addr, len));
#else
	unsigned long args[3] = { fd, (unsigned long)addr, len };

	return lab_result(lab_syscall3(102, LAB_SYS_BIND, (long)args, 0));
#endif
}

#ifdef __i386__
/* Since Linux 4.3 i386 also has one system call per socket call:
 * connect is 362 (arch/x86/entry/syscalls/syscall_32.tbl). */
static __attribute__((noinline, unused))
int lab_connect_direct(int fd, const void *addr, socklen_t len)
{
	return lab_result(lab_syscall3(362, fd, (long)addr, len));
}
#endif

/*
 * The clients' connect, or die: `--direct` picks i386's direct system
 * call.  The four clients make their traced call here, through the
 * wrappers above.
 */
static inline void lab_client_connect(const char *who, int fd, const void *addr,
				      socklen_t len, int argc, char **argv)
{
	int direct = argc > 1 && !strcmp(argv[1], "--direct");
	int ret;

#ifdef __i386__
	ret = direct ? lab_connect_direct(fd, addr, len) : lab_connect(fd, addr, len);
#else
	if (direct) {
		fprintf(stderr, "--direct: only the i386 build has a choice\n");
		exit(2);
	}
	ret = lab_connect(fd, addr, len);
#endif
	if (ret < 0)
		lab_die("%s: connect", who);
}

/*
 * The stream client's half of the greeting exchange (tcp_client,
 * unix_client): print the server's greeting, send REPLY, close S.
 */
static inline void lab_answer_greeting(const char *who, int s, const char *reply)
{
	lab_print_received(who, s);
	lab_send(who, s, reply, strlen(reply));
	close(s);
}

/*
 * The stream server's half (tcp_server, unix_server): accept one client
 * on the listening socket S, send it GREETING (LEN bytes), print its
 * answer, close the connection.
 */
static inline void lab_greet_one(const char *who, int s, const void *greeting, size_t len)
{
	int c = accept(s, NULL, NULL);

	if (c < 0)
		lab_die("%s: accept", who);
	lab_send(who, c, greeting, len);
	lab_print_received(who, c);
	close(c);
}

#endif
