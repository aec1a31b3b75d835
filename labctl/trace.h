/* `labctl trace`: one system call (cmd-trace.c) or a timeline of a
 * scenario's socket calls (cmd-trace-timeline.c). */
#ifndef LABCTL_TRACE_H
#define LABCTL_TRACE_H

#include <stdbool.h>

struct trace_opts {
	const char *syscall, *abi, *scenario, *initrd, *program, *function;
	const char *timeline;   /* --timeline: comma-separated scenarios */
	const char *out, *formats;
	double timeout;
	bool kvm;
	char **args;
	int nargs;
};

/* Is FORMAT (md, json, html) among --format's? */
bool trace_wants(const struct trace_opts *o, const char *format);
/* labctl trace --timeline: returns the exit code. */
int trace_timeline(struct trace_opts *o);

#endif
