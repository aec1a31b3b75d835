/*
 * Grading a student's lab submission (see ci/SUBMISSION.md).
 *
 *   submission_load()   the manifest, sources and report, read as blobs of
 *                       one commit (libgit2) or from a plain directory
 *   sandbox_compile()   gcc with LAB_CFLAGS inside bubblewrap
 *   elf_inspect()       is it static, where are the student's functions (elf.c)
 *   grade_guest()       run it in the guest under trace_run() (grade-guest.c)
 *   trace_facts_parse() what the kernel saw, from the trace's report.json
 *   grade_checks()      the rubric's checks: pure functions of the above
 *   grade_write()       grade.json, junit.xml, results.json
 */
#ifndef LABCTL_GRADE_H
#define LABCTL_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/elf.h"

struct console;
struct error;

/* Limits on what a submission may hold; anything bigger is refused. */
#define GRADE_MAX_SOURCES   16
#define GRADE_MAX_FILE      (256 * 1024)
#define GRADE_MAX_TOTAL     (1024 * 1024)
#define GRADE_MANIFEST      "labctl.ini"

/* ---- the manifest (labctl.ini) ---- */

struct manifest {
	char *student_id;
	int syscall_nr;            /* -1: resolve syscall_name, or the id's rule */
	char *syscall_name;        /* as written, or NULL */
	char *sources[GRADE_MAX_SOURCES];
	int nsources;
	char *report;              /* the written report, default REPORT.md */
	char *program;             /* the program's name in the guest, default "lab" */
};

/*
 * Parse and validate the manifest's text.  Returns 0, or -1 with a message
 * for the student in ERR (caller frees).
 */
int manifest_parse(struct manifest *m, const char *text, char **err);
void manifest_free(struct manifest *m);
/* Is PATH a safe relative path inside the submission (no "..", no "/..."). */
bool submission_path_ok(const char *path);

/* ---- the submission ---- */

struct sub_file {
	char *path;                /* as in the manifest */
	char *data;
	size_t len;
	bool missing;              /* not read: it is not there at all */
};

struct submission {
	char *origin;              /* what was given on the command line */
	char *ref;                 /* --ref, or NULL */
	char *commit;              /* the graded commit's id, NULL for a directory */
	struct manifest m;
	struct sub_file files[GRADE_MAX_SOURCES];
	char *report_text;         /* NULL when the report is missing or unreadable */
	char *report_error;        /* why it is unreadable (too large, a symlink), for
	                            * the student; NULL when it is read or missing */
};

/*
 * Load ORIGIN: a git URL or repository (at REF, default HEAD) or a plain
 * directory.  A remote is cloned bare into WORKDIR.  Returns 0, or an exit
 * code (EXIT_INPUT: the submission is invalid; EXIT_ENV) with a message for
 * the student in ERR.
 */
int submission_load(struct submission *s, const char *origin, const char *ref,
		    const char *workdir, char **err);
void submission_free(struct submission *s);

/* ---- compiling ---- */

struct sandbox_opts {
	bool disabled;             /* --no-sandbox */
	bool probed;               /* sandbox_probe() found bwrap working for this
	                            * batch: a grading need not ask again */
	bool m32;                  /* an i386 program: -m32 */
	double timeout;            /* wall clock, seconds */
	int cpu_seconds;
	long mem_bytes;
	long fsize_bytes;
	int nproc;
};
void sandbox_defaults(struct sandbox_opts *o);
/* Can bwrap make a sandbox here?  NULL if so, else why not and, when it is
 * known, the setting that would let it (static). */
const char *sandbox_probe(const char *workdir);
/* What decides whether bwrap may make its namespaces here: the kernel's
 * switches (-1 where this kernel has none) and whether this is a container. */
struct sandbox_host {
	bool container;          /* docker's /.dockerenv, podman's /run/.containerenv */
	int userns_clone;        /* kernel.unprivileged_userns_clone (Debian's patch) */
	int max_userns;          /* user.max_user_namespaces */
	int apparmor_restrict;   /* kernel.apparmor_restrict_unprivileged_userns (Ubuntu) */
};
void sandbox_host_read(struct sandbox_host *h);
/* The cause of bwrap's failure that LOG (what it printed) and H show, and
 * the setting that removes it; NULL when neither says. */
const char *sandbox_hint(const char *log, const struct sandbox_host *h);
/* The prefix of the sandbox's directories in /tmp (run by root). */
#define SANDBOX_TEMP "labctl-sandbox"
/* Remove the sandbox directories of grades that were killed. */
void sandbox_clean_stale(void);

