/*
 * One system call traced: see trace.h.  Boot the lab paused, let GDB (the
 * lab-trace command of the gdb/ package) follow the program's system call
 * through the kernel, and keep what it captured and rendered.
 *
 * labctl never reads GDB's text: lab-trace writes its capture as JSON to a
 * file named here (gdb/SCHEMA.md), and only its "labctl-phase:" progress
 * lines are watched, to name the phase a timeout interrupted.
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbuild/kernel.h"
#include "kbuild/syscalls.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/console.h"
#include "rootfs/initramfs.h"
#include "rootfs/programs.h"
#include "rootfs/scenario.h"
#include "trace/elf.h"
#include "trace/gdb-session.h"
#include "trace/own-program.h"
#include "trace/trace.h"

/* The formats lab-trace renders (report.json is its capture itself). */
static const char *const rendered[] = { "md", "html" };

/* One trace under way: the request, and what was decided and found for it. */
struct run {
	const struct trace_opts *o;
	const char *scenario;             /* o->scenario, or the default */
	char *program, *initrd, *function;
	char *exe;                        /* the program's name in the guest */
	char **others;                    /* the own program's other functions to watch */
	int nothers;
	json_t *functions;                /* every function watched: name, addr, size */
	char **args;                      /* labctl.args=, the generic program's first */
	int nargs;
	struct kernel k;
	struct syscall_table table;
	const struct syscall_entry *sc;   /* what the user asked for */
	const struct syscall_entry *nr;   /* what the program makes (socketcall) */
	const char *socketcall;           /* the socketcall call of sc, or NULL */
	char *scenario_syscall;           /* the scenario's syscall =, or NULL */
	char *owned_scenario;
	struct elf_func fn;
	char *dir, *params, *capture;
	char *compare;                    /* the x86-64 capture beside an i386 one */
	json_t *warnings;                 /* the capture's, for trace_result */
	struct gdb_run *gdb;              /* GDB started ahead (gdb_session_start) */
	char *traced_step;                /* the scenario's traced step, when known */
	bool hold;                        /* save the guest at it too: steps run before it */
	char *inbox, *saved_initrd;       /* INITRD is the lab's (SAVED_INITRD) with the
	                                   * archive INBOX appended (an own program's) */
};

bool trace_wants(const char *formats, const char *format)
{
	char *copy = xstrdup(formats), *save = NULL;
	bool yes = false;

	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
		yes |= !strcmp(f, format);
	free(copy);
	return yes;
}

static const struct syscall_entry *resolve_syscall(const struct syscall_table *t, const char *name,
						    const char *abi, struct error *e)
{
	const struct syscall_entry *s = syscall_lookup(t, name);
	const char *close[4];
	char hint[256] = "";
	size_t n;

	if (s)
		return s;
	n = syscall_suggest(t, name, close, 4);
	for (size_t i = 0; i < n; i++) {
		strncat(hint, i ? ", " : " (did you mean ", sizeof(hint) - strlen(hint) - 1);
		strncat(hint, close[i], sizeof(hint) - strlen(hint) - 1);
	}
	if (n)
		strncat(hint, "?)", sizeof(hint) - strlen(hint) - 1);
	error_set(e, EXIT_USAGE, "no %s system call '%s' in syscall_%s.tbl%s",
		  strcmp(abi, "i386") ? "64-bit" : "i386", name, strcmp(abi, "i386") ? "64" : "32",
		  hint);
	return NULL;
}

static int load_table(struct run *r, const char *abi, struct error *e)
{
	char *tbl = syscall_table_path(r->k.source, abi);
	int ret;

	syscalls_free(&r->table);
	ret = syscalls_load(tbl, &r->table, e);
	free(tbl);
	if (ret < 0)
		return -1;
	r->sc = r->nr = resolve_syscall(&r->table, r->o->syscall, abi, e);
	return r->sc ? 0 : -1;
}

/* The output directory: --out, else the run directory. */
static const char *out_dir(const struct run *r)
{
	return r->o->out ? r->o->out : r->dir;
}

