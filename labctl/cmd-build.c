/*
 * labctl build: a debuggable kernel in the cache (see kernel.h), keyed by
 * source, configuration and compiler; a build with nothing changed is a
 * no-op.  Then the lab's initramfs (initramfs.h), cached the same way.
 * Prints the kernel's cache directory and the initramfs's path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "busybox.h"
#include "commands.h"
#include "initramfs.h"
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
	char *image;

	if (build_opts_parse(argc, argv, &o, true))
		return EXIT_OK;
	/* A bad --busybox is a usage error now, not after a kernel build. */
	busybox_check_opts(&(struct busybox_opts){ .given = o.busybox, .source = o.busybox_source });
	build_plan_init(&p, &o);
	if (build_cached(&p) && !o.force) {
		build_set_current(&p);
		note("Linux %s is up to date: %s", p.src.version, p.dir);
	} else {
		ret = build(&p);
	}
	if (ret != EXIT_OK)
		goto out;
	/* The image does not depend on the kernel, but a build should leave
	 * everything boot and trace need: the initramfs too (cached). */
	image = initramfs_build(&(struct initramfs_opts){ .busybox = o.busybox,
							  .busybox_source = o.busybox_source });
	printf("%s\n%s\n", p.dir, image);
	free(image);
out:
	build_plan_free(&p);
	free(o.fragments);
	return ret;
}
