/* Child processes: see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "lib/proc.h"

extern char **environ;

/* Children started and not yet reaped; at most a handful at once. */
#define MAX_LIVE 32
static struct child *live[MAX_LIVE];
/* SIGCHLD writes a byte here so the wait loop can poll() for it. */
static int sigchld_pipe[2] = { -1, -1 };

/* SIG to C's process group; a terminal child shares labctl's: to it alone. */
static void signal_child(const struct child *c, int sig)
{
	kill(c->terminal ? c->pid : -c->pid, sig);
}

static void kill_live(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] && live[i]->pid > 0)
			signal_child(live[i], SIGKILL);
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] && live[i]->pid > 0 && !live[i]->attached)
			while (waitpid(live[i]->pid, NULL, 0) < 0 && errno == EINTR)
				;
}

/* Interrupted or terminated: take the children down, then die of the signal. */
static void on_fatal_signal(int sig)
{
	kill_live();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(sigchld_pipe[1], "", 1) < 0) {
		/* the pipe is full: a wakeup is already pending */
	}
	errno = saved;
}

static int setup_once(struct error *e)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa = { .sa_flags = SA_RESTART };

	if (sigchld_pipe[0] >= 0)
		return 0;
	if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return error_set(e, EXIT_ENV, "pipe: %m");
	sa.sa_handler = on_sigchld;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	atexit(kill_live);
	return 0;
}

/*
 * While the user drives a terminal child, Ctrl-C and Ctrl-\ at the terminal
 * are its (GDB interrupts the guest), not labctl's to die of; after, the
 * fatal-signal handlers of setup_once() again.
 */
static void hold_terminal_signals(bool hold)
{
	static struct sigaction saved[2];
	static const int sigs[2] = { SIGINT, SIGQUIT };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	for (int i = 0; i < 2; i++)
		if (hold)
			sigaction(sigs[i], &ign, &saved[i]);
		else
			sigaction(sigs[i], &saved[i], NULL);
}

/* A free slot in live[], or -1 with E. */
static int free_slot(struct error *e)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (!live[i])
			return i;
	return error_set(e, EXIT_INTERNAL, "more than %d child processes at once", MAX_LIVE);
}

static void untrack(struct child *c)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == c)
			live[i] = NULL;
}

const char *which(const char *program)
{
	static char buf[PATH_MAX];
	const char *path = getenv("PATH");
	char *copy, *dir, *save;

	if (strchr(program, '/'))
		return access(program, X_OK) == 0 ? program : NULL;
	copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		/* A cut path would name another file: skip that directory. */
		if (snprintf(buf, sizeof(buf), "%s/%s", *dir ? dir : ".", program) >= (int)sizeof(buf))
			continue;
		if (access(buf, X_OK) == 0) {
			free(copy);
			return buf;
		}
	}
	free(copy);
	return NULL;
}

/*
 * In a forked child that runs c->fn: proc.c's state is the parent's, whose
 * children are not this process's; it starts afresh (its own children get
 * their own SIGCHLD pipe when it starts any).
 */
static _Noreturn void run_fn(struct child *c)
{
	memset(live, 0, sizeof(live));
	close(sigchld_pipe[0]);
	close(sigchld_pipe[1]);
	sigchld_pipe[0] = sigchld_pipe[1] = -1;
	exit(c->fn(c->fn_arg));
}

/* In the forked child: become a process group, wire up fds, exec (or run
 * c->fn). */
static _Noreturn void exec_child(struct child *c, int out, int errpipe, pid_t parent)
{
	sigset_t none;
	int null, err;

	if (!c->terminal)
		setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (!c->terminal) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			goto fail;
	}
	if (c->dir && chdir(c->dir) < 0)
		goto fail;
	if (c->clean_env && clearenv() != 0)
		goto fail;
	for (const char **e = c->env; e && *e; e++)
		if (putenv((char *)*e) < 0)
			goto fail;
	if (c->fn) {
		close(errpipe);		/* not closed by an exec: started */
		run_fn(c);
	}
	execvp(c->argv[0], (char **)c->argv);
