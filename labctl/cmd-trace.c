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
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "commands.h"
#include "syscall-sites.h"
#include "fs.h"
#include "kernel.h"
#include "labctl.h"
#include "proc.h"
#include "qemu.h"
#include "initramfs.h"
#include "programs.h"
#include "rundir.h"
#include "scenario.h"
#include "syscalls.h"

static const char usage[] =
	"usage: labctl trace SYSCALL [--scenario NAME] [--initrd PATH] [--program ELF]\n"
	"                    [--function NAME] [--out DIR] [--format md,json,html]\n"
	"                    [--timeout S] [--kvm] [-- ARGS]\n"
	"\n"
	"Boot the lab paused, follow the program's SYSCALL (a name or a number from\n"
	"syscall_64.tbl) from its syscall instruction through entry_SYSCALL_64,\n"
	"do_syscall_64 and the handler back to user mode, and write the reports.\n"
	"\n"
	"  --scenario NAME    the guest runs scenario NAME (default: scenarios/SYSCALL.ini,\n"
	"                     else the generic program making syscall SYSCALL)\n"
	"  --initrd PATH      the initramfs (default: the lab's, built when needed)\n"
	"  --program ELF      the traced program as built on the host (static, non-PIE;\n"
	"                     default: the scenario's traced program)\n"
	"  --function NAME    the function holding its syscall instruction (default:\n"
	"                     the scenario's)\n"
	"  --out DIR          where the reports go (default: the run directory)\n"
	"  --format LIST      md, json, html, comma-separated (default: all three)\n"
	"  --timeout S        give up after S seconds (default 60)\n"
	"  --kvm              run the guest under KVM instead of TCG\n"
	"  -- ARGS            arguments for the generic program (kernel command line\n"
	"                     labctl.args=ARG,ARG...)\n"
	"\n"
	"stdout: the paths of the reports written, one per line.\n";

struct trace_opts {
	const char *syscall, *scenario, *initrd, *program, *function, *out, *formats;
	double timeout;
	bool kvm;
	char **args;
	int nargs;
};

/* The formats lab-trace renders (report.json is its capture itself). */
static const char *const rendered[] = { "md", "html" };

struct trace_run {
	struct trace_opts *o;
	struct kernel k;
	struct syscall_table table;
	const struct syscall_entry *sc;
	struct elf_func fn;
	char *dir, *sock, *params, *capture, *function;
	char phase[32];
};

static const struct syscall_entry *resolve_syscall(const struct syscall_table *t, const char *name)
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
	die(EXIT_USAGE, "no 64-bit system call '%s' in syscall_64.tbl%s", name, hint);
}

static bool formats_valid(const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	bool ok = true;

	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
		ok &= !strcmp(f, "md") || !strcmp(f, "json") || !strcmp(f, "html");
	free(copy);
	return ok;
}

static bool wants(const struct trace_opts *o, const char *format)
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
	prog = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}",
			 "path", r->o->program, "exe", basename(copy), "function", r->fn.name,
			 "function_addr", (json_int_t)r->fn.addr,
			 "function_size", (json_int_t)r->fn.size, "syscall_addrs", sites);
	root = json_pack("{s:s, s:i, s:s, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:i}",
			 "out", r->capture, "nr", r->sc->nr, "syscall", r->sc->name,
			 "tbl_line", r->sc->line, "tbl_lineno", r->sc->lineno, "program", prog,
			 "source", r->k.source, "config", r->k.config, "vmlinux", r->k.vmlinux,
			 "accel", r->o->kvm ? "kvm" : "tcg", "scenario", r->o->scenario,
			 "timeout", r->o->timeout - 1, "entry_budget", 200, "exit_budget", 400);
	formats = json_array();
	for (size_t i = 0; i < 2; i++)
		if (wants(r->o, rendered[i]))
			json_array_append_new(formats, json_string(rendered[i]));
	json_object_set_new(root, "report_dir", json_string(out_dir(r)));
	json_object_set_new(root, "formats", formats);
	rc = json_dump_file(root, r->params, JSON_INDENT(1));
	json_decref(root);
	free(copy);
	if (rc < 0)
		die(EXIT_ENV, "cannot write %s", r->params);
}

static void wait_for_socket(const char *path, struct child *qemu)
{
	double until = now() + 10;

	while (access(path, F_OK) < 0) {
		if (now() > until) {
			child_kill(qemu);
			child_report_failure(qemu, 10);
			die(EXIT_FAIL, "QEMU did not open its gdbstub socket %s", path);
		}
		usleep(10000);
	}
}

