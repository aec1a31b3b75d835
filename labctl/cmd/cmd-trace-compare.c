/*
 * labctl trace SYSCALL --compare A,B: the call traced on two kernels built
 * side by side (--kernel A, then --kernel B: each trace as trace_run()
 * makes it, with its own reports in OUT/A and OUT/B), then one report of
 * the two (schema labctl-kernels/1, gdb/SCHEMA.md) that gdb/labctl/report
 * renders with the entries and the dispatches aligned instruction by
 * instruction and each difference named (kernels_model.py).
 *
 * Command code, like cmd-trace.c whose option parsing hands over here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/rundir.h"
#include "trace/capture.h"
#include "trace/trace.h"

/* One kernel's trace into DIR/VERSION: its capture. */
static json_t *trace_on(const struct trace_opts *o, const char *version, const char *dir)
{
	struct trace_opts one = *o;
	struct trace_result res;
	struct error e;
	json_t *cap;

	one.kernel = version;
	one.compare = NULL;
	one.out = xasprintf("%s/%s", dir, version);
	note("Linux %s:", version);
	if (trace_run(&one, &res, &e) < 0) {
		fflush(stdout);
		error_set(&e, e.code, "on %s: %s", version, e.msg);
		die_error(&e);
	}
	for (size_t i = 0; i < res.nwarnings; i++)
		warn("%s: %s", version, res.warnings[i]);
	cap = capture_read(res.capture, &e);
	if (!cap)
		die_error(&e);
	trace_result_free(&res);
	free((char *)one.out);
	return cap;
}

int trace_compare(struct trace_opts *o)
{
	char *list = xstrdup(o->compare), *b = strchr(list, ','), *dir;
	json_t *caps;
	struct error e;

	if (b)
		*b++ = '\0';
	if (!b || strchr(b, ',') || !strcmp(list, b))
		die(EXIT_USAGE, "--compare takes two kernel versions, A,B (e.g. 5.10,6.12)");
	if (!(dir = run_dir_create("compare", &e)))
		die_error(&e);
	caps = json_pack("[o,o]", trace_on(o, list, dir), trace_on(o, b, dir));
	trace_publish(json_pack("{s:s, s:o}", "schema", "labctl-kernels/1", "captures", caps),
		      dir, o);
	free(dir);
	free(list);
	return EXIT_OK;
}
