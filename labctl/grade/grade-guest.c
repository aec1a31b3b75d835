/*
 * The student's program in the lab's guest, under the real trace.
 *
 * The guest is the lab's initramfs (cached), whose scenario labctl-grade
 * (rootfs/grade.sh) runs the program once under /lab/grade_run
 * (rootfs/programs/grade_run.c: unprivileged, time, output and process
 * limits, its end on the console, then the guest powered off).  The program
 * itself, /grade/PROGRAM, is an archive of its own: a guest restored from
 * its saved state gets it in its inbox, at step run (labctl.hold=run: the
 * guest is saved there once per key, with connect's server listening, and
 * each grading starts from there); a booted one gets it appended to the
 * image (the kernel unpacks concatenated archives in order).
 *
 * `labctl trace` stops at the program's syscall instruction and follows the
 * call through the kernel; then, its capture written, it deletes its
 * breakpoints and lets the guest run on (trace_opts' run_on), so that the
 * console says how the program ended by itself: its exit status, its
 * output, or the call it was still waiting in when its time ran out.
 * Stopped by the trace, the guest's clock stands still: the time limit is
 * the program's own.  (It used to run twice, once untraced to see whether
 * it finishes: a third of a grading, for what the one run now says.)
 *
 * For connect, the lab's tcp_server listens on 127.0.0.1:1234 before the
 * run (started before the save: its words are in serial-saved.log), so that
 * a correct connect returns 0.
 *
 * The trace is trace_run() (trace.c), in this process, with its run
 * directory (serial.log, gdb.log, capture.json) under the grading's own
 * directory.  Its error code, the capture and the console tell a student's
 * failure (the program never made the call, or hung) from the grader's (no
 * QEMU, no kernel, a broken trace): grade_blame(), a pure function.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "grade/grade-guest.h"
#include "kbuild/kernel.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/lang.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/console.h"
#include "qemu/qemu.h"
#include "rootfs/cpio.h"
#include "rootfs/initramfs.h"
#include "rootfs/scenario.h"
#include "trace/trace.h"

#define SCENARIO   "labctl-grade"
#define SERVER     "127.0.0.1:1234" /* rootfs/programs/lab.h: LAB_PORT */

/* The image's labctl-grade scenario's arguments, SECONDS PROGRAM [server]
 * (labctl.args= joins them with commas), into ARGV[3]; their count. */
static int grade_args(const struct guest_opts *o, char **argv)
{
	bool server = o->syscall_name && !strcmp(o->syscall_name, "connect");

	argv[0] = xasprintf("%g", o->run_timeout);
	argv[1] = xstrdup(o->program);
	argv[2] = server ? xstrdup("server") : NULL;
	return server ? 3 : 2;
}

/* DIR/work/scenario.sh, for the TA: the words and the script the guest ran. */
static void keep_script(const char *work, const char *args)
{
	char *src = datapath("rootfs/grade.sh"), *text = read_file(src, NULL);
	char *path = xasprintf("%s/scenario.sh", work);
	char *all = xasprintf("# labctl.scenario=" SCENARIO " labctl.args=%s (%s)\n%s", args, src,
			      text ? text : "");

	write_file_atomic(path, all, strlen(all));
	free_all(src, text, path, all);
}

/* DIR/work/guest.cpio: where the lab's image, then the grading's own
 * archive, *INBOX (DIR/work/inbox.cpio), is written if the guest boots; a
 * restored guest receives *INBOX alone (initramfs_join()). */
static char *build_initrd(const struct guest_opts *o, const char *args, char **inbox, char **err)
{
	char *work = xasprintf("%s/work", o->dir);
	char *out = xasprintf("%s/guest.cpio", work), *program = NULL;
	struct cpio *c = cpio_new();
	struct error e;
	int rc = -1;

	if (make_dirs(work, &e) < 0) {
		*err = xstrdup(e.msg);
		goto out;
	}
	keep_script(work, args);
	program = xasprintf("/grade/%s", o->program);
	cpio_add_dir(c, "/grade", 0755);
	if (cpio_add_file(c, program, 0755, o->exe) < 0) {
		*err = xasprintf("cannot read %s: %s", o->exe, strerror(errno));
		goto out;
	}
	*inbox = xasprintf("%s/inbox.cpio", work);
	if (cpio_save(c, *inbox, false, &e) < 0) {
		*err = xstrdup(e.msg);
		goto out;
	}
	rc = 0;
out:
	cpio_free(c);
	free_all(program, work);
	if (rc < 0) {
		free(out);
		free(*inbox);
		*inbox = NULL;
		return NULL;
	}
	return out;
}

