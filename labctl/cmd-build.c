/*
 * labctl build: a debuggable kernel in the cache (see kernel.h), keyed by
 * source, configuration and compiler; a build with nothing changed is a
 * no-op.  Prints the kernel's cache directory.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "commands.h"
#include "labctl.h"

static int build(struct build_plan *p)
{
	int ret, lock;

	build_check_space(p);
	lock = cache_lock("build");
	ret = build_config(p);
	if (ret == EXIT_OK)
		ret = build_kernel(p);
	cache_unlock(lock);
	return ret;
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o;
	struct build_plan p;
	int ret = EXIT_OK;

	if (build_opts_parse(argc, argv, &o, true))
		return EXIT_OK;
	build_plan_init(&p, &o);
	if (build_cached(&p) && !o.force) {
		build_set_current(&p);
		note("Linux %s is up to date: %s", p.src.version, p.dir);
	} else {
		ret = build(&p);
	}
	if (ret != EXIT_OK)
		goto out;
	/* The kernel is published (or was already): build its initramfs here. */
	printf("%s\n", p.dir);
out:
	build_plan_free(&p);
	free(o.fragments);
	return ret;
}
