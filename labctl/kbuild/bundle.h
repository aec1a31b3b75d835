/*
 * A kernel bundle: what boot, trace and grade read of a built kernel, in
 * one archive with relative paths, so that another machine (a CI job that
 * did not build it) boots, traces and grades with the same kernel.
 *
 *   labctl-bundle.json  the format, the kernel's key and version, the
 *                       directories it was built from, and the SHA-256 of
 *                       every other member
 *   kernel.json vmlinux bzImage config System.map
 *   source/...          the tree's files GDB and labctl read (bundle.c says
 *                       which): the headers, every file of each directory
 *                       the build compiled (the lines a report quotes, the
 *                       syscall tables), and where system calls are defined
 *   obj/...             the generated headers and sources, scripts/gdb
 *
 * The archive is a pax tar compressed with zstd, its members sorted and
 * dated 0: the same kernel gives the same bytes.  Imported, it becomes
 * CACHE/kernels/KEY (source/ and obj/ directories, not links), checked
 * member by member against the manifest, and the kernel last built of its
 * series.  vmlinux's DWARF names the building machine's paths; GDB is told
 * where they are now (kernel.h: built_source, built_obj).
 */
#ifndef LABCTL_BUNDLE_H
#define LABCTL_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cache.h"
#include "lib/error.h"

#define BUNDLE_FORMAT   "labctl-bundle/1"
#define BUNDLE_MANIFEST "labctl-bundle.json"

struct kernel;

struct bundle_info {
	char key[SHA256_HEX_LEN + 1];
	char *version;
	size_t files;          /* members, the manifest not counted */
	uint64_t bytes;        /* their size, uncompressed */
	bool existed;          /* import: the cache had it already (kept) */
};

/* Write K's bundle to PATH (a temporary beside it, then rename).  -1 with E:
 * EXIT_ENV when a file cannot be read or PATH written. */
int bundle_export(const struct kernel *k, const char *path, struct bundle_info *info,
		  struct error *e);
/* Check and install the bundle PATH into the cache.  -1 with E: EXIT_INPUT
 * for a file that is not a bundle, or whose members do not match its
 * manifest (corrupt, changed, hostile); EXIT_ENV for the disk. */
int bundle_import(const char *path, struct bundle_info *info, struct error *e);
void bundle_info_free(struct bundle_info *b);

#endif
