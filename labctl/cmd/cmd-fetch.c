/* labctl fetch: get a kernel source tree into the cache, print where it is. */
#include <stdio.h>

#include "cmd/commands.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "source/source.h"

static const char fetch_usage[] =
	"usage: labctl fetch [--kernel VERSION | --kernel-source SPEC] [--sha256 HEX]\n"
	"                    [--allow-unverified]\n"
	"\n"
	"Gets a Linux 5.x or 6.x source tree into the cache and prints its path on\n"
	"stdout.\n";

static const char fetch_epilog[] =
	"Trees are kept in CACHE/sources/KEY/tree; a second fetch reuses them.\n"
	"$LABCTL_DEBIAN_MIRROR and $LABCTL_DEBIAN_SECURITY_MIRROR override the\n"
	"archives taken from /etc/apt.\n"
	"exit codes: 0 done; 2 bad command line (unknown version or scheme, bad\n"
	"hex); 3 the machine failed (network, disk full, apt-get missing); 4 bad\n"
	"input (not a kernel tree, not 5.x or 6.x, hash mismatch, no hash, hostile\n"
	"archive, HTTP error, no such tag); 5 a download timed out.\n";

int cmd_fetch(int argc, char **argv)
{
	struct source_opts o = { 0 };
	const struct option_def options[] = { SOURCE_OPTIONS(&o), OPT_END() };
	const struct command_line cl = { .usage = fetch_usage, .options = { options },
					 .epilog = fetch_epilog };
	struct kernel_source src;
	struct error e;
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "fetch takes no arguments ('%s'); see 'labctl fetch --help'", argv[i]);
	if (source_get(&src, &o, &e) < 0)
		die_error(&e);
	printf("%s\n", src.dir);
	note("Linux %s from %s", src.version, src.origin);
	source_free(&src);
	return EXIT_OK;
}
