/*
 * labctl grade: grade one submission, or many (grade-batch.c).
 *
 * Stages, each a verdict of its own: the submission is read (invalid ->
 * exit 4), compiled in the sandbox, traced in the guest, checked against the
 * rubric (some check failed -> exit 1).  Whatever breaks on the grader's
 * side (no sandbox, no kernel, no trace) is a grader error (exit 3), never
 * a zero for the student.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "grade/grade-guest.h"
#include "grade/grade-run.h"
#include "grade/grade.h"
#include "kbuild/kernel.h"
#include "kbuild/syscalls.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/lang.h"
#include "lib/parse-options.h"
#include "source/versions.h"
#include "lib/rundir.h"

static const char usage[] =
	"usage: labctl grade [OPTIONS] SUBMISSION\n"
	"       labctl grade [OPTIONS] --jobs N SUBMISSION... | --roster FILE\n"
	"\n"
	"Grade a lab submission: a directory or a git repository (local path or\n"
	"URL) holding labctl.ini, the program's sources and REPORT.md (see\n"
	"ci/SUBMISSION.md).  A git submission is graded at the exact commit REF.\n";

static const char epilog[] =
	"Writes grade.json, junit.xml, results.json (Gradescope) and the logs.\n"
	"LABCTL_LANG: the students' language when --lang is not given.\n"
	"exit codes: 0 all checks passed, 1 some check failed, 4 the submission\n"
	"is invalid, 3 the grader failed (not the student's fault), 2 usage.\n";

/*
 * The syscall_64.tbl of K (NULL: no kernel has been built) into T; NULL,
 * or why there is none.
 */
static const char *load_table(const struct kernel *k, struct syscall_table *t)
{
	char *path;
	int rc;

	if (!k)
		return "no kernel has been built: run 'labctl build' first";
	path = syscall_table_path(k->source, "x86_64");
	rc = syscalls_load(path, t, NULL);
	free(path);
	return rc < 0 ? "the lab's kernel source has no readable syscall_64.tbl: run 'labctl build'"
		      : NULL;
}

/* The assigned syscall in T: number and name, from the manifest or the id. */
static enum grade_status resolve_syscall(const struct syscall_table *t, const struct manifest *m,
					 long *nr, char **name, const char **why)
{
	const struct syscall_entry *e = NULL;

	*nr = m->syscall_nr >= 0 ? m->syscall_nr : syscall_from_id(m->student_id);
	*name = NULL;
	if (m->syscall_name) {
		e = syscall_lookup(t, m->syscall_name);
		*nr = e ? e->nr : -1;
		if (!e)
			*why = "labctl.ini: syscall names no system call of the lab's kernel";
	} else if (*nr >= 0) {
		e = syscall_lookup_nr(t, *nr);
		if (!e)
			*why = "labctl.ini: the assigned system call number is not in the lab's kernel";
	}
	if (e)
		*name = xstrdup(e->name);
	return *name ? GRADE_PASSED : GRADE_INVALID;
}

/*
 * What the kernel saw: the program runs in the lab's guest under
 * `labctl trace` (grade-guest.c), stopped at the syscall
 * instruction of the student's function that holds one (or of libc's
 * wrapper, which the inline check then fails).
 */
static int obtain_trace(const struct grade_opts *o, const char *dir, const char *exe,
			const struct elf_info *elf, long nr, const char *name,
			const char *program, struct trace_facts *f, char **err)
{
	bool students;
	char *fn = elf_trace_function(exe, elf, nr, name, &students), *out;
	int nalso = 0;
	char **also = elf_call_functions(exe, elf, nr, name, fn, &nalso);
	struct guest_opts g = {
		.dir = dir, .exe = exe, .program = program, .nr = nr, .syscall_name = name,
		.function = fn, .also = also, .nalso = nalso, .run_timeout = o->run_timeout,
		.kernel = o->kernel, .no_snapshot = o->no_snapshot, .lab_image = o->lab_image,
		.gdb_server = o->gdb_server,
	};
	int rc;

	if (fn)
		note("tracing %s (%ld) at the syscall instruction of %s%s", name, nr, fn,
		     students ? "" : " (libc)");
	rc = grade_guest(&g, f, err);
	if (f->output) {
		out = xasprintf("%s/program-output.txt", dir);
		write_file_atomic(out, f->output, strlen(f->output));
		free(out);
	}
	for (int i = 0; i < nalso; i++)
		free(also[i]);
	free(also);
	free(fn);
	return rc;
}

/* The reports S's must not copy: all of RS but S's own (the example
 * graded as a submission copies nothing). */