/* The lab's initramfs (built, or found in the cache): NULL with ERR. */
char *grade_lab_image(char **err)
{
	struct error e;
	char *img = initramfs_create(&(struct initramfs_opts){ 0 }, &e);

	if (!img)
		*err = xasprintf("the lab's initramfs could not be built: %s", e.msg);
	return img;
}

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

void grade_clean_stale(void)
{
	temp_dirs_clean(tmp_base(), GUEST_TEMP);
}

/*
 * Where the trace's run directory goes: DIR/runs, by a name short enough
 * for the gdbstub's socket in it (trace-YYYYmmdd-HHMMSS-PID/gdb.sock, a
 * Unix socket's path has 107 bytes).  When DIR/runs is too long, the name
 * is a link to it from a directory of our own in $TMPDIR, *TMP, which
 * grade_guest() removes (and the next grade, if labctl was killed): the
 * logs themselves are always in DIR/runs.
 */
static char *run_root(const char *dir, char **tmp)
{
	char *root = xasprintf("%s/runs", dir), *link;
	struct error e;

	*tmp = NULL;
	if (strlen(root) + sizeof("/trace-20250101-000000-4194304/save/qmp.sock") <
	    sizeof(((struct sockaddr_un *)NULL)->sun_path))
		return root;
	if (make_dirs(root, &e) < 0 || !(*tmp = temp_dir_create(tmp_base(), GUEST_TEMP, &e)))
		return root;	/* the trace will say why */
	link = xasprintf("%s/runs", *tmp);
	if (symlink(root, link) < 0) {
		warn("cannot link %s to %s: %s", link, root, strerror(errno));
		free(link);
		return root;
	}
	free(root);
	return link;
}

/* PATH under the run root ROOT, as DIR/runs names it (the link in $TMPDIR
 * is gone once the trace is). */
static char *under_runs(const char *dir, const char *root, const char *path)
{
	size_t n = strlen(root);

	if (strncmp(path, root, n) || (path[n] && path[n] != '/'))
		return xstrdup(path);
	return xasprintf("%s/runs%s", dir, path + n);
}

enum guest_blame grade_blame(bool traced, int code, const struct trace_facts *f, bool started)
{
	bool student_side = f->ran || started;

	if (traced && code == 0 && f->capture_ok && f->syscall_seen)
		return BLAME_NONE;
	if (!traced && (code == 0 || code == EXIT_FAIL || code == EXIT_TIMEOUT) && student_side)
		return BLAME_NO_SYSCALL_INSN;
	if (traced && code == EXIT_FAIL && !f->syscall_seen && started)
		return BLAME_ENDED_WITHOUT_CALL;
	if (traced && code == EXIT_TIMEOUT && !f->syscall_seen && student_side)
		return BLAME_NO_CALL_IN_TIME;
	return BLAME_GRADER;
}

/* The program only run (nothing to trace): the guest booted in-process. */
static int boot_only(const char *kernel, const char *initrd, const char *args, const char *root,
		     double limit, char **run_dir, struct error *e)
{
	struct kernel k;
	struct child c;
	char *append = scenario_cmdline(SCENARIO, args);
	struct qemu_opts q = { .kernel = &k, .initrd = initrd, .append = append, .timeout = limit };
	int ret = -1;

	if (kernel_load(&k, kernel, e) < 0) {
		free(append);
		return -1;
	}
	if ((*run_dir = run_dir_create_in(root, "boot", e))) {
		q.run_dir = *run_dir;
		if (qemu_start(&q, &c, e) == 0) {
			child_wait(&c);
			if (c.timed_out)
				error_set(e, EXIT_TIMEOUT, "the guest did not power off within %g s", limit);
			else if (child_result(&c) < 0)
				child_failure(&c, 10, e);
			else
				ret = 0;
			strv_free((char **)c.argv);
			free((char *)c.log);
		}
	}
	kernel_free(&k);
	free(append);
	return ret;
}

/* The console of the guest that ran in RUN_DIR (NULL: none ran): what a
 * guest restored at step run printed before its save (the server's
 * "listening" line), serial-saved.log, then serial.log. */
static void read_console(struct console *con, const char *run_dir)
{
	char *saved = run_dir ? xasprintf("%s/serial-saved.log", run_dir) : NULL;
	char *serial = run_dir ? xasprintf("%s/serial.log", run_dir) : NULL;
	char *before = saved ? read_file(saved, NULL) : NULL;
	char *after = serial ? read_file(serial, NULL) : NULL;
	char *all = xasprintf("%s%s", before ? before : "", after ? after : "");

	console_parse(con, all);
	free_all(saved, serial, before, after, all);
}

