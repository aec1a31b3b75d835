/* A built kernel in the cache: see kernel.h. */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fs.h"
#include "kernel.h"
#include "labctl.h"

static char *resolve(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), buf[PATH_MAX];

	if (!realpath(p, buf))
		die(EXIT_ENV, "kernel in %s is incomplete: no %s (run 'labctl build')", dir, name);
	free(p);
	return xstrdup(buf);
}

void kernel_load(struct kernel *k, const char *dir)
{
	char *meta, *link = NULL, buf[PATH_MAX];
	json_error_t jerr;
	json_t *root;

	if (!dir) {
		link = xasprintf("%s/kernels/current", cache_root());
		if (!realpath(link, buf))
			die(EXIT_ENV, "no kernel built yet in %s (run 'labctl build' first)", cache_root());
		dir = buf;
	}
	k->dir = xstrdup(dir);
	k->vmlinux = resolve(dir, "vmlinux");
	k->bzimage = resolve(dir, "bzImage");
	k->config = resolve(dir, "config");
	k->source = resolve(dir, "source");
	k->obj = resolve(dir, "obj");
	meta = xasprintf("%s/kernel.json", dir);
	root = json_load_file(meta, 0, &jerr);
	if (!root || !json_is_string(json_object_get(root, "version")))
		die(EXIT_ENV, "kernel in %s has no valid kernel.json (run 'labctl build')", dir);
	k->version = xstrdup(json_string_value(json_object_get(root, "version")));
	json_decref(root);
	free(meta);
	free(link);
}

void kernel_free(struct kernel *k)
{
	free(k->dir);
	free(k->vmlinux);
	free(k->bzimage);
	free(k->config);
	free(k->source);
	free(k->obj);
	free(k->version);
}

char *kernel_config_value(const struct kernel *k, const char *name)
{
	char *text = read_file(k->config, NULL), *line, *save, *val = NULL;
	size_t n = strlen(name);

	if (!text)
		die_errno(EXIT_ENV, "cannot read %s", k->config);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, name, n) && line[7 + n] == '=') {
			val = xstrdup(line + 8 + n);
			break;
		}
	free(text);
	return val;
}
