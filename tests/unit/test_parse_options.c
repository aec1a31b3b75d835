/* One table per command line: parse_options(), options_help(), options_list(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/error.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/lib/parse-options.h"

struct fields {
	bool force;
	int verbose, jobs;
	const char *out, *abi, *formats;
	struct opt_strings fragments;
	double timeout;
};

static const char *const abis[] = { "x86_64", "i386", NULL };
static const char *const formats[] = { "md", "json", "html", NULL };

static struct fields f;
static const struct option_def table[] = {
	OPT_FLAG(0, "force", &f.force, "rebuild anyway"),
	OPT_INCR('v', "verbose", &f.verbose, "say more"),
	OPT_STRING(0, "out", &f.out, "DIR", "where the reports go"),
	OPT_STRINGS(0, "fragment", &f.fragments, "FILE", "a config fragment (repeatable)"),
	OPT_CHOICE(0, "abi", &f.abi, abis, "ABI", "x86_64 or i386"),
	OPT_GROUP("and the limits:"),
	OPT_LIST(0, "format", &f.formats, formats, "LIST", "md, json, html,\ncomma-separated"),
	OPT_SECONDS(0, "timeout", &f.timeout, 2, 0, "S", "give up after S seconds"),
	OPT_COUNT('j', "jobs", &f.jobs, 1, 64, "N", "N at a time"),
	OPT_END()
};
static const struct command_line cl = {
	.usage = "usage: test [OPTIONS] ARG...\n",
	.options = { table },
	.epilog = "the end\n",
};

/* Parse the NULL-ended words after "test"; argv stays valid for the asserts. */
static char *argv[16];
static int parse(struct error *e, ...)
{
	va_list ap;
	int argc = 0;

	memset(&f, 0, sizeof(f));
	argv[argc++] = "test";
	va_start(ap, e);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return parse_options(&cl, argc, argv, e);
}

static void test_values(void **state)
{
	struct error e;

	assert_int_equal(parse(&e, "--force", "-vv", "--verbose", "--out", "d", "--abi=i386",
			       "--format", "md,html", "--timeout", "2.5", "-j", "3", NULL), 13);
	assert_true(f.force);
	assert_int_equal(f.verbose, 3);
	assert_string_equal(f.out, "d");
	assert_string_equal(f.abi, "i386");
	assert_string_equal(f.formats, "md,html");
	assert_true(f.timeout == 2.5);
	assert_int_equal(f.jobs, 3);
}

/* The last of a string wins; a repeatable one keeps them all, in order. */
static void test_repeated(void **state)
{
	struct error e;

	assert_int_equal(parse(&e, "--out", "a", "--fragment", "x", "--out", "b",
			       "--fragment", "y", NULL), 9);
	assert_string_equal(f.out, "b");
	assert_int_equal(f.fragments.n, 2);
	assert_string_equal(f.fragments.v[0], "x");
	assert_string_equal(f.fragments.v[1], "y");
	free(f.fragments.v);
}

/* Operands move after the options; "--" ends them, even before a "-x". */
static void test_operands(void **state)
{
	struct error e;
	int i = parse(&e, "one", "--force", "two", "--", "--out", "-j", NULL);

	assert_int_equal(i, 3);
	assert_true(f.force);
	assert_null(f.out);
	assert_string_equal(argv[i], "one");
	assert_string_equal(argv[i + 1], "two");
	assert_string_equal(argv[i + 2], "--out");
	assert_string_equal(argv[i + 3], "-j");
	assert_null(argv[i + 4]);
}

static void test_in_order(void **state)
{
	struct command_line c = cl;
	char *words[] = { "labctl", "-v", "build", "--force", NULL };
	struct error e;

	c.in_order = true;
	memset(&f, 0, sizeof(f));
	assert_int_equal(parse_options(&c, 4, words, &e), 2);
	assert_int_equal(f.verbose, 1);
	assert_false(f.force);
}

/*
 * Every bad value: -1, EXIT_USAGE, one line naming the option (long, even
 * when typed short), the value, and what the option takes.
 */
static void test_bad_values(void **state)
{
	static const struct { const char *opt, *name, *takes, *values[4]; } bad[] = {
		{ "--timeout", "--timeout", "a number of seconds >= 2", { "1", "2s", "inf", "" } },
		{ "--jobs", "--jobs", "a number from 1 to 64", { "0", "65", "99999999999999999999" } },
		{ "-j", "--jobs", "a number from 1 to 64", { "zero" } },
		{ "--abi", "--abi", "x86_64 or i386", { "arm" } },
		{ "--format", "--format", "a comma-separated list of md, json or html",
		  { "pdf", "md,", "md,,html" } },
	};
	struct error e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (size_t j = 0; j < 4 && bad[i].values[j]; j++) {
			const char *value = bad[i].values[j];
			char *msg = xasprintf("%s: '%s' is not %s", bad[i].name, value, bad[i].takes);

			assert_int_equal(parse(&e, bad[i].opt, value, NULL), -1);
			assert_int_equal(e.code, EXIT_USAGE);
			assert_string_equal(e.msg, msg);
			free(msg);
		}
	}
}