/* Why the student's program made no traced call, as BLAME (not the grader's) says. */
static char *students_fault(enum guest_blame blame, const struct guest_opts *o,
			    const struct trace_facts *f)
{
	if (blame == BLAME_NO_SYSCALL_INSN)
		return xasprintf(L_("there is no syscall instruction in your functions and no "
				    "libc wrapper for %s in the program"), o->syscall_name);
	if (blame == BLAME_NO_CALL_IN_TIME)
		return xasprintf(L_("it did not make the call within the time limit, %g s per run"),
				 o->run_timeout);
	/* BLAME_ENDED_WITHOUT_CALL: the guest ended before the program made the call. */
	if (f->finished)
		return xasprintf(L_("it exited with status %d without making it"), f->exit_status);
	return xasprintf(L_("it ended without making it: %s"),
			 f->finish_detail ? f->finish_detail : L_("the guest stopped"));
}

int grade_guest(const struct guest_opts *o, struct trace_facts *f, char **err)
{
	char *lab, *initrd, *root, *tmp, *rdir = NULL, *inbox = NULL;
	char *timeout_note, *outdir = xasprintf("%s/trace", o->dir), *argv[3], *args;
	int nargs = grade_args(o, argv);
	/* the run, and the guest's start, the trace's own steps and its end */
	double limit = o->run_timeout + 20;
	struct trace_opts t = {
		.syscall = o->syscall_name, .program = o->exe, .function = o->function,
		.also = o->also, .nalso = o->nalso,
		.out = outdir, .formats = "json,md", .scenario = SCENARIO, .timeout = limit,
		.kernel = o->kernel, .no_snapshot = o->no_snapshot, .run_on = true,
		.args = argv, .nargs = nargs, .hold = "run", .gdb_server = o->gdb_server,
	};
	struct trace_result res = { 0 };
	struct error e = { 0 };
	struct console con;
	enum guest_blame blame;
	bool started, quiet = opts.quiet;
	int code, rc = -1;

	args = xasprintf("%s,%s%s%s", argv[0], argv[1], argv[2] ? "," : "", argv[2] ? argv[2] : "");
	if (!(lab = o->lab_image ? xstrdup(o->lab_image) : grade_lab_image(err))) {
		free_all(outdir, args);
		free_all(argv[0], argv[1], argv[2]);
		return -1;
	}
	initrd = build_initrd(o, args, &inbox, err);
	if (!initrd) {
		free_all(lab, outdir, args);
		free_all(argv[0], argv[1], argv[2]);
		return -1;
	}
	root = run_root(o->dir, &tmp);
	t.initrd = initrd;
	t.inbox = inbox;
	t.lab_initrd = lab;
	t.run_root = root;
	/* The trace's progress is the grader's business, not the student's. */
	opts.quiet = true;
	if (o->function) {
		code = trace_run(&t, &res, &e) == 0 ? 0 : e.code;
		rdir = res.run_dir ? xstrdup(res.run_dir) : NULL;
	} else {
		code = initramfs_join(lab, inbox, initrd, &e) == 0 &&
		       boot_only(o->kernel, initrd, args, root, limit, &rdir, &e) == 0 ? 0 : e.code;
	}
	opts.quiet = quiet;
	unlink(initrd);
	unlink(inbox);
	if (tmp) {
		char *real = rdir ? under_runs(o->dir, root, rdir) : NULL;

		free(rdir);
		rdir = real;
		if (res.capture) {
			real = under_runs(o->dir, root, res.capture);
			free(res.capture);
			res.capture = real;
		}
		remove_tree(tmp);
	}

	/* The guest's console: how the run ended. */
	read_console(&con, rdir);
	started = trace_facts_console(f, &con, "run");
	if (con.server && !strcmp(con.server, SERVER)) {
		f->server_listening = TRI_YES;
		f->server = xstrdup(SERVER);
	}

	/* The capture: complete, or as far as the trace got. */
	if (res.capture && is_file(res.capture) && trace_facts_load(f, res.capture, err) < 0)
		goto out;
	blame = grade_blame(o->function, code, f, started);
	if (blame == BLAME_GRADER) {
		/* As `labctl trace` (or boot) would have exited, for the TA. */
		timeout_note = rdir ? xasprintf(" (logs in %s)", rdir) : xstrdup("");
		*err = xasprintf("%s exited with status %d (%s)%s", o->function ? "the trace" : "the guest",
				 code, code ? e.msg : "its capture is incomplete", timeout_note);
		free(timeout_note);
		goto out;
	}
	if (blame != BLAME_NONE) {
		free(f->trace_error);
		f->trace_error = students_fault(blame, o, f);
	}
	rc = 0;
out:
	if (rc < 0 && !*err)
		*err = xasprintf("the trace failed (see %s)", rdir ? rdir : o->dir);
	console_free(&con);
	trace_result_free(&res);
	free_all(rdir, root, tmp, lab, initrd, inbox, outdir, args, argv[0], argv[1], argv[2]);
	return rc;
}
