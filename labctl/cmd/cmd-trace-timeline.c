/*
 * labctl trace --timeline SCENARIO[,SCENARIO...]: every socket system call
 * the scenarios' programs make, in order, with arguments, results and the
 * protocol implementation the kernel dispatched to.
 *
 * Each scenario boots its own paused guest (or restores it); one GDB, kept
 * for them all when there are several (gdb/labctl/serve.py), runs the
 * lab-timeline command on each: GDB's lab-timeline command
 * (gdb/labctl/timeline.py) breaks on the handlers of the socket-family
 * system calls only, so boot's system calls never stop the guest, and keeps
 * the calls of the scenario's executables.  The captures are put together
 * in one report.json (schema labctl-timeline/1, gdb/SCHEMA.md), from which
 * gdb/labctl/report renders report.md and report.html (the side-by-side
 * dispatch table when there are several scenarios).
 *
 * Command code, like cmd-trace.c whose option parsing hands over here: it
 * prints the report's paths and, on failure, the error (die_error).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbuild/kernel.h"
#include "kbuild/syscalls.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "rootfs/initramfs.h"
#include "rootfs/programs.h"
#include "rootfs/scenario.h"
#include "trace/capture.h"
#include "trace/gdb-session.h"
#include "trace/own-program.h"
#include "trace/trace.h"

/* {"x86_64": [[nr, name], ...], "i386": [...]}: both tables, for GDB to
 * pick the socket calls from (it knows which those are: gdb/labctl/sockets.py). */
static json_t *tables_json(const char *source)
{
	static const char *const abis[] = { "x86_64", "i386" };
	json_t *out = json_object();

	for (size_t a = 0; a < 2; a++) {
		char *path = syscall_table_path(source, abis[a]);
		struct syscall_table t;
		struct error e;
		json_t *list = json_array();

		if (syscalls_load(path, &t, &e) < 0)
			die_error(&e);
		for (size_t i = 0; i < t.n; i++)
			if (strcmp(t.v[i].abi, "x32"))
				json_array_append_new(list, json_pack("[i,s]", t.v[i].nr, t.v[i].name));
		json_object_set_new(out, abis[a], list);
		syscalls_free(&t);
		free(path);
	}
	return out;
}

/* NAME, or with --abi i386 its i386 variant NAME32 when there is one. */
static char *scenario_name(const struct trace_opts *o, const char *name)
{
	char *alt;

	if (!o->abi || strcmp(o->abi, "i386"))
		return xstrdup(name);
	alt = xasprintf("%s32", name);
	if (scenario_exists(alt))
		return alt;
	free(alt);
	die(EXIT_INPUT, "no i386 variant of scenario %s (scenarios/%s32.ini)", name, name);
}

/* SC's steps for GDB: each one's executable and ABI; the user's program
 * OWN (or NULL) runs as step TRACED. */
static json_t *steps_json(const struct scenario *sc, const struct programs *progs,
			  const struct own_program *own, const struct scenario_step *traced)
{
	json_t *steps = json_array();

	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct program *p = programs_find(progs, sc->steps[i].program);
		bool is_own = own && &sc->steps[i] == traced;

		json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:b}",
			"step", sc->steps[i].name, "exe", is_own ? own->name : p->name,
			"abi", is_own ? own->abi : p->i386 ? "i386" : "x86_64",
			"background", sc->steps[i].background));
	}
	return steps;
}

struct timeline_run {
	const struct trace_opts *o;
	struct kernel k;
	struct programs progs;
	struct own_program own;     /* --program: in the place of each traced step */
	bool have_own;
	json_t *tables;
	char *initrd, *dir;
	struct gdb_server *gdb;     /* several scenarios: one GDB for them all */
};