struct compile_result {
	bool ok;
	char *exe;                 /* the linked program, when ok */
	char **objs;               /* one object per .c/.S source */
	int nobjs;
	char *log;                 /* the compiler's output */
	char *why;                 /* for the student, when !ok */
};
/* Compile S's sources in WORKDIR/build; 0 (R says whether the student's
 * code compiled), or -1 with E when the sandbox itself failed. */
int sandbox_compile(const struct submission *s, const struct sandbox_opts *o,
		    const char *workdir, struct compile_result *r, struct error *e);
void compile_result_free(struct compile_result *r);
/* The object sandbox_compile makes of SOURCE in build/out ("net/lab.c":
 * "lab.o"), or NULL for a file it does not compile (a header). */
char *sandbox_object(const char *source);

/* ---- what the kernel saw ---- */

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

/* The schema of `labctl trace`'s report.json that grading reads. */
#define TRACE_SCHEMA "labctl-trace/1"

/*
 * What the guest showed of the program's run, from two sources: the
 * console (trace_facts_console()), how the run ended, and the trace's
 * capture (trace_facts_parse()), what the call did.  Initialize with trace_facts_init().
 */
struct trace_facts {
	char *kernel_version;      /* setup.kernel.release */

	/* The run, from the console (rootfs/programs/grade_run.c). */
	bool ran;                  /* the program started in the guest */
	bool finished;             /* ... and exited by itself in time */
	int exit_status;
	char *finish_detail;       /* "killed by signal 11", "still running after 10 s" */
	long waiting_in;           /* still running: the system call it was blocked in, or -1 */
	char *waiting_name;        /* its name (syscall_64.tbl), set by grade, or NULL */
	char *output;              /* what it printed (capped), or NULL */

	/* The trace (report.json, schema labctl-trace/1). */
	bool capture_ok;           /* ok: the capture is complete */
	char *trace_error;         /* why the trace ended without it, for the student */
	long other_nr;             /* the program's syscall instruction ran with another
	                            * rax (filter.rejected_sample), else -1 */
	bool syscall_seen;         /* the traced program stopped at its syscall */
	long nr;                   /* setup.syscall.nr: the number traced */
	unsigned long orig_ax;     /* pt_regs->orig_ax at entry */
	unsigned long user_rip;    /* pt_regs->ip: the user address after `syscall` */
	char *call_function;       /* the program's function whose syscall ran
	                            * (setup.program.function), or NULL */
	char comm[16];             /* user.task.comm */
	char *exe;                 /* user.task.exe: basename of mm->exe_file */
	int pid;
	unsigned long args[6];     /* user.args.raw: di, si, dx, r10, r8, r9 */
	bool returned;             /* the call came back with a value: the return
	                            * section, or the frame of a signal delivered on
	                            * the way back (end.frame_replaced.signal) */
	long ret;                  /* return.regs_ax_signed, or the value saved in
	                            * that signal frame */
	char *signal_name;         /* that signal (SIGALRM), or NULL */
	bool call_ended_task;      /* end.how = exit: the task ended in the call */
	int call_exit_status;      /* end.status */
	char *exit_signal;         /* end.signal_name when a signal killed it */
	char *new_exe;             /* end.how = user without a signal: the program
	                            * the task ran next (execve's) */

	/* Decoded by the trace from guest memory, for socket calls. */
	enum tri fd_is_socket;     /* dispatch.socket: an object without error */
	int sa_family;             /* user.args.sockaddr.family, -1 unknown */
	char *sa_addr;             /* "127.0.0.1" */
	int sa_port;
	enum tri server_listening; /* the grading scenario's server was up (set by grade) */
	char *server;              /* where it listens: "127.0.0.1:1234" */

	char *syscall_handler;     /* dispatch.hits[0]: __x64_sys_connect */
	char *handler;             /* the deepest function hit: the protocol method
	                            * (tcp_v4_connect), else the ops method, else the
	                            * syscall's handler */
	char **frames;             /* its backtrace, innermost first, no repeats */
	size_t nframes;
};

void trace_facts_init(struct trace_facts *f);
/* Read a capture (report.json) into F.  0, or -1 with a message in ERR: not
 * JSON, or a schema other than TRACE_SCHEMA. */
int trace_facts_parse(struct trace_facts *f, const char *json_text, char **err);
int trace_facts_load(struct trace_facts *f, const char *path, char **err);
/* grade_run's run LABEL on the console C into F's run fields; false when
 * the run never started there. */
bool trace_facts_console(struct trace_facts *f, const struct console *c, const char *label);
void trace_facts_free(struct trace_facts *f);

