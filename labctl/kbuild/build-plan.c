/* Working out a kernel build before it runs: tools, source, cache key. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kbuild/build.h"
#include "kbuild/kernel.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/strvec.h"

/* Programs a kernel build runs, and the Debian package that has each. */
static const struct {
	const char *program, *package;
} build_tools[] = {
	{ "gcc", "gcc" }, { "make", "make" }, { "flex", "flex" }, { "bison", "bison" },
	{ "bc", "bc" }, { "gdb-add-index", "gdb" },
};

static int check_tools(struct error *e)
{
	for (size_t i = 0; i < sizeof(build_tools) / sizeof(build_tools[0]); i++)
		if (!which(build_tools[i].program))
			return error_set(e, EXIT_ENV, "%s not found on PATH (apt install %s)",
					 build_tools[i].program, build_tools[i].package);
	return 0;
}

static void first_line(struct child *c, const char *line, void *data)
{
	char **out = data;

	if (!*out)
		*out = xstrdup(line);
}

/* The compiler's identity, for the cache key: "gcc (Debian 12.2.0-14) 12.2.0". */
static char *compiler_version(struct error *e)
{
	const char *argv[] = { "gcc", "--version", NULL };
	char *version = NULL;
	struct child c = { .name = "gcc --version", .argv = argv, .log = "/dev/null",
			   .timeout = 30, .on_line = first_line, .data = &version };

	if (child_start(&c, e) < 0)
		return NULL;
	if (child_wait(&c) < 0 || !version) {
		error_set(e, EXIT_ENV, "gcc --version failed (%s)", child_outcome(&c));
		free(version);
		return NULL;
	}
	return version;
}

const char *const build_bases[] = { "tinyconfig", "defconfig", NULL };

static const char *const default_fragments[] = { "kernel-config/lab.config",
						 "kernel-config/debug.config" };

/* The fragments asked for, or the defaults: lab + debug on tinyconfig, and
 * the reference write-ups' recipe (debug only) on defconfig. */
static int resolve_fragments(struct build_plan *p, struct error *e)
{
	const struct build_opts *o = p->o;
	char buf[PATH_MAX];

	if (o->fragments.n) {
		p->nfragments = o->fragments.n;
		p->fragments = xcalloc(p->nfragments, sizeof(char *));
		for (size_t i = 0; i < o->fragments.n; i++) {
			if (!realpath(o->fragments.v[i], buf) || !is_file(buf))
				return error_set(e, EXIT_INPUT, "config fragment %s: no such file",
						 o->fragments.v[i]);
			p->fragments[i] = xstrdup(buf);
		}
		return 0;
	}
	p->nfragments = !strcmp(o->base, "defconfig") ? 1 : 2;
	p->fragments = xcalloc(p->nfragments, sizeof(char *));
	for (size_t i = 0; i < p->nfragments; i++)
		p->fragments[i] = datapath(default_fragments[2 - p->nfragments + i]);
	return 0;
}

int build_key(char out[SHA256_HEX_LEN + 1], const char *source_key, const char *base,
	      char *const *fragments, size_t nfragments, const char *compiler, struct error *e)
{
	struct hasher *h = hasher_new();
	int ret = 0;

	hasher_add_str(h, "labctl kernel " BUILD_RECIPE_VERSION);
	hasher_add_str(h, source_key);
	hasher_add_str(h, base);
	for (size_t i = 0; i < nfragments && !ret; i++) {
		hasher_add_str(h, "fragment");
		if (hasher_add_file(h, fragments[i]) < 0)
			ret = error_set(e, EXIT_INPUT, "cannot read %s: %m", fragments[i]);
	}
	hasher_add_str(h, compiler);
	hasher_hex(h, out);
	return ret;
}

/* One object directory per (source, base): a changed fragment or a touched
 * file rebuilds incrementally there. */
static char *obj_dir(const struct build_plan *p, struct error *e)
{
	struct hasher *h = hasher_new();
	char id[SHA256_HEX_LEN + 1], *root, *dir;

	hasher_add_str(h, p->src.key);
	hasher_add_str(h, p->o->base);
	hasher_hex(h, id);
	root = cache_subdir("obj", e);
	if (!root)
		return NULL;
	dir = xasprintf("%s/%s-%.16s", root, p->o->base, id);
	free(root);
	return dir;
}

int build_plan_init(struct build_plan *p, const struct build_opts *o, struct error *e)
{
	char *kernels;

	memset(p, 0, sizeof(*p));
	p->o = o;
	if (check_tools(e) < 0)
		return -1;
	p->ccache = which("ccache") != NULL;
	if (resolve_fragments(p, e) < 0 || source_get(&p->src, &o->source, e) < 0 ||
	    !(p->compiler = compiler_version(e)) ||
	    build_key(p->key, p->src.key, o->base, p->fragments, p->nfragments, p->compiler, e) < 0 ||
	    !(p->obj = obj_dir(p, e)) || !(kernels = cache_subdir("kernels", e)))
		return -1;
	p->dir = xasprintf("%s/%s", kernels, p->key);
	free(kernels);
	return 0;
}

void build_plan_free(struct build_plan *p)
{
	source_free(&p->src);
	strv_free_n(p->fragments, p->nfragments);
	free_all(p->compiler, p->obj, p->dir, p->run_dir);
}

bool build_cached(const struct build_plan *p)
{
	char *meta = xasprintf("%s/kernel.json", p->dir);
	bool ok = is_file(meta);

	free(meta);
	return ok;
}

int build_set_current(const struct build_plan *p, struct error *e)
{
	return kernel_set_current(p->key, p->src.version, e);
}

/* A debug build's object directory, ccache and published copy, in MiB. */
static unsigned long space_needed(const struct build_plan *p)
{
	const char *env = getenv("LABCTL_MIN_FREE_MB");

	if (env && *env)
		return strtoul(env, NULL, 10);
	return !strcmp(p->o->base, "defconfig") ? 12288 : 3072;
}

int build_check_space(const struct build_plan *p, struct error *e)
{
	unsigned long need = space_needed(p), have;
	struct statvfs st;

	if (statvfs(cache_root(), &st) < 0)
		return error_set(e, EXIT_ENV, "cannot check free space in %s: %m", cache_root());
	have = (unsigned long)(st.f_bavail * st.f_frsize >> 20);
	if (have < need)
		return error_set(e, EXIT_ENV, "only %lu MiB free in %s; a %s debug build needs %lu MiB "
				 "(free some space, or set LABCTL_MIN_FREE_MB)", have, cache_root(),
				 p->o->base, need);
	return 0;
}
