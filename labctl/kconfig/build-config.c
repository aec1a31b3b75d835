/*
 * `make tinyconfig|defconfig`, merge_config.sh with the fragments,
 * `make olddefconfig`, then the check that every requested option took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbuild/build.h"
#include "kconfig/kconfig.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/rundir.h"
#include "lib/strvec.h"

int build_make(struct build_plan *p, struct child *c, const char *log,
	       const char *const *targets, double timeout, struct error *e)
{
	static char *env[6];
	struct strvec argv = { 0 };
	int ret;

	/* Fixed build stamps: the same inputs give the same objects, so
	 * ccache hits are real and a rebuild changes nothing it need not. */
	if (!env[0]) {
		env[0] = "KBUILD_BUILD_TIMESTAMP=Sat Jan  1 00:00:00 UTC 2022";
		env[1] = "KBUILD_BUILD_USER=labctl";
		env[2] = "KBUILD_BUILD_HOST=labctl";
		env[3] = xasprintf("CCACHE_DIR=%s/ccache", cache_root());
		env[4] = "LC_ALL=C";
	}
	strvec_push(&argv, "make");
	strvec_pushf(&argv, "-C%s", p->src.dir);
	strvec_pushf(&argv, "O=%s", p->obj);
	strvec_push(&argv, "ARCH=x86_64");
	if (p->ccache)
		strvec_push(&argv, "CC=ccache gcc");
	strvec_pushf(&argv, "-j%d", p->o->jobs > 0 ? p->o->jobs
					    : (int)sysconf(_SC_NPROCESSORS_ONLN));
	while (*targets)
		strvec_push(&argv, *targets++);
	c->name = "make";
	c->argv = argv.v;
	c->env = (const char **)env;
	c->log = xasprintf("%s/%s", p->run_dir, log);
	c->timeout = timeout;
	c->echo = opts.verbose > 0;
	ret = child_start(c, e);
	if (!ret)
		ret = child_wait(c) < 0;
	c->argv = NULL;
	strvec_clear(&argv);
	return ret;
}

static int merge_fragments(struct build_plan *p, struct child *c, struct error *e)
{
	struct strvec argv = { 0 };
	char *config = xasprintf("%s/.config", p->obj);
	int ret;

	strvec_pushf(&argv, "%s/scripts/kconfig/merge_config.sh", p->src.dir);
	strvec_pushl(&argv, "-m", "-O", p->obj, config, NULL);
	for (size_t i = 0; i < p->nfragments; i++)
		strvec_push(&argv, p->fragments[i]);
	*c = (struct child){ .name = "merge_config.sh", .argv = argv.v, .dir = p->obj,
			     .log = xasprintf("%s/config.log", p->run_dir), .timeout = 120,
			     .echo = opts.verbose > 0 };
	ret = child_start(c, e);
	if (!ret)
		ret = child_wait(c) < 0;
	strvec_clear(&argv);
	free(config);
	return ret;
}

static char *kconfig_why(const struct kopt *want, const struct kopts *have, void *srctree)
{
	return kconfig_explain(srctree, want, have);
}

/*
 * Every option the fragments request, against the final .config.  The
 * options that did not take go into E one per line, why first, then the
 * count.
 */
static int check_config(struct build_plan *p, struct error *e)
{
	struct kopts want = { 0 };
	char *config = xasprintf("%s/.config", p->obj), *report = NULL;
	int dropped = 0, ret = 0;
	struct error inner;

	for (size_t i = 0; i < p->nfragments && !ret; i++)
		if (kopts_parse_file(&want, p->fragments[i], &inner) < 0)
			ret = error_set(e, EXIT_INPUT, "%s\nbad config fragment %s", inner.msg,
					p->fragments[i]);
	if (!ret)
		ret = kopts_not_taken(&want, config, "olddefconfig", kconfig_why, p->src.dir,
				      &report, &dropped, e);
	if (!ret && dropped)
		ret = error_set(e, EXIT_INPUT, "%s\n%d requested option%s did not take in %s/.config "
				"(fix the fragments)", report, dropped, dropped > 1 ? "s" : "", p->obj);
	kopts_free(&want);
	free(report);
	free(config);
	return ret;
}

/* A configuration step that ran as C: 0, or -1 with E (after the log's
 * tail when it ran and failed).  RET is build_make()'s. */
static int config_step(struct child *c, int ret, struct error *e)
{
	if (ret > 0)
		child_failure(c, 20, e);
	free((char *)c->log);
	return ret ? -1 : 0;
}

int build_config(struct build_plan *p, struct error *e)
{
	const char *base[] = { p->o->base, NULL }, *old[] = { "olddefconfig", NULL };
	struct child c = { 0 };

	if (!p->run_dir && !(p->run_dir = run_dir_create("build", e)))
		return -1;
	if (make_dirs(p->obj, e) < 0)
		return -1;
	note("configuring Linux %s (%s + %zu fragment%s) in %s", p->src.version, p->o->base,
	     p->nfragments, p->nfragments == 1 ? "" : "s", p->obj);
	if (config_step(&c, build_make(p, &c, "config.log", base, 600, e), e) < 0 ||
	    config_step(&c, merge_fragments(p, &c, e), e) < 0 ||
	    config_step(&c, build_make(p, &c, "config.log", old, 600, e), e) < 0)
		return -1;
	return check_config(p, e);
}
