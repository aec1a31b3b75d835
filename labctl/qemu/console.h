/*
 * The guest's serial console, read once into a typed record.  What it
 * holds, and who prints it:
 *
 *   LABCTL scenario done status=N         rootfs/init, when the scenario ends
 *   LABCTL step NAME exit N               rootfs/init, per step
 *   LABCTL error: TEXT                    rootfs/init: no such scenario
 *   LABCTL grade LABEL start | output BYTES | exit N | signal N |
 *          timeout SECONDS [syscall NR] | cannot-run ERRNO
 *                                         rootfs/programs/grade_run.c
 *   | TEXT                                grade_run: the program's output
 *   server: listening on ADDR             rootfs/programs/tcp_server.c
 *   PROGRAM: TEXT                         any other line: a step's message
 *                                         (the last before its failed exit
 *                                         line is kept: "bad argument")
 *   ... Kernel panic - not syncing: ...   the kernel
 *
 * A "| " line is the program's output and never a marker, whatever it
 * says: a student's program cannot end its own run or fake a panic.
 */
#ifndef LABCTL_CONSOLE_H
#define LABCTL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct error;

/* Bytes of a run's output kept: the serial console is slow, and
 * grade_run itself shows only its first MAXBYTES. */
#define CONSOLE_OUTPUT_KEEP (16 * 1024)

enum run_end {
	RUN_UNENDED,            /* no end line: the guest stopped first */
	RUN_EXIT,               /* exited by itself with status VALUE */
	RUN_SIGNAL,             /* killed by signal VALUE */
	RUN_TIMEOUT,            /* still running after TIMEOUT seconds: killed */
	RUN_CANNOT_RUN,         /* exec failed (VALUE: 127) */
};

/* One `grade_run LABEL ...` in the guest. */
struct console_run {
	char *label;            /* "run", "traced" */
	bool started;           /* its start line was seen */
	enum run_end end;
	int value;
	char *timeout;          /* RUN_TIMEOUT: the seconds, as printed */
	long waiting_in;        /* RUN_TIMEOUT: the system call it was blocked in, or -1 */
	unsigned long printed;  /* bytes it printed in all ("output N") */
	char *output;           /* its "| " lines, unprefixed, capped; NULL: none */
};

struct console {
	bool done;              /* "LABCTL scenario done" seen */
	int status;             /* its status= */
	char *failed_step;      /* the first step that exited non-zero, or NULL */
	int failed_status;
	char *failed_said;      /* the last line that is no marker before its exit
	                         * line (its error message), or NULL */
	char *error;            /* init's "LABCTL error: ..." text, or NULL */
	char *panic;            /* the kernel's panic line from "Kernel panic", or NULL */
	char *server;           /* where tcp_server first said it listens, or NULL */
	struct console_run *runs;
	size_t nruns;
};

/* Read the console's TEXT (NULL: nothing was printed). */
void console_parse(struct console *c, const char *text);
/* Read the file PATH; -1 with E (EXIT_ENV) when it cannot be read. */
int console_read(struct console *c, const char *path, struct error *e);
/* The run LABEL, or NULL when the console never mentions it. */
const struct console_run *console_run(const struct console *c, const char *label);
void console_free(struct console *c);

#endif
