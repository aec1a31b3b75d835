/* Scenarios: see scenario.h.  Parsed with inih; the reader counts lines so
 * that every error can name FILE:LINE. */
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "rootfs/scenario.h"

struct parse {
	struct scenario *s;
	FILE *f;
	int line;       /* of the line inih is handling */
	int section_line; /* of the last [section] header read */
	int failed;     /* a handler error is in e */
	struct error *e;
	int handled_line; /* of the [section] whose keys on_entry handles */
	int header;     /* the line of [scenario], 0 until seen */
};

static char *count_lines(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	char *r = fgets(buf, size, p->f);

	if (r) {
		p->line++;
		if (buf[strspn(buf, " \t")] == '[')
			p->section_line = p->line;
	}
	return r;
}

static int fail(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		out_of_memory("a scenario error");
	va_end(ap);
	error_set(p->e, EXIT_INPUT, "%s:%d: %s", p->s->path, line, msg);
	free(msg);
	p->failed = 1;
	return 0;	/* inih: stop at the first error */
}

static bool yes_no(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return *out = true, true;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return !(*out = false);
	return false;
}

static char **split_words(const char *v)
{
	char *copy = xstrdup(v), *save, **words = xcalloc(1, sizeof(*words));
	size_t n = 0;

	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		words = xrealloc(words, (n + 2) * sizeof(*words));
		words[n++] = xstrdup(w);
		words[n] = NULL;
	}
	free(copy);
	return words;
}

static struct scenario_step *new_step(struct parse *p, const char *name)
{
	struct scenario *s = p->s;
	struct scenario_step *st;

	for (size_t i = 0; i < s->nsteps; i++)
		if (!strcmp(s->steps[i].name, name)) {
			fail(p, p->section_line, "step '%s' is defined twice", name);
			return NULL;
		}
	s->steps = xrealloc(s->steps, (s->nsteps + 1) * sizeof(*s->steps));
	st = &s->steps[s->nsteps++];
	memset(st, 0, sizeof(*st));
	st->name = xstrdup(name);
	st->args = xcalloc(1, sizeof(*st->args));
	st->line = p->section_line;
	return st;
}

/* Step names become shell words and file names in the guest. */
static bool plain_name(const char *n)
{
	return *n && strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(n);
}

static int step_key(struct parse *p, struct scenario_step *st, const char *key, const char *val)
{
	if (!strcmp(key, "program")) {
		free(st->program);
		st->program = xstrdup(val);
		st->program_line = p->line;
	} else if (!strcmp(key, "args")) {
		for (char **a = st->args; *a; a++)
			free(*a);
		free(st->args);
		st->args = split_words(val);
	} else if (!strcmp(key, "background")) {
		if (!yes_no(val, &st->background))
			return fail(p, p->line, "background must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "cmdline_args")) {
		if (!yes_no(val, &st->cmdline_args))
			return fail(p, p->line, "cmdline_args must be yes or no, not '%s'", val);
	} else {
		return fail(p, p->line, "unknown key '%s' in a [step] section", key);
	}
	return 1;
}

static int scenario_key(struct parse *p, const char *key, const char *val)
{
	struct scenario *s = p->s;
	char **field = !strcmp(key, "name") ? &s->name :
		       !strcmp(key, "description") ? &s->description :
		       !strcmp(key, "syscall") ? &s->syscall :
		       !strcmp(key, "traced") ? &s->traced :
		       !strcmp(key, "function") ? &s->function : NULL;

	if (!field)
		return fail(p, p->line, "unknown key '%s' in [scenario]", key);
	free(*field);
	*field = xstrdup(val);
	return 1;
}

static int on_entry(void *user, const char *section, const char *key, const char *val)
{
	struct parse *p = user;
	struct scenario *s = p->s;

	if (p->failed)	/* one error is enough; inih would go on */
		return 0;
	/* A new header, even one repeating the last: a new section. */
	if (p->section_line != p->handled_line) {
		p->handled_line = p->section_line;
		if (!strncmp(section, "step ", 5)) {
			if (!plain_name(section + 5))
				return fail(p, p->section_line,
					    "bad step name '%s' (use a-z, 0-9, _ and -)", section + 5);
			if (!new_step(p, section + 5))
				return 0;
		} else if (!strcmp(section, "scenario")) {
			p->header = p->section_line;
		} else {
			return fail(p, p->section_line,
				    "unknown section [%s] (want [scenario] or [step NAME])", section);
		}
	}
	if (!p->handled_line)
		return fail(p, p->line, "'%s' comes before any [section]", key);
	if (!key)	/* an empty section (inih with INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (!strcmp(section, "scenario"))
		return scenario_key(p, key, val);
	return step_key(p, &s->steps[s->nsteps - 1], key, val);
}

/* The file's base name without ".ini". */
static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	char *stem = xstrdup(b ? b + 1 : path), *dot = strrchr(stem, '.');

	if (dot && !strcmp(dot, ".ini"))
		*dot = '\0';
	return stem;
}

static int check_header(struct parse *p)
{
	struct scenario *s = p->s;
	char *stem = file_stem(s->path);
	int ok = 1;

	if (!p->header)
		ok = fail(p, 1, "no [scenario] section");
	else if (!s->name || strcmp(s->name, stem))
		ok = fail(p, p->header, "[scenario] name must be the file's name, '%s'", stem);
	else if (!s->syscall)
		ok = fail(p, p->header, "[scenario] has no 'syscall ='");
	else if (!s->traced)
		ok = fail(p, p->header, "[scenario] has no 'traced =' (the step to trace)");
	else if (!s->function)
		ok = fail(p, p->header, "[scenario] has no 'function =' (where the syscall is made)");
	else if (!s->nsteps)
		ok = fail(p, 1, "no [step NAME] sections");
	else if (!scenario_traced(s))
		ok = fail(p, p->header, "traced = '%s' is not a step of this scenario", s->traced);
	free(stem);
	return ok;
}

static int check_steps(struct parse *p, const struct programs *programs)
{
	for (size_t i = 0; i < p->s->nsteps; i++) {
		struct scenario_step *st = &p->s->steps[i];

		if (!st->program)
			return fail(p, st->line, "step '%s' has no 'program ='", st->name);
		if (programs && !programs_find(programs, st->program))
			return fail(p, st->program_line,
				    "no lab program '%s' (rootfs/programs/NAME.c)", st->program);
	}
	return 1;
}

/* Append WORD to BUF single-quoted for the shell. */
static char *append_quoted(char *buf, const char *word)
{
	char *out = xasprintf("%s '", buf);

	free(buf);
	for (const char *c = word; *c; c++) {
		char *next = *c == '\'' ? xasprintf("%s'\\''", out) : xasprintf("%s%c", out, *c);

		free(out);
		out = next;
	}
	buf = xasprintf("%s'", out);
	free(out);
	return buf;
}

/* "step NAME fg|bg /lab/PROGRAM ARGS..." (see rootfs/init). */
static char *step_command(const struct scenario_step *st, char **args)
{
	char *cmd = xasprintf("step %s %s /lab/%s", st->name,
			      st->background ? "bg" : "fg", st->program);

	for (char **a = args; *a; a++)
		cmd = append_quoted(cmd, *a);
	return cmd;
}

char *scenario_script(const struct scenario *s)
{
	char *out = xasprintf("# scenario %s, from %s.ini\n", s->name, s->name);

	for (size_t i = 0; i < s->nsteps; i++) {
		const struct scenario_step *st = &s->steps[i];
		char *cmd = step_command(st, st->args), *next;

		if (st->cmdline_args) {
			char *none[] = { NULL }, *given = step_command(st, none);

			/* unquoted: init splits labctl.args=A,B at the commas */
			next = xasprintf("%sif [ -n \"$LABCTL_ARGS\" ]; then %s $LABCTL_ARGS; else %s; fi\n",
					 out, given, cmd);
			free(given);
		} else {
			next = xasprintf("%s%s\n", out, cmd);
		}
		free(cmd);
		free(out);
		out = next;
	}
	return out;
}

char *scenario_cmdline(const char *name, const char *args)
{
	return args ? xasprintf("labctl.scenario=%s labctl.args=%s", name, args)
		    : xasprintf("labctl.scenario=%s", name);
}

int scenario_load(struct scenario *s, const char *path, const struct programs *programs,
		  struct error *e)
{
	struct parse p = { .s = s, .e = e };
	int ret;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	p.f = fopen(path, "r");
	if (!p.f) {
		error_set(e, EXIT_INPUT, "cannot read %s: %s", path, strerror(errno));
		scenario_free(s);
		return -1;
	}
	ret = ini_parse_stream(count_lines, &p, on_entry, &p);
	fclose(p.f);
	if (ret > 0 && !p.failed)
		fail(&p, ret, "syntax error (want [section] or key = value)");
	if (!p.failed && check_header(&p))
		check_steps(&p, programs);
	if (p.failed || ret < 0) {
		if (ret < 0 && !p.failed)
			error_set(e, EXIT_INPUT, "cannot parse %s", path);
		scenario_free(s);
		return -1;
	}
	return 0;
}

static int is_ini(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 4, ".ini");
}

