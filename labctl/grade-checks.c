/*
 * The rubric's six checks.  Each is a pure function of what the earlier
 * stages found (manifest, compile result, ELF, trace facts, report text) and
 * says, passed or not, why — in words a student can act on.
 */
#include <errno.h>
#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grade.h"
#include "labctl.h"

static const char *const keys[NCHECKS] = {
	"static", "runs", "syscall", "inline", "args", "report",
};
static const char *const titles[NCHECKS] = {
	"compiles statically",
	"runs in the guest and finishes",
	"makes the assigned system call",
	"issues it with its own syscall instruction",
	"passes sensible arguments and gets a sensible result",
	"the written report matches the trace",
};

const char *check_key(enum check_id id) { return keys[id]; }
const char *check_title(enum check_id id) { return titles[id]; }

void rubric_defaults(struct rubric *r)
{
	static const int pts[NCHECKS] = { 10, 10, 20, 20, 20, 20 };

	memset(r, 0, sizeof(*r));
	r->name = xstrdup("default");
	memcpy(r->points, pts, sizeof(pts));
	r->report_min_frames = 3;
	r->report_min_bytes = 200;
}

struct rubric_state {
	struct rubric *r;
	char *err;
};

static bool small_int(const char *v, long lo, long hi, long *out)
{
	char *end;

	*out = strtol(v, &end, 10);
	return *v && !*end && *out >= lo && *out <= hi;
}

static int on_rubric(void *user, const char *section, const char *key, const char *v)
{
	struct rubric_state *st = user;
	long n;

	if (st->err)
		return 0;
	if (!strcmp(section, "rubric") && !strcmp(key, "name")) {
		free(st->r->name);
		st->r->name = xstrdup(v);
		return 1;
	}
	if (!strcmp(section, "points"))
		for (int i = 0; i < NCHECKS; i++)
			if (!strcmp(key, keys[i]) && small_int(v, 0, 1000, &n)) {
				st->r->points[i] = (int)n;
				return 1;
			}
	if (!strcmp(section, "report") && !strcmp(key, "min_frames") && small_int(v, 0, 64, &n)) {
		st->r->report_min_frames = (int)n;
		return 1;
	}
	if (!strcmp(section, "report") && !strcmp(key, "min_bytes") && small_int(v, 0, 1 << 20, &n)) {
		st->r->report_min_bytes = (size_t)n;
		return 1;
	}
	st->err = xasprintf("[%s] %s = %s is not a known setting with a valid value", section, key, v);
	return 0;
}

int rubric_load(struct rubric *r, const char *path, char **err)
{
	struct rubric_state st = { .r = r };
	int rc;

	rubric_defaults(r);
	rc = ini_parse(path, on_rubric, &st);
	if (rc < 0)
		st.err = xasprintf("cannot read it");
	else if (rc > 0 && !st.err)
		st.err = xasprintf("line %d is not 'key = value'", rc);
	if (st.err) {
		*err = xasprintf("rubric %s: %s", path, st.err);
		free(st.err);
		return -1;
	}
	return 0;
}

