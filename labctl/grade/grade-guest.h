/* The student's program in the lab's guest, under the trace: grade-guest.c. */
#ifndef LABCTL_GRADE_GUEST_H
#define LABCTL_GRADE_GUEST_H

#include "grade/grade.h"

struct gdb_server;

struct guest_opts {
	const char *dir;           /* the grading's directory: logs, trace/, runs/ */
	const char *exe;           /* the compiled program; its basename is PROGRAM */
	const char *program;       /* its name in the guest (the manifest's) */
	long nr;
	const char *syscall_name;
	const char *function;      /* whose syscall instruction to trace; NULL: none
	                            * (the program is only run) */
	char *const *also;         /* other functions that may make the call */
	int nalso;
	double run_timeout;        /* seconds the program's run may take */
	const char *kernel;        /* the kernel's version (kernel_load()); NULL: the last built */
	const char *lab_image;     /* the lab's initramfs; NULL: grade_lab_image() */
	const struct gdb_server *gdb_server; /* the trace's GDB, kept; NULL: its own */
	bool no_snapshot;          /* boot the guest, never restore its saved state */
};

/*
 * Run the program in the guest under `labctl trace`, to its end, and
 * fill F (trace_facts_init()ed) with what the console and the trace
 * showed.  0 when F holds the student's verdicts (also when the program
 * never made the call or hung), -1 with ERR when the grader failed (no
 * QEMU, no kernel, a broken trace): never the student's fault.
 */
int grade_guest(const struct guest_opts *o, struct trace_facts *f, char **err);

/* The lab's initramfs path (built or cached): NULL + ERR. */
char *grade_lab_image(char **err);

/* The prefix of grade_guest()'s directories in $TMPDIR (a short path for
 * the gdbstub's socket when the grading's own is too long). */
#define GUEST_TEMP "labctl-grade"
/* Remove those of grades that were killed. */
void grade_clean_stale(void);

/* Whose fault an unfinished grading run is: nobody's (the trace is
 * complete), the student's (and why), or the grader's. */
enum guest_blame {
	BLAME_NONE,
	BLAME_NO_SYSCALL_INSN,        /* nothing to trace, and the program ran */
	BLAME_ENDED_WITHOUT_CALL,     /* the run ended before the call */
	BLAME_NO_CALL_IN_TIME,        /* it ran past the time limit without the call */
	BLAME_GRADER,                 /* no QEMU, no kernel, a broken trace */
};
/*
 * A pure function of what the run produced: TRACED (a function was
 * traced, else the program was only booted), CODE (0, or the exit code of
 * the trace's or boot's error), F (the console's and the capture's facts)
 * and whether the run started.
 */
enum guest_blame grade_blame(bool traced, int code, const struct trace_facts *f, bool started);

#endif
