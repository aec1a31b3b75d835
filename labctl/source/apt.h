/*
 * Debian packages through apt-get with a private configuration: its own
 * sources list, state and cache under CACHE/apt/SUITE/, so the system's
 * apt configuration is never changed and root is not needed.  The archive
 * mirror is the one the system's apt already uses (no host is written in
 * labctl); $LABCTL_DEBIAN_MIRROR overrides it.
 */
#ifndef LABCTL_APT_H
#define LABCTL_APT_H

#include <stdbool.h>

#include "lib/error.h"

/*
 * Download PACKAGE from SUITES (space-separated, e.g. "bookworm
 * bookworm-security", component main; apt takes the newest version among
 * them) into the existing directory DEST_DIR: runs `apt-get update` and
 * `apt-get download` (apt checks the package against the archive's signed
 * index).  A -security suite comes from the system's security archive, the
 * others from its main archive ($LABCTL_DEBIAN_SECURITY_MIRROR and
 * $LABCTL_DEBIAN_MIRROR override them).  Sets *DEB_PATH (caller frees) to
 * DEST_DIR/PACKAGE_VERSION_ARCH.deb.  Returns 0, or -1 with E's code
 * EXIT_ENV (no mirror configured, apt-get missing or failing: the network,
 * the disk) or EXIT_TIMEOUT.  The log is CACHE/apt/SUITES/apt.log, SUITES
 * joined by '+'.
 */
int apt_download(char **deb_path, const char *suites, const char *package, const char *dest_dir,
		 struct error *e);

/*
 * Download the upstream tarball of the source package PACKAGE from SUITES'
 * deb-src indexes into DEST_DIR: `apt-get source --download-only` (apt checks
 * the files against the signed Sources index; nothing is unpacked, so
 * dpkg-dev is not needed).  Sets *ORIG_PATH (caller frees) to
 * DEST_DIR/PACKAGE_VERSION.orig.tar.{gz,xz,bz2}; the .dsc and the Debian
 * diff are dropped.  Returns as apt_download().
 */
int apt_download_source(char **orig_path, const char *suites, const char *package,
			const char *dest_dir, struct error *e);

/* Is NAME PACKAGE's upstream tarball ("busybox_1.35.0.orig.tar.bz2")? */
bool apt_is_orig_tarball(const char *name, const char *package);

/* The private sources.list: a "deb" line for MIRROR SUITE main, and a
 * "deb-src" one when WITH_SOURCES.  Caller frees. */
char *apt_sources_list(const char *mirror, const char *suite, bool with_sources);

/* "5.10.223-1" from ".../linux-source-5.10_5.10.223-1_all.deb"; caller frees. */
char *apt_deb_version(const char *deb_path);

/*
 * The Debian archive URI in the apt configuration under ETC_APT (normally
 * "/etc/apt"): sources.list and sources.list.d/ *.list (one-line format),
 * sources.list.d/ *.sources (deb822; "Enabled: no" honoured).  The first
 * "deb" entry with a plain suite (not -security, -updates, ...) wins, or
 * with SECURITY one with a -security suite; one whose path ends in /debian
 * (/debian-security) first.  NULL when there is none; caller frees.
 */
char *apt_find_mirror(const char *etc_apt, bool security);

/* Is SUITE (its first N bytes) the security archive's ("bookworm-security")? */
bool apt_is_security_suite(const char *suite, size_t n);

#endif
