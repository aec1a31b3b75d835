/* Working out a kernel build before it runs: tools, source, cache key. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "build.h"
#include "fs.h"
#include "labctl.h"
#include "proc.h"

/* Programs a kernel build runs, and the Debian package that has each. */
static const struct {
	const char *program, *package;
} build_tools[] = {
	{ "gcc", "gcc" }, { "make", "make" }, { "flex", "flex" }, { "bison", "bison" },
	{ "bc", "bc" }, { "gdb-add-index", "gdb" },
};

static void check_tools(void)
{
	for (size_t i = 0; i < sizeof(build_tools) / sizeof(build_tools[0]); i++)
		if (!which(build_tools[i].program))
			die(EXIT_ENV, "%s not found on PATH (apt install %s)",
			    build_tools[i].program, build_tools[i].package);
}

static void first_line(struct child *c, const char *line, void *data)
{
	char **out = data;

	if (!*out)
		*out = xstrdup(line);
}

/* The compiler's identity, for the cache key: "gcc (Debian 12.2.0-14) 12.2.0". */
static char *compiler_version(void)
{
	const char *argv[] = { "gcc", "--version", NULL };
	char *version = NULL;
	struct child c = { .name = "gcc --version", .argv = argv, .log = "/dev/null",
			   .timeout = 30, .on_line = first_line, .data = &version };

	if (child_run(&c) < 0 || !version)
		die(EXIT_ENV, "gcc --version failed (%s)", child_outcome(&c));
	return version;
}

static const char *const default_fragments[] = { "kernel-config/lab.config",
						 "kernel-config/debug.config" };

/* The fragments asked for, or the defaults: lab + debug on tinyconfig, and
 * the reference write-ups' recipe (debug only) on defconfig. */
static void resolve_fragments(struct build_plan *p)
{
	const struct build_opts *o = p->o;
	char buf[PATH_MAX];

	if (o->fragments) {
		p->nfragments = o->nfragments;
		p->fragments = xcalloc(p->nfragments, sizeof(char *));
		for (size_t i = 0; i < o->nfragments; i++) {
			if (!realpath(o->fragments[i], buf) || !is_file(buf))
				die(EXIT_INPUT, "config fragment %s: no such file", o->fragments[i]);
			p->fragments[i] = xstrdup(buf);
		}
		return;
	}
	p->nfragments = !strcmp(o->base, "defconfig") ? 1 : 2;
	p->fragments = xcalloc(p->nfragments, sizeof(char *));
	for (size_t i = 0; i < p->nfragments; i++)
		p->fragments[i] = datapath(default_fragments[2 - p->nfragments + i]);
}

void build_key(const char *source_key, const char *base, char *const *fragments,
	       size_t nfragments, const char *compiler, char out[SHA256_HEX_LEN + 1])
{
	struct hasher *h = hasher_new();

	hasher_add_str(h, "labctl kernel " BUILD_RECIPE_VERSION);
	hasher_add_str(h, source_key);
	hasher_add_str(h, base);
	for (size_t i = 0; i < nfragments; i++) {
		hasher_add_str(h, "fragment");
		if (hasher_add_file(h, fragments[i]) < 0)
			die_errno(EXIT_INPUT, "cannot read %s", fragments[i]);
	}
	hasher_add_str(h, compiler);
	hasher_hex(h, out);
}

/* One object directory per (source, base): a changed fragment or a touched
 * file rebuilds incrementally there. */
static char *obj_dir(const struct build_plan *p)
{
	struct hasher *h = hasher_new();
	char id[SHA256_HEX_LEN + 1], *root, *dir;

	hasher_add_str(h, p->src.key);
	hasher_add_str(h, p->o->base);
	hasher_hex(h, id);
	root = cache_subdir("obj");
	dir = xasprintf("%s/%s-%.16s", root, p->o->base, id);
	free(root);
	return dir;
}

void build_plan_init(struct build_plan *p, const struct build_opts *o)
{
	char *kernels;

	memset(p, 0, sizeof(*p));
	p->o = o;
	check_tools();
	p->ccache = which("ccache") != NULL;
	resolve_fragments(p);
	source_get(&o->source, &p->src);
	p->compiler = compiler_version();
	build_key(p->src.key, o->base, p->fragments, p->nfragments, p->compiler, p->key);
	p->obj = obj_dir(p);
	kernels = cache_subdir("kernels");
	p->dir = xasprintf("%s/%s", kernels, p->key);
	free(kernels);
}

void build_plan_free(struct build_plan *p)
{
	source_free(&p->src);
	for (size_t i = 0; i < p->nfragments; i++)
		free(p->fragments[i]);
	free(p->fragments);
	free(p->compiler);
	free(p->obj);
	free(p->dir);
	free(p->run_dir);
}

bool build_cached(const struct build_plan *p)
{
	char *meta = xasprintf("%s/kernel.json", p->dir);
	bool ok = is_file(meta);

	free(meta);
	return ok;
}

void build_set_current(const struct build_plan *p)
{
	char *link = xasprintf("%s/kernels/current", cache_root());
	char *tmp = xasprintf("%s.tmp.%d", link, (int)getpid());

	unlink(tmp);
	if (symlink(p->key, tmp) < 0 || rename(tmp, link) < 0) {
		unlink(tmp);
		die_errno(EXIT_ENV, "cannot point %s at %s", link, p->key);
	}
	free(tmp);
	free(link);
}

/* A debug build's object directory, ccache and published copy, in MiB. */
static unsigned long space_needed(const struct build_plan *p)
{
	const char *env = getenv("LABCTL_MIN_FREE_MB");

	if (env && *env)
		return strtoul(env, NULL, 10);
	return !strcmp(p->o->base, "defconfig") ? 12288 : 3072;
}

void build_check_space(const struct build_plan *p)
{
	unsigned long need = space_needed(p), have;
	struct statvfs st;

	if (statvfs(cache_root(), &st) < 0)
		die_errno(EXIT_ENV, "cannot check free space in %s", cache_root());
	have = (unsigned long)(st.f_bavail * st.f_frsize >> 20);
	if (have < need)
		die(EXIT_ENV, "only %lu MiB free in %s; a %s debug build needs %lu MiB "
		    "(free some space, or set LABCTL_MIN_FREE_MB)", have, cache_root(),
		    p->o->base, need);
}
