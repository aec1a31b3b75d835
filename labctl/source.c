/* Kernel source trees: see source.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fs.h"
#include "labctl.h"
#include "source.h"

/* "VERSION = 5" style lines of the top Makefile. */
static long makefile_number(const char *text, const char *var)
{
	size_t n = strlen(var);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, var, n) && (l[n] == ' ' || l[n] == '='))
			return strtol(strchr(l, '=') ? strchr(l, '=') + 1 : l + n, NULL, 10);
	return -1;
}

int source_check_tree(const char *dir, char **version)
{
	char *mk = xasprintf("%s/Makefile", dir), *text;
	char *tbl = xasprintf("%s/arch/x86/entry/syscalls/syscall_64.tbl", dir);
	long v, p, s;
	int ret = -1;

	text = read_file(mk, NULL);
	if (!text || !is_file(tbl)) {
		error("%s is not a Linux source tree (no Makefile or arch/x86/entry/syscalls/syscall_64.tbl)", dir);
		goto out;
	}
	v = makefile_number(text, "VERSION");
	p = makefile_number(text, "PATCHLEVEL");
	s = makefile_number(text, "SUBLEVEL");
	if (v != 5) {
		error("%s is Linux %ld.%ld, not 5.x (the lab's entry code is 5.x's)", dir, v, p);
		goto out;
	}
	*version = xasprintf("%ld.%ld.%ld", v, p, s);
	ret = 0;
out:
	free(text);
	free(mk);
	free(tbl);
	return ret;
}

/* An extracted tree given by path: used in place, keyed by its path and version. */
static void source_from_tree(const char *path, struct kernel_source *out)
{
	char buf[PATH_MAX];
	struct hasher *h;
	char key[SHA256_HEX_LEN + 1];

	if (!realpath(path, buf))
		die_errno(EXIT_INPUT, "kernel source %s", path);
	if (source_check_tree(buf, &out->version) < 0)
		exit(EXIT_INPUT);
	h = hasher_new();
	hasher_add_str(h, "tree");
	hasher_add_str(h, buf);
	hasher_add_str(h, out->version);
	hasher_hex(h, key);
	out->dir = xstrdup(buf);
	out->key = xstrdup(key);
	out->origin = xasprintf("tree:%s", buf);
}

void source_get(const struct source_opts *o, struct kernel_source *out)
{
	memset(out, 0, sizeof(*out));
	if (o->spec && is_dir(o->spec)) {
		source_from_tree(o->spec, out);
		return;
	}
	die(EXIT_USAGE, "kernel source '%s': not supported yet", o->spec ? o->spec : "(default)");
}

void source_free(struct kernel_source *s)
{
	free(s->dir);
	free(s->version);
	free(s->key);
	free(s->origin);
}
