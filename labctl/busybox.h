/*
 * The BusyBox the guest runs as /bin/sh and friends: a static x86-64 build.
 * Found, in order: the path given (--busybox), then the system's own
 * (/bin/busybox from Debian's busybox-static).  A private download of
 * Debian's busybox-static into the cache (as for the kernel source) plugs
 * in here, in busybox_find(), before the "not found" error.
 */
#ifndef LABCTL_BUSYBOX_H
#define LABCTL_BUSYBOX_H

/* The path of a usable static BusyBox (caller frees); dies (EXIT_ENV, or
 * EXIT_INPUT for a GIVEN that is not static) when there is none. */
char *busybox_find(const char *given);

#endif
