/*
 * Child processes: the only way labctl runs make, gcc, qemu or gdb.
 *
 * Modelled on git's run-command API: fill in a struct child, start it, wait
 * for it.  Every child runs in its own process group with stdin on /dev/null
 * and its output in a log file (but for one the user drives: `terminal`); a
 * timeout kills the whole group; children still running when labctl exits,
 * dies, or is interrupted are killed and reaped.  A child whose parent vanishes (labctl SIGKILLed) gets SIGKILL
 * from the kernel (PR_SET_PDEATHSIG).
 */
#ifndef LABCTL_PROC_H
#define LABCTL_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"

struct child;
/* Called for each line of a child's output (without the newline). */
typedef void (*child_line_fn)(struct child *c, const char *line, void *data);

struct child {
	/* Filled in by the caller. */
	const char *name;       /* the phase, for messages: "make", "qemu" */
	const char **argv;      /* argv[0] is looked up in $PATH */
	int (*fn)(void *arg);   /* instead of argv: run FN(FN_ARG) in the forked
	                         * child, its result the exit status (labctl's own
	                         * work, isolated: its time limit, log, and end) */
	void *fn_arg;
	const char **env;       /* "NAME=value" added to the environment, NULL-terminated */
	bool clean_env;         /* ENV is the whole environment: nothing of labctl's
	                         * (a child that runs untrusted code must not read
	                         * the grader's tokens, not even from /proc) */
	const char *dir;        /* working directory, or NULL */
	const char *log;        /* stdout and stderr are appended here (required,
	                         * but for a TERMINAL child) */
	bool terminal;          /* the user's own session (an interactive GDB): stdin,
	                         * stdout and stderr are labctl's, and it stays in
	                         * labctl's process group, so that Ctrl-C at the
	                         * terminal reaches it; labctl ignores SIGINT and
	                         * SIGQUIT while it runs, as system(3) does.  No log,
	                         * no line callback. */
	double timeout;         /* seconds from start; 0 for none */
	double interrupt_at;    /* seconds from start: SIGINT to the child itself,
	                         * then every 0.3 s until it ends or times out
	                         * (GDB: stop the guest, write what you have); 0 none */
	bool echo;              /* also copy the output to labctl's stderr */
	size_t log_cap;         /* 0, or the most bytes of output the log keeps; the
	                         * rest is counted in a last line, not kept */
	child_line_fn on_line;  /* optional: see each output line as it comes */
	void *data;             /* passed to on_line */
	const char *end_line;   /* attached (child_attach()): the line that ends it */

	/* Filled in by child_start() and child_wait(). */
	pid_t pid;              /* also the process group id */
	int status;             /* raw wait status */
	bool timed_out;
	double started, elapsed;
	int out_fd;             /* read end of the output pipe, when piped */
	int log_fd;
	size_t logged;          /* bytes of output so far, kept or not */
	char *partial;          /* an unfinished output line */
	size_t partial_len;
	bool attached, ended;   /* child_attach()'s; END_LINE seen */
	int pidfd;              /* attached: readable once PID has exited */
};

/* Start the child; -1 with E when the program cannot be found or run
 * (EXIT_ENV when it is not there) or the log cannot be opened. */
int child_start(struct child *c, struct error *e);
/*
 * Watch a process that is not ours as a child for one task: PID (its own
 * process group's leader) serves us, its output for us comes on OUT_FD
 * (the read end of a FIFO, C's now) and ends with the line C->end_line; it
 * lives on for other tasks, and is never reaped here.  Used as a started
 * child: child_wait() ends at END_LINE, or when PID has exited; its timeout
 * and child_kill() kill PID's group (its owner starts another); its
 * interrupt_at sends SIGINT to PID.  -1 with E when the log cannot be
 * opened or PID is gone.
 */
int child_attach(struct child *c, pid_t pid, int out_fd, struct error *e);
/* An attached child no longer watched, left to run (its task never sent). */
void child_detach(struct child *c);
/* Wait for the child (killing it at its timeout); returns child_result(). */
int child_wait(struct child *c);
/* Has the child exited?  Looked at without reaping it: child_wait() does.
 * Also asked of a child of the process this one forked from. */
bool child_exited(const struct child *c);
/* Kill the child's process group and reap it. */
void child_kill(struct child *c);

/* 0 if it exited 0, else -1. */
int child_result(const struct child *c);
/* "exited with status 2", "killed by signal 9", "timed out after 30 s". */
const char *child_outcome(const struct child *c);
/*
 * For a failed child: print the last lines of its log and where the full
 * log is, and return -1 with E saying "make failed (exited with status 2)"
 * (EXIT_TIMEOUT when it timed out, else EXIT_FAIL), for the command to
 * print after them.
 */
int child_failure(const struct child *c, int tail_lines, struct error *e);

/* Is PROGRAM on $PATH?  Returns its full path (static storage) or NULL. */
const char *which(const char *program);

#endif
