/*
 * labctl trace SYSCALL: the command line of trace_run() (trace.c), which
 * boots the lab paused and lets GDB follow the program's system call
 * through the kernel; prints the paths of the reports.  --timeline is
 * cmd-trace-timeline.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/lang.h"
#include "lib/parse-options.h"
#include "source/versions.h"
#include "trace/trace.h"

static const char usage[] =
	"usage: labctl trace SYSCALL [--abi x86_64|i386] [--kernel VERSION | --compare A,B]\n"
	"                    [--scenario NAME] [--initrd PATH] [--program PATH] [--function NAME]\n"
	"                    [--out DIR] [--format md,json,html] [--lang en|zh] [--timeout S]\n"
	"                    [--kvm] [--no-snapshot] [--interactive] [-- ARGS]\n"
	"       labctl trace --timeline SCENARIO[,SCENARIO...] [--abi x86_64|i386] [--out DIR]\n"
	"                    [--kernel VERSION] [--format md,json,html] [--lang en|zh]\n"
	"                    [--timeout S] [--kvm] [--no-snapshot]\n"
	"\n"
	"Boot the lab paused, follow the program's SYSCALL (a name or a number from\n"
	"syscall_64.tbl, or syscall_32.tbl with --abi i386) from its syscall (or\n"
	"int $0x80) instruction through the entry code, the C entry and the handler\n"
	"back to user mode, and write the reports.\n";

static const char epilog[] =
	"ARGS after \"--\": arguments for the generic program (kernel command line\n"
	"labctl.args=ARG,ARG...).\n"
	"LABCTL_LANG: the reports' language when --lang is not given.\n"
	"stdout: the paths of the reports written, one per line; when the trace fails after\n"
	"the call was made, those of what it saw, marked incomplete.\n"
	"--interactive: GDB's prompt at the program's own syscall instruction, labctl's\n"
	"commands loaded (help user-defined lists them); lab-report writes the reports\n"
	"(then printed here); quitting GDB ends the guest.\n";

static const char *const abis[] = { "x86_64", "i386", NULL };
static const char *const formats[] = { "md", "json", "html", NULL };
static void parse_args(int argc, char **argv, struct trace_opts *o)
{
	const struct option_def options[] = {
		OPT_CHOICE(0, "abi", &o->abi, abis, "ABI",
			   "x86_64 (default) or i386: the i386 build of the program,\n"
			   "entering through int $0x80 (scenario SYSCALL32, e.g.\n"
			   "connect32: socketcall(SYS_CONNECT); else syscall32,\n"
			   "the generic program)"),
		KERNEL_OPTION(&o->kernel),
		OPT_LIST(0, "compare", &o->compare, kernel_versions, "A,B",
			 "trace the call on two kernels built side by side (e.g.\n"
			 "5.10,6.12) and write one report that aligns their entries\n"
			 "and dispatches instruction by instruction"),
		OPT_STRING_OF(0, "scenario", &o->scenario, OPT_SCENARIOS, "NAME",
			   "the guest runs scenario NAME (default: scenarios/SYSCALL.ini,\n"
			   "else the generic program making syscall SYSCALL)"),
		OPT_STRING_OF(0, "initrd", &o->initrd, OPT_FILES, "PATH",
			   "the initramfs (default: the lab's, built when needed)"),
		OPT_STRING_OF(0, "program", &o->program, OPT_FILES, "PATH",
			   "your program: a .c or .S source (compiled with the lab's\n"
			   "flags, in grade's sandbox) or a static ELF; it runs in the\n"
			   "guest in the place of the scenario's traced program (with\n"
			   "--initrd: it is in that image already)"),
		OPT_STRING(0, "function", &o->function, "NAME",
			   "the function holding its syscall instruction (default:\n"
			   "found in your code when labctl compiled it, else\n"
			   "lab_SYSCALL; the scenario's for the lab's programs)"),
		OPT_LIST_OF(0, "timeline", &o->timeline, OPT_SCENARIOS, "LIST",
			 "instead: every socket system call the scenarios' programs\n"
			 "make, in order, with arguments, results and the protocol\n"
			 "implementation the kernel dispatched to; several scenarios\n"
			 "(connect,udp,unix) are compared side by side"),
		OPT_STRING_OF(0, "out", &o->out, OPT_DIRS, "DIR", "where the reports go (default: the run directory)"),
		OPT_LIST(0, "format", &o->formats, formats, "LIST",
			 "md, json, html, comma-separated (default: all three)"),
		OPT_CHOICE(0, "lang", &o->lang, lang_codes, "LANG",
			   "the reports' language: en or zh (Simplified Chinese);\n"
			   "default $LABCTL_LANG, else en"),
		OPT_SECONDS(0, "timeout", &o->timeout, 2, 0, "S", "give up after S seconds (default 60)"),
		OPT_FLAG(0, "kvm", &o->kvm, "run the guest under KVM instead of TCG"),
		OPT_FLAG(0, "no-snapshot", &o->no_snapshot,
			 "boot the guest instead of restoring it from its saved state"),
		OPT_FLAG(0, "interactive", &o->interactive,
			 "stop at the call, step it yourself in GDB (lab-step...)"),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options }, .epilog = epilog,
					 .operands = OPT_SYSCALLS };
	int i = parse_command_line(&cl, argc, argv);
	struct error e;

	if (!o->lang && lang_from_env(&o->lang, &e) < 0)
		die_error(&e);
	if (o->timeline && o->interactive)
		die(EXIT_USAGE, "--interactive steps one system call: not with --timeline");
	if (o->compare && (o->kernel || o->interactive || o->timeline))
		die(EXIT_USAGE, "--compare names both kernels: not with --kernel, --interactive "
		    "or --timeline");
	if (o->timeline) {
		if ((i < argc && !o->program) || o->scenario || o->function || o->initrd)
			die(EXIT_USAGE, "--timeline takes scenarios (and --program, with its arguments), "
			    "not a system call, --scenario, --function or --initrd");
		o->args = argv + i;
		o->nargs = argc - i;
		return;
	}
	if (i >= argc)
		die(EXIT_USAGE, "which system call? (labctl trace SYSCALL, e.g. connect or 42)");
	o->syscall = argv[i++];
	o->args = argv + i;
	o->nargs = argc - i;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { .formats = "md,json,html", .timeout = 60 };
	struct trace_result res;
	struct error e;
	int ret;

	parse_args(argc, argv, &o);
	if (o.timeline)
		return trace_timeline(&o);
	if (o.compare)
		return trace_compare(&o);
	ret = trace_run(&o, &res, &e);
	for (size_t i = 0; i < res.nwarnings; i++)
		warn("%s", res.warnings[i]);
	/* also when it failed: a partial report is data too */
	for (size_t i = 0; i < res.nreports; i++)
		printf("%s\n", res.reports[i]);
	if (ret < 0) {
		fflush(stdout);
		die_error(&e);
	}
	trace_result_free(&res);
	return EXIT_OK;
}
