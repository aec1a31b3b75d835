/* The system call tables from the kernel source: see syscalls.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kbuild/syscalls.h"
#include "lib/closest.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"

char *syscall_table_path(const char *source_dir, const char *abi)
{
	return xasprintf("%s/arch/x86/entry/syscalls/syscall_%s.tbl", source_dir,
			 strcmp(abi, "i386") ? "64" : "32");
}

static void add_entry(struct syscall_table *t, const char *line, int lineno)
{
	char *copy = xstrdup(line), *save = NULL, *f[4] = { 0 }, *end;
	struct syscall_entry *e;
	int n = 0;
	long nr;

	for (char *tok = strtok_r(copy, " \t", &save); tok && n < 4;
	     tok = strtok_r(NULL, " \t", &save))
		f[n++] = tok;
	if (n < 3)
		goto out;
	nr = strtol(f[0], &end, 10);
	if (*end || nr < 0)
		goto out;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	e = &t->v[t->n++];
	e->nr = (int)nr;
	e->abi = xstrdup(f[1]);
	e->name = xstrdup(f[2]);
	e->entry = f[3] ? xstrdup(f[3]) : NULL;
	e->line = xstrdup(line);
	e->lineno = lineno;
out:
	free(copy);
}

void syscalls_parse(const char *text, struct syscall_table *t)
{
	const char *p = text;
	int lineno = 0;

	memset(t, 0, sizeof(*t));
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xmalloc(len + 1);

		memcpy(line, p, len);
		line[len] = '\0';
		lineno++;
		if (line[0] != '#')
			add_entry(t, line, lineno);
		free(line);
		p += len;
		if (*p)
			p++;
	}
}

int syscalls_load(const char *path, struct syscall_table *t, struct error *e)
{
	char *text = read_file(path, NULL);

	memset(t, 0, sizeof(*t));
	if (!text)
		return error_set(e, EXIT_INPUT, "cannot read the system call table %s: %s", path,
				 strerror(errno));
	syscalls_parse(text, t);
	free(text);
	if (!t->n)
		return error_set(e, EXIT_INPUT, "%s has no system calls", path);
	return 0;
}

void syscalls_free(struct syscall_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free_all(t->v[i].abi, t->v[i].name, t->v[i].entry, t->v[i].line);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

const struct syscall_entry *syscall_lookup_nr(const struct syscall_table *t, long nr)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].nr == nr && strcmp(t->v[i].abi, "x32"))
			return &t->v[i];
	return NULL;
}

const struct syscall_entry *syscall_lookup(const struct syscall_table *t, const char *name)
{
	if (all_digits(name))
		return syscall_lookup_nr(t, strtol(name, NULL, 10));
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name) && strcmp(t->v[i].abi, "x32"))
			return &t->v[i];
	return NULL;
}

size_t syscall_suggest(const struct syscall_table *t, const char *name,
		       const char **out, size_t max)
{
	size_t n = 0, len = strlen(name);

	/* Distance 0 is the name itself; prefixes ("getpi") rank with distance 1. */
	for (size_t want = 1; want <= 2 && n < max; want++)
		for (size_t i = 0; i < t->n && n < max; i++) {
			const struct syscall_entry *e = &t->v[i];
			size_t d = word_distance(name, len, e->name, 3);
			bool dup = false;

			if (!strcmp(e->abi, "x32"))
				continue;
			for (size_t j = 0; j < n; j++)
				dup |= !strcmp(out[j], e->name);
			if (d == want && !dup)
				out[n++] = e->name;
		}
	return n;
}
