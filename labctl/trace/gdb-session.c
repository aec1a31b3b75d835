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
/* GDB with K's vmlinux and labctl's package loaded, its commands next. */
static void gdb_loaded(struct strvec *a, const struct kernel *k, bool interactive)
{
	char *package = gdb_session_package_path();

	strvec_pushl(a, "gdb", interactive ? "-q" : "-batch", "-nx",
		     "-iex", "set auto-load off", NULL);
	/* quit ends the session: labctl kills the guest, nothing to confirm */
	if (interactive)
		strvec_pushl(a, "-iex", "set confirm off", NULL);
	/* an imported kernel's DWARF names the machine that built it (bundle.h) */
	if (k->built_source) {
		strvec_push(a, "-iex");
		strvec_pushf(a, "set substitute-path \"%s\" \"%s\"", k->built_source, k->source);
		strvec_push(a, "-iex");
		strvec_pushf(a, "set substitute-path \"%s\" \"%s\"", k->built_obj, k->obj);
	}
	strvec_pushl(a, "-iex", package, k->vmlinux, "-ex", "python import labctl.register", NULL);
	free(package);
}

/* GDB's environment: ENV[0..1] set here (the caller frees them), then the
 * caller's, up to a NULL. */
static void gdb_env(char **env)
{
	/* GDB's Python compiles its modules and labctl's at every start (a
	 * tenth of GDB's): compiled once, into the cache, never beside their
	 * sources (an installed DATADIR is read-only); so whatever
	 * PYTHONDONTWRITEBYTECODE says, set for sources it would litter */
	env[0] = xasprintf("PYTHONPYCACHEPREFIX=%s/python", cache_root());
	env[1] = xstrdup("PYTHONDONTWRITEBYTECODE=");
}

static void gdb_argv(struct strvec *a, const struct gdb_session *s, const char *sock)
{
	gdb_loaded(a, s->kernel, s->interactive);
	strvec_pushl(a, "-ex", "python import os, labctl.command as c; "
		     "c.guest_started(open(os.environ['LABCTL_GO']).read())", "-ex", NULL);
	strvec_pushf(a, "target remote %s", sock);
	strvec_pushl(a, "-ex", "python labctl.command.deliver_inbox()", "-ex", NULL);
	strvec_pushf(a, "%s %s", s->command, s->params);
	if (!s->interactive)
		strvec_pushl(a, "-ex", "kill", NULL);
}

struct gdb_run {
	struct child c;
	struct strvec argv;
	struct phase ph;
	char *log, *go, *sock, *env[4];
	const struct gdb_server *server;  /* served: the job goes there */
	char *out;              /* served: the FIFO its output comes on */
	bool sent;              /* served: the job is the server's */
};

/* The last line of a served job's output: gdb/labctl/serve.py's END_LINE. */
#define SERVED_END "labctl-served: done"

