/*
 * The BusyBox the guest runs as /bin/sh and friends: a static x86-64 build.
 *
 * Which one (--busybox WHICH, --busybox-source SRC; see busybox_get()):
 *   auto     the system's own (/bin/busybox, Debian's busybox-static) when it
 *            is static x86-64, else Debian's busybox-static downloaded into
 *            the cache (the default);
 *   system   the system's own, or an error saying why not;
 *   debian   Debian's busybox-static (suite bookworm), downloaded by a
 *            private apt-get as for the kernel source (apt.h), extracted from
 *            the .deb with libarchive;
 *   PATH     that file (write ./system for a file called "system");
 *   --busybox-source TARBALL|debian: built from a BusyBox source tarball
 *            (or Debian's `busybox` source package's upstream tarball) with
 *            rootfs/busybox.config (busybox-build.c).
 * Every one is checked to be a static x86-64 ELF program.
 *
 *   CACHE/busybox/KEY/busybox, origin     a downloaded or built BusyBox
 *        KEY: the .deb's SHA-256; for a build, the SHA-256 of the tarball's
 *        SHA-256, the fragment, the compiler and the recipe
 *   CACHE/busybox/debian-bookworm-busybox-static    the KEY of the download
 *   CACHE/busybox/debian-bookworm-busybox-source/   the source tarball
 *
 * $LABCTL_SYSTEM_BUSYBOX names "the system's own" instead of /bin/busybox
 * (for the tests: a machine without a static one).
 */
#ifndef LABCTL_BUSYBOX_H
#define LABCTL_BUSYBOX_H

#include <stdbool.h>

#include "lib/error.h"
#include "lib/parse-options.h"

#define BUSYBOX_DEBIAN_SUITE "bookworm"

/* The rows of --busybox and --busybox-source (parse-options.h), shared by
 * `labctl image`, `build` and `boot`: GIVEN and SOURCE are const char **. */
#define BUSYBOX_OPTIONS(GIVEN, SOURCE) \
	OPT_STRING(0, "busybox", GIVEN, "WHICH", \
		   "the guest's static BusyBox: auto (the default: the\n" \
		   "system's /bin/busybox when static, else Debian's),\n" \
		   "system, debian (busybox-static, downloaded into the\n" \
		   "cache by a private apt-get) or a PATH"), \
	OPT_STRING_OF(0, "busybox-source", SOURCE, OPT_FILES, "SRC", \
		   "build BusyBox from SRC, a busybox-*.tar.{bz2,xz,gz} or\n" \
		   "'debian' (the busybox source package's tarball),\n" \
		   "configured by rootfs/busybox.config; cached")

enum busybox_choice { BUSYBOX_AUTO, BUSYBOX_SYSTEM, BUSYBOX_DEBIAN, BUSYBOX_PATH };

/* --busybox's argument: NULL and "auto" are BUSYBOX_AUTO, "system" and
 * "debian" their own, anything else a path (busybox_check_opts() refuses ""). */
enum busybox_choice busybox_choice(const char *given);

struct busybox_opts {
	const char *given;      /* --busybox WHICH, or NULL */
	const char *source;     /* --busybox-source TARBALL|debian, or NULL */
};

/* -1 with E (EXIT_USAGE / EXIT_INPUT) when O asks for the impossible (both
 * options, an empty one, a source tarball that is not there), before any
 * long work. */
int busybox_check_opts(const struct busybox_opts *o, struct error *e);

/* The path of the static BusyBox O selects, downloaded or built into the
 * cache when needed (caller frees).  NULL with E's documented exit code:
 * EXIT_INPUT for a given file or tarball that is not usable, EXIT_FAIL for
 * a build that fails, EXIT_ENV for no apt, no network, no static system one
 * when asked for it. */
char *busybox_get(const struct busybox_opts *o, struct error *e);

/*
 * For doctor: which BusyBox the image would use, without downloading or
 * building anything.  Returns the path (caller frees) and sets *WHAT to a
 * description, or returns NULL with *WHAT saying why there is none yet
 * and *CAN_FETCH whether labctl would download Debian's then (or NULL
 * with *WHAT NULL and E when the cache cannot be read).
 */
char *busybox_locate(char **what, bool *can_fetch, struct error *e);

/* Why PATH cannot be the guest's BusyBox, or NULL when it can (static). */
const char *busybox_unusable(const char *path);

/* Parsing, split out for the unit tests (busybox-build.c). */
struct kopts;
/* "1.35.0" from the VERSION, PATCHLEVEL and SUBLEVEL lines of BusyBox's top
 * Makefile; NULL when one is missing.  Caller frees. */
char *busybox_tree_version(const char *makefile);
/* CONFIG (a .config's text) with every option FRAGMENT sets replaced by
 * FRAGMENT's value, in FRAGMENT's order at the end.  Caller frees. */
char *busybox_config_merge(const char *config, const struct kopts *fragment);

/* For busybox-build.c. */
/* CACHE/busybox/NAME (caller frees), or NULL with E. */
char *busybox_cache_path(const char *name, struct error *e);
/* *BIN: CACHE/busybox/KEY/busybox, or NULL when there is none; -1 with E
 * when the one there is unusable. */
int busybox_from_cache(char **bin, const char *key, struct error *e);
/* --busybox-source: see busybox-build.c. */
char *busybox_build(const char *source, struct error *e);

#endif
