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

#include "grade/fingerprint.h"
#include "grade/grade.h"
#include "lib/labctl.h"
#include "lib/lang.h"

static const char *const keys[NCHECKS] = {
	"static", "runs", "syscall", "inline", "args", "report",
};
static const char *const titles[NCHECKS] = {
	N_("compiles statically"),
	N_("runs in the guest and finishes"),
	N_("makes the assigned system call"),
	N_("issues it with its own syscall instruction"),
	N_("passes sensible arguments and gets a sensible result"),
	N_("the written report matches the trace"),
};

const char *check_key(enum check_id id) { return keys[id]; }
const char *check_title(enum check_id id) { return L_(titles[id]); }

void rubric_defaults(struct rubric *r)
{
	static const int pts[NCHECKS] = { 10, 10, 20, 20, 20, 20 };

	memset(r, 0, sizeof(*r));
	r->name = xstrdup("default");
	memcpy(r->points, pts, sizeof(pts));
	r->report_min_frames = 3;
	r->report_min_bytes = 200;
	/* ci/example-submission, short and plain, has 96 such words in 5
	 * sentences: these ask for under two thirds of that. */
	r->report_min_prose_words = 60;
	r->report_min_sentences = 3;
	/* Reports on one call written apart share names, not 8-word runs: 0-2%
	 * of their fingerprints in the tests' pairs.  The example with its
	 * sections moved keeps 93%, with five words renamed throughout 63-68%;
	 * renaming enough to get under 40% is rewriting it. */
	r->report_max_copied_percent = 40;
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
	if (!strcmp(section, "report") && !strcmp(key, "min_prose_words") &&
	    small_int(v, 0, 1 << 20, &n)) {
		st->r->report_min_prose_words = (int)n;
		return 1;
	}
	if (!strcmp(section, "report") && !strcmp(key, "min_sentences") &&
	    small_int(v, 0, 1 << 20, &n)) {
		st->r->report_min_sentences = (int)n;
		return 1;
	}
	if (!strcmp(section, "report") && !strcmp(key, "max_copied_percent") &&
	    small_int(v, 0, 100, &n)) {
		st->r->report_max_copied_percent = (int)n;
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
	/* the student reads it in the language of the grade (lib/lang.h) */
	if (vasprintf(&c->message, L_(fmt), ap) < 0)
		out_of_memory("verdict");
	va_end(ap);
}

static void check_static(const struct grade_input *in, struct check_result *c)
{
	if (!in->compiled || !in->compiled->ok)
		verdict(c, false, "It did not compile: %s.",
			in->compiled && in->compiled->why ? in->compiled->why : L_("see the compiler's log"));
	else if (!in->elf || !in->elf->is_elf)
		verdict(c, false, "The compiler produced no usable program.");
	else if (!in->elf->is_static)
		verdict(c, false, "The program is linked dynamically; the lab's guest has no shared "
			"libraries, so it must be static.");
	else
		verdict(c, true, "It compiles with the lab's flags into a static%s program.",
			in->elf->pie ? L_(", position-independent") : "");
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
	else if (!f->finished && f->waiting_in >= 0)
		verdict(c, false, "The program started but did not finish by itself (%s): it was "
			"waiting in system call %ld (%s), and nothing ended the wait.",
			d ? d : L_("no exit seen"), f->waiting_in,
			f->waiting_name ? f->waiting_name : L_("not in the lab's table"));
	else if (!f->finished)
		verdict(c, false, "The program started but did not finish by itself (%s); "
			"look for an endless loop, endless output, a crash, or a call that waits "
			"forever.", d ? d : L_("no exit seen"));
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
			"htonl).", where, f->ret, f->server ? f->server : L_("its address"));
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

	const char *name = in->syscall_name ? in->syscall_name : L_("the call");

	if (!seen(f, in->nr))
		verdict(c, false, "Not checked: the assigned system call was not seen.");
	else if (f->call_ended_task && ends_task(name) && !f->exit_signal)
		verdict(c, true, "%s ended your program with status %d in do_exit: it never returns, "
			"as it must.", name, f->call_exit_status);
	else if (f->call_ended_task && f->exit_signal && !strcmp(f->exit_signal, "SIGKILL") &&
		 f->waiting_in == in->nr)
		/* the run was stopped waiting in this very call */
		verdict(c, false, "%s never returned: your program was still waiting in it when "
			"the time limit killed it (SIGKILL).", name);
	else if (f->call_ended_task)
		verdict(c, false, "Your program died in %s (%s%s): it never returned.", name,
			f->exit_signal ? L_("killed by ") : L_("exit status "),
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

/*
 * The spellings of one system call's function: the SYSCALL_DEFINE macros
 * make __x64_sys_X (the table's entry), __ia32_sys_X, __se_sys_X and
 * __do_sys_X (the body, often all a backtrace shows once the others are
 * inlined), and the source and the books call it sys_X.  X, or NULL when
 * NAME is none of them.
 */
static const char *syscall_base(const char *name)
{
	static const char *const prefixes[] = {
		"__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "sys_",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])) && name[strlen(prefixes[i])])
			return name + strlen(prefixes[i]);
	return NULL;
}

/* Are A and B one function: the same name, or two spellings of one call. */
static bool same_function(const char *a, const char *b)
{
	const char *x = syscall_base(a), *y = syscall_base(b);

	return !strcmp(a, b) || (x && y && !strcmp(x, y));
}

/* Is frame I of F another spelling of an earlier one? */
static bool repeats(const struct trace_facts *f, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_function(f->frames[i], f->frames[j]))
			return true;
	return false;
}

/* Does TEXT name the function NAME, in any of its spellings? */
static bool names_function(const char *text, const char *name)
{
	const char *base = syscall_base(name);
	bool found;
	char *alias;

	if (!base)
		return mentions(text, name);
	found = false;
	for (const char *pre = "__x64_sys_\0__ia32_sys_\0__se_sys_\0__do_sys_\0sys_\0"; *pre && !found;
	     pre += strlen(pre) + 1) {
		alias = xasprintf("%s%s", pre, base);
		found = mentions(text, alias);
		free(alias);
	}
	return found;
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

/*
 * How much of the report is prose: the words of its sentences, not counting
 * names (identifiers with '_' or digits, `code`, code blocks) nor headings,
 * and the sentences themselves (ended by . ! ? or 。！？, with at least
 * three words).  A CJK character is half a word: a Chinese word is one or
 * two characters, most often two.
 */
struct prose {
	int words, sentences;
};

static bool ends_sentence(const char *p, size_t len, uint32_t c)
{
	char next = p[len];

	if (c == 0x3002 || c == 0xff01 || c == 0xff1f)		/* 。！？ */
		return true;
	return (c == '.' || c == '!' || c == '?') &&
	       (!next || isspace((unsigned char)next) || strchr(")]\"'*_", next));
}

static void prose_line(const char *p, const char *end, struct prose *pr, int *words, int *cjk)
{
	size_t len;
	uint32_t c;

	while (p < end) {
		c = utf8_decode(p, (size_t)(end - p), &len);
		if (c == '`') {
			/* Inline code, up to the same run of backticks. */
			size_t run = strspn(p, "`");
			char *fence = xasprintf("%.*s", (int)run, p);
			const char *close = memmem(p + run, (size_t)(end - p - run), fence, run);

			free(fence);
			p = close ? close + run : p + run;
			continue;
		}
		if (is_cjk(c)) {
			(*cjk)++;
		} else if (is_word_char(c)) {
			bool name = false;
			const char *w = p;

			while (p < end && is_word_char(c = utf8_decode(p, (size_t)(end - p), &len))) {
				name |= c == '_' || (c >= '0' && c <= '9');
				p += len;
				/* "handler's" is one word */
				if (p + 1 < end && *p == '\'' && isalpha((unsigned char)p[1]))
					p++;
			}
			*words += !name && p > w;
			continue;
		} else if (ends_sentence(p, len, c)) {
			int n = *words + (*cjk + 1) / 2;

			if (n >= 3) {
				pr->words += n;
				pr->sentences++;
			}
			*words = *cjk = 0;
		}
		p += len;
	}
}

static void prose_of(const char *text, struct prose *pr)
{
	bool fenced = false, code = false, blank = true;
	int words = 0, cjk = 0;

	*pr = (struct prose){ 0, 0 };
	for (const char *line = text, *end; *line; line = *end ? end + 1 : end) {
		const char *q = line;
		size_t indent;

		end = strchrnul(line, '\n');
		indent = strspn(line, " ");
		q = line + indent;
		if (indent < 4 && (!strncmp(q, "```", 3) || !strncmp(q, "~~~", 3))) {
			fenced = !fenced;
			words = cjk = 0;
			continue;
		}
		if (fenced)
			continue;
		/* An indented block after a blank line is code (Markdown's rule). */
		if ((indent >= 4 || *line == '\t') && (blank || code) && q < end) {
			code = true;
			continue;
		}
		code = false;
		blank = strspn(line, " \t\r") == (size_t)(end - line);
		if (blank || *q == '#') {	/* a paragraph's end, a heading */
			words = cjk = 0;
			continue;
		}
		prose_line(q, end, pr, &words, &cjk);
	}
}

/*
 * The other report this one shares most fingerprints with (fingerprint.c),
 * and the share in percent; NULL when there is none to compare.  The
 * starter's template is every student's: with the others only what the
 * student wrote beyond it is compared.
 */
static const struct report_source *most_copied(const struct grade_input *in, int *percent)
{
	struct fingerprints mine, own, theirs;
	const struct report_source *best = NULL;
	double most = -1;

	fingerprints_of(&mine, in->report_text);
	fingerprints_of(&own, in->report_text);
	for (size_t i = 0; i < in->nothers; i++)
		if (in->others[i].base) {
			fingerprints_of(&theirs, in->others[i].text);
			fingerprints_minus(&own, &theirs);
			fingerprints_free(&theirs);
		}
	for (size_t i = 0; i < in->nothers; i++) {
		double share;

		fingerprints_of(&theirs, in->others[i].text);
		share = fingerprints_share(in->others[i].base ? &mine : &own, &theirs);
		fingerprints_free(&theirs);
		if (share > most) {
			most = share;
			best = &in->others[i];
		}
	}
	fingerprints_free(&mine);
	fingerprints_free(&own);
	*percent = (int)(most * 100);
	return best;
}

static void check_report(const struct grade_input *in, const struct rubric *r,
			 struct check_result *c)
{
	const struct trace_facts *f = in->facts;
	const struct report_source *copied;
	struct prose pr;
	char *missing = NULL;
	int named = 0, want, functions = 0, percent;

	if (!in->report_text) {
		verdict(c, false, "There is no written report: add %s.", in->m->report);
		return;
	}
	if (strlen(in->report_text) < r->report_min_bytes) {
		verdict(c, false, "%s is too short (%zu bytes, at least %zu expected).", in->m->report,
			strlen(in->report_text), r->report_min_bytes);
		return;
	}
	copied = most_copied(in, &percent);
	if (copied && percent > r->report_max_copied_percent) {
		verdict(c, false, "%s copies %d%% of %s (at most %d%% may come from another report): "
			"write the report in your own words.", in->m->report, percent, copied->label,
			r->report_max_copied_percent);
		return;
	}
	prose_of(in->report_text, &pr);
	if (pr.words < r->report_min_prose_words || pr.sentences < r->report_min_sentences) {
		verdict(c, false, "%s is not prose enough: %d words in %d sentences besides the names "
			"of functions and code (at least %d words in %d sentences expected); explain "
			"in sentences what each function does.", in->m->report, pr.words,
			pr.sentences, r->report_min_prose_words, r->report_min_sentences);
		return;
	}
	if (!f || !f->syscall_seen) {
		verdict(c, false, "Not checked: there is no trace of your system call to compare "
			"%s with.", in->m->report);
		return;
	}
	if (f->handler && !names_function(in->report_text, f->handler))
		missing = append(missing, L_(" the handler %s;"), f->handler);
	/* Spellings of one function are one frame: named once, counted once. */
	for (size_t i = 0; i < f->nframes; i++)
		if (!repeats(f, i)) {
			functions++;
			named += names_function(in->report_text, f->frames[i]);
		}
	want = r->report_min_frames < functions ? r->report_min_frames : functions;
	if (named < want) {
		missing = append(missing, L_(" at least %d frames of the backtrace (it names %d; not named:"),
				 want, named);
		for (size_t i = 0; i < f->nframes; i++)
			if (!repeats(f, i) && !names_function(in->report_text, f->frames[i]))
				missing = append(missing, " %s", f->frames[i]);
		missing = append(missing, ");");
	}
	if (missing) {
		missing[strlen(missing) - 1] = '\0';	/* the last ';' */
		verdict(c, false, "%s does not name what the trace shows:%s.", in->m->report, missing);
		free(missing);
	} else {
		verdict(c, true, "%s names the handler%s%s and %d backtrace frames, in %d words of its "
			"own.", in->m->report, f->handler ? " " : "", f->handler ? f->handler : "",
			named, pr.words);
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