/* One scenario's capture: the path of its JSON (caller frees). */
static char *capture_one(struct timeline_run *t, const char *name)
{
	struct scenario sc;
	char *dir = xasprintf("%s/%s", t->dir, name), *params, *capture, *serial, *append;
	char *initrd = NULL, *inbox = NULL;
	const struct scenario_step *traced;
	json_t *root, *steps;
	struct gdb_session s = { .kernel = &t->k, .kvm = t->o->kvm, .server = t->gdb,
				 .timeout = t->o->timeout, .command = "lab-timeline" };
	struct error e;

	if (scenario_find(&sc, name, &t->progs, &e) < 0 || make_dirs(dir, &e) < 0)
		die_error(&e);
	traced = scenario_traced(&sc);
	if (t->have_own && !traced)
		die(EXIT_INPUT, "scenario %s has no traced step for your program to take the place of",
		    name);
	steps = steps_json(&sc, &t->progs, t->have_own ? &t->own : NULL, traced);
	if (t->have_own && !(initrd = own_program_image(&t->own, &sc, (struct scenario_step *)traced,
							 t->o->args, t->o->nargs, t->initrd, dir, &inbox,
							 &e)))
		die_error(&e);
	s.initrd = initrd ? initrd : t->initrd;
	/* the lab's image, as saved once booted; an own program's archive is
	 * given to it */
	s.restore = !t->o->kvm && !t->o->no_snapshot;
	s.saved_initrd = t->initrd;
	s.inbox = inbox;
	params = xasprintf("%s/params.json", dir);
	capture = xasprintf("%s/capture.json", dir);
	serial = xasprintf("%s/serial.log", dir);
	append = scenario_cmdline(name, NULL);
	root = json_pack("{s:s, s:s, s:s, s:o, s:O, s:s, s:s, s:s, s:s, s:s, s:f}",
			 "out", capture, "scenario", name, "description", sc.description,
			 "steps", steps, "tables", t->tables,
			 "source", t->k.source, "config", t->k.config, "vmlinux", t->k.vmlinux,
			 "serial_log", serial, "accel", t->o->kvm ? "kvm" : "tcg",
			 "timeout", t->o->timeout - 1);
	if (json_dump_file(root, params, JSON_INDENT(1)) < 0)
		die(EXIT_ENV, "cannot write %s", params);
	json_decref(root);
	note("timeline of scenario %s, logs in %s", name, dir);
	s.append = append;
	s.run_dir = dir;
	s.params = params;
	s.capture = capture;
	if (gdb_session_run(&s, NULL, &e) < 0 || gdb_capture_check(capture, dir, NULL, NULL, NULL, &e) < 0)
		die_error(&e);
	scenario_free(&sc);
	free_all(initrd, inbox, dir, params, serial, append);
	return capture;
}

int trace_timeline(struct trace_opts *o)
{
	struct timeline_run t = { .o = o };
	json_t *captures = json_array();
	char *list = xstrdup(o->timeline), *save = NULL;
	struct error e;

	if (kernel_load(&t.k, o->kernel, &e) < 0)
		die_error(&e);
	t.tables = tables_json(t.k.source);
	if (programs_list(&t.progs, NULL, &e) < 0 ||
	    !(t.initrd = initramfs_create(&(struct initramfs_opts){ 0 }, &e)))
		die_error(&e);
	if (!which("gdb") || !which("qemu-system-x86_64"))
		die(EXIT_ENV, "trace needs gdb and qemu-system-x86_64 (see 'make deps')");
	if (!(t.dir = run_dir_create("timeline", &e)))
		die_error(&e);
	if (o->program) {
		char *work = xasprintf("%s/program", t.dir);

		if (own_program_build(o->program, work, o->abi && !strcmp(o->abi, "i386"), &t.own,
				      &e) < 0)
			die_error(&e);
		t.have_own = true;
		free(work);
	}
	/* vmlinux loaded once, not once a scenario (0.12 s of CPU each) */
	if (strchr(o->timeline, ',') && !(t.gdb = gdb_server_start(&t.k, t.dir, &e)))
		warn("%s: a GDB of its own for each scenario", e.msg);
	for (char *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		char *name = scenario_name(o, n), *capture = capture_one(&t, name);
		json_t *cap = capture_read(capture, &e);

		if (!cap)
			die_error(&e);
		json_array_append_new(captures, cap);
		free(capture);
		free(name);
	}
	gdb_server_stop(t.gdb);
	trace_publish(json_pack("{s:s, s:O}", "schema", "labctl-timeline/1", "scenarios", captures),
		      t.dir, o);
	json_decref(captures);
	json_decref(t.tables);
	if (t.have_own)
		own_program_free(&t.own);
	programs_free(&t.progs);
	kernel_free(&t.k);
	free_all(t.initrd, t.dir, list);
	return EXIT_OK;
}
