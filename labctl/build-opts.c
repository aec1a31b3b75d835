/* The command line shared by `labctl config` and `labctl build`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "busybox.h"
#include "labctl.h"

static const char options_text[] =
	"  --base BASE            tinyconfig (default: the lab's small kernel) or defconfig\n"
	"                         (the reference write-ups' recipe)\n"
	"  --fragment FILE        a config fragment (repeatable); default kernel-config/\n"
	"                         lab.config + debug.config, or debug.config on defconfig\n"
	"  --kernel-source SPEC   PATH (tree or tarball), https://...tar.xz, git+URL#TAG\n"
	"  --sha256 HEX           the expected SHA-256 of an https:// source\n"
	"  --allow-unverified     accept an https:// source without a SHA-256\n";

static const char build_text[] =
	"  -j, --jobs N           make -jN (default: the number of CPUs)\n"
	"  --force                rebuild even when the cache has this kernel\n"
	"                         (after editing a source tree given by path)\n"
	"and for the initramfs:\n"
	BUSYBOX_OPTIONS_HELP;

static void usage(FILE *out, const char *cmd, bool build)
{
	fprintf(out, "usage: labctl %s [--base BASE] [--fragment FILE]... [--kernel-source SPEC]%s\n\n",
		cmd, build ? " [-j N] [--force]\n"
		"                   [--busybox WHICH | --busybox-source SRC]" : "");
	fputs(options_text, out);
	if (build)
		fputs(build_text, out);
}

int build_opts_parse(struct build_opts *o, int argc, char **argv, bool build, struct error *e)
{
	static const struct option longopts[] = {
		{ "base",             required_argument, NULL, 'b' },
		{ "fragment",         required_argument, NULL, 'f' },
		{ "kernel-source",    required_argument, NULL, 's' },
		{ "sha256",           required_argument, NULL, 'S' },
		{ "allow-unverified", no_argument,       NULL, 'U' },
		{ "jobs",             required_argument, NULL, 'j' },
		{ "force",            no_argument,       NULL, 'F' },
		{ "busybox",          required_argument, NULL, 'x' },
		{ "busybox-source",   required_argument, NULL, 'X' },
		{ "help",             no_argument,       NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->base = "tinyconfig";
	while ((c = getopt_long(argc, argv, build ? "j:h" : "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "tinyconfig") && strcmp(optarg, "defconfig"))
				return error_set(e, EXIT_USAGE, "--base: '%s' is neither tinyconfig "
						 "nor defconfig", optarg);
			o->base = optarg;
			break;
		case 'f':
			o->fragments = xrealloc(o->fragments, (o->nfragments + 1) * sizeof(char *));
			o->fragments[o->nfragments++] = optarg;
			break;
		case 's': o->source.spec = optarg; break;
		case 'S': o->source.sha256 = optarg; break;
		case 'U': o->source.allow_unverified = true; break;
		case 'j':
			o->jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->jobs < 1 || o->jobs > 1024)
				return error_set(e, EXIT_USAGE, "-j: '%s' is not a number of jobs",
						 optarg);
			break;
		case 'F':
			if (!build)
				goto bad;
			o->force = true;
			break;
		case 'x':
		case 'X':
			if (!build)
				goto bad;
			*(c == 'x' ? &o->busybox : &o->busybox_source) = optarg;
			break;
		case 'h':
			usage(stdout, argv[0], build);
			return BUILD_OPTS_HELP;
		default:
bad:
			usage(stderr, argv[0], build);
			return BUILD_OPTS_BAD;
		}
	}
	if (optind < argc)
		return error_set(e, EXIT_USAGE, "%s: unexpected argument '%s'", argv[0], argv[optind]);
	return BUILD_OPTS_RUN;
}
