/* A built kernel in the cache: see kernel.h. */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "kbuild/kernel.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"

/* DIR/NAME with its links resolved, or NULL with E. */
static char *resolve(const char *dir, const char *name, struct error *e)
{
	char *p = xasprintf("%s/%s", dir, name), buf[PATH_MAX];
	bool ok = realpath(p, buf) != NULL;

	free(p);
	if (!ok) {
		error_set(e, EXIT_ENV, "kernel in %s is incomplete: no %s (run 'labctl build')",
			  dir, name);
		return NULL;
	}
	return xstrdup(buf);
}

static int read_meta(struct kernel *k, const char *dir, struct error *e)
{
	char *meta = xasprintf("%s/kernel.json", dir);
	json_t *root = json_load_file(meta, 0, NULL);
	json_t *version = json_object_get(root, "version");

	if (json_is_string(version))
		k->version = xstrdup(json_string_value(version));
	json_decref(root);
	free(meta);
	if (!k->version)
		return error_set(e, EXIT_ENV, "kernel in %s has no valid kernel.json (run 'labctl build')",
				 dir);
	return 0;
}

static int read_boot(struct kernel *k, struct error *e)
{
	char *pvh = NULL, *pti = NULL;

	if (kernel_config_value(k, "PVH", &pvh, e) < 0 ||
	    kernel_config_value(k, "PAGE_TABLE_ISOLATION", &pti, e) < 0) {
		free_all(pvh, pti);
		return -1;
	}
	k->boot_image = pvh && !strcmp(pvh, "y") ? k->vmlinux : k->bzimage;
	k->pti = pti && !strcmp(pti, "y");
	free_all(pvh, pti);
	return 0;
}

int kernel_load(struct kernel *k, const char *version, struct error *e)
{
	char *link = xasprintf("%s/kernels/%s", cache_root(), version ? version : "current");
	char dir[PATH_MAX];
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (!realpath(link, dir)) {
		if (version)
			error_set(e, EXIT_ENV, "no Linux %s built yet in %s (run 'labctl build "
				  "--kernel %s' first)", version, cache_root(), version);
		else
			error_set(e, EXIT_ENV, "no kernel built yet in %s (run 'labctl build' first)",
				  cache_root());
		free(link);
		return -1;
	}
	k->dir = xstrdup(dir);
	if ((k->vmlinux = resolve(dir, "vmlinux", e)) && (k->bzimage = resolve(dir, "bzImage", e)) &&
	    (k->config = resolve(dir, "config", e)) && (k->source = resolve(dir, "source", e)) &&
	    (k->obj = resolve(dir, "obj", e)))
		rc = read_meta(k, dir, e);
	if (!rc)
		rc = read_boot(k, e);
	if (rc < 0)
		kernel_free(k);
	free(link);
	return rc;
}

void kernel_free(struct kernel *k)
{
	free_all(k->dir, k->vmlinux, k->bzimage, k->config, k->source, k->obj, k->version);
	memset(k, 0, sizeof(*k));
}

int kernel_config_value(const struct kernel *k, const char *name, char **value, struct error *e)
{
	char *text = read_file(k->config, NULL), *line, *save, *val = NULL;
	size_t n = strlen(name);

	*value = NULL;
	if (!text)
		return error_set(e, EXIT_ENV, "cannot read %s: %s", k->config, strerror(errno));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "CONFIG_", 7) && !strncmp(line + 7, name, n) && line[7 + n] == '=') {
			val = xstrdup(line + 8 + n);
			break;
		}
	free(text);
	*value = val;
	return 0;
}
