/* labctl: watch a system call enter the Linux kernel.  The command table. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cache.h"
#include "lib/closest.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "version.h"
#include "lib/parse-options.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* In the order of the lab: get, configure and build a kernel, make the
 * image, boot, trace, grade; then the machine's health. */
static const struct command commands[] = {
	{ "fetch",   cmd_fetch,   "get a Linux 5.x source tree into the cache" },
	{ "config",  cmd_config,  "configure the kernel (base + fragments) and check it" },
	{ "build",   cmd_build,   "build the debuggable kernel and the lab initramfs" },
	{ "image",   cmd_image,   "build the lab programs and the initramfs" },
	{ "bundle",  cmd_bundle,  "carry a built kernel to another machine (export, import)" },
	{ "boot",    cmd_boot,    "boot the lab guest and run a scenario (or wait for GDB)" },
	{ "trace",   cmd_trace,   "follow a system call through the kernel, write the report" },
	{ "grade",   cmd_grade,   "grade a student's lab submission (or many)" },
	{ "doctor",  cmd_doctor,  "check this machine's tools, the built kernel and KVM" },
	{ "version", cmd_version, "print labctl's version" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char usage_text[] =
	"usage: labctl [--cache-dir DIR] [-v] [-q] COMMAND [ARGS]\n"
	"       labctl help COMMAND\n"
	"       labctl --version [--json]\n";

static bool version, version_json;
static const struct option_def global_options[] = {
	OPT_STRING_OF(0, "cache-dir", &opts.cache_dir, OPT_DIRS, "DIR", "where sources, builds and runs are kept\n"
		   "(default $LABCTL_CACHE_DIR, else $XDG_CACHE_HOME/labctl)"),
	OPT_INCR('v', "verbose", &opts.verbose, "echo the output of make, apt-get and BusyBox\n"
		 "builds, and name a trace's phases; twice: GDB's too"),
	OPT_FLAG('q', "quiet", &opts.quiet, "print errors and warnings only"),
	OPT_FLAG(0, "version", &version, "print labctl's version"),
	OPT_FLAG(0, "json", &version_json, "with --version: as JSON"),
	OPT_END()
};

static const char exit_codes_text[] =
	"exit codes:\n"
	"  0   done\n"
	"  1   the job ran and failed (a build, a boot, a trace)\n"
	"  2   bad command line\n"
	"  3   the machine lacks something (a tool, disk space, working KVM)\n"
	"  4   bad input (not a kernel tree, not 5.x, hash mismatch, hostile archive)\n"
	"  5   a phase ran past its time limit\n"
	"  70  a bug in labctl\n";

/*
 * The end of a command that failed: one "labctl: error: ..." line and the
 * exit code.  Only this file and the commands (cmd-*.c) exit; the
 * libraries return a struct error.
 */
void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("labctl: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void die_errno(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("labctl: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(code);
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

/* A command's options from its table (parse-options.h): --help printed and
 * exit 0, a bad option one error line and exit 2; else the first operand. */
int parse_command_line(const struct command_line *c, int argc, char **argv)
{
	struct error e;
	int i;

	if (completing)
		complete_line(c, argc, argv, NULL);
	i = parse_options(c, argc, argv, &e);
	if (i == PARSE_OPT_HELP)
		options_help(stdout, c);
	if (i == PARSE_OPT_LIST)
		options_list(stdout, c, "");
	if (i == PARSE_OPT_HELP || i == PARSE_OPT_LIST)
		exit(finish_stdout(EXIT_OK));
	if (i < 0)
		die_error(&e);
	return i;
}

/* The usage, the commands, the options (from global_options) and the exit codes. */
static void print_usage(FILE *out)
{
	char *usage = xasprintf("%s\ncommands:\n", usage_text), *t;
	struct command_line cl = { .options = { global_options }, .epilog = exit_codes_text };

	for (size_t i = 0; i < NCOMMANDS; i++) {
		t = xasprintf("%s  %-10s %s\n", usage, commands[i].name, commands[i].summary);
		free(usage);
		usage = t;
	}
	cl.usage = usage;
	options_help(out, &cl);
	free(usage);
}

/* The commands' names into OUT, NULL-ended (NCOMMANDS + 1 slots). */
static void command_names(const char **out)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		out[i] = commands[i].name;
	out[NCOMMANDS] = NULL;
}

/* The command NAME, or NULL. */
static const struct command *lookup_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The command NAME; an unknown one is a usage error naming the closest. */
static const struct command *find_command(const char *name)
{
	const struct command *cmd = lookup_command(name);
	const char *names[NCOMMANDS + 1], *near;

	if (cmd)
		return cmd;
	command_names(names);
	near = closest_word(name, strlen(name), names);
	if (near)
		die(EXIT_USAGE, "no command '%s' (did you mean '%s'?)", name, near);
	die(EXIT_USAGE, "no command '%s' (see 'labctl --help')", name);
}

/*
 * What every command but version reads: the cache root and the data
 * directory, resolved once here so that the library's cache_root() and
 * datadir() cannot fail later.
 */
static void setup(void)
{
	struct error e;

	if (cache_init(&e) < 0 || datadir_init(&e) < 0)
		die_error(&e);
}

static int run_command(const struct command *cmd, int argc, char **argv)
{
	/* "CMD --help" needs no cache, as git's "git CMD -h" needs no repository. */
	bool help = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
				  !strcmp(argv[1], "--list-options"));

	if (cmd->fn != cmd_version && !help)
		setup();
	return finish_stdout(cmd->fn(argc, argv));
}

static int cmd_help(int argc, char **argv)
{
	const struct command *cmd;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		print_usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	cmd = find_command(argv[1]);
	help_argv[0] = (char *)cmd->name;
	return run_command(cmd, 2, help_argv);
}

/* The version, and the commit it was built from when the build knew it
 * (a git checkout, or `make deb` of one). */
static int print_version(bool json)
{
	json_t *v;

	if (!json) {
		printf("labctl %s%s%s\n", LABCTL_VERSION, *LABCTL_COMMIT ? " commit " : "",
		       LABCTL_COMMIT);
		return EXIT_OK;
	}
	v = json_pack("{s:s, s:s?}", "version", LABCTL_VERSION,
		      "commit", *LABCTL_COMMIT ? LABCTL_COMMIT : NULL);
	json_dumpf(v, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(v);
	return EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	bool json = false;
	const struct option_def options[] = {
		OPT_FLAG(0, "json", &json, "as a JSON object: {version, commit}"),
		OPT_END()
	};
	const struct command_line cl = {
		.usage = "usage: labctl version [--json]\n\n"
			 "Print labctl's version and the git commit it was built from\n"
			 "(commit is null in the JSON when the build did not know it).\n",
		.options = { options },
	};
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "version takes no operand ('%s')", argv[i]);
	return print_version(json);
}

/* labctl __complete WORD...: see complete.c.  labctl's own options and the
 * command here; the command's words by its own table, in parse_command_line(). */
static int cmd_complete(const struct command_line *cl, int argc, char **argv)
{
	const char *names[NCOMMANDS + 2] = { "help" };
	const struct command_line help = { .in_order = true };
	const struct command *cmd;
	struct error e;
	int i;

	command_names(names + 1);
	completing = true;
	i = argc < 2 ? 0 : complete_command_index(cl, argc, argv);
	if (!i)
		complete_line(cl, argc, argv, names);
	if (!strcmp(argv[i], "help"))
		complete_line(&help, argc - i, argv + i, names + 1);
	/* --cache-dir given before the command: the built kernel's names. */
	if (parse_options(cl, i, argv, &e) < 0 || cache_init(&e) < 0 || datadir_init(&e) < 0)
		return EXIT_OK;
	cmd = lookup_command(argv[i]);
	return cmd ? cmd->fn(argc - i, argv + i) : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct command_line cl = { .usage = usage_text, .options = { global_options },
				   .in_order = true };
	const struct command *cmd;
	struct error e;
	int i;

	if (argc > 1 && !strcmp(argv[1], "__complete"))
		return cmd_complete(&cl, argc - 1, argv + 1);
	i = parse_options(&cl, argc, argv, &e);
	if (i == PARSE_OPT_HELP) {
		print_usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (i == PARSE_OPT_LIST) {
		options_list(stdout, &cl, "");
		return finish_stdout(EXIT_OK);
	}
	if (i < 0)
		die_error(&e);
	if (version_json && !version)
		die(EXIT_USAGE, "--json goes with --version (or labctl version --json)");
	if (version)
		return finish_stdout(print_version(version_json));
	if (i >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return cmd_help(argc - i, argv + i);
	cmd = find_command(argv[i]);
	return run_command(cmd, argc - i, argv + i);
}
