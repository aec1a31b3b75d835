/*
 * labctl config: write the kernel configuration (base + fragments, through
 * the kernel's own merge_config.sh and olddefconfig) and check that every
 * requested option took.  Prints the .config's path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "commands.h"
#include "error.h"
#include "labctl.h"

int cmd_config(int argc, char **argv)
{
	struct build_opts o;
	struct build_plan p;
	struct error e;
	int ret, lock;

	switch (build_opts_parse(&o, argc, argv, false, &e)) {
	case BUILD_OPTS_RUN: break;
	case BUILD_OPTS_HELP: return EXIT_OK;
	case BUILD_OPTS_BAD: return EXIT_USAGE;
	default: die_error(&e);
	}
	if (build_plan_init(&p, &o, &e) < 0 || (lock = cache_lock("build", &e)) < 0)
		die_error(&e);
	ret = build_config(&p, &e);
	cache_unlock(lock);
	if (ret < 0)
		die_error(&e);
	printf("%s/.config\n", p.obj);
	build_plan_free(&p);
	free(o.fragments);
	return EXIT_OK;
}
