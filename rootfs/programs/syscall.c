/*
 * syscall: make any system call, by number, with up to six arguments, so
 * that a system call without a lab program of its own can be traced.
 *
 *   syscall NR [ARG...]     one call; prints "syscall NR returned VALUE"
 *   syscall FIRST-LAST      each call of the range with its default
 *                           arguments, in a child process of its own
 *
 * With NR alone, calls.h gives the arguments and the setup that make the
 * call do its real work (a file, a pipe, a socket, a child...); calls.h
 * also lists the argument language: integers, constants (O_RDWR|O_CREAT),
 * "s:TEXT", "b:N" and the resources such as "fd:file" or "pid:child".
 * A negative value between -4095 and -1 is -errno.
 *   syscall 39                   getpid()
 *   syscall 63 b:390             uname(buf)
 *   syscall 83 s:/tmp/d 0755     mkdir("/tmp/d", 0755)
 *   syscall 0                    read(fd:file, b:64, 64): calls.h's row 0
 *
 * The range form prints, for each call, what the call's process printed
 * and then how it ended: "syscall NR ended exit STATUS", "... signal SIG"
 * or "... timeout" (killed after 5 s).
 *
 * syscall32, the i386 build of this file (rootfs/programs/i386.list), makes
 * the call with `int $0x80` and takes syscall_32.tbl's numbers: `syscall32
 * 20` is getpid, `syscall32 1` exit; a number alone takes the calls.h row of
 * the same name (see find_call below for the rows that have none on i386),
 * and the range form makes only the calls that have a row: `syscall32
 * 1-402` makes the 95 of them.
 */
#define _GNU_SOURCE
#include "lab.h"

#include <alloca.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

/* What the resources hold: 19 bytes. */
#define LAB_TEXT "hello from the lab\n"
#define LAB_FILE "/tmp/lab.txt"
#define LAB_NEW  "/tmp/lab.new"
#define LAB_DIR  "/tmp/lab.dir"
#define LAB_LINK "/tmp/lab.link"

struct call {
	int nr;
	const char *name, *args, *expect, *what;
};

static const struct call calls[] = {
#define CALL(nr, name, args, expect, what) { nr, #name, args, expect, what },
#include "calls.h"
#undef CALL
};

#ifdef __x86_64__
/* The `syscall` instruction with six arguments; r10, r8 and r9 have no
 * constraint letter, so they are bound as register variables. */
static __attribute__((noinline))
long lab_syscall(long nr, const long a[6])
{
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "a" (nr), "D" (a[0]), "S" (a[1]), "d" (a[2]),
			    "r" (r10), "r" (r8), "r" (r9)
			  : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__i386__)
/* `int $0x80` with six arguments in ebx, ecx, edx, esi, edi, ebp.  ebp is
 * the frame pointer (-fno-omit-frame-pointer): no operand may name it, so
 * it is saved around the call and loaded from a[5] through edi, which
 * holds &a[4] until then. */
static __attribute__((noinline))
long lab_syscall(long nr, const long a[6])
{
	const long *last = a + 4;
	long ret;

	__asm__ volatile ("push %%ebp\n\t"
			  "mov 4(%%edi), %%ebp\n\t"
			  "mov (%%edi), %%edi\n\t"
			  "int $0x80\n\t"
			  "pop %%ebp"
			  : "=a" (ret), "+D" (last)
			  : "a" (nr), "b" (a[0]), "c" (a[1]), "d" (a[2]), "S" (a[3])
			  : "memory");
	return ret;
}
#else
#error "syscall.c: x86-64 or i386 only"
#endif