static void test_seconds_range(void **state)
{
	double s = 0;
	const struct option_def t[] = {
		OPT_SECONDS(0, "run-timeout", &s, 1, 600, "S", "limit"),
		OPT_SECONDS(0, "wait", &s, 0, 0, "S", "limit"),
		OPT_END()
	};
	struct command_line c = { .usage = "", .options = { t } };
	char *ok[] = { "t", "--run-timeout", "600", NULL }, *high[] = { "t", "--run-timeout", "601", NULL };
	char *zero[] = { "t", "--wait", "0", NULL }, *tiny[] = { "t", "--wait", "0.01", NULL };
	struct error e;

	assert_int_equal(parse_options(&c, 3, ok, &e), 3);
	assert_true(s == 600);
	assert_int_equal(parse_options(&c, 3, high, &e), -1);
	assert_string_equal(e.msg, "--run-timeout: '601' is not a number of seconds from 1 to 600");
	assert_int_equal(parse_options(&c, 3, zero, &e), -1);
	assert_string_equal(e.msg, "--wait: '0' is not a number of seconds > 0");
	assert_int_equal(parse_options(&c, 3, tiny, &e), 3);
	assert_true(s == 0.01);
}

static void test_unknown(void **state)
{
	static const struct { const char *arg, *msg; } bad[] = {
		{ "--timout", "unknown option '--timout' (did you mean --timeout?)" },
		{ "--fo", "unknown option '--fo' (did you mean --force?)" },  /* --force, --format */
		{ "--zzzzzz", "unknown option '--zzzzzz'" },
		{ "-x", "unknown option '-x'" },
		{ "--force=yes", "--force takes no value" },
		{ "--verbose=2", "--verbose takes no value" },
		{ "--help=me", "--help takes no value" },
		{ "--out", "--out needs a value" },
		{ "-j", "--jobs needs a value" },
	};
	struct error e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&e, bad[i].arg, NULL), -1);
		assert_int_equal(e.code, EXIT_USAGE);
		assert_string_equal(e.msg, bad[i].msg);
	}
	assert_int_equal(parse(&e, "--fragmnt=a", NULL), -1);
	assert_string_equal(e.msg, "unknown option '--fragmnt=a' (did you mean --fragment?)");
	/* getopt_long's abbreviations stay: --tim is --timeout. */
	assert_int_equal(parse(&e, "--tim", "3", NULL), 3);
	assert_true(f.timeout == 3);
	assert_int_equal(parse(&e, "--hepl", NULL), -1);
	assert_string_equal(e.msg, "unknown option '--hepl' (did you mean --help?)");
}

static void test_help_and_list(void **state)
{
	struct error e;

	assert_int_equal(parse(&e, "--out", "x", "--help", "--frob", NULL), PARSE_OPT_HELP);
	assert_int_equal(parse(&e, "-h", NULL), PARSE_OPT_HELP);
	assert_int_equal(parse(&e, "--list-options", NULL), PARSE_OPT_LIST);
}

static char *captured(void (*fn)(FILE *, const struct command_line *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	fn(out, &cl);
	fclose(out);
	return buf;
}

static void test_help_text(void **state)
{
	char *help = captured(options_help);

	assert_string_equal(help,
		"usage: test [OPTIONS] ARG...\n"
		"\n"
		"options:\n"
		"      --force          rebuild anyway\n"
		"  -v, --verbose        say more\n"
		"      --out DIR        where the reports go\n"
		"      --fragment FILE  a config fragment (repeatable)\n"
		"      --abi ABI        x86_64 or i386\n"
		"and the limits:\n"
		"      --format LIST    md, json, html,\n"
		"                       comma-separated\n"
		"      --timeout S      give up after S seconds\n"
		"  -j, --jobs N         N at a time\n"
		"  -h, --help           this help\n"
		"\n"
		"the end\n");
	free(help);
}

static void list_all(FILE *out, const struct command_line *c)
{
	options_list(out, c, "");
}

static void list_f(FILE *out, const struct command_line *c)
{
	options_list(out, c, "--f");
}

static void test_list(void **state)
{
	char *list = captured(list_all), *starting_f = captured(list_f);

	assert_string_equal(list, "--force\n--verbose\n--out\n--fragment\n--abi\n--format\n"
			    "--timeout\n--jobs\n--help\n");
	/* A prefix: what completing "--f" offers. */
	assert_string_equal(starting_f, "--force\n--fragment\n--format\n");
	free(list);
	free(starting_f);
}

static void test_find(void **state)
{
	const struct option_def *o;

	assert_non_null(o = option_find(&cl, "out=x", 3, false));
	assert_string_equal(o->long_name, "out");
	assert_true(option_takes_value(o));
	assert_non_null(o = option_find(&cl, "j4", 1, true));
	assert_string_equal(o->long_name, "jobs");
	assert_non_null(o = option_find(&cl, "force", 5, false));
	assert_false(option_takes_value(o));
	/* A prefix is not a name, and headings are not options. */
	assert_null(option_find(&cl, "forc", 4, false));
	assert_null(option_find(&cl, "x", 1, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_seconds_range),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_help_and_list),
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
