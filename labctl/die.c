/*
 * The one error style: "labctl: error: ..." on stderr and a documented exit
 * code.  And where the commands end early: --help printed, a bad option.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "commands.h"
#include "labctl.h"
#include "parse-options.h"

struct labctl_opts opts;

static void vreport(const char *prefix, const char *fmt, va_list ap, int err)
{
	fprintf(stderr, "labctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, 0);
	va_end(ap);
	exit(code);
}

void die_errno(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, err);
	va_end(ap);
	exit(code);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, 0);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	if (opts.quiet)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap, 0);
	va_end(ap);
}

void out_of_memory(const char *what)
{
	die(EXIT_ENV, "out of memory (%s)", what);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(EXIT_ENV, "out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(EXIT_ENV, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EXIT_ENV, "out of memory (%zu bytes)", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EXIT_ENV, "out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die(EXIT_ENV, "out of memory");
	va_end(ap);
	return s;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int error_set(struct error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	/* A cut message still says what failed; show that it was cut. */
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) >= (int)sizeof(e->msg))
		strcpy(e->msg + sizeof(e->msg) - 4, "...");
	va_end(ap);
	return -1;
}

void die_error(const struct error *e)
{
	const char *line = e->msg;

	/* A report of several findings (options Kconfig dropped) is several
	 * lines, each an error line of its own as grep expects. */
	for (const char *nl; (nl = strchr(line, '\n')); line = nl + 1)
		fprintf(stderr, "labctl: error: %.*s\n", (int)(nl - line), line);
	die(e->code ? e->code : EXIT_INTERNAL, "%s", line);
}

/* As git's run_builtin(): output lost to a full disk or a closed pipe is a
 * failure, not a success with a truncated result. */
int finish_stdout(int status)
{
	if (status != EXIT_OK)
		return status;
	if (fflush(stdout) != 0)
		die_errno(EXIT_ENV, "write failure on standard output");
	if (ferror(stdout))
		die(EXIT_ENV, "unknown write failure on standard output");
	return status;
}

int parse_command_line(const struct command_line *c, int argc, char **argv)
{
	struct error e;
	int i = parse_options(c, argc, argv, &e);

	if (i == PARSE_OPT_HELP || i == PARSE_OPT_LIST) {
		(i == PARSE_OPT_HELP ? options_help : options_list)(stdout, c);
		exit(finish_stdout(EXIT_OK));
	}
	if (i < 0)
		die_error(&e);
	return i;
}