static void on_gdb_line(struct child *c, const char *line, void *data)
{
	struct trace_run *r = data;
	const char *tag = "labctl-phase: ";

	if (!strncmp(line, tag, strlen(tag))) {
		snprintf(r->phase, sizeof(r->phase), "%s", line + strlen(tag));
		if (opts.verbose)
			note("phase: %s", r->phase);
	}
}

static int run_gdb(struct trace_run *r)
{
	char *path = xasprintf("python import sys; sys.path.insert(0, '%s/gdb')", datadir());
	char *target = xasprintf("target remote %s", r->sock);
	char *cmd = xasprintf("lab-trace %s", r->params);
	char *log = xasprintf("%s/gdb.log", r->dir);
	const char *argv[] = {
		"gdb", "-batch", "-nx", "-iex", "set auto-load off", "-iex", path,
		/* vmlinux before `target remote`: its architecture sizes the 'g' packet */
		r->k.vmlinux, "-ex", target, "-ex", "python import labctl",
		"-ex", cmd, "-ex", "kill", NULL
	};
	struct child c = { .name = "gdb", .argv = argv, .log = log, .timeout = r->o->timeout,
			   .echo = opts.verbose > 1, .on_line = on_gdb_line, .data = r };
	int rc;

	snprintf(r->phase, sizeof(r->phase), "connect");
	rc = child_run(&c);
	if (c.timed_out)
		die(EXIT_TIMEOUT, "trace timed out after %g s in phase '%s' (logs in %s)",
		    r->o->timeout, r->phase, r->dir);
	if (!is_file(r->capture)) {
		child_report_failure(&c, 15);
		die(EXIT_FAIL, "GDB wrote no capture (is GDB built with Python?); see %s", log);
	}
	free(path);
	free(target);
	free(cmd);
	free(log);
	return rc;
}

/* The capture's verdict: 0 when it is complete, else dies with its error. */
static void check_capture(const struct trace_run *r)
{
	json_error_t jerr;
	json_t *root = json_load_file(r->capture, 0, &jerr);
	const char *err, *kind;

	if (!root)
		die(EXIT_INTERNAL, "%s: %s (line %d)", r->capture, jerr.text, jerr.line);
	if (!json_is_true(json_object_get(root, "ok"))) {
		err = json_string_value(json_object_get(root, "error"));
		kind = json_string_value(json_object_get(root, "error_kind"));
		if (kind && !strcmp(kind, "env"))
			die(EXIT_ENV, "trace failed: %s (logs in %s)", err, r->dir);
		if (kind && !strcmp(kind, "timeout"))
			die(EXIT_TIMEOUT, "trace timed out: %s (logs in %s)", err, r->dir);
		die(kind && !strcmp(kind, "input") ? EXIT_INPUT : EXIT_FAIL,
		    "trace failed: %s (logs in %s)", err ? err : "no reason given", r->dir);
	}
	json_decref(root);
}

static void trace(struct trace_run *r)
{
	struct qemu_opts q = {
		.kernel = &r->k, .initrd = r->o->initrd, .run_dir = r->dir, .paused = true,
		.gdb_socket = r->sock, .kvm = r->o->kvm, .timeout = r->o->timeout + 5,
	};
	char *append = kernel_append(r);
	struct child qemu;

	q.append = append;
	write_params(r);
	qemu_start(&q, &qemu);
	wait_for_socket(r->sock, &qemu);
	run_gdb(r);
	child_kill(&qemu);
	argv_free((char **)qemu.argv);
	free((char *)qemu.log);
	free(append);
	check_capture(r);
}

/*
 * report.json is the capture; lab-trace rendered report.md and report.html
 * from it (gdb/report.py) into the output directory.
 */
static void publish(const struct trace_run *r)
{
	char *json = xasprintf("%s/report.json", out_dir(r)), *data, *path;
	size_t len;

	if (wants(r->o, "json")) {
		data = read_file(r->capture, &len);
		if (!data || write_file_atomic(json, data, len) < 0)
			die_errno(EXIT_ENV, "cannot write %s", json);
		free(data);
		printf("%s\n", json);
	}
	for (size_t i = 0; i < 2; i++) {
		if (!wants(r->o, rendered[i]))
			continue;
		path = xasprintf("%s/report.%s", out_dir(r), rendered[i]);
		if (!is_file(path))
			die(EXIT_INTERNAL, "no %s: rendering failed (see %s/gdb.log)", path, r->dir);
		printf("%s\n", path);
		free(path);
	}
	free(json);
}

