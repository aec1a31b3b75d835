/* The guest's BusyBox: see busybox.h. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "busybox.h"
#include "elf.h"
#include "labctl.h"

static const char system_busybox[] = "/bin/busybox";

/* Why PATH cannot be the guest's BusyBox, or NULL when it can. */
static const char *unusable(const char *path)
{
	struct elf_info info;

	if (elf_read_info(path, &info) < 0)
		return errno == EINVAL ? "not an ELF executable" : strerror(errno);
	if (info.bits != 64 || info.machine != EM_X86_64)
		return "not an x86-64 program";
	if (!info.is_static)
		return "dynamically linked (the initramfs has no libc): install busybox-static";
	return NULL;
}

char *busybox_find(const char *given)
{
	const char *why;

	if (given) {
		if ((why = unusable(given)))
			die(EXIT_INPUT, "BusyBox %s: %s", given, why);
		return xstrdup(given);
	}
	why = unusable(system_busybox);
	if (!why)
		return xstrdup(system_busybox);
	die(EXIT_ENV, "no static BusyBox: %s is %s; install busybox-static or give --busybox PATH",
	    system_busybox, why);
}
