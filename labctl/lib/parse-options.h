/*
 * A command line described once: each option's names, the kind of value it
 * takes, the field it sets and its line of help, in one table.  The table
 * drives getopt_long, checks typed values with one style of error, and
 * writes the options part of --help, so that the parser, the checks and
 * the help cannot drift apart.  After git's parse-options.
 */
#ifndef LABCTL_PARSE_OPTIONS_H
#define LABCTL_PARSE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/error.h"

enum opt_kind {
	OPT_KIND_END,
	OPT_KIND_GROUP,    /* a heading in --help, not an option */
	OPT_KIND_FLAG,     /* bool, set */
	OPT_KIND_INCR,     /* int, one more each time given (-v -v) */
	OPT_KIND_STRING,   /* const char *, the last one given */
	OPT_KIND_STRINGS,  /* struct opt_strings, every one given, in order */
	OPT_KIND_CHOICE,   /* const char *, one of words */
	OPT_KIND_LIST,     /* const char *, comma-separated words (of words, if any) */
	OPT_KIND_SECONDS,  /* double > 0, >= min, and <= max unless max is 0 */
	OPT_KIND_COUNT,    /* int from min to max */
};

/*
 * What a value (or an operand) names, for shell completion (cmd/complete.c):
 * the shell's files or directories, or words labctl lists.
 */
enum opt_values {
	OPT_ANY,           /* nothing to offer */
	OPT_FILES,
	OPT_DIRS,
	OPT_SCENARIOS,     /* scenarios/NAME.ini */
	OPT_SYSCALLS,      /* the built kernel's syscall_64.tbl */
};

/* A repeatable option's values; the caller frees v (not the strings: argv's). */
struct opt_strings {
	const char **v;
	size_t n;
};

struct option_def {
	enum opt_kind kind;
	int short_name;               /* 0: none */
	const char *long_name;
	void *value;
	const char *argh;             /* the value's name in --help: "N", "FILE" */
	const char *help;             /* lines split at '\n'; GROUP: the heading */
	const char *const *words;     /* CHOICE, LIST: the valid words, NULL-ended */
	double min, max;              /* SECONDS, COUNT */
	enum opt_values values;       /* STRING(S), LIST without words: what they name */
};

/*
 * The table's rows.  S is the short letter or 0; V the field, whose type
 * _Generic checks against the kind (a wrong one does not compile).
 */
#define OPT_END() { .kind = OPT_KIND_END }
#define OPT_GROUP(H) { .kind = OPT_KIND_GROUP, .help = (H) }
#define OPT_FLAG(S, L, V, H) \
	{ .kind = OPT_KIND_FLAG, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), bool *: (V)), .help = (H) }
#define OPT_INCR(S, L, V, H) \
	{ .kind = OPT_KIND_INCR, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), int *: (V)), .help = (H) }
#define OPT_STRING(S, L, V, A, H) OPT_STRING_OF(S, L, V, OPT_ANY, A, H)
#define OPT_STRING_OF(S, L, V, OF, A, H) \
	{ .kind = OPT_KIND_STRING, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), const char **: (V)), .values = (OF), .argh = (A), .help = (H) }
#define OPT_STRINGS(S, L, V, A, H) OPT_STRINGS_OF(S, L, V, OPT_ANY, A, H)
#define OPT_STRINGS_OF(S, L, V, OF, A, H) \
	{ .kind = OPT_KIND_STRINGS, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), struct opt_strings *: (V)), .values = (OF), .argh = (A), \
	  .help = (H) }
#define OPT_CHOICE(S, L, V, W, A, H) \
	{ .kind = OPT_KIND_CHOICE, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), const char **: (V)), .words = (W), .argh = (A), .help = (H) }
#define OPT_LIST(S, L, V, W, A, H) \
	{ .kind = OPT_KIND_LIST, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), const char **: (V)), .words = (W), .argh = (A), .help = (H) }
#define OPT_LIST_OF(S, L, V, OF, A, H) \
	{ .kind = OPT_KIND_LIST, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), const char **: (V)), .values = (OF), .argh = (A), .help = (H) }
#define OPT_SECONDS(S, L, V, MIN, MAX, A, H) \
	{ .kind = OPT_KIND_SECONDS, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), double *: (V)), .min = (MIN), .max = (MAX), \
	  .argh = (A), .help = (H) }
#define OPT_COUNT(S, L, V, MIN, MAX, A, H) \
	{ .kind = OPT_KIND_COUNT, .short_name = (S), .long_name = (L), \
	  .value = _Generic((V), int *: (V)), .min = (MIN), .max = (MAX), \
	  .argh = (A), .help = (H) }

/* Several tables in one: a command's own rows and shared ones (busybox.h). */
#define OPT_TABLE_MAX 4

struct command_line {
	const char *usage;            /* "usage: ..." and what the command does */
	const struct option_def *options[OPT_TABLE_MAX];   /* each OPT_END-ended */
	const char *epilog;           /* after the options, or NULL */
	bool in_order;                /* stop at the first operand (labctl's own) */
	enum opt_values operands;     /* what the operands name */
};

/* What parse_options() returns besides an operand's index and -1. */
enum { PARSE_OPT_HELP = -2, PARSE_OPT_LIST = -3 };

/*
 * Parse ARGV[1..] against C: set the fields, and return the index in ARGV
 * of the first operand (operands are moved after the options, unless
 * in_order; "--" ends the options).  -h/--help: PARSE_OPT_HELP;
 * --list-options (for completion and the tests): PARSE_OPT_LIST.  A bad
 * option or value: -1 with E (EXIT_USAGE).
 */
int parse_options(const struct command_line *c, int argc, char **argv, struct error *e);
/* C's usage, its options with their help, and its epilog. */
void options_help(FILE *out, const struct command_line *c);
/* Every long option of C that starts with PREFIX ("" for all), one per
 * line ("--base"), --help last. */
void options_list(FILE *out, const struct command_line *c, const char *prefix);
/* C's option (not a heading) whose long name is the LEN bytes at NAME, or
 * whose short letter is NAME[0] when SHORT; NULL when none. */
const struct option_def *option_find(const struct command_line *c, const char *name,
				     size_t len, bool is_short);
/* Whether O takes a value (--out DIR), or is a flag (--kvm). */
bool option_takes_value(const struct option_def *o);

#endif
