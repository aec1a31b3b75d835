/* One `labctl grade` run: its options, and the single and batch drivers. */
#ifndef LABCTL_GRADE_RUN_H
#define LABCTL_GRADE_RUN_H

#include "grade.h"

struct grade_opts {
	const char *origin;        /* the submission */
	const char *ref;
	const char *out;
	const char *rubric;
	const char *roster;
	struct sandbox_opts sandbox;
	int jobs;
	double run_timeout;        /* seconds per run of the program in the guest */
};

/* Grade O->origin into O->out (or a new run directory); the exit code. */
int grade_one(const struct grade_opts *o);
/* Grade SUBS (and O->roster's lines), O->jobs at a time; the exit code. */
int grade_batch(const struct grade_opts *o, char **subs, int nsubs);

#endif
