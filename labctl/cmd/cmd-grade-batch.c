/*
 * labctl grade with many submissions: each graded by grade_one() in a
 * child process of its own (proc.c: its own time limit, log, run
 * directory, sandbox and guest), so one broken submission — or a crash
 * while grading it — never stops the others.
 * N worker processes take the next submission from a shared queue (a pipe
 * of indices: a slow submission does not hold up the ones behind it); the
 * summary is read back from every grade.json.
 * Every report is compared with every other of the batch: all of them are
 * read once, before the workers start, and each grading inherits them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade/grade-guest.h"
#include "grade/grade-run.h"
#include "grade/grade.h"
#include "kbuild/kernel.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "trace/gdb-session.h"

#define SUBMISSION_TIMEOUT 900

struct item {
	char *origin, *ref, *dir;
};

struct batch {
	struct item *v;
	int n;
};

static void add(struct batch *b, const char *origin, const char *ref)
{
	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	b->v[b->n++] = (struct item){ xstrdup(origin), ref ? xstrdup(ref) : NULL, NULL };
}

/* Roster lines: "SUBMISSION [REF]"; blank lines and # comments skipped. */
static void read_roster(struct batch *b, const char *path)
{
	char *text = read_file(path, NULL), *save, *line;

	if (!text)
		die_errno(EXIT_INPUT, "cannot read the roster %s", path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sub = strtok(line, " \t\r"), *ref = sub ? strtok(NULL, " \t\r") : NULL;

		if (!sub || *sub == '#')
			continue;
		if (ref && strtok(NULL, " \t\r"))
			die(EXIT_INPUT, "roster %s: '%s ...': one submission and at most one ref per line",
			    path, sub);
		add(b, sub, ref);
	}
	free(text);
}

/* In the forked child: grade one submission (grade_one() in cmd-grade.c). */
static int grade_in_child(void *arg)
{
	return grade_one(arg);
}

static void grade_item(const struct grade_opts *o, const struct item *it)
{
	struct grade_opts one = *o;
	char *log = xasprintf("%s/labctl.log", it->dir);
	struct child c = { .name = "grade", .fn = grade_in_child, .fn_arg = &one, .log = log,
			   .timeout = SUBMISSION_TIMEOUT };
	struct error e;

	one.origin = it->origin;
	one.ref = it->ref;
	one.out = it->dir;
	one.roster = NULL;
	if (make_dirs(it->dir, &e) < 0 || child_start(&c, &e) < 0)
		warn("%s: %s", it->origin, e.msg);	/* no grade.json: counted as an error */
	else
		child_wait(&c);
	free(log);
}

/* The next index from the queue, or -1 when it is empty and closed.  Each
 * index is one 4-byte write, and a pipe read of 4 bytes takes one whole. */
static int next_item(int fd)
{
	int32_t i;
	ssize_t n;

	while ((n = read(fd, &i, sizeof(i))) < 0 && errno == EINTR)
		;
	return n == sizeof(i) ? i : -1;
}

/*
 * A worker's GDB, vmlinux loaded once for all its gradings' traces (0.12 s
 * of CPU each; gdb-session.h): started, or started again when the last
 * grading's time limit killed it.  NULL (each trace then starts its own)
 * when there is no kernel yet: the gradings say so.
 */
static struct gdb_server *served_gdb(struct gdb_server *v, const struct grade_opts *o,
				     const char *dir, int worker)
{
	struct kernel k;
	struct error e;
	char *mine;

	if (gdb_server_alive(v))
		return v;
	gdb_server_stop(v);
	if (kernel_load(&k, o->kernel, &e) < 0)
		return NULL;
	mine = xasprintf("%s/worker-%d", dir, worker);
	if (make_dirs(mine, &e) < 0 || !(v = gdb_server_start(&k, mine, &e))) {
		warn("%s: every trace starts a GDB of its own", e.msg);
		v = NULL;
	}
	kernel_free(&k);
	free(mine);
	return v;
}

