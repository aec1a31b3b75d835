/* labctl image: build the lab's initramfs on its own and print its path. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "rootfs/busybox.h"
#include "rootfs/initramfs.h"

static const char usage[] =
	"usage: labctl image [--gzip] [--busybox WHICH | --busybox-source SRC]\n"
	"\n"
	"Build the lab programs and the initramfs (BusyBox, rootfs/init, every\n"
	"program and scenario) into the cache; print the archive's path.\n";

int cmd_image(int argc, char **argv)
{
	struct initramfs_opts o = { 0 };
	const struct option_def options[] = {
		OPT_FLAG(0, "gzip", &o.gzip, "compress the archive (the default is not: it boots faster)"),
		BUSYBOX_OPTIONS(&o.busybox, &o.busybox_source),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options } };
	struct error e;
	char *path;
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "image: unexpected argument '%s'", argv[i]);
	if (!(path = initramfs_create(&o, &e)))
		die_error(&e);
	printf("%s\n", path);
	free(path);
	return EXIT_OK;
}
