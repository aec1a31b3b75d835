/* A paused lab guest and a GDB driving it: see gdb-session.h. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/qemu.h"
#include "qemu/snapshot.h"
#include "rootfs/initramfs.h"
#include "../../rootfs/programs/inbox.h"
#include "trace/capture.h"
#include "trace/gdb-session.h"

char *gdb_session_package_path(void)
{
	return xasprintf("python import sys; sys.path.insert(0, '%s/gdb')", datadir());
}

struct phase {
	char name[32];
};

static void on_gdb_line(struct child *c, const char *line, void *data)
{
	struct phase *ph = data;
	const char *tag = "labctl-phase: ";

	if (!strncmp(line, tag, strlen(tag))) {
		/* gdb/labctl's phase names are short; a cut one still names it */
		snprintf(ph->name, sizeof(ph->name), "%s", line + strlen(tag));
		if (opts.verbose)
			note("phase: %s", ph->name);
	}
}

/*
 * GDB with vmlinux and labctl's package, on the guest, running the command;
 * under -batch it then ends (and kills the guest), else its prompt follows.
 * It loads vmlinux and the package while the guest starts, then waits for
 * labctl's word on the FIFO $LABCTL_GO before it connects: the guest may be
 * loading a saved state, which no debugger must read half done.
 */
static void gdb_argv(struct strvec *a, const struct gdb_session *s, const char *sock)
{
	char *package = gdb_session_package_path();

	strvec_pushl(a, "gdb", s->interactive ? "-q" : "-batch", "-nx",
		     "-iex", "set auto-load off", NULL);
	/* quit ends the session: labctl kills the guest, nothing to confirm */
	if (s->interactive)
		strvec_pushl(a, "-iex", "set confirm off", NULL);
	/* an imported kernel's DWARF names the machine that built it (bundle.h) */
	if (s->kernel->built_source) {
		strvec_push(a, "-iex");
		strvec_pushf(a, "set substitute-path \"%s\" \"%s\"", s->kernel->built_source,
			     s->kernel->source);
		strvec_push(a, "-iex");
		strvec_pushf(a, "set substitute-path \"%s\" \"%s\"", s->kernel->built_obj,
			     s->kernel->obj);
	}
	strvec_pushl(a, "-iex", package, s->kernel->vmlinux, "-ex", "python import labctl.register",
		     "-ex", "python import os, labctl.command as c; "
		     "c.guest_started(open(os.environ['LABCTL_GO']).read())", "-ex", NULL);
	strvec_pushf(a, "target remote %s", sock);
	strvec_pushl(a, "-ex", "python labctl.command.deliver_inbox()", "-ex", NULL);
	strvec_pushf(a, "%s %s", s->command, s->params);
	if (!s->interactive)
		strvec_pushl(a, "-ex", "kill", NULL);
	free(package);
}

struct gdb_run {
	struct child c;
	struct strvec argv;
	struct phase ph;
	char *log, *go, *sock, *env[4];
};

/*
 * GDB started.  In a batch, at the time limit less 2 s GDB is interrupted
 * as by Ctrl-C: a guest that never stops again (a call that blocks for ever)
 * still leaves its capture, the report of what was seen, within the limit.
 * Interactive, it is the user's, on their terminal, until they quit: the
 * command leaves the guest stopped at GDB's prompt.
 */
static int start_gdb(struct gdb_run *g, const struct gdb_session *s, struct error *e)
{
	if (!(g->sock = run_socket(s->run_dir, "gdb.sock", e)))
		return -1;
	g->log = xasprintf("%s/gdb.log", s->run_dir);
	g->go = xasprintf("%s/gdb.go", s->run_dir);
	g->env[0] = xasprintf("LABCTL_GO=%s", g->go);
	/* GDB's Python compiles its modules and labctl's at every start (a
	 * tenth of GDB's): compiled once, into the cache, never beside their
	 * sources (an installed DATADIR is read-only); so whatever
	 * PYTHONDONTWRITEBYTECODE says, set for sources it would litter */
	g->env[1] = xasprintf("PYTHONPYCACHEPREFIX=%s/python", cache_root());
	g->env[2] = xstrdup("PYTHONDONTWRITEBYTECODE=");
	g->ph = (struct phase){ "connect" };
	g->c = (struct child){ .name = "gdb", .log = g->log, .timeout = s->timeout,
			       .interrupt_at = s->timeout > 4 ? s->timeout - 2 : 0,
			       .echo = opts.verbose > 1, .on_line = on_gdb_line, .data = &g->ph };
	if (s->interactive)
		g->c = (struct child){ .name = "gdb", .terminal = true };
	gdb_argv(&g->argv, s, g->sock);
	g->c.argv = g->argv.v;
	g->c.env = (const char **)g->env;
	unlink(g->go);
	if (mkfifo(g->go, 0600) < 0)
		return error_set(e, EXIT_ENV, "cannot make %s: %s", g->go, strerror(errno));
	return child_start(&g->c, e);
}