static void run_workers(const struct grade_opts *o, struct batch *b, int jobs, const char *dir)
{
	pid_t *pids = xcalloc(jobs, sizeof(pid_t));
	int q[2], i;

	if (pipe(q) < 0)
		die_errno(EXIT_ENV, "pipe");
	fflush(NULL);
	for (int w = 0; w < jobs; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			die_errno(EXIT_ENV, "fork");
		if (pids[w] == 0) {
			/* labctl killed: the worker's SIGTERM handler (proc.h)
			 * takes its grading child down with it. */
			struct grade_opts mine = *o;
			struct gdb_server *gdb = NULL;

			prctl(PR_SET_PDEATHSIG, SIGTERM);
			close(q[1]);
			while ((i = next_item(q[0])) >= 0 && i < b->n) {
				mine.gdb_server = gdb = served_gdb(gdb, o, dir, w + 1);
				grade_item(&mine, &b->v[i]);
			}
			gdb_server_stop(gdb);
			_exit(0);
		}
	}
	close(q[0]);
	/* Written after the workers start: a roster longer than the pipe holds
	 * is fed as they take from it. */
	signal(SIGPIPE, SIG_IGN);	/* every worker gone: their items stay ungraded */
	for (int32_t k = 0; k < b->n; k++)
		if (write(q[1], &k, sizeof(k)) != sizeof(k))
			break;
	close(q[1]);
	for (int w = 0; w < jobs; w++)
		while (waitpid(pids[w], NULL, 0) < 0 && errno == EINTR)
			;
	free(pids);
}

static void csv_field(FILE *f, const char *s, const char *sep)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fprintf(f, "\"%s", sep);
}

/* A Markdown table cell: no pipes, no line breaks. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; s && *s; s++)
		fputc(*s == '|' || *s == '\n' ? ' ' : *s, f);
	fputc(' ', f);
}

/* Error (3) outranks invalid (4) outranks failed (1): the batch's exit code. */
static int rank(enum grade_status st)
{
	static const int ranks[] = {
		[GRADE_PASSED] = 0, [GRADE_FAILED] = 1, [GRADE_INVALID] = 2, [GRADE_ERROR] = 3,
	};
	return ranks[st];
}

/*
 * The gradebook of the gradings in B (each item's dir): DIR/summary.csv,
 * one row per submission with each check's points, and DIR/summary.md, a
 * table, also printed.  A grading that died before writing its grade is an
 * error, named by its item's origin.  Returns the batch's exit code.
 */
static int summarize(struct batch *b, const char *dir)
{
	char *csv = NULL, *md = NULL, *p;
	size_t csvlen = 0, mdlen = 0;
	FILE *fc = open_memstream(&csv, &csvlen), *fm = open_memstream(&md, &mdlen);
	enum grade_status worst = GRADE_PASSED;

	fputs("submission,ref,student_id,commit,status,score,max", fc);
	fputs("| submission | student | commit | status | score |", fm);
	for (int k = 0; k < NCHECKS; k++) {
		fprintf(fc, ",%s", check_key(k));
		fprintf(fm, " %s |", check_key(k));
	}
	fputs(",run_dir\n", fc);
	fputs("\n|---|---|---|---|---|", fm);
	for (int k = 0; k < NCHECKS; k++)
		fputs("---|", fm);
	fputc('\n', fm);
	for (int i = 0; i < b->n; i++) {
		struct grade_record g;
		const char *status, *origin, *ref;
		char score[64];

		grade_read(&g, b->v[i].dir, NULL);
		status = grade_status_name(g.status);
		origin = *g.origin ? g.origin : b->v[i].origin;
		ref = *g.ref ? g.ref : b->v[i].ref;
		snprintf(score, sizeof(score), "%lld/%lld", g.score, g.max);
		csv_field(fc, origin, ",");
		csv_field(fc, ref, ",");
		csv_field(fc, g.student_id, ",");
		csv_field(fc, g.commit, ",");
		csv_field(fc, status, ",");
		fprintf(fc, "%lld,%lld,", g.score, g.max);
		md_cell(fm, origin);
		md_cell(fm, g.student_id);
		md_cell(fm, g.commit);
		md_cell(fm, status);
		md_cell(fm, score);
		for (int k = 0; k < NCHECKS; k++) {
			if (g.have_checks) {
				fprintf(fc, "%d,", g.points[k]);
				fprintf(fm, "| %d ", g.points[k]);
			} else {
				fputs(",", fc);
				fputs("| ", fm);
			}
		}
		csv_field(fc, b->v[i].dir, "\n");
		fputs("|\n", fm);
		if (rank(g.status) > rank(worst))
			worst = g.status;
		grade_record_free(&g);
	}
	fclose(fc);
	fclose(fm);
	p = xasprintf("%s/summary.csv", dir);
	if (write_file_atomic(p, csv, csvlen) < 0)
		die_errno(EXIT_ENV, "cannot write %s", p);
	free(p);
	p = xasprintf("%s/summary.md", dir);
	if (write_file_atomic(p, md, mdlen) < 0)
		die_errno(EXIT_ENV, "cannot write %s", p);
	free(p);
	fwrite(md, 1, mdlen, stdout);
	free(csv);
	free(md);
	return grade_exit_code(worst);
}

