/*
 * Tracing one system call (trace.c), as a library call: `labctl trace`
 * (cmd-trace.c) and grading (grade-guest.c) both run trace_run(); the
 * timeline of a scenario's socket calls is cmd-trace-timeline.c.
 */
#ifndef LABCTL_TRACE_H
#define LABCTL_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct error;

/* What to trace.  trace_run() reads it and never changes it. */
struct gdb_server;

struct trace_opts {
	const char *syscall;    /* a name or a number of the ABI's table */
	const char *abi;        /* "x86_64" (NULL) or "i386" */
	const char *kernel;     /* --kernel: the last built of this version (NULL: the last built) */
	const char *scenario;   /* NULL: SYSCALL.ini (SYSCALL32.ini), else the generic program */
	const char *initrd;     /* NULL: the lab's, built when needed */
	const char *inbox;      /* with INITRD: the archive appended to the lab's image
	                         * LAB_INITRD in it, which a guest restored from its
	                         * saved state receives instead (qemu/snapshot.h); or NULL */
	const char *lab_initrd; /* with INBOX: the lab's image (its saved guest) */
	const char *hold;       /* with INBOX and SCENARIO (the image's, the inbox holding
	                         * no script): its traced step, where the guest is saved
	                         * too, the steps before it run (gdb-session.h) */
	const char *program;    /* NULL: the scenario's traced program */
	const char *function;   /* NULL: lab_SYSCALL, or the scenario's */
	char *const *also;      /* with PROGRAM: its other functions that may make the
	                         * call, watched too (under KVM, while debug registers last) */
	int nalso;
	const char *timeline;   /* --timeline: comma-separated scenarios (cmd-trace-timeline.c) */
	const char *compare;    /* --compare: two kernel versions (cmd-trace-compare.c) */
	const char *out;        /* NULL: the run directory */
	const char *formats;    /* md,json,html */
	const char *lang;       /* the reports' language: "en" (NULL) or "zh" */
	const char *run_root;   /* NULL: $LABCTL_RUN_ROOT, or the cache's runs/ */
	double timeout;         /* interactive: for the guest to reach the call */
	bool kvm;
	bool no_snapshot;       /* boot the guest, never restore its saved state */
	const struct gdb_server *gdb_server; /* a GDB kept for many traces, or NULL */
	bool run_on;            /* once the capture is written, the guest runs to its
	                         * end, unwatched (grade: how the program ended) */
	bool interactive;       /* stop at the call, GDB's prompt on the terminal
	                         * (lab-step, lab-regs, lab-where, lab-report) */
	char **args;            /* for the generic program (labctl.args=) */
	int nargs;
};

/* What a trace left, also when it failed (then what it got to). */
struct trace_result {
	char *run_dir;          /* logs, serial.log, params.json, capture.json */
	char *capture;          /* RUN_DIR/capture.json, kept whatever happened */
	char *reports[3];       /* the reports written (json, md, html), as asked;
	                         * when it failed, those of what it saw */
	size_t nreports;
	char **warnings;        /* the capture's (gdb/SCHEMA.md), for the user */
	size_t nwarnings;
};

/*
 * Boot the guest paused, let GDB's lab-trace follow the call, write the
 * reports.  0, or -1 with E: EXIT_USAGE (no such call, bad arguments),
 * EXIT_INPUT (no such program, function or initramfs), EXIT_ENV (no gdb,
 * qemu or kernel), EXIT_FAIL (the guest ended before the call, the trace
 * failed), EXIT_TIMEOUT.
 */
int trace_run(const struct trace_opts *o, struct trace_result *res, struct error *e);
void trace_result_free(struct trace_result *res);

/* Is FORMAT among FORMATS' words? */
bool trace_wants(const char *formats, const char *format);
/* labctl trace --timeline (cmd-trace-timeline.c), --compare
 * (cmd-trace-compare.c): return the exit code. */
int trace_timeline(struct trace_opts *o);
int trace_compare(struct trace_opts *o);
/* cmd/trace-publish.c: write ROOT (several captures under one schema) as
 * report.json in O->out or DIR, render report.md and report.html from it
 * as O asks, print their paths; dies on failure.  Takes ROOT. */
void trace_publish(json_t *root, const char *dir, const struct trace_opts *o);

#endif
