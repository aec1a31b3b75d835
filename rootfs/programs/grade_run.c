/*
 * grade_run: run a student's program in the guest for `labctl grade`, and
 * say on the console how it ended, in lines labctl reads back.
 *
 *   grade_run [-p] LABEL SECONDS MAXBYTES PROGRAM
 *
 * The program runs as nobody (uid/gid 65534) in its own session, in /tmp,
 * with stdin on /dev/null, at most 32 processes (a fork bomb stays small:
 * RLIMIT_NPROC counts per user, and root would be exempt), files of at most
 * 16 MiB, and SECONDS of wall-clock time.  Its output (stdout and stderr)
 * is shown with "| " before each line, so it can never look like one of
 * the lines below, and only its first MAXBYTES bytes; the rest is read and
 * dropped, so a program that prints a lot still runs on.  When it ends,
 * every process left of uid 65534 (its children, a fork bomb) is killed.
 *
 * Console lines (labctl/qemu/console.c reads them):
 *   LABCTL grade LABEL start
 *   LABCTL grade LABEL output BYTES        what it printed in all
 *   LABCTL grade LABEL exit STATUS         it exited by itself
 *   LABCTL grade LABEL signal N            killed by signal N
 *   LABCTL grade LABEL timeout SECONDS [syscall NR]
 *                                          still running after SECONDS: killed;
 *                                          NR: the system call it was waiting in
 *   LABCTL grade LABEL cannot-run ERRNO    exec failed
 *
 * With -p, the guest then powers off at once, its last line out on the
 * console: a grading reads nothing after it, and the servers' ends, init's
 * and a reboot's start would be a tenth of its run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef NOBODY
#define NOBODY 65534
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void out(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Show BUF with "| " at the start of every line, up to *LEFT bytes. */
/*
 * The program's output, a line at a time: "| LINE\n" in one write.  The
 * console is shared with the scenario's server; a line written in pieces
 * could have the server's line in the middle of it (seen on a busy host),
 * and labctl would read neither right.  A single write to a tty is never
 * interleaved with another's.
 */
static char pending[1024];
static size_t pending_len;

static void flush_line(void)
{
	struct iovec v[3] = {
		{ "| ", 2 }, { pending, pending_len },
		{ "\n", pending_len && pending[pending_len - 1] == '\n' ? 0 : 1 },
	};

	if (pending_len)
		while (writev(1, v, 3) < 0 && errno == EINTR)
			;
	pending_len = 0;
}

static void show(const char *buf, size_t n, size_t *left)
{
	if (n > *left)
		n = *left;
	*left -= n;
	for (size_t i = 0; i < n; i++) {
		pending[pending_len++] = buf[i];
		if (buf[i] == '\n' || pending_len == sizeof(pending))
			flush_line();
	}
}

/*
 * The system call PID is blocked in, from /proc/PID/syscall (its first
 * field: the number, "running", or -1 when it sleeps outside a call), or -1.
 */