static void batch_free(struct batch *b)
{
	for (int i = 0; i < b->n; i++)
		free_all(b->v[i].origin, b->v[i].ref, b->v[i].dir);
	free(b->v);
}

static int by_dir(const void *x, const void *y)
{
	return strcmp(((const struct item *)x)->dir, ((const struct item *)y)->dir);
}

/* DIR's grading, or each one of the batch directory DIR (DIR/NNN/). */
static void add_gradings(struct batch *b, const char *dir)
{
	char *one = xasprintf("%s/grade.json", dir);
	DIR *d;
	struct dirent *de;
	int first = b->n;

	if (is_file(one)) {
		add(b, dir, NULL);
		b->v[b->n - 1].dir = xstrdup(dir);
	} else if ((d = opendir(dir))) {
		while ((de = readdir(d))) {
			char *sub = xasprintf("%s/%s/grade.json", dir, de->d_name);

			if (de->d_name[0] != '.' && is_file(sub)) {
				add(b, de->d_name, NULL);
				b->v[b->n - 1].dir = xasprintf("%s/%s", dir, de->d_name);
			}
			free(sub);
		}
		closedir(d);
	}
	free(one);
	if (b->n == first)
		die(EXIT_INPUT, "--gradebook %s: no grade.json there, nor in its subdirectories", dir);
	qsort(b->v + first, b->n - first, sizeof(*b->v), by_dir);
}

int grade_gradebook(const struct grade_opts *o, char **dirs, int ndirs)
{
	struct batch b = { 0 };
	struct error e;
	int code;

	if (!ndirs)
		die(EXIT_USAGE, "--gradebook: which gradings (batch directories)?");
	if (!o->out)
		die(EXIT_USAGE, "--gradebook: where (--out DIR)?");
	for (int i = 0; i < ndirs; i++)
		add_gradings(&b, dirs[i]);
	if (make_dirs(o->out, &e) < 0)
		die_error(&e);
	code = summarize(&b, o->out);
	batch_free(&b);
	return code;
}

/* The course's reports, --compare's and those of the batch's submissions
 * (remotes cloned under DIR/reports/). */
static void read_reports(const struct grade_opts *o, const struct batch *b, const char *dir,
			 struct report_sources *rs)
{
	struct error e;

	if (grade_reports(o, rs, dir, &e) < 0)
		die_error(&e);
	for (int i = 0; i < b->n; i++) {
		char *work = xasprintf("%s/reports/%03d", dir, i + 1);

		if (make_dirs(work, &e) < 0)
			die_error(&e);
		report_sources_add(rs, b->v[i].origin, b->v[i].ref, work);
		free(work);
	}
}

int grade_batch(const struct grade_opts *batch_opts, char **subs, int nsubs)
{
	struct grade_opts opts_reports = *batch_opts, *o = &opts_reports;
	struct report_sources rs = { 0 };
	struct batch b = { 0 };
	char *dir, *err = NULL, *image;
	struct error e;
	int code;

	for (int i = 0; i < nsubs; i++)
		add(&b, subs[i], o->ref);
	if (o->roster)
		read_roster(&b, o->roster);
	if (!b.n)
		die(EXIT_USAGE, "no submissions to grade");
	dir = o->out ? (make_dirs(o->out, &e) < 0 ? NULL : xstrdup(o->out))
		     : run_dir_create("grade-batch", &e);
	if (!dir)
		die_error(&e);
	for (int i = 0; i < b.n; i++)
		b.v[i].dir = xasprintf("%s/%03d", dir, i + 1);
	note("grading %d submissions, %d at a time, in %s", b.n, o->jobs, dir);
	read_reports(o, &b, dir, &rs);
	o->reports = &rs;
	/* The lab's image once, before the workers, for every grading; a
	 * failure here is each grading's error to report. */
	o->lab_image = image = grade_lab_image(&err);
	free(err);
	/* bwrap asked once (0.05 s a grading); when it cannot, each grading
	 * asks and says why in its own grade.json */
	o->sandbox.probed = !o->sandbox.disabled && !sandbox_probe(dir);
	run_workers(o, &b, o->jobs < b.n ? o->jobs : b.n, dir);
	code = summarize(&b, dir);
	batch_free(&b);
	report_sources_free(&rs);
	free_all(dir, image);
	return code;
}