/* The constants an argument may name, from the C library's headers. */
#define K(name) { #name, (long)(name) }
static const struct { const char *name; long value; } constants[] = {
	K(O_RDONLY), K(O_WRONLY), K(O_RDWR), K(O_CREAT), K(O_TRUNC), K(O_APPEND),
	K(O_EXCL), K(O_DIRECTORY), K(O_NONBLOCK), K(O_CLOEXEC),
	K(PROT_NONE), K(PROT_READ), K(PROT_WRITE), K(PROT_EXEC),
	K(MAP_PRIVATE), K(MAP_SHARED), K(MAP_ANONYMOUS), K(MREMAP_MAYMOVE),
	K(MS_SYNC), K(MS_ASYNC), K(MADV_DONTNEED), K(MADV_WILLNEED),
	K(SEEK_SET), K(SEEK_CUR), K(SEEK_END),
	K(SIG_BLOCK), K(SIG_UNBLOCK), K(SIG_SETMASK),
	K(SIGHUP), K(SIGINT), K(SIGKILL), K(SIGUSR1), K(SIGUSR2), K(SIGSEGV),
	K(SIGPIPE), K(SIGALRM), K(SIGTERM), K(SIGCHLD),
	K(FIONREAD), K(R_OK), K(W_OK), K(X_OK), K(F_OK),
	K(IPC_PRIVATE), K(IPC_CREAT), K(IPC_EXCL), K(IPC_NOWAIT), K(IPC_STAT),
	K(IPC_RMID), K(GETVAL), K(SETVAL),
	K(ITIMER_REAL), K(ITIMER_VIRTUAL), K(ITIMER_PROF),
	K(AF_INET), K(AF_UNIX), K(SOCK_STREAM), K(SOCK_DGRAM),
	K(SOL_SOCKET), K(SO_REUSEADDR), K(SO_TYPE), K(SO_RCVBUF),
	K(SHUT_RD), K(SHUT_WR), K(SHUT_RDWR), K(MSG_DONTWAIT),
	K(F_GETFL), K(F_SETFL), K(F_GETFD), K(F_SETFD), K(F_DUPFD), K(FD_CLOEXEC),
	K(LOCK_SH), K(LOCK_EX), K(LOCK_UN), K(WNOHANG),
	K(RLIMIT_NOFILE), K(RLIMIT_STACK), K(RUSAGE_SELF), K(RUSAGE_CHILDREN),
	{ "SOCKADDR_IN_LEN", sizeof(struct sockaddr_in) },
	{ "INT_LEN", sizeof(int) },
	/* The kernel's sigset_t: _NSIG (64) bits, one unsigned long on
	 * x86-64, two 32-bit words (compat_sigset_t) for an i386 program. */
	{ "SIGSET_LEN", sizeof(uint64_t) },
};

/* The kernel's struct sigaction (not the C library's: its mask is bigger);
 * for an i386 program, compat_sigaction: three 32-bit words, then the mask. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static int max_fd = -1;

static void bad(const char *s)
{
	fprintf(stderr, "syscall: bad argument '%s' (see rootfs/programs/calls.h)\n", s);
	exit(2);
}

static int fd_seen(int fd)
{
	if (fd < 0)
		lab_die("syscall: setup");
	if (fd > max_fd)
		max_fd = fd;
	return fd;
}

static void *xcalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		lab_die("syscall: calloc");
	return p;
}

/*
 * Sleep MS milliseconds.  An i386 C library's usleep() makes the 32-bit
 * time call clock_nanosleep (267) when the time fits, which the lab kernel
 * does not have (CONFIG_COMPAT_32BIT_TIME is off: -ENOSYS, no sleep at
 * all); clock_nanosleep_time64 (407) takes a 64-bit timespec on both.
 */
static void sleep_ms(long ms)
{
#ifdef __i386__
	struct { long long sec, nsec; } ts = { ms / 1000, ms % 1000 * 1000000LL };

	syscall(__NR_clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &ts, NULL);
#else
	usleep(ms * 1000);
#endif
}

/* A child that runs FN after MS milliseconds and exits. */
static pid_t spawn(int ms, void (*fn)(int), int arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		lab_die("syscall: fork");
	if (pid == 0) {
		sleep_ms(ms);
		fn(arg);
		_exit(0);
	}
	return pid;
}

