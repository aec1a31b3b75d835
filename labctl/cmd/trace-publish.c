/*
 * The report of several traces put together (--timeline's scenarios,
 * --compare's kernels): report.json holds the captures under its own
 * schema (gdb/SCHEMA.md), and gdb/labctl/report renders report.md and
 * report.html from it, run as a module with gdb/ on its sys.path (as GDB's
 * is: gdb-session.c).  Command code: it prints the reports' paths, or the
 * error, and exits.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "trace/trace.h"

static void render(const char *json, const char *out, const char *dir,
		   const struct trace_opts *o)
{
	char *path = xasprintf("PYTHONPATH=%s/gdb", datadir());
	char *log = xasprintf("%s/report.log", dir);
	char formats[16] = "";
	const char *argv[] = { "python3", "-m", "labctl.report", json, out, formats,
			       o->lang ? o->lang : "en", NULL };
	const char *env[] = { path, NULL };
	struct child c = { .name = "report", .argv = argv, .env = env, .log = log, .timeout = 60 };
	struct error e, report;

	/* "md,html" at most: it fits */
	snprintf(formats, sizeof(formats), "%s%s%s", trace_wants(o->formats, "md") ? "md" : "",
		 trace_wants(o->formats, "md") && trace_wants(o->formats, "html") ? "," : "",
		 trace_wants(o->formats, "html") ? "html" : "");
	if (formats[0] && child_start(&c, &e) < 0)
		die_error(&e);
	if (formats[0] && child_wait(&c) != 0) {
		child_failure(&c, 15, &report);
		error_set(&e, EXIT_INTERNAL, "%s\nrendering %s failed (see %s)", report.msg, json, log);
		die_error(&e);
	}
	free(path);
	free(log);
}

void trace_publish(json_t *root, const char *dir, const struct trace_opts *o)
{
	const char *out = o->out ? o->out : dir;
	char *json = xasprintf("%s/report.json", out), *text, *path;
	struct error e;

	if (make_dirs(out, &e) < 0)
		die_error(&e);
	text = json_dumps(root, JSON_INDENT(1));
	if (!text || write_file_atomic(json, text, strlen(text)) < 0)
		die_errno(EXIT_ENV, "cannot write %s", json);
	free(text);
	json_decref(root);
	render(json, out, dir, o);
	if (trace_wants(o->formats, "json"))
		printf("%s\n", json);
	else
		unlink(json);
	for (const char *const *f = (const char *const[]){ "md", "html", NULL }; *f; f++) {
		if (!trace_wants(o->formats, *f))
			continue;
		path = xasprintf("%s/report.%s", out, *f);
		if (!is_file(path))
			die(EXIT_INTERNAL, "no %s: rendering failed", path);
		printf("%s\n", path);
		free(path);
	}
	free(json);
}