/* labctl.scenario= and labctl.args= for the guest's init. */
static char *kernel_append(const struct run *r, struct error *e)
{
	char *args = NULL, *t, *append;

	for (int i = 0; i < r->nargs; i++) {
		if (strpbrk(r->args[i], " ,\"\t\n")) {
			free(args);
			error_set(e, EXIT_USAGE, "argument '%s': no spaces, commas or quotes on the "
				  "kernel command line", r->args[i]);
			return NULL;
		}
		t = xasprintf("%s%s%s", args ? args : "", i ? "," : "", r->args[i]);
		free(args);
		args = t;
	}
	append = scenario_cmdline(r->scenario, args);
	free(args);
	return append;
}

/* What lab-trace needs to know, as the JSON file it reads (gdb/SCHEMA.md). */
static int write_params(const struct run *r, struct error *e)
{
	json_t *sites = json_array(), *prog, *root, *formats;
	char *copy = xstrdup(r->program), *memo;
	int rc;

	for (size_t i = 0; i < r->fn.nsites; i++)
		json_array_append_new(sites, json_integer((json_int_t)r->fn.sites[i]));
	prog = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o}",
			 "path", r->program, "exe", r->exe ? r->exe : basename(copy), "function", r->fn.name,
			 "abi", r->fn.abi, "function_addr", (json_int_t)r->fn.addr,
			 "function_size", (json_int_t)r->fn.size, "syscall_addrs", sites);
	root = json_pack("{s:s, s:s, s:i, s:s, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:i}",
			 "out", r->capture, "abi", r->fn.abi, "nr", r->nr->nr, "syscall", r->nr->name,
			 "tbl_line", r->nr->line, "tbl_lineno", r->nr->lineno, "program", prog,
			 "source", r->k.source, "config", r->k.config, "vmlinux", r->k.vmlinux,
			 "accel", r->o->kvm ? "kvm" : "tcg", "scenario", r->scenario,
			 "timeout", r->o->timeout - 1, "entry_budget", 200, "exit_budget", 400);
	if (r->functions)
		json_object_set(prog, "functions", r->functions);
	if (r->socketcall)
		json_object_set_new(root, "socketcall", json_string(r->socketcall));
	if (r->compare)
		json_object_set_new(root, "compare_with", json_string(r->compare));
	if (r->o->run_on)
		json_object_set_new(root, "run_on", json_true());
	formats = json_array();
	for (size_t i = 0; i < 2; i++)
		if (trace_wants(r->o->formats, rendered[i]))
			json_array_append_new(formats, json_string(rendered[i]));
	memo = xasprintf("%s/gdb-memo.json", r->k.dir);
	json_object_set_new(root, "memo", json_string(memo));
	free(memo);
	json_object_set_new(root, "report_dir", json_string(out_dir(r)));
	json_object_set_new(root, "formats", formats);
	json_object_set_new(root, "lang", json_string(r->o->lang ? r->o->lang : "en"));
	rc = json_dump_file(root, r->params, JSON_INDENT(1));
	json_decref(root);
	free(copy);
	if (rc < 0)
		return error_set(e, EXIT_ENV, "cannot write %s", r->params);
	return 0;
}

/*
 * The traced program refused its arguments before it made the call: it
 * exited 2, the lab programs' usage status, after saying why.  That is a
 * usage error, in the program's own words, not a failed trace.
 */
static void usage_from_console(const struct run *r, struct error *e)
{
	char *log = xasprintf("%s/serial.log", r->dir);
	struct error ignored;
	struct console c;

	if (console_read(&c, log, &ignored) == 0 && c.failed_step && c.failed_status == 2 &&
	    c.failed_said && (!r->traced_step || !strcmp(c.failed_step, r->traced_step)))
		error_set(e, EXIT_USAGE, "%s (the guest's step %s exited 2 before the call; logs in %s)",
			  c.failed_said, c.failed_step, r->dir);
	console_free(&c);
	free(log);
}

/* "43 (accept)": NR named from R's table. */
static void put_call(FILE *f, const struct run *r, json_t *nr)
{
	const struct syscall_entry *s = syscall_lookup_nr(&r->table, json_integer_value(nr));

	fprintf(f, "%lld (%s)", (long long)json_integer_value(nr), s ? s->name : "not in the table");
}

/*
 * What the program did instead of the traced call, from the capture's
 * filter, named from the table: "; it made system call 43 (accept)
 * instead", "; it was waiting in system call 0 (read)".  NULL: nothing.
 */
