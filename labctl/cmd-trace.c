/*
 * labctl trace SYSCALL: boot the lab paused, let GDB (the lab-trace command
 * of the gdb/ package) follow the program's system call through the kernel,
 * and turn what it captured into reports.
 *
 * labctl never reads GDB's text: lab-trace writes its capture as JSON to a
 * file named here (gdb/SCHEMA.md), and only its "labctl-phase:" progress
 * lines are watched, to name the phase a timeout interrupted.
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "elf.h"
#include "error.h"
#include "fs.h"
#include "gdb-session.h"
#include "initramfs.h"
#include "kernel.h"
#include "labctl.h"
#include "parse-options.h"
#include "proc.h"
#include "programs.h"
#include "rundir.h"
#include "scenario.h"
#include "syscalls.h"
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
	"back to user mode, and write the reports.\n";

static const char epilog[] =
	"ARGS after \"--\": arguments for the generic program (kernel command line\n"
	"labctl.args=ARG,ARG...).\n"
	"stdout: the paths of the reports written, one per line.\n";

/* The formats lab-trace renders (report.json is its capture itself). */
static const char *const rendered[] = { "md", "html" };

struct trace_run {
	struct trace_opts *o;
	struct kernel k;
	struct syscall_table table;
	const struct syscall_entry *sc;   /* what the user asked for */
	const struct syscall_entry *nr;   /* what the program makes (socketcall) */
	const char *socketcall;           /* the socketcall call of sc, or NULL */
	char *scenario_syscall;           /* the scenario's syscall =, or NULL */
	struct elf_func fn;
	char *dir, *params, *capture, *function;
	char *compare;                    /* the x86-64 capture beside an i386 one */
};

static const struct syscall_entry *resolve_syscall(const struct syscall_table *t, const char *name,
						    const char *abi)
{
	const struct syscall_entry *e = syscall_lookup(t, name);
	const char *close[4];
	char hint[256] = "";
	size_t n;

	if (e)
		return e;
	n = syscall_suggest(t, name, close, 4);
	for (size_t i = 0; i < n; i++) {
		strncat(hint, i ? ", " : " (did you mean ", sizeof(hint) - strlen(hint) - 1);
		strncat(hint, close[i], sizeof(hint) - strlen(hint) - 1);
	}
	if (n)
		strncat(hint, "?)", sizeof(hint) - strlen(hint) - 1);
	die(EXIT_USAGE, "no %s system call '%s' in syscall_%s.tbl%s",
	    strcmp(abi, "i386") ? "64-bit" : "i386", name, strcmp(abi, "i386") ? "64" : "32", hint);
}

static void load_table(struct trace_run *r, const char *abi)
{
	char *tbl = syscall_table_path(r->k.source, abi);
	struct error e;

	syscalls_free(&r->table);
	if (syscalls_load(tbl, &r->table, &e) < 0)
		die_error(&e);
	free(tbl);
	r->sc = r->nr = resolve_syscall(&r->table, r->o->syscall, abi);
}

bool trace_wants(const struct trace_opts *o, const char *format)
{
	char *copy = xstrdup(o->formats), *save = NULL;
	bool yes = false;

	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
		yes |= !strcmp(f, format);
	free(copy);
	return yes;
}

/* The output directory: --out, else the run directory. */
static const char *out_dir(const struct trace_run *r)
{
	return r->o->out ? r->o->out : r->dir;
}

static char *kernel_append(const struct trace_run *r)
{
	const struct trace_opts *o = r->o;
	char *s = xasprintf("labctl.scenario=%s", o->scenario), *t;

	for (int i = 0; i < o->nargs; i++) {
		if (strpbrk(o->args[i], " ,\"\t\n"))
			die(EXIT_USAGE, "argument '%s': no spaces, commas or quotes on the kernel command line",
			    o->args[i]);
		t = xasprintf("%s%s%s", s, i ? "," : " labctl.args=", o->args[i]);
		free(s);
		s = t;
	}
	return s;
}