fail:
	err = errno;
	if (write(errpipe, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* C's run-time fields as before its start, what it watches on OUT_FD. */
static void child_reset(struct child *c, int out_fd)
{
	c->pid = 0;
	c->status = 0;
	c->timed_out = false;
	c->out_fd = out_fd;
	c->log_fd = -1;
	c->logged = 0;
	c->partial = NULL;
	c->partial_len = 0;
	c->attached = c->ended = false;
	c->pidfd = -1;
}

/* C's log opened to append to: 0, or -1 with E. */
static int open_log(struct child *c, struct error *e)
{
	c->log_fd = open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return c->log_fd < 0 ? error_set(e, EXIT_ENV, "cannot open log %s: %m", c->log) : 0;
}

int child_start(struct child *c, struct error *e)
{
	int errpipe[2] = { -1, -1 }, out[2] = { -1, -1 }, err = 0, slot;
	pid_t parent = getpid();

	child_reset(c, -1);
	if (setup_once(e) < 0 || (slot = free_slot(e)) < 0)
		return -1;
	if (!c->terminal && open_log(c, e) < 0)
		return -1;
	if (pipe2(errpipe, O_CLOEXEC) < 0 ||
	    ((c->echo || c->on_line || c->log_cap) && pipe2(out, O_CLOEXEC) < 0)) {
		error_set(e, EXIT_ENV, "pipe: %m");
		goto fail;
	}

	c->started = now();
	if (c->fn)
		fflush(NULL);	/* else the child's exit() writes our buffers again */
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		error_set(e, EXIT_ENV, "cannot start %s: %m", c->name);
		goto fail;
	}
	if (c->pid == 0)
		exec_child(c, out[1] >= 0 ? out[1] : c->log_fd, errpipe[1], parent);

	if (c->terminal)
		hold_terminal_signals(true);
	else
		setpgid(c->pid, c->pid);	/* also here: no race with an early kill */
	live[slot] = c;
	close(errpipe[1]);
	if (out[1] >= 0) {
		close(out[1]);
		c->out_fd = out[0];
		fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	}
	if (read(errpipe[0], &err, sizeof(err)) == sizeof(err)) {
		close(errpipe[0]);
		child_wait(c);
		return error_set(e, err == ENOENT ? EXIT_ENV : EXIT_FAIL, "cannot run %s (%s): %s",
				 c->argv ? c->argv[0] : c->name, c->name, strerror(err));
	}
	close(errpipe[0]);
	return 0;

fail:
	close_pair(errpipe);
	close_pair(out);
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = -1;
	return -1;
}

static void emit_line(struct child *c, const char *line)
{
	if (c->on_line)
		c->on_line(c, line, c->data);
}

/* Move what the child wrote into its log, our stderr and its line callback. */
static void pump(struct child *c)
{
	char buf[8192];
	ssize_t n;

	while ((n = read(c->out_fd, buf, sizeof(buf))) > 0) {
		size_t room = c->log_cap > c->logged ? c->log_cap - c->logged : 0;
		ssize_t keep = !c->log_cap || (size_t)n <= room ? n : (ssize_t)room;

		c->logged += n;
		if (keep && write(c->log_fd, buf, keep) != keep)
			warn("short write to %s", c->log);
		if (c->echo && write(2, buf, n) != n) {
			/* stderr gone: nothing to tell */
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				c->partial = xrealloc(c->partial, c->partial_len + 1);
				c->partial[c->partial_len] = '\0';
				if (c->attached && c->end_line && !strcmp(c->partial, c->end_line))
					c->ended = true;
				else
					emit_line(c, c->partial);
				c->partial_len = 0;
				continue;
			}
			c->partial = xrealloc(c->partial, c->partial_len + 2);
			c->partial[c->partial_len++] = buf[i];
		}
	}
}

static void pump_all(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] && live[i]->out_fd >= 0)
			pump(live[i]);
}

static void finish(struct child *c)
{
	if (c->out_fd >= 0) {
		pump(c);
		if (c->partial_len) {
			c->partial[c->partial_len] = '\0';
			emit_line(c, c->partial);
		}
		close(c->out_fd);
		c->out_fd = -1;
	}
	if (c->log_cap && c->logged > c->log_cap)
		dprintf(c->log_fd, "\n[labctl: %zu more bytes of %s's output were not kept]\n",
			c->logged - c->log_cap, c->name);
	free(c->partial);
	c->partial = NULL;
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = -1;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	if (c->terminal)
		hold_terminal_signals(false);
	c->elapsed = now() - c->started;
	untrack(c);
	c->pid = 0;
}

/*
 * Reap C if it has exited.  The leader is first seen as a zombie (WNOWAIT),
 * so its pid, and with it the group id, cannot be reused while we kill what
 * it left behind in its group.
 */
/* Has the process PIDFD refers to exited (a zombie of its parent's too)? */
static bool pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static bool attached_gone(const struct child *c)
{
	return pidfd_exited(c->pidfd);
}

