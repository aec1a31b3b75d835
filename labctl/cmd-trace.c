/*
 * labctl trace SYSCALL: the command line of trace_run() (trace.c), which
 * boots the lab paused and lets GDB follow the program's system call
 * through the kernel; prints the paths of the reports.  --timeline is
 * cmd-trace-timeline.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "labctl.h"
#include "trace.h"

static const char usage[] =
	"usage: labctl trace SYSCALL [--abi x86_64|i386] [--scenario NAME] [--initrd PATH]\n"
	"                    [--program ELF] [--function NAME] [--out DIR]\n"
	"                    [--format md,json,html] [--timeout S] [--kvm] [-- ARGS]\n"
	"       labctl trace --timeline SCENARIO[,SCENARIO...] [--abi x86_64|i386] [--out DIR]\n"
	"                    [--format md,json,html] [--timeout S] [--kvm]\n"
	"\n"
	"Boot the lab paused, follow the program's SYSCALL (a name or a number from\n"
	"syscall_64.tbl, or syscall_32.tbl with --abi i386) from its syscall (or\n"
	"int $0x80) instruction through the entry code, the C entry and the handler\n"
	"back to user mode, and write the reports.\n"
	"\n"
	"  --abi ABI          x86_64 (default) or i386: the i386 build of the program,\n"
	"                     entering through int $0x80 (scenario SYSCALL32, e.g.\n"
	"                     connect32: socketcall(SYS_CONNECT))\n"
	"  --scenario NAME    the guest runs scenario NAME (default: scenarios/SYSCALL.ini,\n"
	"                     else the generic program making syscall SYSCALL)\n"
	"  --initrd PATH      the initramfs (default: the lab's, built when needed)\n"
	"  --program ELF      the traced program as built on the host (static, non-PIE;\n"
	"                     default: the scenario's traced program)\n"
	"  --function NAME    the function holding its syscall instruction (default:\n"
	"                     the scenario's)\n"
	"  --timeline LIST    instead: every socket system call the scenarios' programs\n"
	"                     make, in order, with arguments, results and the protocol\n"
	"                     implementation the kernel dispatched to; several scenarios\n"
	"                     (connect,udp,unix) are compared side by side\n"
	"  --out DIR          where the reports go (default: the run directory)\n"
	"  --format LIST      md, json, html, comma-separated (default: all three)\n"
	"  --timeout S        give up after S seconds (default 60)\n"
	"  --kvm              run the guest under KVM instead of TCG\n"
	"  -- ARGS            arguments for the generic program (kernel command line\n"
	"                     labctl.args=ARG,ARG...)\n"
	"\n"
	"stdout: the paths of the reports written, one per line.\n";

static void parse_options(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "abi",      required_argument, NULL, 'a' },
		{ "scenario", required_argument, NULL, 's' },
		{ "initrd",   required_argument, NULL, 'i' },
		{ "program",  required_argument, NULL, 'p' },
		{ "function", required_argument, NULL, 'f' },
		{ "timeline", required_argument, NULL, 'T' },
		{ "out",      required_argument, NULL, 'o' },
		{ "format",   required_argument, NULL, 'F' },
		{ "timeout",  required_argument, NULL, 't' },
		{ "kvm",      no_argument,       NULL, 'k' },
		{ "help",     no_argument,       NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->abi = optarg; break;
		case 's': o->scenario = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'p': o->program = optarg; break;
		case 'f': o->function = optarg; break;
		case 'T': o->timeline = optarg; break;
		case 'o': o->out = optarg; break;
		case 'F': o->formats = optarg; break;
		case 'k': o->kvm = true; break;
		case 't':
			o->timeout = strtod(optarg, &end);
			if (*end || o->timeout < 2)
				die(EXIT_USAGE, "--timeout: '%s' is not a number of seconds >= 2", optarg);
			break;
		case 'h': fputs(usage, stdout); exit(EXIT_OK);
		default: fputs(usage, stderr); exit(EXIT_USAGE);
		}
	}
	if (o->abi && strcmp(o->abi, "x86_64") && strcmp(o->abi, "i386"))
		die(EXIT_USAGE, "--abi: '%s' is not x86_64 or i386", o->abi);
	if (!trace_formats_valid(o->formats))
		die(EXIT_USAGE, "--format: '%s' is not a list of md, json, html", o->formats);
	if (o->timeline) {
		if (optind < argc || o->scenario || o->program || o->function || o->initrd)
			die(EXIT_USAGE, "--timeline takes scenarios, not a system call, --scenario, "
			    "--program, --function or --initrd");
		return;
	}
	if (optind >= argc)
		die(EXIT_USAGE, "which system call? (labctl trace SYSCALL, e.g. connect or 42)");
	o->syscall = argv[optind++];
	o->args = argv + optind;
	o->nargs = argc - optind;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { .formats = "md,json,html", .timeout = 60 };
	struct trace_result res;
	struct error e;

	parse_options(argc, argv, &o);
	if (o.timeline)
		return trace_timeline(&o);
	if (trace_run(&o, &res, &e) < 0)
		die_error(&e);
	for (size_t i = 0; i < res.nreports; i++)
		printf("%s\n", res.reports[i]);
	trace_result_free(&res);
	return EXIT_OK;
}
