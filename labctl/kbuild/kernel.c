/* A built kernel in the cache: see kernel.h. */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kbuild/bundle.h"
#include "kbuild/kernel.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "source/versions.h"

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

/* An imported kernel's building machine's paths, from its bundle manifest. */
static int read_built(struct kernel *k, const char *dir, struct error *e)
{
	char *path = xasprintf("%s/" BUNDLE_MANIFEST, dir);
	json_t *m, *built;
	const char *source, *obj;
	int ret = 0;

	if (!is_file(path)) {
		free(path);
		return 0;
	}
	m = json_load_file(path, 0, NULL);
	built = json_object_get(m, "built");
	source = json_string_value(json_object_get(built, "source"));
	obj = json_string_value(json_object_get(built, "obj"));
	if (source && obj) {
		k->built_source = xstrdup(source);
		k->built_obj = xstrdup(obj);
	} else {
		ret = error_set(e, EXIT_ENV, "%s is not a valid bundle manifest", path);
	}
	json_decref(m);
	free(path);
	return ret;
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
		rc = read_built(k, dir, e);
	if (!rc)
		rc = read_boot(k, e);
	if (rc < 0)
		kernel_free(k);
	free(link);
	return rc;
}

void kernel_free(struct kernel *k)
{
	free_all(k->dir, k->vmlinux, k->bzimage, k->config, k->source, k->obj, k->version,
		 k->built_source, k->built_obj);
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

/* Point CACHE/kernels/NAME at KEY, atomically. */
static int point(const char *name, const char *key, struct error *e)
{
	char *link = xasprintf("%s/kernels/%s", cache_root(), name);
	char *tmp = xasprintf("%s.tmp.%d", link, (int)getpid());
	int ret = 0;

	unlink(tmp);
	if (symlink(key, tmp) < 0 || rename(tmp, link) < 0) {
		ret = error_set(e, EXIT_ENV, "cannot point %s at %s: %m", link, key);
		unlink(tmp);
	}
	free(tmp);
	free(link);
	return ret;
}

int kernel_set_current(const char *key, const char *version, struct error *e)
{
	char *series = kernel_series(version);
	int ret = point(series, key, e);

	free(series);
	return ret < 0 ? -1 : point("current", key, e);
}