static char *no_call_detail(json_t *root, const void *data)
{
	const struct run *r = data;
	json_t *filter = json_object_get(root, "filter"), *v;
	json_t *made = json_object_get(filter, "program_numbers");
	json_t *waiting = json_object_get(filter, "waiting");
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if (!json_array_size(made) && !json_array_size(waiting))
		return NULL;
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	json_array_foreach(made, i, v) {
		fputs(i ? ", " : "; it made system call ", f);
		put_call(f, r, v);
	}
	if (json_array_size(made))
		fputs(" instead", f);
	json_array_foreach(waiting, i, v) {
		fprintf(f, "; %s (pid %lld) was waiting in system call ",
			json_string_value(json_object_get(v, "exe")) ?
			json_string_value(json_object_get(v, "exe")) : "the program",
			(long long)json_integer_value(json_object_get(v, "pid")));
		put_call(f, r, json_object_get(v, "nr"));
	}
	fclose(f);
	return text;
}

/*
 * The traced step died of a signal before the call (the shell's status
 * 128 + N): the program crashed, which the guest's console says and GDB,
 * seeing only the guest end, cannot.
 */
static void crash_from_console(const struct run *r, struct error *e)
{
	char *log = xasprintf("%s/serial.log", r->dir);
	struct error ignored;
	struct console c;
	int sig;

	if (console_read(&c, log, &ignored) == 0 && c.failed_step && c.failed_status > 128 &&
	    c.failed_status < 128 + 65 && (!r->traced_step || !strcmp(c.failed_step, r->traced_step))) {
		sig = c.failed_status - 128;
		error_set(e, EXIT_FAIL, "%s was killed by signal %d (SIG%s) before it made system call "
			  "%d (%s); its console is in %s", r->exe ? r->exe : r->program, sig,
			  sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", r->nr->nr, r->nr->name, log);
	}
	console_free(&c);
	free(log);
}

/* R's GDB session, the guest's words APPEND. */
static struct gdb_session session(const struct run *r, const char *append)
{
	return (struct gdb_session){
		.kernel = &r->k, .initrd = r->initrd, .append = append, .run_dir = r->dir,
		.kvm = r->o->kvm, .timeout = r->o->timeout,
		.command = r->o->interactive ? "lab-stop" : "lab-trace",
		.params = r->params, .capture = r->capture, .interactive = r->o->interactive,
		/* a saved guest is the lab's image under TCG (snapshot.h), an
		 * own program's archive given to it */
		.restore = (!r->o->initrd || r->inbox) && !r->o->kvm && !r->o->no_snapshot,
		.saved_initrd = r->saved_initrd, .inbox = r->inbox,
		.hold = r->hold ? r->traced_step : NULL, .server = r->o->gdb_server,
	};
}

static int trace(struct run *r, struct error *e)
{
	char *append = kernel_append(r, e);
	struct gdb_session s = session(r, append);
	struct gdb_run *g = r->gdb;
	int ret = -1, ran = -1;

	if (append && write_params(r, e) == 0) {
		r->gdb = NULL;	/* the session's now */
		ran = gdb_session_run(&s, g, e);
	}
	/* Interactive, there is a capture only if the user asked lab-report for one. */
	if (ran == 0)
		ret = r->o->interactive && !is_file(r->capture) ? 0 :
		      gdb_capture_check(r->capture, r->dir, &r->warnings, no_call_detail, r, e);
	if (ret < 0 && e->code == EXIT_FAIL) {
		usage_from_console(r, e);
		crash_from_console(r, e);
	}
	free(append);
	return ret;
}

/*
 * report.json is the capture; lab-trace rendered report.md and report.html
 * from it (gdb/labctl/report) into the output directory.
 */
static int publish(const struct run *r, struct trace_result *res, struct error *e)
{
	char *path = xasprintf("%s/report.json", out_dir(r)), *data;
	size_t len;

	if (trace_wants(r->o->formats, "json")) {
		data = read_file(r->capture, &len);
		if (!data || write_file_atomic(path, data, len) < 0) {
			error_set(e, EXIT_ENV, "cannot write %s", path);
			free(data);
			free(path);
			return -1;
		}
		free(data);
		res->reports[res->nreports++] = path;
	} else {
		free(path);
	}
	for (size_t i = 0; i < 2; i++) {
		if (!trace_wants(r->o->formats, rendered[i]))
			continue;
		path = xasprintf("%s/report.%s", out_dir(r), rendered[i]);
		if (!is_file(path)) {
			error_set(e, EXIT_INTERNAL, "no %s: rendering failed (see %s/gdb.log)",
				  path, r->dir);
			free(path);
			return -1;
		}
		res->reports[res->nreports++] = path;
	}
	return 0;
}

/* The generic program's scenario: the syscall number goes first in its
 * arguments, then the user's (`labctl trace 63 -- b:390`).  For i386 the
 * program is syscall32 and the number syscall_32.tbl's (r->sc is from the
 * table of the ABI asked for): calls.h's row is the one of the same name. */
static void generic_scenario(struct run *r)
{
	const struct trace_opts *o = r->o;

	r->args = xcalloc(o->nargs + 2, sizeof(*r->args));
	r->args[0] = xasprintf("%d", r->sc->nr);
	for (int i = 0; i < o->nargs; i++)
		r->args[i + 1] = xstrdup(o->args[i]);
	r->nargs = o->nargs + 1;
	r->scenario = o->abi && !strcmp(o->abi, "i386") ? "syscall32" : "syscall";
}

/* The default scenario for the syscall: NAME.ini, or NAME32.ini for i386. */
static int default_scenario(struct run *r, struct error *e)
{
	bool i386 = r->o->abi && !strcmp(r->o->abi, "i386");
	char *name = xasprintf("%s%s", r->sc->name, i386 ? "32" : "");

	if (scenario_exists(name)) {
		r->scenario = r->owned_scenario = name;
		return 0;
	}
	free(name);
	generic_scenario(r);
	return 0;
}

/* The user's arguments, as they are (no generic program). */
/* ARGS (N of them) as a NULL-terminated array of copies. */
static char **copy_args(char *const *args, int n)
{
	char **v = xcalloc(n + 1, sizeof(*v));

	for (int i = 0; i < n; i++)
		v[i] = xstrdup(args[i]);
	return v;
}

static void user_args(struct run *r)
{
	r->args = copy_args(r->o->args, r->o->nargs);
	r->nargs = r->o->nargs;
}

/*
 * The user's own program (--program without --initrd) in the lab's guest,
 * in the place of the scenario's traced program: the scenario's peers (the
 * lab's server for connect) still run.  The program and the changed
 * scenario are an archive appended to the lab's image, which is not
 * rebuilt; with no scenario for the call, the program runs alone.
 */
static int own_guest(struct run *r, struct error *e)
{
	const struct trace_opts *o = r->o;
	struct own_program p;
	struct programs progs = { 0 };
	struct scenario sc = { 0 };
	struct scenario_step alone = { 0 }, *st = &alone;
	char *work = xasprintf("%s/program", r->dir);
	int ret = -1;

	if (own_program_build(o->program, work, o->abi && !strcmp(o->abi, "i386"), &p, e) < 0) {
		free(work);
		return -1;
	}
	if (own_program_find_call(&p, r->sc->nr, r->sc->name, o->function, e) < 0)
		goto out;
	if (p.in_libc)
		note("%s makes %s through the C library (%s), not with a syscall instruction of its "
		     "own: that is the call traced", o->program, r->sc->name, p.function);
	r->scenario = o->scenario ? o->scenario : scenario_exists(r->sc->name) ? r->sc->name : NULL;
	if (r->scenario) {
		if (programs_list(&progs, NULL, e) < 0 || scenario_find(&sc, r->scenario, &progs, e) < 0)
			goto out;
		st = (struct scenario_step *)scenario_traced(&sc);
		r->scenario_syscall = xstrdup(sc.syscall);
	} else {
		/* No scenario runs the call: the program alone, as scenario "own". */
		r->scenario = "own";
		sc.name = xstrdup("own");
		alone.name = xstrdup("program");
		alone.program = xstrdup("program");
		sc.steps = &alone;
		sc.nsteps = 1;
	}
	if (!(r->saved_initrd = initramfs_create(&(struct initramfs_opts){ 0 }, e)) ||
	    !(r->initrd = own_program_image(&p, &sc, st, o->args, o->nargs, r->saved_initrd, r->dir,
					    &r->inbox, e)))
		goto out;
	r->program = p.exe;
	r->exe = p.name;
	r->function = p.function;
	r->others = p.others;
	r->nothers = p.nothers;
	p.exe = p.name = p.function = NULL;	/* R has them now */
	p.others = NULL;
	p.nothers = 0;
	ret = 0;
out:
	if (st == &alone) {
		free(alone.name);
		free(alone.program);
		for (char **a = alone.args; a && *a; a++)
			free(*a);
		free(alone.args);
		free(sc.name);
	} else {
		scenario_free(&sc);
	}
	programs_free(&progs);
	own_program_free(&p);
	free(work);
	return ret;
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
static int choose_guest(struct run *r, struct error *e)
{
	const struct trace_opts *o = r->o;
	struct programs progs;
	struct scenario sc;
	int ret;

	if (o->program && !o->initrd)
		return own_guest(r, e);
	r->scenario = o->scenario;
	if (o->program) {
		if (!r->scenario)
			r->scenario = r->sc->name;
		user_args(r);
		if (o->hold) {
			r->traced_step = xstrdup(o->hold);
			r->hold = true;
		}
		r->program = xstrdup(o->program);
		r->function = o->function ? xstrdup(o->function) : xasprintf("lab_%s", r->sc->name);
		r->others = copy_args(o->also, o->nalso);
		r->nothers = o->nalso;
	} else {
		if (r->scenario)
			user_args(r);
		else if (default_scenario(r, e) < 0)
			return -1;
		else if (!r->args)
			user_args(r);
		if (programs_list(&progs, NULL, e) < 0)
			return -1;
		ret = scenario_find(&sc, r->scenario, &progs, e);
		if (ret == 0) {
			r->program = xstrdup(programs_find(&progs, scenario_traced(&sc)->program)->path);
			r->traced_step = xstrdup(scenario_traced(&sc)->name);
			/* what a guest saved at the traced step spares a trace is
			 * the steps before it (a server's start); before a first
			 * step there are none, and the booted state serves (one
			 * saved state per number of the generic program would not) */
			r->hold = scenario_traced(&sc) != &sc.steps[0];
			r->function = xstrdup(o->function ? o->function : sc.function);
			r->scenario_syscall = xstrdup(sc.syscall);
			scenario_free(&sc);
		}
		programs_free(&progs);
		if (ret < 0)
			return -1;
	}
	r->initrd = o->initrd ? xstrdup(o->initrd)
			      : initramfs_create(&(struct initramfs_opts){ 0 }, e);
	if (o->inbox) {
		r->inbox = xstrdup(o->inbox);
		r->saved_initrd = xstrdup(o->lab_initrd);
	}
	return r->initrd ? 0 : -1;
}

/*
 * The number the program really makes.  An i386 program makes its socket
 * calls through socketcall (102) when its scenario says so: `trace connect
 * --abi i386` traces socketcall with the call SYS_CONNECT.
 */
static int choose_number(struct run *r, struct error *e)
{
	const char *abi = r->o->abi ? r->o->abi : "x86_64";

	if (strcmp(r->fn.abi, abi)) {
		note("%s is an %s program: tracing the %s system call", r->program, r->fn.abi,
		     r->fn.abi);
		if (load_table(r, r->fn.abi, e) < 0)
			return -1;
	}
	if (!strcmp(r->fn.abi, "i386") && r->scenario_syscall &&
	    !strcmp(r->scenario_syscall, "socketcall") && strcmp(r->sc->name, "socketcall")) {
		r->nr = resolve_syscall(&r->table, "socketcall", "i386", e);
		if (!r->nr)
			return -1;
		r->socketcall = r->sc->name;
	}
	return 0;
}

/*
 * The own program's other functions with a syscall instruction, watched
 * beside r->fn: the stop that makes the call tells which function it was
 * (gdb/labctl/trace.py).  Under TCG a breakpoint is a comparison of the
 * PC, as many as there are sites; under KVM it is one of the CPU's four
 * debug address registers.
 */
#define KVM_DEBUG_REGS 4

static json_t *function_json(const char *name, unsigned long addr, unsigned long size)
{
	return json_pack("{s:s, s:I, s:I}", "name", name, "addr", (json_int_t)addr,
			 "size", (json_int_t)size);
}

static void watch_others(struct run *r)
{
	size_t most = r->o->kvm ? KVM_DEBUG_REGS : SIZE_MAX;

	if (r->fn.nsites > most) {
		note("%s: only %zu of its %zu syscall instructions watched under KVM (debug "
		     "registers): trace under TCG for all", r->fn.name, most, r->fn.nsites);
		r->fn.nsites = most;
	}
	if (!r->nothers)
		return;
	r->functions = json_array();
	json_array_append_new(r->functions, function_json(r->fn.name, r->fn.addr, r->fn.size));
	for (int i = 0; i < r->nothers; i++) {
		struct elf_func f = { 0 };

		if (elf_syscall_sites(r->program, r->others[i], &f, NULL) == 0 &&
		    r->fn.nsites + f.nsites <= most) {
			r->fn.sites = xrealloc(r->fn.sites,
					       (r->fn.nsites + f.nsites) * sizeof(*f.sites));
			memcpy(r->fn.sites + r->fn.nsites, f.sites, f.nsites * sizeof(*f.sites));
			r->fn.nsites += f.nsites;
			json_array_append_new(r->functions, function_json(f.name, f.addr, f.size));
		} else if (f.nsites) {
			note("%s: not watched as well, no debug register left for its syscall "
			     "instruction under KVM: trace under TCG for all", r->others[i]);
		}
		elf_func_free(&f);
	}
}

static void run_free(struct run *r)
{
	gdb_session_abandon(r->gdb);
	elf_func_free(&r->fn);
	syscalls_free(&r->table);
	kernel_free(&r->k);
	strv_free_n(r->args, r->nargs);
	free_all(r->owned_scenario, r->scenario_syscall, r->program, r->exe);
	strv_free_n(r->others, r->nothers);
	json_decref(r->functions);
	json_decref(r->warnings);
	free_all(r->traced_step, r->initrd, r->function, r->dir, r->params, r->capture,
		 r->compare, r->inbox, r->saved_initrd);
}

/* Set up R: the guest, the program, the number, the run directory (a new
 * one, or DIR, which R then owns). */
static int prepare(struct run *r, char *dir, struct error *e)
{
	const struct trace_opts *o = r->o;
	struct gdb_session early;

	r->dir = dir;
	if (kernel_load(&r->k, o->kernel, e) < 0 || load_table(r, o->abi ? o->abi : "x86_64", e) < 0)
		return -1;
	if (!r->dir && !(r->dir = run_dir_create_in(o->run_root, "trace", e)))
		return -1;
	if (!which("gdb") || !which("qemu-system-x86_64"))
		return error_set(e, EXIT_ENV, "trace needs gdb and qemu-system-x86_64 (see 'make deps')");
	r->params = xasprintf("%s/params.json", r->dir);
	r->capture = xasprintf("%s/capture.json", r->dir);
	if (make_dirs(r->dir, e) < 0)
		return -1;
	/* GDB loads vmlinux (a tenth of a second) while the guest is chosen
	 * and its image checked; not onto the user's terminal before then */
	early = session(r, NULL);
	if (!o->interactive && !(r->gdb = gdb_session_start(&early, e)))
		return -1;
	if (choose_guest(r, e) < 0 ||
	    elf_syscall_sites(r->program, r->function, &r->fn, e) < 0 || choose_number(r, e) < 0)
		return -1;
	watch_others(r);
	/* with an inbox, the image a booted guest needs is made only then */
	if (!is_file(r->inbox ? r->saved_initrd : r->initrd))
		return error_set(e, EXIT_INPUT, "no initramfs %s",
				 r->inbox ? r->saved_initrd : r->initrd);
	return 0;
}

/*
 * Beside an i386 trace of the lab, the same call traced the x86-64 way
 * (`syscall`, entry_SYSCALL_64), so that the report puts the two entries
 * side by side from two real captures.  Its capture's path in R32->compare.
 */
static int companion_trace(struct run *r32, struct error *e)
{
	struct trace_opts o = { .syscall = r32->sc->name, .abi = "x86_64", .formats = "",
				.kernel = r32->o->kernel, .timeout = r32->o->timeout, .kvm = r32->o->kvm,
				.no_snapshot = r32->o->no_snapshot, .initrd = r32->o->initrd };
	struct run r = { .o = &o };
	int ret = prepare(&r, xasprintf("%s/x86_64", r32->dir), e);

	if (ret == 0) {
		note("and the x86-64 way, for the comparison: %s (%d), logs in %s", r.sc->name,
		     r.nr->nr, r.dir);
		ret = trace(&r, e);
	}
	if (ret == 0)
		r32->compare = xstrdup(r.capture);
	run_free(&r);
	return ret;
}

/*
 * The comparison, when x86-64 has the call: an i386 call it lacks (waitpid,
 * mmap2, _newselect...) is traced alone.  The x86-64 trace makes its own
 * default call (its scenario, or calls.h's row), not the user's arguments,
 * which are the i386 call's.
 */
static int companion(struct run *r32, struct error *e)
{
	struct syscall_table t64 = { 0 };
	char *tbl = syscall_table_path(r32->k.source, "x86_64");
	int ret = syscalls_load(tbl, &t64, e);
	bool has = ret == 0 && syscall_lookup(&t64, r32->sc->name);

	syscalls_free(&t64);
	free(tbl);
	if (ret < 0)
		return -1;
	if (!has) {
		note("%s is not in syscall_64.tbl: no x86-64 trace to compare with", r32->sc->name);
		return 0;
	}
	return companion_trace(r32, e);
}

/* Reports of an earlier run in the output directory would pass for this
 * one's when it fails before lab-trace renders. */
static void remove_reports(const struct run *r)
{
	static const char *const names[] = { "report.json", "report.md", "report.html" };

	for (size_t i = 0; i < 3; i++) {
		char *path = xasprintf("%s/%s", out_dir(r), names[i]);

		unlink(path);
		free(path);
	}
}

/*
 * A trace that failed or timed out after the call was made: what it saw is
 * published like a whole one (lab-trace rendered it, marked incomplete),
 * and E's message names it.
 */
static void keep_partial(const struct run *r, struct trace_result *res, struct error *e)
{
	struct error ignored;
	size_t len = strlen(e->msg);
	const char *shown = NULL;

	publish(r, res, &ignored);
	/* the rendered report, md before html: a capture from before the call
	 * has none, and nothing to show */
	for (size_t i = 0; i < res->nreports; i++) {
		const char *dot = strrchr(res->reports[i], '.');

		if (dot && (!strcmp(dot, ".md") || (!strcmp(dot, ".html") && !shown)))
			shown = res->reports[i];
	}
	if (shown)
		snprintf(e->msg + len, sizeof(e->msg) - len, "; what it saw: %s", shown);
}

/* The capture's warnings, for the caller to print: also those of a failed trace. */
static void keep_warnings(const struct run *r, struct trace_result *res)
{
	size_t i;
	json_t *w;

	if (!r->warnings)
		return;
	res->warnings = xcalloc(json_array_size(r->warnings), sizeof(*res->warnings));
	json_array_foreach(r->warnings, i, w)
		if (json_is_string(w))
			res->warnings[res->nwarnings++] = xstrdup(json_string_value(w));
}

int trace_run(const struct trace_opts *o, struct trace_result *res, struct error *e)
{
	struct run r = { .o = o };
	int ret;

	memset(res, 0, sizeof(*res));
	ret = prepare(&r, NULL, e);
	if (r.dir) {
		res->run_dir = xstrdup(r.dir);
		res->capture = xasprintf("%s/capture.json", r.dir);
	}
	if (ret == 0 && !o->program && !strcmp(r.fn.abi, "i386"))
		ret = companion(&r, e);
	if (ret == 0) {
		note("tracing %s (%s %d%s%s) in %s, logs in %s", r.sc->name, r.fn.abi, r.nr->nr,
		     r.socketcall ? ", socketcall " : "", r.socketcall ? r.socketcall : "",
		     r.program, r.dir);
		ret = make_dirs(out_dir(&r), e);
		if (ret == 0)
			remove_reports(&r);
	}
	if (ret == 0)
		ret = trace(&r, e);
	keep_warnings(&r, res);
	if (ret == 0 && is_file(r.capture))
		ret = publish(&r, res, e);
	else if (r.dir && (e->code == EXIT_FAIL || e->code == EXIT_TIMEOUT))
		keep_partial(&r, res, e);
	run_free(&r);
	return ret;
}

void trace_result_free(struct trace_result *res)
{
	free(res->run_dir);
	free(res->capture);
	for (size_t i = 0; i < res->nreports; i++)
		free(res->reports[i]);
	strv_free_n(res->warnings, res->nwarnings);
	memset(res, 0, sizeof(*res));
}