static void write_late(int fd)
{
	if (write(fd, LAB_TEXT, strlen(LAB_TEXT)) < 0)
		_exit(1);
}

static void exit_seven(int unused)
{
	_exit(7);
}

static void on_signal(int sig)
{
	char msg[] = "syscall: signal NN handled\n";

	msg[16] = '0' + sig / 10;
	msg[17] = '0' + sig % 10;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		return;
}

static void handle(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	if (sigaction(sig, &sa, NULL) < 0)
		lab_die("syscall: sigaction");
}

static long constant(const char *s)
{
	char *copy = strdup(s), *save = NULL;
	long v = 0;

	for (char *w = strtok_r(copy, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		char *end;
		size_t i;
		long n = strtol(w, &end, 0);

		if (*w && !*end) {
			v |= n;
			continue;
		}
		for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++)
			if (!strcmp(w, constants[i].name))
				break;
		if (i == sizeof(constants) / sizeof(constants[0]))
			bad(s);
		v |= constants[i].value;
	}
	free(copy);
	return v;
}

static const char *path_file(void)
{
	int fd = open(LAB_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, LAB_TEXT, strlen(LAB_TEXT)) < 0)
		lab_die("syscall: " LAB_FILE);
	close(fd);
	return LAB_FILE;
}

static const char *path_new(void)
{
	unlink(LAB_NEW);
	rmdir(LAB_NEW);
	return LAB_NEW;
}

static const char *path_dir(void)
{
	if (mkdir(LAB_DIR, 0755) < 0 && errno != EEXIST)
		lab_die("syscall: " LAB_DIR);
	return LAB_DIR;
}

static const char *path_link(void)
{
	path_file();
	unlink(LAB_LINK);
	if (symlink("lab.txt", LAB_LINK) < 0)
		lab_die("syscall: " LAB_LINK);
	return LAB_LINK;
}

static int tcp_socket(void)
{
	int one = 1, s = fd_seen(socket(AF_INET, SOCK_STREAM, 0));

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return s;
}

/*
 * A TCP socket that CALL gives the address 127.0.0.1:LAB_PORT: bind (a
 * socket bound there) or connect (a client of the socket listening there,
 * its connection waiting to be accepted).  The two take the same
 * arguments; __typeof__ spells their type, which the C library declares
 * with a union of the sockaddr pointers.
 */
