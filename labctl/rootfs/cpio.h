/*
 * A reproducible cpio (newc) archive, as the kernel unpacks an initramfs:
 * collect entries, then write them through libarchive sorted by path, with
 * mtime 0, owner 0:0 and inode numbers 1, 2, ... in that order, so that the
 * same entries always give the same bytes.  Device nodes are entries like
 * any other: no root and no host /dev needed.
 */
#ifndef LABCTL_CPIO_H
#define LABCTL_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

struct cpio;

struct cpio *cpio_new(void);
void cpio_free(struct cpio *c);

/* PATH is absolute in the guest ("/bin/sh"), not "/"; PERM holds the permission
 * bits (07777).  Adding a path twice replaces the first entry. */
void cpio_add_dir(struct cpio *c, const char *path, mode_t perm);
/* Contents copied from LEN bytes at DATA. */
void cpio_add_data(struct cpio *c, const char *path, mode_t perm, const void *data, size_t len);
/* Contents read from the host file SOURCE; -1 with errno when unreadable. */
int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const char *source);
/* TYPE is 'c' or 'b'. */
void cpio_add_node(struct cpio *c, const char *path, mode_t perm, char type,
		   unsigned major, unsigned minor);
void cpio_add_symlink(struct cpio *c, const char *path, const char *target);

struct hasher;
/* Feed every entry, in archive order, to H: two sets of entries with the
 * same hash give the same archive. */
void cpio_hash(struct cpio *c, struct hasher *h);

/* Write the archive to OUT, gzip-compressed (without a time stamp) when
 * GZIP.  Returns 0, or -1 with E (EXIT_ENV). */
int cpio_save(struct cpio *c, const char *out, bool gzip, struct error *e);

#endif