static void parse_options(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "initrd",   required_argument, NULL, 'i' },
		{ "program",  required_argument, NULL, 'p' },
		{ "function", required_argument, NULL, 'f' },
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
		case 's': o->scenario = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'p': o->program = optarg; break;
		case 'f': o->function = optarg; break;
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
	if (optind >= argc)
		die(EXIT_USAGE, "which system call? (labctl trace SYSCALL, e.g. connect or 42)");
	o->syscall = argv[optind++];
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (!formats_valid(o->formats))
		die(EXIT_USAGE, "--format: '%s' is not a list of md, json, html", o->formats);
}

/* The generic program's scenario: the syscall number goes first in its
 * arguments, then the user's (`labctl trace 63 -- b:390`). */
static const char *generic_scenario(struct trace_run *r)
{
	struct trace_opts *o = r->o;
	char **args = xcalloc(o->nargs + 2, sizeof(*args));

	args[0] = xasprintf("%d", r->sc->nr);
	for (int i = 0; i < o->nargs; i++)
		args[i + 1] = o->args[i];
	o->args = args;
	o->nargs++;
	return "syscall";
}

/*
 * What the guest runs.  With --program the user brings the traced program
 * (and an initramfs holding it): the scenario defaults to the syscall's
 * name and the function to lab_SYSCALL.  Otherwise the lab's scenario
 * named after the syscall (scenarios/connect.ini), else the generic program
 * told the number on the kernel command line; the traced program and the
 * function holding its syscall instruction come from that scenario, and the
 * initramfs is the lab's (built or found in the cache).
 */
static void choose_guest(struct trace_run *r)
{
	struct trace_opts *o = r->o;
	struct programs progs;
	struct scenario sc;
	char *path;

	if (o->program) {
		if (!o->scenario)
			o->scenario = r->sc->name;
		r->function = o->function ? xstrdup(o->function) : xasprintf("lab_%s", r->sc->name);
	} else {
		if (!o->scenario) {
			path = xasprintf("%s/scenarios/%s.ini", datadir(), r->sc->name);
			o->scenario = is_file(path) ? r->sc->name : generic_scenario(r);
			free(path);
		}
		programs_list(&progs, NULL);
		if (scenario_find(&sc, o->scenario, &progs) < 0)
			exit(EXIT_INPUT);
		o->program = xstrdup(programs_find(&progs, scenario_traced(&sc)->program)->path);
		r->function = xstrdup(o->function ? o->function : sc.function);
		scenario_free(&sc);
		programs_free(&progs);
	}
	if (!o->initrd)
		o->initrd = initramfs_build(&(struct initramfs_opts){ 0 });
}

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { .formats = "md,json,html", .timeout = 60 };
	struct trace_run r = { .o = &o };

	parse_options(argc, argv, &o);
	kernel_load(&r.k, NULL);
	{
		char *tbl = syscall_table_path(r.k.source);

		if (syscalls_load(tbl, &r.table) < 0)
			exit(EXIT_INPUT);
		free(tbl);
	}
	r.sc = resolve_syscall(&r.table, o.syscall);
	choose_guest(&r);
	if (elf_syscall_sites(o.program, r.function, &r.fn) < 0)
		exit(EXIT_INPUT);
	if (!is_file(o.initrd))
		die(EXIT_INPUT, "no initramfs %s", o.initrd);
	if (!which("gdb") || !which("qemu-system-x86_64"))
		die(EXIT_ENV, "trace needs gdb and qemu-system-x86_64 (see 'make deps')");
	r.dir = run_dir_new("trace");
	r.sock = xasprintf("%s/gdb.sock", r.dir);
	if (strlen(r.sock) >= sizeof(((struct sockaddr_un *)NULL)->sun_path))
		die(EXIT_ENV, "%s: too long for a Unix socket; set LABCTL_RUN_ROOT to a shorter directory",
		    r.sock);
	r.params = xasprintf("%s/params.json", r.dir);
	r.capture = xasprintf("%s/capture.json", r.dir);
	note("tracing %s (%d) in %s, logs in %s", r.sc->name, r.sc->nr, o.program, r.dir);
	mkdir_p(out_dir(&r));
	trace(&r);
	publish(&r);
	elf_func_free(&r.fn);
	syscalls_free(&r.table);
	kernel_free(&r.k);
	free(r.function);
	free(r.dir);
	free(r.sock);
	free(r.params);
	free(r.capture);
	return EXIT_OK;
}