static int tcp_socket_at(__typeof__(bind) *call, const char *name)
{
	struct sockaddr_in sin = lab_inet_addr();
	int s = tcp_socket();

	if (call(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		lab_die("syscall: %s", name);
	return s;
}

static int tcp_listening(void)
{
	int s = tcp_socket_at(bind, "bind");

	if (listen(s, 4) < 0)
		lab_die("syscall: listen");
	return s;
}

/* The read end of an empty pipe that a child writes to after 200 ms. */
static int pipe_late(void)
{
	int p[2];

	if (pipe(p) < 0)
		lab_die("syscall: pipe");
	spawn(200, write_late, p[1]);
	close(p[1]);
	return fd_seen(p[0]);
}

static void *map_page(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		lab_die("syscall: mmap");
	strcpy(p, LAB_TEXT);
	return p;
}

static int open_file(void)
{
	return fd_seen(open(path_file(), O_RDWR));
}

static long parse_fd(const char *s, const char *what)
{
	int p[2];

	if (!strcmp(what, "file"))
		return open_file();
	if (!strcmp(what, "new"))
		return fd_seen(open(path_new(), O_RDWR | O_CREAT | O_TRUNC, 0644));
	if (!strcmp(what, "dir"))
		return fd_seen(open("/", O_RDONLY | O_DIRECTORY));
	if (!strcmp(what, "pipe-r") || !strcmp(what, "pipe-w")) {
		if (pipe(p) < 0)
			lab_die("syscall: pipe");
		fd_seen(p[1]);
		if (what[5] == 'w')
			return p[1];
		if (write(p[1], LAB_TEXT, strlen(LAB_TEXT)) < 0)
			lab_die("syscall: write");
		return fd_seen(p[0]);
	}
	if (!strcmp(what, "pipe-late"))
		return pipe_late();
	if (!strcmp(what, "sock"))
		return tcp_socket();
	if (!strcmp(what, "bound"))
		return tcp_socket_at(bind, "bind");
	if (!strcmp(what, "listen")) {
		int l = tcp_listening();

		tcp_socket_at(connect, "connect");	/* the one waiting */
		return l;
	}
	if (!strcmp(what, "conn")) {
		int l = tcp_listening(), c = tcp_socket_at(connect, "connect");
		int peer = fd_seen(accept(l, NULL, NULL));

		if (write(peer, LAB_TEXT, strlen(LAB_TEXT)) < 0)
			lab_die("syscall: write");
		return c;
	}
	if (!strcmp(what, "udp")) {
		struct sockaddr_in sin = lab_inet_addr();
		int u = fd_seen(socket(AF_INET, SOCK_DGRAM, 0));

		if (bind(u, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
		    sendto(u, LAB_TEXT, strlen(LAB_TEXT), 0,
			   (struct sockaddr *)&sin, sizeof(sin)) < 0)
			lab_die("syscall: udp");
		return u;
	}
	bad(s);
	return -1;
}

static long parse_addr(const char *s, const char *what)
{
	static struct sockaddr_in sin;

	if (!strcmp(what, "inet") || !strcmp(what, "server")) {
		sin = lab_inet_addr();
		if (what[0] == 's')
			tcp_listening();
		return (long)&sin;
	}
	if (!strcmp(what, "map"))
		return (long)map_page();
	if (!strcmp(what, "fmap")) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			       open_file(), 0);

		if (p == MAP_FAILED)
			lab_die("syscall: mmap");
		memcpy(p, "HELLO", 5);
		return (long)p;
	}
	if (!strcmp(what, "shm")) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		void *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);

		if (p == (void *)-1)
			lab_die("syscall: shm");
		return (long)p;
	}
	bad(s);
	return 0;
}

static long parse_ipc(const char *s)
{
	long id = -1;

	if (!strcmp(s, "shm:id"))
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	else if (!strcmp(s, "sem:id"))
		id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	else if (!strcmp(s, "msq:id") || !strcmp(s, "msq:full")) {
		struct { long type; char text[sizeof(LAB_TEXT)]; } m = { 1, LAB_TEXT };

		id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (id >= 0 && s[4] == 'f' && msgsnd(id, &m, strlen(LAB_TEXT), 0) < 0)
			id = -1;
	} else
		bad(s);
	if (id < 0)
		lab_die("syscall: SysV IPC");
	return id;
}

/* The number after the colon of "tv:MS", "iov:N", "brk:+N"... */
/* MS milliseconds, for tv:, itv: and +alarm:. */
static struct timeval ms_timeval(long ms)
{
	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };
}

static long num_arg(const char *s)
{
	char *end;
	long v = strtol(strchr(s, ':') + 1, &end, 10);

	if (*end || v < 0)
		bad(s);
	return v;
}

