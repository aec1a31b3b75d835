/* Configuration fragments and Kconfig: see kconfig.h. */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig/kconfig.h"
#include "lib/fs.h"
#include "lib/labctl.h"

static void kopts_set(struct kopts *l, const char *name, size_t len,
		      const char *value, char *where)
{
	struct kopt *o = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) == len && !strncmp(l->v[i].name, name, len))
			o = &l->v[i];
	if (o) {
		free(o->value);
		free(o->where);
	} else {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		o = &l->v[l->n++];
		o->name = xmalloc(len + 1);
		memcpy(o->name, name, len);
		o->name[len] = '\0';
	}
	o->value = xstrdup(value);
	o->where = where;
}

static size_t symbol_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* One line: 1 if it was an assignment, 0 if blank or a comment, -1 if bad. */
static int parse_line(struct kopts *l, char *line, const char *file, int lineno,
		      struct error *e)
{
	char *where = xasprintf("%s:%d", file, lineno);
	size_t n;

	line[strcspn(line, "\r")] = '\0';
	if (!strncmp(line, "CONFIG_", 7) && (n = symbol_len(line + 7)) && line[7 + n] == '=') {
		kopts_set(l, line + 7, n, line + 8 + n, where);
		return 1;
	}
	if (!strncmp(line, "# CONFIG_", 9) && (n = symbol_len(line + 9)) &&
	    !strcmp(line + 9 + n, " is not set")) {
		kopts_set(l, line + 9, n, "n", where);
		return 1;
	}
	free(where);
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	return error_set(e, EXIT_INPUT, "%s:%d: not a config line: %s", file, lineno, line);
}

int kopts_parse(struct kopts *l, const char *text, const char *file, struct error *e)
{
	char *copy = xstrdup(text), *p = copy, *nl;
	int lineno = 0, ret = 0;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		/* E tells the first bad line; the rest are still parsed. */
		if (parse_line(l, p, file, ++lineno, ret ? NULL : e) < 0)
			ret = -1;
		if (!nl)
			break;
	}
	free(copy);
	return ret;
}

int kopts_parse_file(struct kopts *l, const char *path, struct error *e)
{
	char *text = read_file(path, NULL);
	int ret;

	if (!text)
		return error_set(e, EXIT_INPUT, "cannot read %s: %m", path);
	ret = kopts_parse(l, text, path, e);
	free(text);
	return ret;
}

void kopts_free(struct kopts *l)
{
	for (size_t i = 0; i < l->n; i++)
		free_all(l->v[i].name, l->v[i].value, l->v[i].where);
	free(l->v);
	*l = (struct kopts){ 0 };
}

const char *kopts_get(const struct kopts *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return l->v[i].value;
	return NULL;
}

int kopt_took(const struct kopts *have, const struct kopt *want)
{
	const char *v = kopts_get(have, want->name);

	return !strcmp(v ? v : "n", want->value);
}

int kopts_not_taken(const struct kopts *want, const char *config, const char *step,
		    kopt_why_fn *why, void *arg, char **report, int *n, struct error *e)
{
	struct kopts have = { 0 };
	struct error inner;

	*report = NULL;
	*n = 0;
	if (kopts_parse_file(&have, config, &inner) < 0) {
		kopts_free(&have);
		return error_set(e, EXIT_FAIL, "%s\n%s left an unreadable %s", inner.msg, step,
				 config);
	}
	for (size_t i = 0; i < want->n; i++) {
		char *line, *more;

		if (kopt_took(&have, &want->v[i]))
			continue;
		line = why(&want->v[i], &have, arg);
		more = xasprintf("%s%s%s", *report ? *report : "", *report ? "\n" : "", line);
		free(*report);
		free(line);
		*report = more;
		(*n)++;
	}
	kopts_free(&have);
	return 0;
}

static int is_word(const char *t, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(t, word, n) && (t[n] == '\0' || isspace((unsigned char)t[n]));
}

/* Kconfig keywords that start a new entry or block (never an attribute). */
static int entry_keyword(const char *s)
{
	static const char *const kw[] = { "config", "menuconfig", "choice", "endchoice",
		"menu", "endmenu", "if", "endif", "source", "comment", "mainmenu" };

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (is_word(s, kw[i]))
			return 1;
	return 0;
}

static void append_cond(char **acc, const char *cond)
{
	char *old = *acc;

	*acc = old ? xasprintf("%s && %s", old, cond) : xstrdup(cond);
	free(old);
}

/* "depends on EXPR" (after leading blanks): EXPR, or NULL. */
static const char *depends_expr(const char *t)
{
	if (strncmp(t, "depends", 7) || !isspace((unsigned char)t[7]))
		return NULL;
	t += 7 + strspn(t + 7, " \t");
	if (strncmp(t, "on", 2) || !isspace((unsigned char)t[2]))
		return NULL;
	return t + 2 + strspn(t + 2, " \t");
}

/* Columns of leading white space (tabs to 8), or -1 for a blank line. */
static int indent_of(const char *line)
{
	int col = 0;

	for (; *line == ' ' || *line == '\t'; line++)
		col = *line == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return *line ? col : -1;
}

/* The block conditions of one Kconfig file: `if EXPR` and `menu` + `depends on`. */
struct blocks {
	char *cond[64];
	int depth;
};

static void blocks_push(struct blocks *b, const char *cond)
{
	if (b->depth < 64)
		b->cond[b->depth++] = cond ? xstrdup(cond) : NULL;
}

