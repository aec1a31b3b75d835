/*
 * labctl config: write the kernel configuration (base + fragments, through
 * the kernel's own merge_config.sh and olddefconfig) and check that every
 * requested option took.  Prints the .config's path.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "kbuild/build.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"

static const char usage[] =
	"usage: labctl config [--base BASE] [--fragment FILE]...\n"
	"                     [--kernel VERSION | --kernel-source SPEC]\n"
	"\n"
	"Configure the kernel (BASE, then the fragments merged, then olddefconfig)\n"
	"and check that every option the fragments ask for took.  Prints the\n"
	".config's path.\n";

int cmd_config(int argc, char **argv)
{
	struct build_opts o = { .base = "tinyconfig" };
	const struct option_def options[] = { CONFIG_OPTIONS(&o), OPT_END() };
	const struct command_line cl = { .usage = usage, .options = { options } };
	struct build_plan p;
	struct error e;
	int ret, lock, i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "config: unexpected argument '%s'", argv[i]);
	if (build_plan_init(&p, &o, &e) < 0 || (lock = cache_lock("build", &e)) < 0)
		die_error(&e);
	ret = build_config(&p, &e);
	cache_unlock(lock);
	if (ret < 0)
		die_error(&e);
	printf("%s/.config\n", p.obj);
	build_plan_free(&p);
	free(o.fragments.v);
	return EXIT_OK;
}