static long waiting_in(pid_t pid)
{
	char path[64], text[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0 || text[0] < '0' || text[0] > '9')
		return -1;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

/* Is there a process of real uid NOBODY but this one (a zombie counts)? */
static int nobody_left(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	char path[64], text[512], *uid;
	int found = 0, fd;
	ssize_t n;

	if (!proc)
		return 1;	/* cannot tell: the caller tries again */
	while (!found && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || atoi(d->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", d->d_name);
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;	/* gone meanwhile */
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[n > 0 ? n : 0] = '\0';
		uid = strstr(text, "\nUid:");
		found = uid && atoi(uid + 5) == NOBODY;
	}
	closedir(proc);
	return found;
}

/*
 * Kill every process of uid NOBODY, as NOBODY (the killer spares itself),
 * and reap them: they are this subreaper's children now.  The killer stops
 * when none is left, zombies included, hence the reaping meanwhile.  (Not
 * when kill(-1) fails: it fails only when no process but init and the
 * caller exists at all, those it may not signal included, so it never did
 * and the killer always ran its 50 rounds, a quarter of a second.)
 */
static void kill_nobody(void)
{
	pid_t k = fork(), w;

	if (k == 0) {
		if (setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(1);
		for (int i = 0; i < 50; i++) {
			kill(-1, SIGKILL);
			if (!nobody_left())
				break;
			usleep(2000);
		}
		_exit(0);
	}
	while ((w = waitpid(-1, NULL, 0)) != k && (w > 0 || errno == EINTR))
		;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void child(const char *program, int fd)
{
	struct rlimit nproc = { 32, 32 }, fsize = { 16 << 20, 16 << 20 }, core = { 0, 0 };
	const char *base = strrchr(program, '/');
	int null = open("/dev/null", O_RDONLY);

	setsid();
	if (null >= 0)
		dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	for (int i = 3; i < 64; i++)
		close(i);
	if (chdir("/tmp") < 0 || setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
	    setrlimit(RLIMIT_NPROC, &nproc) < 0 || setrlimit(RLIMIT_FSIZE, &fsize) < 0 ||
	    setrlimit(RLIMIT_CORE, &core) < 0 || setuid(NOBODY) < 0) {
		perror("grade_run: cannot drop privileges");
		_exit(126);
	}
	execl(program, base ? base + 1 : program, (char *)NULL);
	dprintf(2, "grade_run: cannot run %s: %s\n", program, strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *label;
	int power_off = argc > 1 && !strcmp(argv[1], "-p");
	double limit, until;
	size_t left, total = 0;
	int p[2], status = 0, timed_out = 0, exited = 0, eof = 0;
	char buf[4096], line[128];
	long waiting = -1;
	pid_t pid;

	argv += power_off;
	argc -= power_off;
	if (argc != 5) {
		fprintf(stderr, "usage: grade_run [-p] LABEL SECONDS MAXBYTES PROGRAM\n");
		return 2;
	}
	label = argv[1];
	limit = atof(argv[2]);
	left = (size_t)strtoul(argv[3], NULL, 10);
	signal(SIGPIPE, SIG_IGN);
	/* Orphans (the program's children) are ours to reap, not init's. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	snprintf(line, sizeof(line), "LABCTL grade %s start\n", label);
	out(line, strlen(line));
	if (pipe(p) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		child(argv[4], p[1]);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	until = now() + limit;
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		double rest;
		ssize_t n;

		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
		rest = until - now();
		if (rest <= 0) {
			timed_out = !exited;
			break;
		}
		if (eof) {		/* it closed its output: wait for its end */
			if (exited)
				break;
			usleep(10000);
			continue;
		}
		if (poll(&pf, 1, exited ? 0 : rest < 0.1 ? (int)(rest * 1000) + 1 : 100) > 0) {
			n = read(p[0], buf, sizeof(buf));
			if (n > 0) {
				total += (size_t)n;
				show(buf, (size_t)n, &left);
				continue;
			}
			eof = n == 0;
		}
		/* Exited and nothing more to read now: its children may hold
		 * the pipe, but the program itself is done. */
		if (exited)
			break;
	}
	if (timed_out) {
		waiting = waiting_in(pid);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	kill_nobody();
	flush_line();	/* a last line without its newline */
	snprintf(line, sizeof(line), "LABCTL grade %s output %zu\n", label, total);
	out(line, strlen(line));
	if (timed_out && waiting >= 0)
		snprintf(line, sizeof(line), "LABCTL grade %s timeout %g syscall %ld\n", label,
			 limit, waiting);
	else if (timed_out)
		snprintf(line, sizeof(line), "LABCTL grade %s timeout %g\n", label, limit);
	else if (WIFSIGNALED(status))
		snprintf(line, sizeof(line), "LABCTL grade %s signal %d\n", label, WTERMSIG(status));
	else if (WEXITSTATUS(status) == 127)
		snprintf(line, sizeof(line), "LABCTL grade %s cannot-run 127\n", label);
	else
		snprintf(line, sizeof(line), "LABCTL grade %s exit %d\n", label, WEXITSTATUS(status));
	out(line, strlen(line));
	if (power_off) {
		tcdrain(1);	/* the serial port's buffer sent: the line is whole */
		reboot(RB_AUTOBOOT);	/* QEMU runs with -no-reboot: it exits */
	}
	return 0;
}