/* What lab-trace needs to know, as the JSON file it reads (gdb/SCHEMA.md). */
static void write_params(const struct trace_run *r)
{
	json_t *sites = json_array(), *prog, *root, *formats;
	char *copy = xstrdup(r->o->program);
	int rc;

	for (size_t i = 0; i < r->fn.nsites; i++)
		json_array_append_new(sites, json_integer((json_int_t)r->fn.sites[i]));
	prog = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o}",
			 "path", r->o->program, "exe", basename(copy), "function", r->fn.name,
			 "abi", r->fn.abi, "function_addr", (json_int_t)r->fn.addr,
			 "function_size", (json_int_t)r->fn.size, "syscall_addrs", sites);
	root = json_pack("{s:s, s:s, s:i, s:s, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:i}",
			 "out", r->capture, "abi", r->fn.abi, "nr", r->nr->nr, "syscall", r->nr->name,
			 "tbl_line", r->nr->line, "tbl_lineno", r->nr->lineno, "program", prog,
			 "source", r->k.source, "config", r->k.config, "vmlinux", r->k.vmlinux,
			 "accel", r->o->kvm ? "kvm" : "tcg", "scenario", r->o->scenario,
			 "timeout", r->o->timeout - 1, "entry_budget", 200, "exit_budget", 400);
	if (r->socketcall)
		json_object_set_new(root, "socketcall", json_string(r->socketcall));
	if (r->compare)
		json_object_set_new(root, "compare_with", json_string(r->compare));
	formats = json_array();
	for (size_t i = 0; i < 2; i++)
		if (trace_wants(r->o, rendered[i]))
			json_array_append_new(formats, json_string(rendered[i]));
	json_object_set_new(root, "report_dir", json_string(out_dir(r)));
	json_object_set_new(root, "formats", formats);
	rc = json_dump_file(root, r->params, JSON_INDENT(1));
	json_decref(root);
	free(copy);
	if (rc < 0)
		die(EXIT_ENV, "cannot write %s", r->params);
}

static void trace(struct trace_run *r)
{
	char *append = kernel_append(r);
	struct gdb_session s = {
		.kernel = &r->k, .initrd = r->o->initrd, .append = append, .run_dir = r->dir,
		.kvm = r->o->kvm, .timeout = r->o->timeout, .command = "lab-trace",
		.params = r->params, .capture = r->capture,
	};

	struct error e;

	write_params(r);
	if (gdb_session_run(&s, &e) < 0)
		die_error(&e);
	free(append);
	if (gdb_capture_check(r->capture, r->dir, &e) < 0)
		die_error(&e);
}

/*
 * report.json is the capture; lab-trace rendered report.md and report.html
 * from it (gdb/labctl/report) into the output directory.
 */
static void publish(const struct trace_run *r)
{
	char *json = xasprintf("%s/report.json", out_dir(r)), *data, *path;
	size_t len;

	if (trace_wants(r->o, "json")) {
		data = read_file(r->capture, &len);
		if (!data || write_file_atomic(json, data, len) < 0)
			die_errno(EXIT_ENV, "cannot write %s", json);
		free(data);
		printf("%s\n", json);
	}
	for (size_t i = 0; i < 2; i++) {
		if (!trace_wants(r->o, rendered[i]))
			continue;
		path = xasprintf("%s/report.%s", out_dir(r), rendered[i]);
		if (!is_file(path))
			die(EXIT_INTERNAL, "no %s: rendering failed (see %s/gdb.log)", path, r->dir);
		printf("%s\n", path);
		free(path);
	}
	free(json);
}

static const char *const abis[] = { "x86_64", "i386", NULL };
static const char *const formats[] = { "md", "json", "html", NULL };