static bool try_reap(struct child *c)
{
	siginfo_t si = { 0 };

	if (c->attached) {
		pump(c);
		return c->ended || attached_gone(c);
	}
	if (waitid(P_PID, c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
		return false;
	signal_child(c, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	return true;
}

bool child_exited(const struct child *c)
{
	siginfo_t si = { 0 };

	if (c->pid <= 0)
		return true;
	if (c->attached)
		return c->ended || attached_gone(c);
	if (waitid(P_PID, c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
		return si.si_pid != 0;
	if (errno == ECHILD) {
		/* started by the process this one forked from (a batch worker's
		 * GDB, asked from its grading): its pidfd says */
		int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
		bool gone = fd < 0 || pidfd_exited(fd);

		if (fd >= 0)
			close(fd);
		return gone;
	}
	return true;
}

void child_kill(struct child *c)
{
	if (c->pid <= 0)
		return;
	signal_child(c, SIGKILL);
	while (!c->attached && waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	finish(c);
}

int child_attach(struct child *c, pid_t pid, int out_fd, struct error *e)
{
	int slot;

	child_reset(c, out_fd);
	c->attached = true;
	c->terminal = false;
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0)
		error_set(e, EXIT_ENV, "cannot watch process %d (%s): %m", (int)pid, c->name);
	else if (setup_once(e) == 0 && (slot = free_slot(e)) >= 0 && open_log(c, e) == 0) {
		fcntl(out_fd, F_SETFL, O_NONBLOCK);
		c->pid = pid;
		c->started = now();
		live[slot] = c;
		return 0;
	}
	close(out_fd);
	c->out_fd = -1;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	return -1;
}

void child_detach(struct child *c)
{
	if (c->pid > 0)
		finish(c);
}

int child_wait(struct child *c)
{
	char drain[64];
	double interrupt = c->interrupt_at > 0 ? c->started + c->interrupt_at : 0;

	while (c->pid > 0 && !try_reap(c)) {
		struct pollfd fds[2 * MAX_LIVE + 1];
		int nfds = 0, ms = -1;

		if (c->timeout > 0) {
			double left = c->started + c->timeout - now();

			if (left <= 0) {
				c->timed_out = true;
				child_kill(c);
				return child_result(c);
			}
			ms = (int)(left * 1000) + 1;
		}
		if (interrupt > 0) {
			double left = interrupt - now();

			if (left <= 0) {
				kill(c->pid, SIGINT);
				interrupt = now() + 0.3;
				left = 0.3;
			}
			if (ms < 0 || left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		fds[nfds++] = (struct pollfd){ .fd = sigchld_pipe[0], .events = POLLIN };
		for (int i = 0; i < MAX_LIVE; i++) {
			if (live[i] && live[i]->out_fd >= 0)
				fds[nfds++] = (struct pollfd){ .fd = live[i]->out_fd, .events = POLLIN };
			if (live[i] && live[i]->pidfd >= 0)
				fds[nfds++] = (struct pollfd){ .fd = live[i]->pidfd, .events = POLLIN };
		}
		/* With these fds poll() can fail only for EINTR or ENOMEM. */
		if (poll(fds, nfds, ms) < 0 && errno != EINTR)
			out_of_memory("poll");
		while (read(sigchld_pipe[0], drain, sizeof(drain)) > 0)
			;
		pump_all();
	}
	if (c->pid > 0)
		finish(c);
	return child_result(c);
}

int child_result(const struct child *c)
{
	return !c->timed_out && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0 ? 0 : -1;
}

const char *child_outcome(const struct child *c)
{
	static char buf[64];	/* the longest, "killed by signal NN", fits */

	if (c->timed_out)
		snprintf(buf, sizeof(buf), "timed out after %.0f s", c->timeout);
	else if (WIFSIGNALED(c->status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(c->status));
	else
		snprintf(buf, sizeof(buf), "exited with status %d", WEXITSTATUS(c->status));
	return buf;
}

/* The last LINES lines of FILE, to stderr, indented. */
static void print_tail(const char *file, int lines)
{
	FILE *f = fopen(file, "r");
	long size, pos;
	int seen = 0;
	char buf[4096];

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	for (pos = size - 1; pos >= 0 && seen <= lines; pos--) {
		fseek(f, pos, SEEK_SET);
		if (fgetc(f) == '\n' && pos != size - 1)
			seen++;
	}
	fseek(f, pos < 0 ? 0 : pos + 2, SEEK_SET);
	while (fgets(buf, sizeof(buf), f))
		fprintf(stderr, "  | %s%s", buf, strchr(buf, '\n') ? "" : "\n");
	fclose(f);
}

int child_failure(const struct child *c, int tail_lines, struct error *e)
{
	print_tail(c->log, tail_lines);
	fprintf(stderr, "labctl: full log: %s\n", c->log);
	return error_set(e, c->timed_out ? EXIT_TIMEOUT : EXIT_FAIL, "%s failed (%s)",
			 c->name, child_outcome(c));
}