static void verdict(struct check_result *c, bool passed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verdict(struct check_result *c, bool passed, const char *fmt, ...)
{
	va_list ap;

	c->passed = passed;
	va_start(ap, fmt);
	if (vasprintf(&c->message, fmt, ap) < 0)
		out_of_memory("verdict");
	va_end(ap);
}

static void check_static(const struct grade_input *in, struct check_result *c)
{
	if (!in->compiled || !in->compiled->ok)
		verdict(c, false, "It did not compile: %s.",
			in->compiled && in->compiled->why ? in->compiled->why : "see the compiler's log");
	else if (!in->elf || !in->elf->is_elf)
		verdict(c, false, "The compiler produced no usable program.");
	else if (!in->elf->is_static)
		verdict(c, false, "The program is linked dynamically; the lab's guest has no shared "
			"libraries, so it must be static.");
	else
		verdict(c, true, "It compiles with the lab's flags into a static%s program.",
			in->elf->pie ? ", position-independent" : "");
}

static void check_runs(const struct grade_input *in, struct check_result *c)
{
	const struct trace_facts *f = in->facts;
	const char *d = f && f->finish_detail ? f->finish_detail : NULL;

	if (!f)
		verdict(c, false, "Not run: there is no static program to run.");
	else if (!f->ran)
		verdict(c, false, "The program did not start in the guest%s%s.",
			d ? ": " : "", d ? d : "");
	else if (!f->finished)
		verdict(c, false, "The program started but did not finish by itself (%s); "
			"look for an endless loop, endless output, a crash, or a call that waits "
			"forever.", d ? d : "no exit seen");
	else
		verdict(c, true, "It ran in the guest and exited with status %d.", f->exit_status);
}

static void check_syscall(const struct grade_input *in, struct check_result *c)
{
	const struct trace_facts *f = in->facts;
	const char *prog = in->m->program;

	if (!f || (!f->ran && !f->syscall_seen))
		verdict(c, false, "Not checked: the program did not run.");
	else if (!f->syscall_seen && f->other_nr >= 0)
		verdict(c, false, "Your syscall instruction ran with rax = %ld, but your system call is "
			"%ld (%s): check the number you put in rax.", f->other_nr, in->nr,
			in->syscall_name);
	else if (!f->syscall_seen)
		verdict(c, false, "Your program never made system call %ld (%s): the kernel never "
			"entered entry_SYSCALL_64 for it from your program%s%s%s.", in->nr,
			in->syscall_name, f->trace_error ? " (" : "", f->trace_error ? f->trace_error : "",
			f->trace_error ? ")" : "");
	else if ((long)f->orig_ax != in->nr)
		verdict(c, false, "The system call the kernel saw was number %lu, but yours is %ld (%s): "
			"check the number you put in rax.", f->orig_ax, in->nr, in->syscall_name);
	else if (strncmp(f->comm, prog, sizeof(f->comm) - 1) ||
		 (f->exe && strcmp(f->exe, prog)))
		verdict(c, false, "System call %ld was made by '%s', not by your program '%s'.",
			in->nr, f->exe && strcmp(f->exe, prog) ? f->exe : f->comm, prog);
	else
		verdict(c, true, "The kernel saw '%s' (pid %d) enter entry_SYSCALL_64 with "
			"orig_ax = %ld (%s).", f->comm, f->pid, in->nr, in->syscall_name);
}

static bool seen(const struct trace_facts *f, long nr)
{
	return f && f->syscall_seen && (long)f->orig_ax == nr;
}

static void check_inline(const struct grade_input *in, struct check_result *c)
{
	const struct trace_facts *f = in->facts;
	const struct func_range *fn;

	if (!seen(f, in->nr) || !in->elf) {
		verdict(c, false, "Not checked: the assigned system call was not seen.");
		return;
	}
	/* The saved rip points after the 2-byte `syscall` instruction. */
	fn = elf_func_at(in->elf, f->user_rip - 2);
	if (fn)
		verdict(c, true, "The syscall instruction at 0x%lx is in your function %s().",
			f->user_rip - 2, fn->name);
	else
		verdict(c, false, "The system call came from 0x%lx in %s(), which is not a function of "
			"your own source files (the C library's): make it with inline asm "
			"and the syscall instruction.", f->user_rip - 2,
			f->call_function ? f->call_function : "?");
}

static void check_connect(const struct trace_facts *f, struct check_result *c)
{
	char where[96];

	snprintf(where, sizeof(where), "%s:%d", f->sa_addr ? f->sa_addr : "?", f->sa_port);
	if (f->fd_is_socket == TRI_NO)
		verdict(c, false, "The first argument (fd %ld) is not a socket: create one with "
			"socket(AF_INET, SOCK_STREAM, 0) first.", (long)f->args[0]);
	else if (f->sa_family >= 0 && f->sa_family != AF_INET)
		verdict(c, false, "The address (second argument) is not an AF_INET sockaddr_in "
			"(family %d).", f->sa_family);
	else if (f->args[2] < 16)
		verdict(c, false, "The address length (third argument) is %lu; a sockaddr_in is 16 bytes.",
			f->args[2]);
	else if (f->server_listening == TRI_YES && f->ret != 0)
		verdict(c, false, "connect() to %s returned %ld although the scenario's server was "
			"listening on %s: check the port and address and their byte order (htons, "
			"htonl).", where, f->ret, f->server ? f->server : "its address");
	else
		verdict(c, true, "connect(fd %ld, AF_INET %s, %lu) returned %ld.", (long)f->args[0],
			where, f->args[2], f->ret);
}

/* The calls whose success is the end of the task. */
static bool ends_task(const char *name)
{
	return !strcmp(name, "exit") || !strcmp(name, "exit_group");
}

static void check_args(const struct grade_input *in, struct check_result *c)
{
	const struct trace_facts *f = in->facts;

	const char *name = in->syscall_name ? in->syscall_name : "the call";

	if (!seen(f, in->nr))
		verdict(c, false, "Not checked: the assigned system call was not seen.");
	else if (f->call_ended_task && ends_task(name) && !f->exit_signal)
		verdict(c, true, "%s ended your program with status %d in do_exit: it never returns, "
			"as it must.", name, f->call_exit_status);
	else if (f->call_ended_task)
		verdict(c, false, "Your program died in %s (%s%s): it never returned.", name,
			f->exit_signal ? "killed by " : "exit status ",
			f->exit_signal ? f->exit_signal : "?");
	else if (f->new_exe)
		verdict(c, true, "%s replaced your program: %s ran next, and a successful %s never "
			"returns.", name, f->new_exe, name);
	else if (!f->returned)
		verdict(c, false, "The system call never returned to your program.");
	else if (f->signal_name && f->ret == -EINTR)
		verdict(c, true, "%s was interrupted by %s, whose handler ran first; then it returned "
			"-EINTR, as a call that waits does.", name, f->signal_name);
	else if (in->syscall_name && !strcmp(in->syscall_name, "connect"))
		check_connect(f, c);
	else if (f->ret < 0 && f->ret > -4096)
		verdict(c, false, "%s returned the error %ld: check its arguments.",
			in->syscall_name, f->ret);
	else
		verdict(c, true, "%s returned %ld, not an error.", in->syscall_name, f->ret);
}

/* Does TEXT name WORD as a whole identifier? */
static bool mentions(const char *text, const char *word)
{
	size_t n = strlen(word);

	if (!n)
		return false;
	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		bool left = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (left && right)
			return true;
	}
	return false;
}