struct gdb_server {
	struct child c;
	struct strvec argv;
	char *requests, *log, *env[3];
	int fd;                 /* REQUESTS, open to write (and read: held before
	                         * the server opens it, a job waits there for it) */
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
	gdb_env(g->env);
	g->env[2] = xasprintf("LABCTL_GO=%s", g->go);
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

/*
 * The served GDB S->server, for this run: it writes its output on the FIFO
 * RUN_DIR/gdb.out, read as a GDB of our own's (gdb.log, the phase lines,
 * the time limit: at its end, the server is killed, and its worker starts
 * another).  Held open for writing here too, so that it never reads as
 * ended before the server opens it.
 */
static int attach_served(struct gdb_run *g, const struct gdb_session *s, struct error *e)
{
	int fd;

	if (!(g->sock = run_socket(s->run_dir, "gdb.sock", e)))
		return -1;
	g->log = xasprintf("%s/gdb.log", s->run_dir);
	g->out = xasprintf("%s/gdb.out", s->run_dir);
	g->ph = (struct phase){ "connect" };
	g->c = (struct child){ .name = "gdb", .log = g->log, .timeout = s->timeout,
			       .interrupt_at = s->timeout > 4 ? s->timeout - 2 : 0,
			       .echo = opts.verbose > 1, .on_line = on_gdb_line, .data = &g->ph,
			       .end_line = SERVED_END };
	unlink(g->out);
	if (mkfifo(g->out, 0600) < 0 || (fd = open(g->out, O_RDWR | O_CLOEXEC)) < 0)
		return error_set(e, EXIT_ENV, "cannot make %s: %s", g->out, strerror(errno));
	g->server = s->server;
	return child_attach(&g->c, s->server->c.pid, fd, e);
}

/* A served GDB's job, GO (how the guest started) with what it runs on, as
 * one line on its FIFO of requests (one write: no other writer's between). */
static int send_job(struct gdb_run *g, const struct gdb_session *s, json_t *go, struct error *e)
{
	json_t *job = json_pack("{s:s, s:O, s:s, s:s, s:s}", "out", g->out, "go", go,
				"sock", g->sock, "command", s->command, "params", s->params);
	char *json = json_dumps(job, JSON_COMPACT), *line = xasprintf("%s\n", json);
	int ret = 0;

	json_decref(job);
	if (write(g->server->fd, line, strlen(line)) != (ssize_t)strlen(line))
		ret = error_set(e, EXIT_ENV, "cannot write to %s: %s", g->server->requests,
				strerror(errno));
	else
		g->sent = true;
	free_all(json, line);
	return ret;
}

/* GO on the one-shot GDB's FIFO, once it has opened it. */
static int tell_gdb(struct gdb_run *g, json_t *go, struct error *e)
{
	const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	char *json = json_dumps(go, JSON_COMPACT), *line = xasprintf("%s\n", json);
	ssize_t n;
	int fd, ret = 0;

	while ((fd = open(g->go, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno != ENXIO) {
			ret = error_set(e, EXIT_ENV, "cannot open %s: %s", g->go, strerror(errno));
			break;
		}
		if (child_exited(&g->c))
			break;	/* finish_gdb() tells why */
		nanosleep(&tick, NULL);
	}
	if (fd >= 0) {
		n = write(fd, line, strlen(line));
		if (n != (ssize_t)strlen(line))
			warn("cannot write to %s: %s", g->go, n < 0 ? strerror(errno) : "short write");
		close(fd);
	}
	free_all(json, line);
	return ret;
}

/* Let GDB connect: a line on its FIFO, or its job (served), saying how the
 * guest started (STARTED, "booted" or "restored", at STEP or NULL: the
 * capture's setup.guest) and the archive to write into a restored guest's
 * inbox (gdb/labctl/inbox.py), as JSON.  GDB's time limit starts now: what
 * came before (a first save of the guest) is not its command's. */
static int release_gdb(struct gdb_run *g, const struct gdb_session *s, const char *started,
		       const char *step, struct error *e)
{
	double waited = now() - g->c.started;
	/* a booted guest has the archive appended to its image instead */
	bool inbox = s->inbox && strcmp(started, "booted");
	json_t *go = json_pack("{s:s, s:s?, s:s?, s:I}", "started", started, "step", step,
			       "inbox", inbox ? s->inbox : NULL,
			       "inbox_addr", (json_int_t)LAB_INBOX_ADDR);
	int ret;

	if (g->c.timeout > 0)
		g->c.timeout += waited;
	if (g->c.interrupt_at > 0)
		g->c.interrupt_at += waited;
	ret = g->server ? send_job(g, s, go, e) : tell_gdb(g, go, e);
	json_decref(go);
	return ret;
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
	/* a served GDB never sent its job is the next run's */
	if (g->server && !g->sent)
		child_detach(&g->c);
	else
		child_kill(&g->c);
	if (g->go)
		unlink(g->go);
	if (g->out)
		unlink(g->out);
	if (g->sock)
		unlink(g->sock);
	strvec_clear(&g->argv);
	free_all(g->log, g->go, g->out, g->sock, g->env[0], g->env[1], g->env[2]);
	free(g);
}

struct gdb_server *gdb_server_start(const struct kernel *k, const char *dir, struct error *e)
{
	struct gdb_server *v = xcalloc(1, sizeof(*v));

	v->fd = -1;
	v->requests = xasprintf("%s/gdb-requests", dir);
	v->log = xasprintf("%s/gdb-server.log", dir);
	gdb_env(v->env);
	gdb_loaded(&v->argv, k, false);
	strvec_push(&v->argv, "-ex");
	strvec_pushf(&v->argv, "lab-serve %s", v->requests);
	v->c = (struct child){ .name = "gdb (lab-serve)", .argv = v->argv.v,
			       .env = (const char **)v->env, .log = v->log };
	unlink(v->requests);
	if (mkfifo(v->requests, 0600) < 0 ||
	    (v->fd = open(v->requests, O_RDWR | O_CLOEXEC)) < 0) {
		error_set(e, EXIT_ENV, "cannot make %s: %s", v->requests, strerror(errno));
	} else if (child_start(&v->c, e) == 0) {
		return v;
	}
	gdb_server_stop(v);
	return NULL;
}

bool gdb_server_alive(const struct gdb_server *v)
{
	return v && !child_exited(&v->c);
}

void gdb_server_stop(struct gdb_server *v)
{
	if (!v)
		return;
	child_kill(&v->c);
	if (v->fd >= 0)
		close(v->fd);
	unlink(v->requests);
	strvec_clear(&v->argv);
	free_all(v->requests, v->log, v->env[0], v->env[1]);
	free(v);
}

struct gdb_run *gdb_session_start(const struct gdb_session *s, struct error *e)
{
	struct gdb_run *g = xcalloc(1, sizeof(*g));

	if (!s->interactive && gdb_server_alive(s->server)) {
		if (attach_served(g, s, e) == 0)
			return g;
		warn("%s: the trace starts a GDB of its own", e->msg);
		gdb_run_free(g);
		g = xcalloc(1, sizeof(*g));
	}
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
 * printed before it was saved there (serial.log has what it prints after),
 * or, when NULL, none: no step's words are lost (grade reads its server's
 * there).  -1 with E when it cannot be copied. */
static int saved_console(const char *held, const char *run_dir, struct error *e)
{
	char *from = held ? snapshot_console(held) : NULL;
	char *to = xasprintf("%s/serial-saved.log", run_dir);
	int ret = 0;

	if (!held)
		unlink(to);
	else if (copy_file_atomic(from, to) < 0)
		ret = error_set(e, EXIT_ENV, "cannot copy %s to %s: %s", from, to, strerror(errno));
	free_all(from, to);
	return ret;
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
		if (saved_console(held, s->run_dir, e) == 0 &&
		    snapshot_restore(q, held, h, inbox_word, qemu, channel, e) == 0) {
			if (opts.verbose)
				note("the guest restored from %s, at step %s", held, h->step);
			*step = h->step;
			return 0;
		}
		saved_console(NULL, s->run_dir, e);
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