static long parse_arg(const char *s)
{
	char *end;
	long v;

	if (!strncmp(s, "s:", 2))
		return (long)(s + 2);
	if (!strncmp(s, "b:", 2) || !strncmp(s, "i:", 2)) {
		int *ip;

		v = strtol(s + 2, &end, 0);
		if (*end || (s[0] == 'b' && v < 0))
			bad(s);
		if (s[0] == 'b')
			return (long)xcalloc(v);
		ip = xcalloc(sizeof(*ip));
		*ip = (int)v;
		return (long)ip;
	}
	if (!strncmp(s, "fd:", 3))
		return parse_fd(s, s + 3);
	if (!strncmp(s, "addr:", 5))
		return parse_addr(s, s + 5);
	if (!strcmp(s, "path:file"))
		return (long)path_file();
	if (!strcmp(s, "path:new"))
		return (long)path_new();
	if (!strcmp(s, "path:dir"))
		return (long)path_dir();
	if (!strcmp(s, "path:link"))
		return (long)path_link();
	if (!strncmp(s, "brk:+", 5))
		return (long)sbrk(0) + num_arg(s);
	if (!strcmp(s, "pid:self"))
		return getpid();
	if (!strcmp(s, "pid:child"))
		return spawn(100, exit_seven, 0);
	if (!strcmp(s, "pollfd:pipe-late")) {
		struct pollfd *p = xcalloc(sizeof(*p));

		p->fd = pipe_late();
		p->events = POLLIN;
		return (long)p;
	}
	if (!strcmp(s, "fdset:pipe-late")) {
		fd_set *set = xcalloc(sizeof(*set));

		FD_SET(pipe_late(), set);
		return (long)set;
	}
	if (!strncmp(s, "tv:", 3)) {
		struct timeval *tv = xcalloc(sizeof(*tv));

		*tv = ms_timeval(num_arg(s));
		return (long)tv;
	}
	if (!strncmp(s, "ts:", 3)) {
		struct timespec *ts = xcalloc(sizeof(*ts));

		v = num_arg(s);
		ts->tv_sec = v / 1000;
		ts->tv_nsec = v % 1000 * 1000000;
		return (long)ts;
	}
	if (!strncmp(s, "itv:", 4)) {
		struct itimerval *it = xcalloc(sizeof(*it));

		it->it_value = ms_timeval(num_arg(s));
		return (long)it;
	}
	if (!strncmp(s, "sigset:", 7)) {
		uint64_t *set = xcalloc(sizeof(*set));

		*set = (uint64_t)1 << (constant(s + 7) - 1);
		return (long)set;
	}
	if (!strcmp(s, "act:handler")) {
		struct ksigaction *ka = xcalloc(sizeof(*ka));

		/* The C library's restorer (its rt_sigreturn call), as its
		 * sigaction() passes it: installed for SIGUSR2, read back. */
		handle(SIGUSR2, 0);
		if (syscall(SYS_rt_sigaction, SIGUSR2, NULL, ka, sizeof(ka->mask)) < 0)
			lab_die("syscall: rt_sigaction");
		ka->handler = on_signal;
		return (long)ka;
	}
	if (!strncmp(s, "iov:", 4)) {
		struct iovec *iov;

		v = num_arg(s);
		iov = xcalloc(v * sizeof(*iov));

		for (long i = 0; i < v; i++) {
			iov[i].iov_base = strdup("lab-iov\n");
			iov[i].iov_len = 8;
		}
		return (long)iov;
	}
	if (!strcmp(s, "msghdr:out") || !strcmp(s, "msghdr:in")) {
		struct msghdr *m = xcalloc(sizeof(*m));
		struct iovec *iov = xcalloc(sizeof(*iov));

		iov->iov_base = s[7] == 'o' ? strdup(LAB_TEXT) : xcalloc(64);
		iov->iov_len = s[7] == 'o' ? strlen(LAB_TEXT) : 64;
		m->msg_iov = iov;
		m->msg_iovlen = 1;
		return (long)m;
	}
	if (!strcmp(s, "shm:id") || !strcmp(s, "sem:id") || !strncmp(s, "msq:", 4))
		return parse_ipc(s);
	if (!strncmp(s, "msgbuf:", 7)) {
		struct { long type; char text[64]; } *m = xcalloc(sizeof(*m));

		m->type = 1;
		snprintf(m->text, sizeof(m->text), "%s", s + 7);
		return (long)m;
	}
	if (!strcmp(s, "sops:up")) {
		struct sembuf *op = xcalloc(sizeof(*op));

		op->sem_op = 1;
		return (long)op;
	}
	if (!strncmp(s, "argv:", 5)) {
		char *words = strdup(s + 5), *save = NULL;
		char **argv = xcalloc(8 * sizeof(*argv));
		int n = 0;

		for (char *w = strtok_r(words, ":", &save); w && n < 7;
		     w = strtok_r(NULL, ":", &save))
			argv[n++] = w;
		return (long)argv;
	}
	return constant(s);
}

