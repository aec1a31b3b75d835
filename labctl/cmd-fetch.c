/* labctl fetch: get a kernel source tree into the cache, print where it is. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "error.h"
#include "labctl.h"
#include "source.h"

static const char fetch_usage[] =
	"usage: labctl fetch [--kernel-source SPEC] [--sha256 HEX] [--allow-unverified]\n"
	"\n"
	"Gets a Linux 5.x source tree into the cache and prints its path on stdout.\n"
	"\n"
	"  --kernel-source SPEC  where the source comes from (default: Debian's\n"
	"                        linux-source-5.10 from bullseye, through a private apt\n"
	"                        using the mirror of the system's apt configuration):\n"
	"                          PATH            a linux-*.tar.{xz,gz}, or an extracted tree\n"
	"                                          (used in place)\n"
	"                          https://...     a tarball, checked against its SHA-256\n"
	"                          git+URL#TAG     a tag, branch or commit, cloned with libgit2\n"
	"  --sha256 HEX          the SHA-256 of the tarball (else a pin in\n"
	"                        kernel-config/sources.sha256: \"HEX  URL\" lines)\n"
	"  --allow-unverified    accept a downloaded tarball whose SHA-256 is not known\n"
	"\n"
	"Trees are kept in CACHE/sources/KEY/tree; a second fetch reuses them.\n"
	"$LABCTL_DEBIAN_MIRROR overrides the mirror taken from /etc/apt.\n"
	"exit codes: 0 done; 2 bad command line (unknown scheme, bad hex);\n"
	"3 the machine failed (network, disk full, apt-get missing); 4 bad input\n"
	"(not a kernel tree, not 5.x, hash mismatch, no hash, hostile archive,\n"
	"HTTP error, no such tag); 5 a download timed out.\n";

int cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel-source",    required_argument, NULL, 'k' },
		{ "sha256",           required_argument, NULL, 's' },
		{ "allow-unverified", no_argument,       NULL, 'u' },
		{ "help",             no_argument,       NULL, 'h' },
		{ 0 }
	};
	struct source_opts o = { 0 };
	struct kernel_source src;
	struct error e;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.spec = optarg; break;
		case 's': o.sha256 = optarg; break;
		case 'u': o.allow_unverified = true; break;
		case 'h': fputs(fetch_usage, stdout); return EXIT_OK;
		default:
			fputs(fetch_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "fetch takes no arguments ('%s'); see 'labctl fetch --help'", argv[optind]);
	if (source_get(&src, &o, &e) < 0)
		die_error(&e);
	printf("%s\n", src.dir);
	note("Linux %s from %s", src.version, src.origin);
	source_free(&src);
	return EXIT_OK;
}
