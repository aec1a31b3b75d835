/* A paused lab guest and a GDB driving it: see gdb-session.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/strvec.h"
#include "qemu/qemu.h"
#include "trace/capture.h"
#include "trace/gdb-session.h"

char *gdb_session_socket(const char *run_dir, struct error *e)
{
	char *sock = xasprintf("%s/gdb.sock", run_dir);

	if (strlen(sock) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		error_set(e, EXIT_ENV, "%s: too long for a Unix socket; set LABCTL_RUN_ROOT to a "
			  "shorter directory", sock);
		free(sock);
		return NULL;
	}
	return sock;
}

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

/* GDB with vmlinux and labctl's package, on the guest, running the command;
 * under -batch it then ends (and kills the guest), else its prompt follows. */
static void gdb_argv(struct strvec *a, const struct gdb_session *s, const char *sock)
{
	char *package = gdb_session_package_path();

	strvec_pushl(a, "gdb", s->interactive ? "-q" : "-batch", "-nx",
		     "-iex", "set auto-load off", NULL);
	/* quit ends the session: labctl kills the guest, nothing to confirm */
	if (s->interactive)
		strvec_pushl(a, "-iex", "set confirm off", NULL);
	strvec_pushl(a, "-iex", package, s->kernel->vmlinux, "-ex", NULL);
	strvec_pushf(a, "target remote %s", sock);
	strvec_pushl(a, "-ex", "python import labctl.register", "-ex", NULL);
	strvec_pushf(a, "%s %s", s->command, s->params);
	if (!s->interactive)
		strvec_pushl(a, "-ex", "kill", NULL);
	free(package);
}

/*
 * GDB, run to its end.  In a batch, at the time limit less 2 s GDB is
 * interrupted as by Ctrl-C: a guest that never stops again (a call that
 * blocks for ever) still leaves its capture, the report of what was seen,
 * within the limit.  Interactive, it is the user's, on their terminal, until
 * they quit: the command leaves the guest stopped at GDB's prompt.
 */
static int run_gdb(const struct gdb_session *s, const char *sock, struct error *e)
{
	char *log = xasprintf("%s/gdb.log", s->run_dir);
	struct strvec argv = { 0 };
	struct phase ph = { "connect" };
	struct child c = { .name = "gdb", .log = log, .timeout = s->timeout,
			   .interrupt_at = s->timeout > 4 ? s->timeout - 2 : 0,
			   .echo = opts.verbose > 1, .on_line = on_gdb_line, .data = &ph };
	struct error gdb;
	int ret;

	if (s->interactive)
		c = (struct child){ .name = "gdb", .terminal = true };
	gdb_argv(&argv, s, sock);
	c.argv = argv.v;
	ret = child_start(&c, e);
	if (!ret)
		child_wait(&c);
	if (!ret && c.timed_out)
		ret = error_set(e, EXIT_TIMEOUT, "%s timed out after %g s in phase '%s' (logs in %s)",
				s->command, s->timeout, ph.name, s->run_dir);
	else if (!ret && !s->interactive && !is_file(s->capture)) {
		child_failure(&c, 15, &gdb);
		ret = error_set(e, EXIT_FAIL, "%s\nGDB wrote no capture (is GDB built with Python?); "
				"see %s", gdb.msg, log);
	}
	strvec_clear(&argv);
	free(log);
	return ret;
}

int gdb_session_run(const struct gdb_session *s, struct error *e)
{
	char *sock = gdb_session_socket(s->run_dir, e);
	struct qemu_opts q = {
		.kernel = s->kernel, .initrd = s->initrd, .append = s->append,
		.run_dir = s->run_dir, .paused = true, .gdb_socket = sock, .kvm = s->kvm,
		.timeout = s->interactive ? 0 : s->timeout + 5,
	};
	struct child qemu;
	struct error qe;
	int ret;

	if (!sock || qemu_start(&q, &qemu, e) < 0) {
		free(sock);
		return -1;
	}
	if (qemu_wait_gdbstub(&q, &qemu, s->timeout) < 0) {
		child_kill(&qemu);
		child_failure(&qemu, 10, &qe);
		ret = error_set(e, EXIT_FAIL, "%s\nQEMU did not open its gdbstub socket %s",
				qe.msg, sock);
	} else {
		ret = run_gdb(s, sock, e);
	}
	child_kill(&qemu);
	strv_free((char **)qemu.argv);
	free((char *)qemu.log);
	free(sock);
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