#ifdef __x86_64__
/*
 * +sigframe:RAX, for rt_sigreturn: the call restores the registers from
 * the signal frame at the stack pointer, so lab_syscall runs on a stack
 * holding one.  The frame is a real one (the ucontext of a SIGUSR2 the
 * program sent itself) with rip, rsp, rax and rdi changed: the kernel
 * resumes the program in lab_resumed(RAX), on a stack of its own, with
 * rt_sigreturn's return value RAX.
 */
static ucontext_t frame_uc;
static int frame_ready;
static char frame_stack[16384] __attribute__((aligned(16)));
static char resume_stack[16384] __attribute__((aligned(16)));

static void grab_frame(int sig, siginfo_t *si, void *uc)
{
	memcpy(&frame_uc, uc, sizeof(frame_uc));
}

static __attribute__((noreturn)) void lab_resumed(long ret)
{
	printf("syscall %d returned %ld\n", SYS_rt_sigreturn, ret);
	exit(0);
}

static void make_frame(long rax)
{
	struct sigaction sa;
	greg_t *r = frame_uc.uc_mcontext.gregs;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = grab_frame;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGUSR2, &sa, NULL) < 0 || raise(SIGUSR2))
		lab_die("syscall: SIGUSR2");
	r[REG_RIP] = (greg_t)lab_resumed;
	/* As at a function's entry: rsp + 8 a multiple of 16. */
	r[REG_RSP] = (greg_t)(resume_stack + sizeof(resume_stack) - 8);
	r[REG_RAX] = rax;
	r[REG_RDI] = rax;
	frame_uc.uc_mcontext.fpregs = NULL;	/* no FPU state to restore */
	frame_ready = 1;
}

/*
 * rt_sigreturn (x86-64) reads struct rt_sigframe at rsp - 8: a return
 * address (unused), then the struct ucontext (uc_flags, uc_link, uc_stack,
 * uc_mcontext, uc_sigmask: the C library's ucontext_t begins the same).
 * At the syscall instruction rsp is TOP - 8 (the call pushed the return
 * address, lab_syscall pushes nothing), so the ucontext goes at TOP - 8;
 * the pushed return address lands on its uc_flags.
 */
static __attribute__((noreturn)) void call_on_frame(long nr, const long a[6])
{
	char *top = frame_stack + sizeof(frame_stack) - 1024;
	register long rdi __asm__("rdi") = nr;
	register const long *rsi __asm__("rsi") = a;

	memcpy(top - 8, &frame_uc, offsetof(ucontext_t, uc_sigmask) + sizeof(unsigned long));
	__asm__ volatile ("mov %[top], %%rsp\n\t"
			  "call %P[fn]"
			  : : [top] "r" (top), [fn] "i" (lab_syscall), "r" (rdi), "r" (rsi)
			  : "memory");
	__builtin_unreachable();
}
#endif

/* "+alarm:MS", "+handler:SIG", "+sigframe:RAX": a step of the setup. */
static void setup(const char *s)
{
	if (!strncmp(s, "+alarm:", 7)) {
		struct itimerval it = { { 0, 0 }, { 0, 0 } };
		long ms = num_arg(s);

		handle(SIGALRM, 0);
		it.it_value = ms_timeval(ms);
		if (setitimer(ITIMER_REAL, &it, NULL) < 0)
			lab_die("syscall: setitimer");
	} else if (!strncmp(s, "+handler:", 9)) {
		handle(constant(s + 9), SA_RESTART);
	} else if (!strncmp(s, "+sigframe:", 10)) {
#ifdef __x86_64__
		make_frame(num_arg(s));
#else
		fprintf(stderr, "syscall: %s: the signal frame it builds is x86-64's\n", s);
		exit(2);
#endif
	} else {
		bad(s);
	}
}