char **scenario_names(struct error *e)
{
	char *dir = datapath("scenarios"), **names;
	struct dirent **list;
	int n = scandir(dir, &list, is_ini, alphasort);

	if (n < 0) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", dir);
		free(dir);
		return NULL;
	}
	names = xcalloc(n + 1, sizeof(*names));
	for (int i = 0; i < n; i++) {
		names[i] = xstrdup(list[i]->d_name);
		names[i][strlen(names[i]) - 4] = '\0';
		free(list[i]);
	}
	free(list);
	free(dir);
	return names;
}

bool scenario_exists(const char *name)
{
	char *path = xasprintf("%s/scenarios/%s.ini", datadir(), name);
	bool yes = plain_name(name) && !access(path, F_OK);

	free(path);
	return yes;
}

int scenario_find(struct scenario *s, const char *name, const struct programs *programs,
		  struct error *e)
{
	char *path, **names, *known;
	int ret;

	if (plain_name(name)) {
		path = xasprintf("%s/scenarios/%s.ini", datadir(), name);
		if (!access(path, F_OK)) {
			ret = scenario_load(s, path, programs, e);
			free(path);
			return ret;
		}
		free(path);
	}
	if (!(names = scenario_names(e)))
		return -1;
	known = xstrdup("");
	for (char **n = names; *n; n++) {
		char *more = xasprintf("%s %s", known, *n);

		free(known);
		known = more;
		free(*n);
	}
	free(names);
	error_set(e, EXIT_INPUT, "no scenario '%s'; there are:%s", name, known);
	free(known);
	return -1;
}

const struct scenario_step *scenario_traced(const struct scenario *s)
{
	for (size_t i = 0; s->traced && i < s->nsteps; i++)
		if (!strcmp(s->steps[i].name, s->traced))
			return &s->steps[i];
	return NULL;
}

void scenario_free(struct scenario *s)
{
	for (size_t i = 0; i < s->nsteps; i++) {
		for (char **a = s->steps[i].args; a && *a; a++)
			free(*a);
		free_all(s->steps[i].args, s->steps[i].name, s->steps[i].program);
	}
	free_all(s->steps, s->path, s->name, s->description, s->syscall, s->traced,
		 s->function);
	memset(s, 0, sizeof(*s));
}