static struct report_source *others_of(const struct report_sources *rs, const struct submission *s,
				       size_t *n)
{
	struct report_source *v = xcalloc(rs->n + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (!report_source_is(&rs->v[i], s->origin))
			v[(*n)++] = rs->v[i];
	return v;
}

static void run_stages(const struct grade_opts *o, const struct report_sources *rs,
		       const char *dir, struct grade *g, struct submission *s, char **why)
{
	char *work = xasprintf("%s/work", dir), *name = NULL;
	struct kernel k;
	bool have_kernel = kernel_load(&k, o->kernel, NULL) == 0, have_table = false;
	struct syscall_table table;
	const struct syscall_entry *waiting;
	struct compile_result cr = { 0 };
	struct elf_info elf = { 0 };
	struct trace_facts facts;
	bool have_facts = false;
	struct grade_input in = { 0 };
	struct report_source *others = NULL;
	const char *cwhy = NULL, *probe;
	struct error e;
	int rc;

	trace_facts_init(&facts);
	if (make_dirs(work, &e) < 0)
		die_error(&e);
	if (!o->sandbox.disabled && !o->sandbox.probed && (probe = sandbox_probe(dir))) {
		g->status = GRADE_ERROR;
		*why = xasprintf("%s; refusing to compile untrusted code without it "
				 "(--no-sandbox overrides)", probe);
		goto out;
	}
	rc = submission_load(s, o->origin, o->ref, work, why);
	g->sub = s;
	if (rc) {
		g->status = rc == EXIT_INPUT ? GRADE_INVALID : GRADE_ERROR;
		goto out;
	}
	if ((cwhy = load_table(have_kernel ? &k : NULL, &table))) {
		g->status = GRADE_ERROR;
		*why = xstrdup(cwhy);
		goto out;
	}
	have_table = true;
	g->status = resolve_syscall(&table, &s->m, &g->nr, &name, &cwhy);
	g->syscall_name = name;
	if (g->status != GRADE_PASSED) {
		*why = xstrdup(cwhy);
		goto out;
	}
	if (sandbox_compile(s, &o->sandbox, work, &cr, &e) < 0) {
		g->status = GRADE_ERROR;
		*why = xstrdup(e.msg);
		goto out;
	}
	if (cr.ok && elf_inspect(cr.exe, cr.objs, cr.nobjs, &elf) == 0 && elf.is_static) {
		if (obtain_trace(o, dir, cr.exe, &elf, g->nr, name, s->m.program, &facts, why) < 0) {
			g->status = GRADE_ERROR;
			goto out;
		}
		have_facts = true;
		g->kernel_version = facts.kernel_version;
		if ((waiting = syscall_lookup_nr(&table, facts.waiting_in)))
			facts.waiting_name = xstrdup(waiting->name);
	}
	in = (struct grade_input){
		.m = &s->m, .nr = g->nr, .syscall_name = name, .compiled = &cr,
		.elf = cr.ok ? &elf : NULL, .facts = have_facts ? &facts : NULL,
		.report_text = s->report_text, .report_error = s->report_error,
	};
	in.others = others = others_of(rs, s, &in.nothers);
	grade_checks(&in, g->rubric, g->res);
	g->have_checks = true;
	g->status = GRADE_PASSED;
	for (int i = 0; i < NCHECKS; i++) {
		g->score += g->res[i].points;
		if (!g->res[i].passed)
			g->status = GRADE_FAILED;
	}
out:
	for (int i = 0; i < NCHECKS; i++)
		g->max += g->rubric->points[i];
	g->why = *why;
	/* The built kernel's version, for the record when no trace ran. */
	if (g->kernel_version || have_kernel)
		g->kernel_version = xstrdup(g->kernel_version ? g->kernel_version : k.version);
	kernel_free(&k);
	if (have_table)
		syscalls_free(&table);
	free(others);
	trace_facts_free(&facts);
	elf_info_free(&elf);
	compile_result_free(&cr);
	free(work);
}

int grade_reports(const struct grade_opts *o, struct report_sources *rs, const char *dir,
		  struct error *e)
{
	if (report_sources_course(rs, e) < 0)
		return -1;
	for (size_t i = 0; i < o->compare.n; i++) {
		char *work = xasprintf("%s/compare/%zu", dir, i + 1);

		/* A remote is cloned there; a directory or a local repository is read in place. */
		if (make_dirs(work, e) < 0) {
			free(work);
			return -1;
		}
		report_sources_add(rs, o->compare.v[i], NULL, work);
		free(work);
	}
	return 0;
}

int grade_one(const struct grade_opts *o)
{
	struct error e;
	char *dir = o->out ? xstrdup(o->out) : run_dir_create("grade", &e), *why = NULL, *rerr = NULL;
	struct submission s = { 0 };
	struct rubric rubric;
	struct grade g = { .nr = -1, .rubric = &rubric };
	struct report_sources own = { 0 };
	double start = now();
	int code;

	if (!dir || make_dirs(dir, &e) < 0)
		die_error(&e);
	if (!o->reports && grade_reports(o, &own, dir, &e) < 0) {
		rubric_defaults(&rubric);
		g.status = GRADE_ERROR;
		why = xstrdup(e.msg);
		g.why = why;
	} else if (rubric_load(&rubric, o->rubric, &rerr) < 0) {
		g.status = GRADE_ERROR;
		why = rerr;
		g.why = why;
	} else {
		run_stages(o, o->reports ? o->reports : &own, dir, &g, &s, &why);
	}
	report_sources_free(&own);
	g.seconds = now() - start;
	if (grade_write(&g, dir) < 0)
		die_errno(EXIT_ENV, "cannot write the results in %s", dir);
	if (g.why)
		fprintf(stderr, "labctl: %s: %s\n",
			g.status == GRADE_INVALID ? "invalid submission" : "error", g.why);
	printf("%s %d/%d %s\n", grade_status_name(g.status), g.score, g.max, dir);
	code = grade_exit_code(g.status);
	check_result_free(g.res);
	free((char *)g.syscall_name);
	free((char *)g.kernel_version);
	free(rubric.name);
	submission_free(&s);
	free(why);
	free(dir);
	return code;
}

int cmd_grade(int argc, char **argv)
{
	struct grade_opts o = { .run_timeout = 10 };
	const char *lang = NULL;
	bool gradebook = false;
	const struct option_def options[] = {
		OPT_STRING(0, "ref", &o.ref, "REF", "the commit, branch or tag to grade (default HEAD)"),
		OPT_STRING_OF(0, "out", &o.out, OPT_DIRS, "DIR", "write the results here (default a new run directory)"),
		OPT_STRING_OF(0, "rubric", &o.rubric, OPT_FILES, "FILE", "points per check (default ci/rubric.ini)"),
		OPT_SECONDS(0, "run-timeout", &o.run_timeout, 1, 600, "S",
			    "how long the program may run in the guest (default 10)"),
		OPT_FLAG(0, "no-sandbox", &o.sandbox.disabled,
			 "compile without bubblewrap (trusted code only)"),
		OPT_SECONDS(0, "compile-timeout", &o.sandbox.timeout, 0, 0, "S",
			    "wall-clock limit of the compiler (default 60)"),
		KERNEL_OPTION(&o.kernel),
		OPT_FLAG(0, "no-snapshot", &o.no_snapshot,
			 "boot each guest instead of restoring it from its saved state"),
		OPT_COUNT('j', "jobs", &o.jobs, 1, 64, "N",
			  "grade N submissions at a time (default and most: the\n"
			  "number of cores, one guest per core)"),
		OPT_STRING_OF(0, "roster", &o.roster, OPT_FILES, "FILE",
			   "submissions to grade, one per line: SUBMISSION [REF]"),
		OPT_STRINGS_OF(0, "compare", &o.compare, OPT_DIRS, "SUBMISSION",
			    "another submission whose report this one must not copy\n"
			    "(repeatable; a batch compares its submissions too)"),
		OPT_FLAG(0, "gradebook", &gradebook,
			 "summarize gradings already made: the operands are batch\n"
			 "directories (--out), their summary goes to --out"),
		OPT_CHOICE(0, "lang", &lang, lang_codes, "LANG",
			   "the language of what students read (the checks and their\n"
			   "verdicts): en or zh (Simplified Chinese)"),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options }, .epilog = epilog,
					 .operands = OPT_DIRS };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	char *rubric_default = NULL;
	struct error e;
	int i, jobs_asked, rc;

	/* Before parsing: --compile-timeout overrides the default limit. */
	sandbox_defaults(&o.sandbox);
	i = parse_command_line(&cl, argc, argv);
	/* What a grade killed before it cleaned up left in /tmp and $TMPDIR
	 * (the student's sources, among others): never more than one run's. */
	sandbox_clean_stale();
	grade_clean_stale();
	if ((!lang && lang_from_env(&lang, &e) < 0) || lang_use(lang, &e) < 0)
		die_error(&e);
	jobs_asked = o.jobs ? o.jobs : 1;
	if (!o.rubric)
		o.rubric = rubric_default = datapath("ci/rubric.ini");
	/*
	 * One guest per core.  Each grading runs QEMU under TCG, a CPU-bound
	 * emulator, and the trace's and the program's time limits are wall
	 * clock: with more guests than cores they only share the cores, each
	 * runs slower, and a correct program can run past its limit and be
	 * graded as hanging.  So --jobs is capped at the core count.
	 */
	if (cores < 1)
		cores = 1;
	if (!o.jobs)
		o.jobs = (int)(cores < 64 ? cores : 64);
	else if (o.jobs > cores) {
		note("--jobs %d: capped at %ld, one guest per core", o.jobs, cores);
		o.jobs = (int)cores;
	}
	if (gradebook) {
		rc = grade_gradebook(&o, argv + i, argc - i);
	} else if (o.roster || argc - i > 1 || jobs_asked > 1) {
		rc = grade_batch(&o, argv + i, argc - i);
	} else if (argc - i == 1) {
		o.origin = argv[i];
		rc = grade_one(&o);
	} else {
		die(EXIT_USAGE, "no submission given (see 'labctl grade --help')");
	}
	free(rubric_default);
	return rc;
}
