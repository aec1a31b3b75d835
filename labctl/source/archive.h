/*
 * Archives, read with libarchive only (never tar, ar or dpkg).
 *
 * Extraction is secure: an entry with an absolute path or a `..`
 * component, or one that would be written through a symlink, makes the
 * whole archive refused.  These functions return 0, or -1 with E's code:
 *   EXIT_INPUT  unreadable, corrupt or hostile archive; member not found
 *   EXIT_ENV    the disk is full or a file cannot be written
 */
#ifndef LABCTL_ARCHIVE_H
#define LABCTL_ARCHIVE_H

#include "lib/error.h"

/*
 * Extract ARCHIVE (any tar flavour libarchive reads, compressed or not)
 * into the existing directory DEST, dropping the first STRIP path
 * components of every entry (entries left with nothing are skipped).  On
 * failure DEST may hold a part: extract into a staging directory.
 */
int archive_extract(const char *archive, const char *dest, int strip, struct error *e);

/*
 * Copy the file MEMBER (e.g. "./usr/src/linux-source-5.10.tar.xz") out of
 * the data.tar.* of the Debian package DEB into OUT_PATH, atomically (a
 * temporary beside it, then rename): OUT_PATH is whole or absent.
 */
int deb_extract_file(const char *deb, const char *member, const char *out_path,
		     struct error *e);

#endif