/* Let GDB connect: a line on its FIFO, once it has opened it, saying how
 * the guest started (STARTED, "booted" or "restored", at STEP or NULL: the
 * capture's setup.guest) and the archive to write into a restored guest's
 * inbox (gdb/labctl/inbox.py), as JSON.  GDB's time limit starts now: what
 * came before (a first save of the guest) is not its command's. */
static int release_gdb(struct gdb_run *g, const struct gdb_session *s, const char *started,
		       const char *step, struct error *e)
{
	const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	double waited = now() - g->c.started;
	/* a booted guest has the archive appended to its image instead */
	bool inbox = s->inbox && strcmp(started, "booted");
	json_t *go = json_pack("{s:s, s:s?, s:s?, s:I}", "started", started, "step", step,
			       "inbox", inbox ? s->inbox : NULL,
			       "inbox_addr", (json_int_t)LAB_INBOX_ADDR);
	char *json = json_dumps(go, JSON_COMPACT), *line = xasprintf("%s\n", json);
	ssize_t n;
	int fd;

	json_decref(go);
	free(json);
	if (g->c.timeout > 0)
		g->c.timeout += waited;
	if (g->c.interrupt_at > 0)
		g->c.interrupt_at += waited;

	while ((fd = open(g->go, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno != ENXIO)
			return error_set(e, EXIT_ENV, "cannot open %s: %s", g->go, strerror(errno));
		if (child_exited(&g->c)) {
			free(line);
			return 0;	/* finish_gdb() tells why */
		}
		nanosleep(&tick, NULL);
	}
	n = write(fd, line, strlen(line));
	if (n != (ssize_t)strlen(line))
		warn("cannot write to %s: %s", g->go, n < 0 ? strerror(errno) : "short write");
	close(fd);
	free(line);
	return 0;
}

/* GDB run to its end: its verdict. */
static int finish_gdb(struct gdb_run *g, const struct gdb_session *s, struct error *e)
{
	struct error gdb;

	child_wait(&g->c);
	if (g->c.timed_out)
		return error_set(e, EXIT_TIMEOUT, "%s timed out after %g s in phase '%s' (logs in %s)",
				 s->command, s->timeout, g->ph.name, s->run_dir);
	if (!s->interactive && !is_file(s->capture)) {
		child_failure(&g->c, 15, &gdb);
		return error_set(e, EXIT_FAIL, "%s\nGDB wrote no capture (is GDB built with Python?); "
				 "see %s", gdb.msg, g->log);
	}
	return 0;
}

static void gdb_run_free(struct gdb_run *g)
{
	child_kill(&g->c);
	if (g->go)
		unlink(g->go);
	if (g->sock)
		unlink(g->sock);
	strvec_clear(&g->argv);
	free_all(g->log, g->go, g->sock, g->env[0], g->env[1], g->env[2]);
	free(g);
}

struct gdb_run *gdb_session_start(const struct gdb_session *s, struct error *e)
{
	struct gdb_run *g = xcalloc(1, sizeof(*g));

	if (start_gdb(g, s, e) < 0) {
		gdb_run_free(g);
		return NULL;
	}
	return g;
}

void gdb_session_abandon(struct gdb_run *g)
{
	if (g)
		gdb_run_free(g);
}

/* RUN_DIR/serial-saved.log: what a guest restored from the held state HELD
 * printed before it was saved there (serial.log has what it prints after). */
static void keep_saved_console(const char *held, const char *run_dir)
{
	char *from = snapshot_console(held), *to = xasprintf("%s/serial-saved.log", run_dir);
	size_t len;
	char *text = read_file(from, &len);

	if (!text || write_file_atomic(to, text, len) < 0)
		warn("cannot copy %s to %s: %s", from, to, strerror(errno));
	free_all(from, to, text);
}

/* The guest, paused, from its saved state when S wants it and it has one
 * (held at S's step when it can be: H, its state HELD, given INBOX_WORD
 * there), else booted; how, in *STARTED ("booted", "restored") and *STEP
 * (H's, or NULL): GDB's word to go. */
static int start_guest(const struct gdb_session *s, struct qemu_opts *q, const char *saved,
		       const char *words, const struct snapshot_hold *h, const char *held,
		       const char *inbox_word, struct child *qemu, int *channel,
		       const char **started, const char **step, struct error *e)
{
	*started = "restored";
	*step = NULL;
	if (held) {
		if (snapshot_restore(q, held, h, inbox_word, qemu, channel, e) == 0) {
			if (opts.verbose)
				note("the guest restored from %s, at step %s", held, h->step);
			*step = h->step;
			keep_saved_console(held, s->run_dir);
			return 0;
		}
		note("%s: restoring the guest before its scenario", e->msg);
	}
	if (saved) {
		if (snapshot_restore(q, saved, NULL, words, qemu, channel, e) < 0)
			return -1;
		if (opts.verbose)
			note("the guest restored from %s", saved);
		return 0;
	}
	q->append = s->append;
	q->initrd = s->initrd;
	*started = "booted";
	if (s->inbox && !is_file(s->initrd) &&
	    initramfs_join(s->saved_initrd, s->inbox, s->initrd, e) < 0)
		return -1;
	return qemu_start(q, qemu, e);
}

/* What the restored guest's init is told: APPEND's words, and the inbox's,
 * *WORD, when there is one; NULL (noted) when the inbox cannot take it: boot. */
static char *restore_words(const struct gdb_session *s, char **word, struct error *e)
{
	*word = NULL;
	if (!s->inbox)
		return xstrdup(s->append ? s->append : "");
	if (!(*word = snapshot_inbox_word(s->inbox, e))) {
		note("%s: booting the guest", e->msg);
		return NULL;
	}
	return xasprintf("%s%s%s", s->append ? s->append : "", s->append ? " " : "", *word);
}

int gdb_session_run(const struct gdb_session *s, struct gdb_run *g, struct error *e)
{
	char *saved = NULL, *words = NULL, *held = NULL, *held_words = NULL, *inbox_word = NULL;
	const char *started, *step;
	struct snapshot_hold h = { 0 };
	struct qemu_opts q = {
		.kernel = s->kernel, .initrd = s->saved_initrd ? s->saved_initrd : s->initrd,
		.append = SNAPSHOT_APPEND,
		.run_dir = s->run_dir, .paused = true, .kvm = s->kvm,
		.timeout = s->interactive ? 0 : s->timeout + 5,
	};
	struct child qemu = { 0 };
	struct error qe;
	int ret = -1, channel = -1;

	if (!g && !(g = gdb_session_start(s, e)))
		return -1;
	q.gdb_socket = g->sock;
	/* a state is saved before GDB's clock starts (release_gdb()): its boot
	 * is not the trace's */
	if (s->restore && (words = restore_words(s, &inbox_word, e)))
		saved = snapshot_ensure(&q, e);
	/* saved with the scenario's words alone: the inbox's (a program, a
	 * submission) come at the restore, to the inbox at the step */
	if (saved && s->hold) {
		held_words = xasprintf("%s labctl.hold=%s", s->append ? s->append : "", s->hold);
		h = (struct snapshot_hold){ .base = saved, .words = held_words, .step = s->hold };
		held = snapshot_ensure_held(&q, &h, e);
	}
	if (start_guest(s, &q, saved, words, &h, held, inbox_word, &qemu, &channel, &started, &step,
			e) < 0)
		goto out;
	if (qemu_wait_gdbstub(&q, &qemu, s->timeout) < 0) {
		child_kill(&qemu);
		child_failure(&qemu, 10, &qe);
		error_set(e, EXIT_FAIL, "%s\nQEMU did not open its gdbstub socket %s", qe.msg,
			  g->sock);
		goto out;
	}
	if (release_gdb(g, s, started, step, e) == 0)
		ret = finish_gdb(g, s, e);
out:
	gdb_run_free(g);
	child_kill(&qemu);
	if (channel >= 0)
		close(channel);
	if (saved)
		snapshot_sockets_remove(s->run_dir);
	strv_free((char **)qemu.argv);
	free((char *)qemu.log);
	free_all(saved, words, held, held_words, inbox_word);
	return ret;
}

int gdb_capture_check(const char *capture, const char *run_dir, json_t **warnings,
		      char *(*detail)(json_t *root, const void *data), const void *data,
		      struct error *e)
{
	json_t *root = capture_read(capture, e);
	const char *err, *kind;
	char *more = NULL;
	int ret;

	if (warnings)
		*warnings = NULL;
	if (!root)
		return -1;
	if (warnings && json_is_array(json_object_get(root, "warnings")))
		*warnings = json_incref(json_object_get(root, "warnings"));
	if (json_is_true(json_object_get(root, "ok"))) {
		json_decref(root);
		return 0;
	}
	err = json_string_value(json_object_get(root, "error"));
	kind = json_string_value(json_object_get(root, "error_kind"));
	if (!err)
		err = "no reason given";
	if (detail)
		more = detail(root, data);
	if (kind && !strcmp(kind, "env"))
		ret = error_set(e, EXIT_ENV, "trace failed: %s%s (logs in %s)", err,
				more ? more : "", run_dir);
	else if (kind && !strcmp(kind, "timeout"))
		ret = error_set(e, EXIT_TIMEOUT, "trace timed out: %s%s (logs in %s)", err,
				more ? more : "", run_dir);
	else
		ret = error_set(e, kind && !strcmp(kind, "input") ? EXIT_INPUT : EXIT_FAIL,
				"trace failed: %s%s (logs in %s)", err, more ? more : "", run_dir);
	free(more);
	json_decref(root);
	return ret;
}
