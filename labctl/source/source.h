/*
 * Kernel source trees in the cache.  A source is one of:
 *   --kernel VERSION           Debian's linux-source-VERSION (versions.h;
 *                              default 5.10, from bullseye), through apt
 *                              with a private state directory
 * or a spec (--kernel-source):
 *   PATH                       a linux-*.tar.{xz,gz} or an extracted tree
 *   https://...tar.xz          downloaded with libcurl, checked against a SHA-256
 *   git+URL#TAG                cloned with libgit2
 * Trees land in CACHE/sources/KEY/tree, KEY identifying the input: the
 * SHA-256 of the tarball (for Debian, of the linux-source-X.Y.tar.xz inside
 * the .deb) or the git commit id; CACHE/sources/KEY/origin says where it
 * came from, and CACHE/sources/debian-SUITES-linux-source-X.Y (e.g.
 * debian-bullseye-linux-source-5.10) holds the KEY of a Debian source, so a
 * second fetch runs no apt at all.  Entries
 * are published whole (staging directory, rename) under cache_lock("sources").
 * An extracted tree given by PATH is used in place, keyed by its path,
 * version and every file's name, size, mode, mtime and ctime.
 *
 * Building blocks for other parts: apt.h (apt_download: any Debian package
 * the same private way), archive.h (archive_extract, deb_extract_file),
 * http.h (http_download), gitsrc.h.
 */
#ifndef LABCTL_SOURCE_H
#define LABCTL_SOURCE_H

#include <stdbool.h>

#include "lib/error.h"
#include "lib/parse-options.h"
#include "source/versions.h"

struct source_opts {
	const char *kernel;        /* --kernel: a version of versions.h, or NULL */
	const char *spec;          /* --kernel-source, or NULL for Debian's */
	const char *sha256;        /* --sha256 for https:// */
	bool allow_unverified;     /* --allow-unverified: https:// without a hash */
};

/* The rows of fetch's, config's and build's source options; O is a struct source_opts *. */
#define SOURCE_OPTIONS(O) \
	OPT_CHOICE(0, "kernel", &(O)->kernel, kernel_versions, "VERSION", \
		   "Debian's linux-source-VERSION: 5.10 (the default),\n" \
		   "6.1 or 6.12, through a private apt using the mirrors\n" \
		   "of the system's apt configuration"), \
	OPT_STRING_OF(0, "kernel-source", &(O)->spec, OPT_FILES, "SPEC", \
		   "another source, instead of --kernel:\n" \
		   "  PATH          a linux-*.tar.{xz,gz}, or an extracted tree\n" \
		   "                (used in place)\n" \
		   "  https://...   a tarball, checked against its SHA-256\n" \
		   "  git+URL#TAG   a tag, branch or commit, cloned with libgit2"), \
	OPT_STRING(0, "sha256", &(O)->sha256, "HEX", \
		   "the SHA-256 of the tarball (else a pin in\n" \
		   "kernel-config/sources.sha256: \"HEX  URL\" lines)"), \
	OPT_FLAG(0, "allow-unverified", &(O)->allow_unverified, \
		 "accept a downloaded tarball whose SHA-256 is not known")

struct kernel_source {
	char *dir;       /* top of the tree (has Makefile, Kconfig, arch/x86) */
	char *version;   /* "5.10.223", from the top Makefile */
	char *key;       /* identifies the tree's content, for build cache keys */
	char *origin;    /* what it came from, for reports: "debian:linux-source-5.10 5.10.223-1" */
};

/* Get the tree (downloading and extracting when needed).  0, or -1 with E
 * (a documented exit code); nothing half-done is left in the cache. */
int source_get(struct kernel_source *out, const struct source_opts *o, struct error *e);
/* Check DIR is a 5.x or 6.x kernel tree; fills VERSION.  -1 with E (EXIT_INPUT) if not. */
int source_check_tree(char **version, const char *dir, struct error *e);
void source_free(struct kernel_source *s);

#endif