#ifdef __x86_64__
static const struct call *find_call(long nr)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}
#else
/*
 * The i386 build (syscall32) takes syscall_32.tbl's numbers.  calls.h's
 * rows are x86-64's, so a row is found by its name, for the calls i386 has
 * under the same name with the same arguments: pointers and longs are 32
 * bits, and the kernel reads the compat structs (struct stat, timeval,
 * itimerval, msghdr, iovec, sigaction...) that this program's C library
 * lays out the same way; SIGSET_LEN is 8 on both.  Four rows are left out
 * (accept and semop have no i386 number at all): the number alone is then
 * a usage error, and the call needs its arguments given.
 */
#define ROW(name) { __NR_##name, #name },
static const struct { long nr; const char *name; } i386_rows[] = {
	ROW(read) ROW(write) ROW(open) ROW(close) ROW(stat) ROW(fstat) ROW(lstat)
	ROW(poll) ROW(lseek) ROW(mprotect) ROW(munmap) ROW(brk) ROW(rt_sigaction)
	ROW(rt_sigprocmask) ROW(ioctl) ROW(pread64) ROW(pwrite64) ROW(readv)
	ROW(writev) ROW(access) ROW(pipe) ROW(sched_yield) ROW(mremap) ROW(msync)
	ROW(mincore) ROW(madvise) ROW(shmget) ROW(shmat) ROW(shmctl) ROW(dup)
	ROW(dup2) ROW(pause) ROW(nanosleep) ROW(getitimer) ROW(alarm) ROW(setitimer)
	ROW(getpid) ROW(sendfile) ROW(socket) ROW(connect) ROW(sendto) ROW(recvfrom)
	ROW(sendmsg) ROW(recvmsg) ROW(shutdown) ROW(bind) ROW(listen)
	ROW(getsockname) ROW(getpeername) ROW(socketpair) ROW(setsockopt)
	ROW(getsockopt) ROW(clone) ROW(fork) ROW(vfork) ROW(execve) ROW(exit)
	ROW(wait4) ROW(kill) ROW(uname) ROW(semget) ROW(semctl) ROW(shmdt)
	ROW(msgget) ROW(msgsnd) ROW(msgrcv) ROW(msgctl) ROW(fcntl) ROW(flock)
	ROW(fsync) ROW(fdatasync) ROW(truncate) ROW(ftruncate) ROW(getdents)
	ROW(getcwd) ROW(chdir) ROW(fchdir) ROW(rename) ROW(mkdir) ROW(rmdir)
	ROW(creat) ROW(link) ROW(unlink) ROW(symlink) ROW(readlink) ROW(chmod)
	ROW(fchmod) ROW(chown) ROW(fchown) ROW(lchown) ROW(umask) ROW(gettimeofday)
	ROW(getrlimit) ROW(getrusage) ROW(sysinfo)
};
#undef ROW
static const struct { long nr; const char *name, *why; } i386_left_out[] = {
	{ __NR_mmap, "mmap", "i386's mmap is old_mmap, whose one argument points to "
	  "the six (mmap2 is 192)" },
	{ __NR_select, "select", "i386's select is old_select, whose one argument "
	  "points to the five (_newselect is 142)" },
	{ __NR_rt_sigreturn, "rt_sigreturn", "its +sigframe builds an x86-64 signal frame" },
};

/* The row of i386 call NR, or NULL. */
static const struct call *i386_row(long nr)
{
	for (size_t i = 0; i < sizeof(i386_rows) / sizeof(i386_rows[0]); i++)
		if (i386_rows[i].nr == nr)
			for (size_t j = 0; j < sizeof(calls) / sizeof(calls[0]); j++)
				if (!strcmp(calls[j].name, i386_rows[i].name))
					return &calls[j];
	return NULL;
}