/* S (malloc'd, or NULL) with FMT appended: for messages of any length. */
static char *append(char *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *append(char *s, const char *fmt, ...)
{
	va_list ap;
	char *more, *out;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		more = NULL;
	va_end(ap);
	if (!more)
		return s;
	out = xasprintf("%s%s", s ? s : "", more);
	free(more);
	free(s);
	return out;
}

static void check_report(const struct grade_input *in, const struct rubric *r,
			 struct check_result *c)
{
	const struct trace_facts *f = in->facts;
	char *missing = NULL;
	int named = 0, want;

	if (!in->report_text) {
		verdict(c, false, "There is no written report: add %s.", in->m->report);
		return;
	}
	if (strlen(in->report_text) < r->report_min_bytes) {
		verdict(c, false, "%s is too short (%zu bytes, at least %zu expected).", in->m->report,
			strlen(in->report_text), r->report_min_bytes);
		return;
	}
	if (!f || !f->syscall_seen) {
		verdict(c, false, "Not checked: there is no trace of your system call to compare "
			"%s with.", in->m->report);
		return;
	}
	if (f->handler && !mentions(in->report_text, f->handler))
		missing = append(missing, " the handler %s;", f->handler);
	for (size_t i = 0; i < f->nframes; i++)
		if (mentions(in->report_text, f->frames[i]))
			named++;
	want = r->report_min_frames < (int)f->nframes ? r->report_min_frames : (int)f->nframes;
	if (named < want) {
		missing = append(missing, " at least %d frames of the backtrace (it names %d; not named:",
				 want, named);
		for (size_t i = 0; i < f->nframes; i++)
			if (!mentions(in->report_text, f->frames[i]))
				missing = append(missing, " %s", f->frames[i]);
		missing = append(missing, ");");
	}
	if (missing) {
		missing[strlen(missing) - 1] = '\0';	/* the last ';' */
		verdict(c, false, "%s does not name what the trace shows:%s.", in->m->report, missing);
		free(missing);
	} else {
		verdict(c, true, "%s names the handler%s%s and %d backtrace frames.", in->m->report,
			f->handler ? " " : "", f->handler ? f->handler : "", named);
	}
}

void grade_checks(const struct grade_input *in, const struct rubric *r, struct check_result *res)
{
	check_static(in, &res[CHECK_STATIC]);
	check_runs(in, &res[CHECK_RUNS]);
	check_syscall(in, &res[CHECK_SYSCALL]);
	check_inline(in, &res[CHECK_INLINE]);
	check_args(in, &res[CHECK_ARGS]);
	if (in->report_error)
		verdict(&res[CHECK_REPORT], false, "%s", in->report_error);
	else
		check_report(in, r, &res[CHECK_REPORT]);
	for (int i = 0; i < NCHECKS; i++) {
		res[i].max = r->points[i];
		res[i].points = res[i].passed ? r->points[i] : 0;
	}
}

void check_result_free(struct check_result *res)
{
	for (int i = 0; i < NCHECKS; i++) {
		free(res[i].message);
		res[i].message = NULL;
	}
}
