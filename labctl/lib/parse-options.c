/* Command lines from one table: see parse-options.h. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/closest.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"

/* getopt_long's value for the option in row I: above every short letter. */
#define ROW_VAL(i) (256 + (int)(i))
#define HELP_COLUMN_MAX 26

/* The rows of C's tables, headings and all, in one array (freed by the caller). */
static const struct option_def **rows_of(const struct command_line *c, size_t *n)
{
	const struct option_def **rows = NULL;

	*n = 0;
	for (size_t t = 0; t < OPT_TABLE_MAX && c->options[t]; t++)
		for (const struct option_def *o = c->options[t]; o->kind != OPT_KIND_END; o++) {
			rows = xrealloc(rows, (*n + 1) * sizeof(*rows));
			rows[(*n)++] = o;
		}
	return rows;
}

bool option_takes_value(const struct option_def *o)
{
	return o->kind != OPT_KIND_FLAG && o->kind != OPT_KIND_INCR;
}

static bool is_word(const char *const *words, const char *w, size_t len)
{
	for (; *words; words++)
		if (strlen(*words) == len && !strncmp(*words, w, len))
			return true;
	return false;
}

/* "x86_64 or i386", "md, json or html". */
static char *words_text(const char *const *words)
{
	char *s = xstrdup(words[0]), *t;

	for (size_t i = 1; words[i]; i++) {
		t = xasprintf("%s%s%s", s, words[i + 1] ? ", " : " or ", words[i]);
		free(s);
		s = t;
	}
	return s;
}

static int bad_word(const struct option_def *o, const char *arg, struct error *e)
{
	char *text = o->words ? words_text(o->words) : NULL;

	if (o->kind == OPT_KIND_CHOICE)
		error_set(e, EXIT_USAGE, "--%s: '%s' is not %s", o->long_name, arg, text);
	else
		error_set(e, EXIT_USAGE, "--%s: '%s' is not a comma-separated list%s%s",
			  o->long_name, arg, text ? " of " : "", text ? text : "");
	free(text);
	return -1;
}

/* Every comma-separated word is there (empty ones are not), and in words. */
static bool list_valid(const struct option_def *o, const char *arg)
{
	const char *w = arg, *comma;
	size_t len;

	do {
		comma = strchr(w, ',');
		len = comma ? (size_t)(comma - w) : strlen(w);
		if (!len || (o->words && !is_word(o->words, w, len)))
			return false;
		w = comma + 1;
	} while (comma);
	return true;
}

static int set_seconds(const struct option_def *o, const char *arg, struct error *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end != arg && !*end && !errno && isfinite(v) && v > 0 && v >= o->min &&
	    (!o->max || v <= o->max)) {
		*(double *)o->value = v;
		return 0;
	}
	if (o->max)
		return error_set(e, EXIT_USAGE, "--%s: '%s' is not a number of seconds from %g to %g",
				 o->long_name, arg, o->min, o->max);
	if (o->min)
		return error_set(e, EXIT_USAGE, "--%s: '%s' is not a number of seconds >= %g",
				 o->long_name, arg, o->min);
	return error_set(e, EXIT_USAGE, "--%s: '%s' is not a number of seconds > 0",
			 o->long_name, arg);
}

static int set_count(const struct option_def *o, const char *arg, struct error *e)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < o->min || v > o->max)
		return error_set(e, EXIT_USAGE, "--%s: '%s' is not a number from %g to %g",
				 o->long_name, arg, o->min, o->max);
	*(int *)o->value = (int)v;
	return 0;
}

static int set_value(const struct option_def *o, const char *arg, struct error *e)
{
	struct opt_strings *s;

	switch (o->kind) {
	case OPT_KIND_FLAG:
		*(bool *)o->value = true;
		return 0;
	case OPT_KIND_INCR:
		++*(int *)o->value;
		return 0;
	case OPT_KIND_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_KIND_STRINGS:
		s = o->value;
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		s->v[s->n++] = arg;
		return 0;
	case OPT_KIND_CHOICE:
		if (!is_word(o->words, arg, strlen(arg)))
			return bad_word(o, arg, e);
		*(const char **)o->value = arg;
		return 0;
	case OPT_KIND_LIST:
		if (!list_valid(o, arg))
			return bad_word(o, arg, e);
		*(const char **)o->value = arg;
		return 0;
	case OPT_KIND_SECONDS:
		return set_seconds(o, arg, e);
	case OPT_KIND_COUNT:
		return set_count(o, arg, e);
	default:
		return error_set(e, EXIT_INTERNAL, "--%s: no such kind of option", o->long_name);
	}
}

/* The long option closest to GIVEN ("--frob=x" -> "frob"): a typo (edit
 * distance at most 2) or the start of one; NULL when none is close. */
static const char *closest(const struct option_def **rows, size_t n, const char *given)
{
	const char **names = xcalloc(n + 2, sizeof(*names)), *best;
	size_t nnames = 0;

	for (size_t i = 0; i < n; i++)
		if (rows[i]->long_name)		/* not a heading */
			names[nnames++] = rows[i]->long_name;
	names[nnames] = "help";
	best = closest_word(given, strcspn(given, "="), names);
	free(names);
	return best;
}

static const struct option_def *by_val(const struct option_def **rows, size_t n, int val)
{
	for (size_t i = 0; i < n; i++)
		if (val == (rows[i]->short_name ? rows[i]->short_name : ROW_VAL(i)))
			return rows[i];
	return NULL;
}