static const struct call *find_call(long nr)
{
	const struct call *c = i386_row(nr);

	if (c)
		return c;
	for (size_t i = 0; i < sizeof(i386_left_out) / sizeof(i386_left_out[0]); i++)
		if (i386_left_out[i].nr == nr) {
			fprintf(stderr, "syscall: %s (%ld) has no i386 default (%s): give its "
				"arguments\n", i386_left_out[i].name, nr, i386_left_out[i].why);
			exit(2);
		}
	return NULL;
}
#endif

static int is_fork(long nr)
{
	return nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork;
}

/* Make call NR with the arguments WORDS (setup steps included). */
static int make_call(long nr, char **words, int n)
{
	long args[6] = { 0 }, ret;
	int nargs = 0, nfds_at = -1;

	for (int i = 0; i < n; i++) {
		if (words[i][0] == '+') {
			setup(words[i]);
			continue;
		}
		if (nargs == 6) {
			fprintf(stderr, "syscall: at most 6 arguments\n");
			return 2;
		}
		if (!strcmp(words[i], "nfds"))
			nfds_at = nargs++;
		else
			args[nargs++] = parse_arg(words[i]);
	}
	if (nfds_at >= 0)
		args[nfds_at] = max_fd + 1;
	fflush(NULL);
#ifdef __x86_64__
	if (frame_ready)
		call_on_frame(nr, args);
#endif
	ret = lab_syscall(nr, args);
	if (ret == 0 && is_fork(nr)) {
		/* The child.  After vfork it runs on the parent's stack, which
		 * the parent returns through from lab_syscall: move well below
		 * that frame before calling anything. */
		volatile char *below = alloca(4096);

		below[0] = 0;
		_exit(0);
	}
	printf("syscall %ld returned %ld\n", nr, ret);
	return 0;
}

/* The default call NR: calls.h's row (for i386, the row of the same name),
 * or six zeros for a call it lacks. */
static int default_call(long nr)
{
	const struct call *c = find_call(nr);
	char *words[12], *copy, *save = NULL;
	int n = 0;

	if (!c)
		return make_call(nr, NULL, 0);
	copy = strdup(c->args);
	for (char *w = strtok_r(copy, " ", &save); w && n < 12; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	printf("syscall %ld %s(%s): %s\n", nr, c->name, c->args, c->what);
	return make_call(nr, words, n);
}

/* Each call of FIRST..LAST in a process (and process group) of its own;
 * for i386 only those with a row (`syscall32 1-402`: the 95 rows). */
static int run_range(long first, long last)
{
	for (long nr = first; nr <= last; nr++) {
		int status = 0, waited = 0;
		pid_t pid;

#ifdef __i386__
		if (!i386_row(nr))
			continue;
#endif
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			lab_die("syscall: fork");
		if (pid == 0) {
			setpgid(0, 0);
			exit(default_call(nr));
		}
		setpgid(pid, pid);
		while (waited < 5000 && waitpid(pid, &status, WNOHANG) == 0) {
			sleep_ms(10);
			waited += 10;
		}
		if (waited >= 5000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("syscall %ld ended timeout\n", nr);
		} else if (WIFSIGNALED(status)) {
			printf("syscall %ld ended signal %d\n", nr, WTERMSIG(status));
		} else {
			printf("syscall %ld ended exit %d\n", nr, WEXITSTATUS(status));
		}
		/* What the call's setup left running (a late writer). */
		kill(-pid, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long nr, last;
	char *end;

	if (argc < 2) {
		fprintf(stderr, "usage: syscall NR [ARG...] | syscall FIRST-LAST\n");
		return 2;
	}
	nr = strtol(argv[1], &end, 0);
	if (end != argv[1] && *end == '-' && argc == 2) {
		last = strtol(end + 1, &end, 0);
		if (!*end && last >= nr)
			return run_range(nr, last);
	}
	if (end == argv[1] || *end) {
		fprintf(stderr, "syscall: bad number '%s'\n", argv[1]);
		return 2;
	}
	if (argc == 2)
		return default_call(nr);
	return make_call(nr, argv + 2, argc - 2);
}
