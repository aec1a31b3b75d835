/*
 * The lab's initramfs: one archive holding BusyBox, rootfs/init, every lab
 * program (/lab/NAME) and every scenario (/etc/labctl/scenarios/NAME.sh),
 * so that boot and trace pick a scenario on the kernel command line
 * (labctl.scenario=NAME, see rootfs/init).
 *
 *   CACHE/images/KEY/initramfs.cpio     (or initramfs.cpio.gz)
 *   CACHE/images/current -> KEY          the last one built
 *
 * KEY is the SHA-256 of the archive's entries and compression: the same
 * inputs give the same KEY and byte-identical archives, and a second build
 * only checks that the entry is there.
 */
#ifndef LABCTL_INITRAMFS_H
#define LABCTL_INITRAMFS_H

#include <stdbool.h>

#include "lib/error.h"

struct initramfs_opts {
	bool gzip;              /* compress (the default is not: it boots faster) */
	const char *busybox;    /* --busybox: auto, system, debian or a path; NULL: auto (busybox.h) */
	const char *busybox_source; /* --busybox-source: a tarball or "debian"; NULL: none */
};

/*
 * Build the lab programs (cached) and the archive (cached); returns the
 * archive's path (caller frees), or NULL with E's documented exit code:
 * EXIT_INPUT for a bad scenario or initramfs.list (FILE:LINE), EXIT_FAIL
 * for a program that does not compile, EXIT_ENV for a missing tool.
 */
char *initramfs_create(const struct initramfs_opts *o, struct error *e);

/*
 * OUT: the image BASE with the archive EXTRA (a file) after it.  The kernel
 * unpacks concatenated archives in order, a later file over an earlier one,
 * so a program or a scenario is added without rebuilding the image.  Only a
 * guest that boots needs it: one restored from its saved state (BASE,
 * booted) receives EXTRA alone, in its inbox (qemu/snapshot.h), and the
 * 15 MB copy would be a tenth of a grading's time for nothing.  -1 with E.
 */
int initramfs_join(const char *base, const char *extra, const char *out, struct error *e);

#endif
