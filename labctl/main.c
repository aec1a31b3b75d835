/* labctl: watch a system call enter the Linux kernel.  The command table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "commands.h"
#include "error.h"
#include "labctl.h"

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
	"       labctl --version\n";

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

static void print_usage(FILE *out)
{
	fputs(usage_text, out);
	fputs("\ncommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\noptions:\n"
	      "  --cache-dir DIR  where sources, builds and runs are kept\n"
	      "                   (default $LABCTL_CACHE_DIR, else $XDG_CACHE_HOME/labctl)\n"
	      "  -v, --verbose    echo the logs of make, qemu and gdb\n"
	      "  -q, --quiet      print errors only\n\n", out);
	fputs(exit_codes_text, out);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
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

/* As git's run_builtin(): output lost to a full disk or a closed pipe is a
 * failure, not a success with a truncated result. */
static int finish_stdout(int status)
{
	if (status != EXIT_OK)
		return status;
	if (fflush(stdout) != 0)
		die_errno(EXIT_ENV, "write failure on standard output");
	if (ferror(stdout))
		die(EXIT_ENV, "unknown write failure on standard output");
	return status;
}

static int run_command(const struct command *cmd, int argc, char **argv)
{
	/* "CMD --help" needs no cache, as git's "git CMD -h" needs no repository. */
	bool help = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));

	optind = 0;	/* each command runs getopt afresh on its own argv */
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
	if (!cmd)
		die(EXIT_USAGE, "no command '%s' (see 'labctl --help')", argv[1]);
	help_argv[0] = (char *)cmd->name;
	return run_command(cmd, 2, help_argv);
}

int cmd_version(int argc, char **argv)
{
	(void)argc; (void)argv;
	printf("labctl %s\n", LABCTL_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "verbose",   no_argument,       NULL, 'v' },
		{ "quiet",     no_argument,       NULL, 'q' },
		{ "help",      no_argument,       NULL, 'h' },
		{ "version",   no_argument,       NULL, 'V' },
		{ 0 }
	};
	const struct command *cmd;
	int c;

	/* "+": stop at the command name; what follows is the command's. */
	while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': opts.cache_dir = optarg; break;
		case 'v': opts.verbose++; break;
		case 'q': opts.quiet = true; break;
		case 'h': print_usage(stdout); return finish_stdout(EXIT_OK);
		case 'V': return finish_stdout(cmd_version(0, NULL));
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help"))
		return cmd_help(argc - optind, argv + optind);
	cmd = find_command(argv[optind]);
	if (!cmd)
		die(EXIT_USAGE, "no command '%s' (see 'labctl --help')", argv[optind]);
	return run_command(cmd, argc - optind, argv + optind);
}
