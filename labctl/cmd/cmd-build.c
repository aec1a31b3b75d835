/*
 * labctl build: a debuggable kernel in the cache (see kernel.h), keyed by
 * source, configuration and compiler; a build with nothing changed is a
 * no-op.  Then the lab's initramfs (initramfs.h), cached the same way.
 * Prints the kernel's cache directory and the initramfs's path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "kbuild/build.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "rootfs/busybox.h"
#include "rootfs/initramfs.h"

static int build(struct build_plan *p, struct error *e)
{
	int ret, lock;

	if (build_check_space(p, e) < 0 || (lock = cache_lock("build", e)) < 0)
		return -1;
	ret = build_config(p, e);
	if (!ret)
		ret = build_kernel(p, e);
	cache_unlock(lock);
	return ret;
}

static const char usage[] =
	"usage: labctl build [--base BASE] [--fragment FILE]...\n"
	"                    [--kernel VERSION | --kernel-source SPEC] [-j N] [--force]\n"
	"                    [--busybox WHICH | --busybox-source SRC]\n"
	"\n"
	"Configure and build the debuggable kernel into the cache (nothing to do\n"
	"when nothing changed), then the lab initramfs.  Prints the kernel's cache\n"
	"directory and the initramfs's path.\n";

int cmd_build(int argc, char **argv)
{
	struct build_opts o = { .base = "tinyconfig" };
	const struct option_def options[] = {
		CONFIG_OPTIONS(&o),
		OPT_COUNT('j', "jobs", &o.jobs, 1, 1024, "N", "make -jN (default: the number of CPUs)"),
		OPT_FLAG(0, "force", &o.force, "rebuild even when the cache has this kernel\n"
			 "(after editing a source tree given by path)"),
		OPT_GROUP("and for the initramfs:"),
		BUSYBOX_OPTIONS(&o.busybox, &o.busybox_source),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options } };
	struct build_plan p;
	struct error e;
	char *image;
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "build: unexpected argument '%s'", argv[i]);
	/* A bad --busybox is a usage error now, not after a kernel build. */
	if (busybox_check_opts(&(struct busybox_opts){ .given = o.busybox,
						       .source = o.busybox_source }, &e) < 0 ||
	    build_plan_init(&p, &o, &e) < 0)
		die_error(&e);
	if (build_cached(&p) && !o.force) {
		if (build_set_current(&p, &e) < 0)
			die_error(&e);
		note("Linux %s is up to date: %s", p.src.version, p.dir);
	} else if (build(&p, &e) < 0) {
		die_error(&e);
	}
	/* The image does not depend on the kernel, but a build should leave
	 * everything boot and trace need: the initramfs too (cached). */
	image = initramfs_create(&(struct initramfs_opts){ .busybox = o.busybox,
							   .busybox_source = o.busybox_source }, &e);
	if (!image)
		die_error(&e);
	printf("%s\n%s\n", p.dir, image);
	free(image);
	build_plan_free(&p);
	free(o.fragments.v);
	return EXIT_OK;
}
