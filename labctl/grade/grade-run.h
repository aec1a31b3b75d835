/* One `labctl grade` run: its options, and the single and batch drivers. */
#ifndef LABCTL_GRADE_RUN_H
#define LABCTL_GRADE_RUN_H

#include "grade/grade.h"
#include "lib/parse-options.h"

struct gdb_server;

struct grade_opts {
	const char *origin;        /* the submission */
	const char *ref;
	const char *out;
	const char *rubric;
	const char *roster;
	struct opt_strings compare; /* --compare: other submissions not to copy */
	const struct report_sources *reports; /* a batch's, read once; NULL: grade_one
	                            * reads the course's and --compare's */
	struct sandbox_opts sandbox;
	const char *kernel;        /* --kernel: a version (versions.h); NULL: the last built */
	bool no_snapshot;          /* --no-snapshot: boot each guest, never restore it */
	int jobs;
	double run_timeout;        /* seconds the program may run in the guest */
	const char *lab_image;     /* a batch's lab initramfs, found once; NULL: each
	                            * grading finds it (its key hashes 15 MB) */
	const struct gdb_server *gdb_server; /* a batch worker's GDB, vmlinux loaded
	                            * once for its gradings (gdb-session.h); NULL:
	                            * each trace starts its own */
};

/* The reports every grading of O compares with: the course's and
 * --compare's (remotes cloned under DIR).  0, or -1 with E. */
int grade_reports(const struct grade_opts *o, struct report_sources *rs, const char *dir,
		  struct error *e);
/* Grade O->origin into O->out (or a new run directory); the exit code. */
int grade_one(const struct grade_opts *o);
/* Grade SUBS (and O->roster's lines), O->jobs at a time; the exit code. */
int grade_batch(const struct grade_opts *o, char **subs, int nsubs);
/* The gradebook (summary.csv, summary.md) of the gradings under DIRS (batch
 * directories, or one grading's), into o->out; the worst status's code. */
int grade_gradebook(const struct grade_opts *o, char **dirs, int ndirs);

#endif
