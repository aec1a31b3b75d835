/*
 * labctl config: write the kernel configuration (base + fragments, through
 * the kernel's own merge_config.sh and olddefconfig) and check that every
 * requested option took.  Prints the .config's path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "build.h"
#include "commands.h"
#include "labctl.h"

int cmd_config(int argc, char **argv)
{
	struct build_opts o;
	struct build_plan p;
	int ret, lock;

	if (build_opts_parse(argc, argv, &o, false))
		return EXIT_OK;
	build_plan_init(&p, &o);
	lock = cache_lock("build");
	ret = build_config(&p);
	cache_unlock(lock);
	if (ret == EXIT_OK)
		printf("%s/.config\n", p.obj);
	build_plan_free(&p);
	free(o.fragments);
	return ret;
}