static void parse_args(int argc, char **argv, struct trace_opts *o)
{
	const struct option_def options[] = {
		OPT_CHOICE(0, "abi", &o->abi, abis, "ABI",
			   "x86_64 (default) or i386: the i386 build of the program,\n"
			   "entering through int $0x80 (scenario SYSCALL32, e.g.\n"
			   "connect32: socketcall(SYS_CONNECT))"),
		OPT_STRING(0, "scenario", &o->scenario, "NAME",
			   "the guest runs scenario NAME (default: scenarios/SYSCALL.ini,\n"
			   "else the generic program making syscall SYSCALL)"),
		OPT_STRING(0, "initrd", &o->initrd, "PATH",
			   "the initramfs (default: the lab's, built when needed)"),
		OPT_STRING(0, "program", &o->program, "ELF",
			   "the traced program as built on the host (static, non-PIE;\n"
			   "default: the scenario's traced program)"),
		OPT_STRING(0, "function", &o->function, "NAME",
			   "the function holding its syscall instruction (default:\n"
			   "the scenario's)"),
		OPT_LIST(0, "timeline", &o->timeline, NULL, "LIST",
			 "instead: every socket system call the scenarios' programs\n"
			 "make, in order, with arguments, results and the protocol\n"
			 "implementation the kernel dispatched to; several scenarios\n"
			 "(connect,udp,unix) are compared side by side"),
		OPT_STRING(0, "out", &o->out, "DIR", "where the reports go (default: the run directory)"),
		OPT_LIST(0, "format", &o->formats, formats, "LIST",
			 "md, json, html, comma-separated (default: all three)"),
		OPT_SECONDS(0, "timeout", &o->timeout, 2, 0, "S", "give up after S seconds (default 60)"),
		OPT_FLAG(0, "kvm", &o->kvm, "run the guest under KVM instead of TCG"),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options }, .epilog = epilog };
	int i = parse_command_line(&cl, argc, argv);

	if (o->timeline) {
		if (i < argc || o->scenario || o->program || o->function || o->initrd)
			die(EXIT_USAGE, "--timeline takes scenarios, not a system call, --scenario, "
			    "--program, --function or --initrd");
		return;
	}
	if (i >= argc)
		die(EXIT_USAGE, "which system call? (labctl trace SYSCALL, e.g. connect or 42)");
	o->syscall = argv[i++];
	o->args = argv + i;
	o->nargs = argc - i;
}

/* The generic program's scenario: the syscall number goes first in its
 * arguments, then the user's (`labctl trace 63 -- b:390`). */
static const char *generic_scenario(struct trace_run *r)
{
	struct trace_opts *o = r->o;
	char **args = xcalloc(o->nargs + 2, sizeof(*args));

	if (o->abi && !strcmp(o->abi, "i386"))
		die(EXIT_INPUT, "no i386 scenario for %s (scenarios/%s32.ini); the generic program "
		    "is x86-64 only", r->sc->name, r->sc->name);
	args[0] = xasprintf("%d", r->sc->nr);
	for (int i = 0; i < o->nargs; i++)
		args[i + 1] = o->args[i];
	o->args = args;
	o->nargs++;
	return "syscall";
}

/* The default scenario for the syscall: NAME.ini, or NAME32.ini for i386. */
static const char *default_scenario(struct trace_run *r)
{
	bool i386 = r->o->abi && !strcmp(r->o->abi, "i386");
	char *name = xasprintf("%s%s", r->sc->name, i386 ? "32" : "");

	if (scenario_exists(name))
		return name;
	free(name);
	return generic_scenario(r);
}

/*
 * What the guest runs.  With --program the user brings the traced program
 * (and an initramfs holding it): the scenario defaults to the syscall's
 * name and the function to lab_SYSCALL.  Otherwise the lab's scenario
 * named after the syscall (scenarios/connect.ini, connect32.ini for i386),
 * else the generic program told the number on the kernel command line; the
 * traced program and the function holding its syscall instruction come from
 * that scenario, and the initramfs is the lab's (built or found in the cache).
 */
static void choose_guest(struct trace_run *r)
{
	struct trace_opts *o = r->o;
	struct programs progs;
	struct scenario sc;
	struct error e;

	if (o->program) {
		if (!o->scenario)
			o->scenario = r->sc->name;
		r->function = o->function ? xstrdup(o->function) : xasprintf("lab_%s", r->sc->name);
	} else {
		if (!o->scenario)
			o->scenario = default_scenario(r);
		if (programs_list(&progs, NULL, &e) < 0 ||
		    scenario_find(&sc, o->scenario, &progs, &e) < 0)
			die_error(&e);
		o->program = xstrdup(programs_find(&progs, scenario_traced(&sc)->program)->path);
		r->function = xstrdup(o->function ? o->function : sc.function);
		r->scenario_syscall = xstrdup(sc.syscall);
		scenario_free(&sc);
		programs_free(&progs);
	}
	if (!o->initrd && !(o->initrd = initramfs_create(&(struct initramfs_opts){ 0 }, &e)))
		die_error(&e);
}