static void blocks_pop(struct blocks *b)
{
	if (b->depth > 0)
		free(b->cond[--b->depth]);
}

/*
 * Scan TEXT line by line, keeping the conditions of the enclosing `if` and
 * `menu` blocks of this file; at `config NAME`, collect them and its own
 * `depends on` lines (until its help text or the next entry).  Help text is
 * skipped by its indentation, as Kconfig does.
 */
char *kconfig_entry_depends(const char *text, const char *name)
{
	char *copy = xstrdup(text), *save = NULL, *line, *deps = NULL;
	struct blocks b = { .depth = 0 };
	int in_entry = 0, in_menu_head = 0, help_indent = -2;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t = line + strspn(line, " \t");
		int ind = indent_of(line);
		const char *e;

		if (help_indent != -2) {	/* in help text */
			if (ind < 0)
				continue;
			if (help_indent == -1)
				help_indent = ind;
			if (ind >= help_indent)
				continue;
			help_indent = -2;
		}
		if (is_word(t, "help") || is_word(t, "---help---")) {
			help_indent = -1;
			if (in_entry)
				break;
			continue;
		}
		if (entry_keyword(t)) {
			if (in_entry)
				break;
			in_menu_head = 0;
		}
		if (is_word(t, "if")) {
			blocks_push(&b, t + 3);
		} else if (is_word(t, "menu")) {
			blocks_push(&b, NULL);
			in_menu_head = 1;
		} else if (is_word(t, "endif") || is_word(t, "endmenu")) {
			blocks_pop(&b);
		} else if (is_word(t, "config") || is_word(t, "menuconfig")) {
			t += strcspn(t, " \t");
			t += strspn(t, " \t");
			if (!strncmp(t, name, strlen(name)) && symbol_len(t) == strlen(name)) {
				in_entry = 1;
				for (int i = 0; i < b.depth; i++)
					if (b.cond[i])
						append_cond(&deps, b.cond[i]);
				if (!deps)
					deps = xstrdup("");
			}
		} else if ((e = depends_expr(t))) {
			if (in_entry && !*deps) {
				free(deps);
				deps = NULL;
			}
			if (in_entry)
				append_cond(&deps, e);
			else if (in_menu_head && b.depth > 0 && !b.cond[b.depth - 1])
				b.cond[b.depth - 1] = xstrdup(e);
		}
	}
	while (b.depth > 0)
		blocks_pop(&b);
	free(copy);
	return deps;
}

/* The symbols of DEPENDS that HAVE leaves unset: "PCI, ACPI", or NULL. */
char *kconfig_unmet(const char *depends, const struct kopts *have)
{
	char *out = NULL, *old;

	for (const char *p = depends; *p;) {
		size_t n = symbol_len(p);

		if (n && isupper((unsigned char)*p) && (p == depends || !isalnum((unsigned char)p[-1]))) {
			char *sym = strndup(p, n);
			const char *v = kopts_get(have, sym);

			if ((!v || !strcmp(v, "n")) && !(out && strstr(out, sym))) {
				old = out;
				out = old ? xasprintf("%s, %s", old, sym) : xstrdup(sym);
				free(old);
			}
			free(sym);
		}
		p += n ? n : 1;
	}
	return out;
}

/* nftw() has no user pointer: the search in progress. */
static struct {
	const char *name;
	const char *top;
	char *found_in;
	char *deps;
} search;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char *text, *deps;

	(void)st;
	if (type == FTW_D && (!strcmp(base, ".git") || !strcmp(base, "Documentation")))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || strncmp(base, "Kconfig", 7))
		return FTW_CONTINUE;
	text = read_file(path, NULL);
	deps = text ? kconfig_entry_depends(text, search.name) : NULL;
	free(text);
	if (!deps)
		return FTW_CONTINUE;
	search.found_in = xstrdup(path + strlen(search.top) + 1);
	search.deps = deps;
	return FTW_STOP;
}

static char *want_text(const struct kopt *o)
{
	return !strcmp(o->value, "n") ? xasprintf("# CONFIG_%s is not set", o->name)
				      : xasprintf("CONFIG_%s=%s", o->name, o->value);
}

char *kconfig_explain(const char *srctree, const struct kopt *want, const struct kopts *have)
{
	const char *got = kopts_get(have, want->name);
	char *w = want_text(want), *unmet = NULL, *msg;

	search.name = want->name;
	search.top = srctree;
	search.found_in = search.deps = NULL;
	nftw(srctree, visit, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	if (!search.found_in)
		msg = xasprintf("%s (%s) was dropped: no such option in this kernel's Kconfig",
				w, want->where);
	else if (!strcmp(want->value, "n"))
		msg = xasprintf("%s (%s) did not take: it is %s, selected by another option "
				"or forced by a default (%s)", w, want->where, got, search.found_in);
	else if (!*search.deps)
		msg = xasprintf("%s (%s) was dropped: now %s; %s gives it no `depends on` "
				"(a choice, a select or a prompt condition decides)",
				w, want->where, got ? got : "not set", search.found_in);
	else if ((unmet = kconfig_unmet(search.deps, have)))
		msg = xasprintf("%s (%s) was dropped: depends on %s (unmet: %s not set; %s)",
				w, want->where, search.deps, unmet, search.found_in);
	else
		msg = xasprintf("%s (%s) was dropped: now %s; depends on %s (%s)",
				w, want->where, got ? got : "not set", search.deps, search.found_in);
	free_all(w, unmet, search.found_in, search.deps);
	return msg;
}