/* ---- the rubric and the checks ---- */

enum check_id {
	CHECK_STATIC, CHECK_RUNS, CHECK_SYSCALL, CHECK_INLINE, CHECK_ARGS,
	CHECK_REPORT, NCHECKS
};

struct rubric {
	char *name;
	int points[NCHECKS];
	int report_min_frames;     /* backtrace frames the report must name */
	size_t report_min_bytes;
	int report_min_prose_words;   /* words in sentences, beyond the names */
	int report_min_sentences;
	int report_max_copied_percent; /* of its fingerprints found in another report */
};
/* Load a rubric ini (ci/rubric.ini).  0, or -1 with ERR. */
int rubric_load(struct rubric *r, const char *path, char **err);
void rubric_defaults(struct rubric *r);
const char *check_key(enum check_id id);   /* "static", "runs", ... */
const char *check_title(enum check_id id);

struct check_result {
	bool passed;
	int points, max;
	char *message;             /* why, for the student */
};

/*
 * A report the graded one must not copy: the course's example, the
 * starter's template, another submission's.
 */
struct report_source {
	char *label;               /* for the student: "ci/example-submission/REPORT.md" */
	char *origin;              /* the submission it is from */
	char *text;
	bool base;                 /* the starter: the template every report
	                            * starts from, shared by all */
};
struct report_sources {
	struct report_source *v;
	size_t n;
};

/* The course's reports: ci/example-submission's and ci/starter's (the
 * base).  0, or -1 with E (EXIT_ENV: labctl's data is incomplete). */
int report_sources_course(struct report_sources *rs, struct error *e);
/* ORIGIN's report (at REF; a remote is cloned into WORKDIR), when it has
 * one: a submission that cannot be read is graded invalid on its own. */
void report_sources_add(struct report_sources *rs, const char *origin, const char *ref,
			const char *workdir);
/* Is the source from ORIGIN itself (the same path, or the same directory
 * by another name): a report is not a copy of itself. */
bool report_source_is(const struct report_source *s, const char *origin);
void report_sources_free(struct report_sources *rs);

/* Everything a verdict depends on; NULL/false where a stage did not run. */
struct grade_input {
	const struct manifest *m;
	long nr;                         /* the assigned syscall's number */
	const char *syscall_name;        /* its name in the kernel's table */
	const struct compile_result *compiled;
	const struct elf_info *elf;
	const struct trace_facts *facts;
	const char *report_text;
	const char *report_error;        /* submission.report_error */
	const struct report_source *others;   /* what it must not copy */
	size_t nothers;
};

/* Run every check; RES[NCHECKS]. */
void grade_checks(const struct grade_input *in, const struct rubric *r,
		  struct check_result *res);
void check_result_free(struct check_result *res);

/* ---- the results ---- */

enum grade_status { GRADE_PASSED, GRADE_FAILED, GRADE_INVALID, GRADE_ERROR };

struct grade {
	enum grade_status status;
	const char *why;           /* for INVALID and ERROR */
	const struct submission *sub;
	const struct rubric *rubric;
	long nr;
	const char *syscall_name;
	const char *kernel_version;
	struct check_result res[NCHECKS];
	bool have_checks;
	int score, max;
	double seconds;
};

/* The exit code for a status: 0, 1, 4 or 3. */
int grade_exit_code(enum grade_status st);
const char *grade_status_name(enum grade_status st);
/* grade.json, junit.xml and results.json in DIR, each written atomically,
 * well-formed whatever bytes the messages and the submission's fields hold. */
int grade_write(const struct grade *g, const char *dir);

/* LEN bytes as valid UTF-8 (caller frees): each NUL and each byte of no
 * valid sequence becomes U+FFFD, the rest is kept. */
char *utf8_clean(const char *data, size_t len);

/* What a batch's summary reads back from a grade.json. */
struct grade_record {
	enum grade_status status;
	long long score, max;
	char *origin, *ref;        /* the submission as given ("" for none) */
	char *student_id;          /* "" when the grade has none */
	char *commit;              /* "" for a directory */
	bool have_checks;          /* the checks ran: POINTS is theirs */
	int points[NCHECKS];
};
/*
 * Read DIR/grade.json.  0, or -1 with E (EXIT_ENV) when it is missing or
 * not a grade; R is then an error record with empty fields.  Free R with
 * grade_record_free() either way.
 */
int grade_read(struct grade_record *r, const char *dir, struct error *e);
void grade_record_free(struct grade_record *r);

/* The course rule: the last two digits of the student id; -1 if none. */
int syscall_from_id(const char *id);

#endif
