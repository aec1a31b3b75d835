/* labctl image: build the lab's initramfs on its own and print its path. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "busybox.h"
#include "commands.h"
#include "error.h"
#include "initramfs.h"
#include "labctl.h"

static const char usage[] =
	"usage: labctl image [--gzip] [--busybox WHICH | --busybox-source SRC]\n"
	"\n"
	"Build the lab programs and the initramfs (BusyBox, rootfs/init, every\n"
	"program and scenario) into the cache; print the archive's path.\n"
	"\n"
	"  --gzip                compress the archive (the default is not: it boots faster)\n"
	BUSYBOX_OPTIONS_HELP;

int cmd_image(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gzip",    no_argument,       NULL, 'z' },
		{ "busybox", required_argument, NULL, 'b' },
		{ "busybox-source", required_argument, NULL, 'B' },
		{ "help",    no_argument,       NULL, 'h' },
		{ 0 }
	};
	struct initramfs_opts o = { 0 };
	struct error e;
	char *path;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'z': o.gzip = true; break;
		case 'b': o.busybox = optarg; break;
		case 'B': o.busybox_source = optarg; break;
		case 'h': fputs(usage, stdout); return EXIT_OK;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "image: unexpected argument '%s'", argv[optind]);
	if (!(path = initramfs_create(&o, &e)))
		die_error(&e);
	printf("%s\n", path);
	free(path);
	return EXIT_OK;
}