/* getopt_long's '?': an option it does not know, or a value given to a flag. */
static int unknown(const struct option_def **rows, size_t n, const struct option *longopts,
		   const char *arg, int opt, struct error *e)
{
	const char *near;

	for (; opt && longopts->name; longopts++)
		if (longopts->val == opt)
			return error_set(e, EXIT_USAGE, "--%s takes no value", longopts->name);
	if (opt)
		return error_set(e, EXIT_USAGE, "unknown option '-%c'", opt);
	/* "--frob", or "--t", the start of two options: getopt_long calls both unknown. */
	near = strncmp(arg, "--", 2) ? NULL : closest(rows, n, arg + 2);
	if (near)
		return error_set(e, EXIT_USAGE, "unknown option '%s' (did you mean --%s?)", arg, near);
	return error_set(e, EXIT_USAGE, "unknown option '%s'", arg);
}

int parse_options(const struct command_line *c, int argc, char **argv, struct error *e)
{
	size_t n, nlong = 0;
	const struct option_def **rows = rows_of(c, &n);
	struct option *longopts = xcalloc(n + 3, sizeof(*longopts));
	char *shorts = xcalloc(2 * n + 4, 1), *s = shorts;
	const struct option_def *o;
	int ch, ret = 0;

	/* "+": stop at the first operand; ":": a missing value is ':', not '?'. */
	if (c->in_order)
		*s++ = '+';
	*s++ = ':';
	*s++ = 'h';
	for (size_t i = 0; i < n; i++) {
		o = rows[i];
		if (o->kind == OPT_KIND_GROUP)
			continue;
		longopts[nlong++] = (struct option){ o->long_name, option_takes_value(o) ? required_argument
						     : no_argument, NULL,
						     o->short_name ? o->short_name : ROW_VAL(i) };
		if (o->short_name) {
			*s++ = (char)o->short_name;
			if (option_takes_value(o))
				*s++ = ':';
		}
	}
	longopts[nlong++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[nlong] = (struct option){ "list-options", no_argument, NULL, ROW_VAL(n) };

	/* Afresh on every call (each command's argv, each test), and silent:
	 * the errors are ours, one line each. */
	optind = 0;
	opterr = 0;
	while (!ret && (ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (ch == 'h')
			ret = PARSE_OPT_HELP;
		else if (ch == ROW_VAL(n))
			ret = PARSE_OPT_LIST;
		else if (ch == '?')
			ret = unknown(rows, n, longopts, argv[optind - 1], optopt, e);
		else if (ch == ':')
			ret = error_set(e, EXIT_USAGE, "--%s needs a value",
					by_val(rows, n, optopt)->long_name);
		else if ((o = by_val(rows, n, ch)))
			ret = set_value(o, optarg, e);
		else
			ret = error_set(e, EXIT_INTERNAL, "getopt_long returned %d", ch);
	}
	free_all(rows, longopts, shorts);
	return ret ? ret : optind;
}

/* "  -j, --jobs N" or "      --base BASE": long names aligned, as git's. */
static char *left_column(const struct option_def *o)
{
	if (o->short_name)
		return xasprintf("  -%c, --%s%s%s", o->short_name, o->long_name,
				 o->argh ? " " : "", o->argh ? o->argh : "");
	return xasprintf("      --%s%s%s", o->long_name, o->argh ? " " : "", o->argh ? o->argh : "");
}

static void help_row(FILE *out, const char *left, const char *help, int column)
{
	size_t len;

	fputs(left, out);
	if ((int)strlen(left) + 2 > column)
		fprintf(out, "\n%*s", column, "");
	else
		fprintf(out, "%*s", column - (int)strlen(left), "");
	for (;;) {
		len = strcspn(help, "\n");
		fprintf(out, "%.*s\n", (int)len, help);
		if (!help[len])
			break;
		help += len + 1;
		fprintf(out, "%*s", column, "");
	}
}

void options_help(FILE *out, const struct command_line *c)
{
	size_t n;
	const struct option_def **rows = rows_of(c, &n);
	const struct option_def help = { .short_name = 'h', .long_name = "help",
					 .help = "this help" };
	int column = 0;
	char *left;

	for (size_t i = 0; i <= n; i++) {
		const struct option_def *o = i < n ? rows[i] : &help;

		if (o->kind == OPT_KIND_GROUP)
			continue;
		left = left_column(o);
		if ((int)strlen(left) + 2 > column && (int)strlen(left) + 2 <= HELP_COLUMN_MAX)
			column = (int)strlen(left) + 2;
		free(left);
	}
	fputs(c->usage, out);
	fputs("\noptions:\n", out);
	for (size_t i = 0; i <= n; i++) {
		const struct option_def *o = i < n ? rows[i] : &help;

		if (o->kind == OPT_KIND_GROUP) {
			fprintf(out, "%s\n", o->help);
			continue;
		}
		left = left_column(o);
		help_row(out, left, o->help, column);
		free(left);
	}
	if (c->epilog)
		fprintf(out, "\n%s", c->epilog);
	free(rows);
}

void options_list(FILE *out, const struct command_line *c, const char *prefix)
{
	size_t n, len = strlen(prefix);
	const struct option_def **rows = rows_of(c, &n);
	char *name;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && rows[i]->kind == OPT_KIND_GROUP)
			continue;
		name = xasprintf("--%s", i < n ? rows[i]->long_name : "help");
		if (!strncmp(name, prefix, len))
			fprintf(out, "%s\n", name);
		free(name);
	}
	free(rows);
}

const struct option_def *option_find(const struct command_line *c, const char *name,
				     size_t len, bool is_short)
{
	size_t n;
	const struct option_def **rows = rows_of(c, &n), *found = NULL;

	for (size_t i = 0; i < n && !found; i++) {
		const struct option_def *o = rows[i];

		if (o->kind == OPT_KIND_GROUP)
			continue;
		if (is_short ? o->short_name == name[0]
			     : strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			found = o;
	}
	free(rows);
	return found;
}