/*
 * The number the program really makes.  An i386 program makes its socket
 * calls through socketcall (102) when its scenario says so: `trace connect
 * --abi i386` traces socketcall with the call SYS_CONNECT.
 */
static void choose_number(struct trace_run *r)
{
	const char *abi = r->o->abi ? r->o->abi : "x86_64";

	if (strcmp(r->fn.abi, abi)) {
		note("%s is an %s program: tracing the %s system call", r->o->program, r->fn.abi,
		     r->fn.abi);
		load_table(r, r->fn.abi);
	}
	if (!strcmp(r->fn.abi, "i386") && r->scenario_syscall &&
	    !strcmp(r->scenario_syscall, "socketcall") && strcmp(r->sc->name, "socketcall")) {
		r->nr = resolve_syscall(&r->table, "socketcall", "i386");
		r->socketcall = r->sc->name;
	}
}

static void trace_run_free(struct trace_run *r)
{
	elf_func_free(&r->fn);
	syscalls_free(&r->table);
	kernel_free(&r->k);
	free(r->scenario_syscall);
	free(r->function);
	free(r->dir);
	free(r->params);
	free(r->capture);
	free(r->compare);
}

/* Set up R for O: the guest, the program, the number, the run directory
 * (a new one, or DIR). */
static void prepare(struct trace_run *r, char *dir)
{
	struct trace_opts *o = r->o;
	struct error e;

	if (kernel_load(&r->k, NULL, &e) < 0)
		die_error(&e);
	load_table(r, o->abi ? o->abi : "x86_64");
	choose_guest(r);
	if (elf_syscall_sites(o->program, r->function, &r->fn, &e) < 0)
		die_error(&e);
	choose_number(r);
	if (!is_file(o->initrd))
		die(EXIT_INPUT, "no initramfs %s", o->initrd);
	if (!which("gdb") || !which("qemu-system-x86_64"))
		die(EXIT_ENV, "trace needs gdb and qemu-system-x86_64 (see 'make deps')");
	r->dir = dir ? dir : run_dir_create("trace", &e);
	if (!r->dir || make_dirs(r->dir, &e) < 0)
		die_error(&e);
	r->params = xasprintf("%s/params.json", r->dir);
	r->capture = xasprintf("%s/capture.json", r->dir);
}

/*
 * Beside an i386 trace of the lab, the same call traced the x86-64 way
 * (`syscall`, entry_SYSCALL_64), so that the report puts the two entries
 * side by side from two real captures.  Returns its capture's path.
 */
static char *companion(const struct trace_run *r32)
{
	struct trace_opts o = { .syscall = r32->sc->name, .abi = "x86_64", .formats = "",
				.timeout = r32->o->timeout, .kvm = r32->o->kvm,
				.initrd = r32->o->initrd };
	struct trace_run r = { .o = &o };
	char *capture;

	prepare(&r, xasprintf("%s/x86_64", r32->dir));
	note("and the x86-64 way, for the comparison: %s (%d), logs in %s", r.sc->name,
	     r.nr->nr, r.dir);
	trace(&r);
	capture = xstrdup(r.capture);
	trace_run_free(&r);
	return capture;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { .formats = "md,json,html", .timeout = 60 };
	struct trace_run r = { .o = &o };
	struct error e;
	bool lab_guest;

	parse_args(argc, argv, &o);
	if (o.timeline)
		return trace_timeline(&o);
	lab_guest = !o.program;
	prepare(&r, NULL);
	if (lab_guest && !strcmp(r.fn.abi, "i386"))
		r.compare = companion(&r);
	note("tracing %s (%s %d%s%s) in %s, logs in %s", r.sc->name, r.fn.abi, r.nr->nr,
	     r.socketcall ? ", socketcall " : "", r.socketcall ? r.socketcall : "", o.program, r.dir);
	if (make_dirs(out_dir(&r), &e) < 0)
		die_error(&e);
	trace(&r);
	publish(&r);
	trace_run_free(&r);
	return EXIT_OK;
}
