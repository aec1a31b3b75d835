/*
 * Shell completion from the tables that parse the command line, so that
 * what Tab offers cannot drift from what labctl takes: the scripts in
 * completion/ only ask `labctl __complete WORD...`, whose words are those
 * after "labctl", the last the one being completed ("" for a new one).
 *
 * The answer is a first line saying what to offer, then the words:
 *   words    the lines that follow, each starting the last WORD
 *   files    the shell's file names
 *   dirs     the shell's directory names
 * A value given after '=' ("--abi=i3") is offered with its "--abi=".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "kbuild/kernel.h"
#include "kbuild/syscalls.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "lib/strvec.h"
#include "rootfs/scenario.h"

bool completing;

/* Where the last word stands: a value of OPT, an option, or an operand. */
struct cursor {
	const struct option_def *opt;   /* the value of this option, or NULL */
	const char *prefix;             /* what stays as it is: "--abi=", "md," */
	const char *word;               /* what is being completed, after prefix */
	bool operand;                   /* an operand (after "--" or not "-...") */
};

/* The option an argument names and whether its value is in it ("--out=x",
 * "-j4"); NULL for an operand, "--" or an option C does not have. */
static const struct option_def *option_of(const struct command_line *c, const char *arg,
					  bool *inline_value)
{
	size_t len;

	if (arg[0] != '-' || !arg[1] || !strcmp(arg, "--"))
		return NULL;
	if (arg[1] != '-') {
		*inline_value = arg[2] != '\0';
		return option_find(c, arg + 1, 1, true);
	}
	len = strcspn(arg + 2, "=");
	*inline_value = arg[2 + len] == '=';
	return option_find(c, arg + 2, len, false);
}

/*
 * Walk ARGV[1..ARGC-2], the words before the last, as parse_options()
 * would: an option that takes a value takes the next word unless it holds
 * one.  Returns the index of the first operand when C is in order (the
 * command, for labctl's own options), else 0; fills CUR (unless NULL) for
 * the last word.
 */
static int walk(const struct command_line *c, int argc, char **argv, struct cursor *cur)
{
	const struct option_def *o, *pending = NULL;
	const char *last = argv[argc - 1], *eq;
	bool inline_value = false, operands_only = false;

	for (int i = 1; i < argc - 1; i++) {
		bool operand = operands_only || argv[i][0] != '-' || !argv[i][1];

		if (pending) {
			pending = NULL;
			continue;
		}
		if (operand && c->in_order)
			return i;
		if (operand)
			continue;
		if (!strcmp(argv[i], "--")) {
			operands_only = true;
			continue;
		}
		o = option_of(c, argv[i], &inline_value);
		if (o && option_takes_value(o) && !inline_value)
			pending = o;
	}
	if (!cur)
		return 0;
	*cur = (struct cursor){ .opt = pending, .prefix = "", .word = last };
	if (pending || operands_only)
		cur->operand = !pending;
	else if (!strncmp(last, "--", 2) && (eq = strchr(last, '='))) {
		o = option_of(c, last, &inline_value);
		if (o && option_takes_value(o)) {
			cur->opt = o;
			cur->prefix = xasprintf("%.*s", (int)(eq + 1 - last), last);
			cur->word = eq + 1;
		}
	} else
		cur->operand = last[0] != '-';
	return 0;
}

/* Offer WORD, after the prefix, when it starts with what is typed. */
static void offer(const struct cursor *cur, const char *word)
{
	if (!strncmp(word, cur->word, strlen(cur->word)))
		printf("%s%s\n", cur->prefix, word);
}

static void offer_scenarios(const struct cursor *cur)
{
	struct error e;
	char **names = scenario_names(&e);

	for (size_t i = 0; names && names[i]; i++)
		offer(cur, names[i]);
	strv_free(names);
}

/* The built kernel's x86-64 names (its i386 ones are the same calls). */
static void offer_syscalls(const struct cursor *cur)
{
	struct syscall_table t = { 0 };
	struct kernel k;
	struct error e;
	char *tbl;

	if (kernel_load(&k, NULL, &e) < 0)
		return;
	tbl = syscall_table_path(k.source, "x86_64");
	if (syscalls_load(tbl, &t, &e) == 0)
		for (size_t i = 0; i < t.n; i++)
			if (strcmp(t.v[i].abi, "x32"))
				offer(cur, t.v[i].name);
	syscalls_free(&t);
	free(tbl);
	kernel_free(&k);
}

/* What names VALUES, or one of WORDS when there are some. */
static void offer_values(struct cursor *cur, enum opt_values values, const char *const *words,
			 bool list)
{
	const char *comma = list ? strrchr(cur->word, ',') : NULL;

	/* A list's words before the last comma stay as they are. */
	if (comma) {
		cur->prefix = xasprintf("%s%.*s", cur->prefix, (int)(comma + 1 - cur->word),
					cur->word);
		cur->word = comma + 1;
	}
	if (words) {
		puts("words");
		for (; *words; words++)
			offer(cur, *words);
	} else if (values == OPT_FILES || values == OPT_DIRS) {
		puts(values == OPT_FILES ? "files" : "dirs");
	} else {
		puts("words");
		if (values == OPT_SCENARIOS)
			offer_scenarios(cur);
		if (values == OPT_SYSCALLS)
			offer_syscalls(cur);
	}
}

void complete_line(const struct command_line *c, int argc, char **argv,
		   const char *const *operand_words)
{
	struct cursor cur;

	if (argc < 2 || walk(c, argc, argv, &cur))	/* nothing, or past the operand */
		puts("words");
	else if (cur.opt)
		offer_values(&cur, cur.opt->values, cur.opt->words,
			     cur.opt->kind == OPT_KIND_LIST);
	else if (cur.operand)
		offer_values(&cur, c->operands, operand_words, false);
	else {
		puts("words");
		options_list(stdout, c, cur.word);
	}
	exit(finish_stdout(EXIT_OK));
}

int complete_command_index(const struct command_line *c, int argc, char **argv)
{
	return walk(c, argc, argv, NULL);
}
