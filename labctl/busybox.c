/* The guest's BusyBox: see busybox.h.  Building one is busybox-build.c. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt.h"
#include "archive.h"
#include "busybox.h"
#include "cache.h"
#include "elf.h"
#include "fs.h"
#include "labctl.h"
#include "proc.h"

#define DEBIAN_PACKAGE "busybox-static"
#define DEBIAN_MEMBER  "./bin/busybox"
#define DEBIAN_POINTER "debian-" BUSYBOX_DEBIAN_SUITE "-" DEBIAN_PACKAGE

static const char *system_busybox(void)
{
	const char *env = getenv("LABCTL_SYSTEM_BUSYBOX");

	return env && *env ? env : "/bin/busybox";
}

enum busybox_choice busybox_choice(const char *given)
{
	if (!given || !strcmp(given, "auto"))
		return BUSYBOX_AUTO;
	if (!*given)
		die(EXIT_USAGE, "--busybox is empty (want auto, system, debian or a path)");
	if (!strcmp(given, "system"))
		return BUSYBOX_SYSTEM;
	if (!strcmp(given, "debian"))
		return BUSYBOX_DEBIAN;
	return BUSYBOX_PATH;
}

const char *busybox_unusable(const char *path)
{
	struct elf_info info;

	if (elf_read_info(path, &info) < 0)
		return errno == EINVAL ? "not an ELF executable" : errno == ENOENT ? "missing"
									 : strerror(errno);
	if (info.bits != 64 || info.machine != EM_X86_64)
		return "not an x86-64 program";
	if (!info.is_static)
		return "dynamically linked (the initramfs has no libc)";
	return NULL;
}

char *busybox_cache_path(const char *name)
{
	char *dir = cache_subdir("busybox"), *p = xasprintf("%s/%s", dir, name);

	free(dir);
	return p;
}

char *busybox_from_cache(const char *key)
{
	char *entry = busybox_cache_path(key), *bin = xasprintf("%s/busybox", entry);
	const char *why;

	if (!is_file(bin)) {
		free(bin);
		bin = NULL;
	} else if ((why = busybox_unusable(bin))) {
		die(EXIT_INTERNAL, "the cached BusyBox %s is %s; remove %s", bin, why, entry);
	}
	free(entry);
	return bin;
}

/* The download's key, from the pointer file; NULL if none yet. */
static char *debian_key(void)
{
	char *pointer = busybox_cache_path(DEBIAN_POINTER), *key = read_file(pointer, NULL);

	free(pointer);
	if (key && strlen(key) >= SHA256_HEX_LEN)
		key[SHA256_HEX_LEN] = '\0';
	else if (key) {
		free(key);
		key = NULL;
	}
	return key;
}

static char *debian_cached(void)
{
	char *key = debian_key(), *bin = key ? busybox_from_cache(key) : NULL;

	free(key);
	return bin;
}

/* Copy busybox out of the .deb DEB into CACHE/busybox/KEY (checked first). */
static int publish_deb(const char *deb, const char *key)
{
	char *entry = busybox_cache_path(key), *staging = staging_dir(entry);
	char *bin = xasprintf("%s/busybox", staging), *version = apt_deb_version(deb);
	char *origin = xasprintf("debian:%s %s (%s) sha256:%s\n", DEBIAN_PACKAGE, version,
				 BUSYBOX_DEBIAN_SUITE, key);
	char *origin_file = xasprintf("%s/origin", staging);
	const char *why;
	int rc = deb_extract_file(deb, DEBIAN_MEMBER, bin);

	if (!rc && (why = busybox_unusable(bin))) {
		rc = EXIT_INPUT;
		error("%s from %s is %s", DEBIAN_MEMBER, deb, why);
	}
	if (!rc && (chmod(bin, 0755) < 0 ||
		    write_file_atomic(origin_file, origin, strlen(origin)) < 0)) {
		rc = EXIT_ENV;
		error("cannot write %s: %m", staging);
	}
	if (!rc && publish_dir(staging, entry) < 0 && !is_dir(entry)) {
		rc = EXIT_ENV;
		error("cannot publish %s: %m", entry);
	}
	remove_tree(staging);
	free(entry);
	free(staging);
	free(bin);
	free(version);
	free(origin);
	free(origin_file);
	return rc;
}

/* Debian's busybox-static: from the cache, or downloaded by a private apt. */
static char *debian_busybox(void)
{
	char *bin = debian_cached(), *dir, *deb = NULL, *pointer;
	char key[SHA256_HEX_LEN + 1];
	int rc, lock;

	if (bin)
		return bin;
	lock = cache_lock("busybox");
	if ((bin = debian_cached())) {		/* another labctl got it meanwhile */
		cache_unlock(lock);
		return bin;
	}
	dir = cache_subdir("downloads");
	rc = apt_download(BUSYBOX_DEBIAN_SUITE, DEBIAN_PACKAGE, dir, &deb);
	if (rc)
		exit(rc);
	if (sha256_file(deb, key) < 0)
		die_errno(EXIT_ENV, "cannot read %s", deb);
	bin = busybox_from_cache(key);
	rc = bin ? 0 : publish_deb(deb, key);
	unlink(deb);
	if (rc)
		exit(rc);
	pointer = busybox_cache_path(DEBIAN_POINTER);
	if (write_file_atomic(pointer, key, strlen(key)) < 0)
		die_errno(EXIT_ENV, "cannot write %s", pointer);
	if (!bin)
		bin = busybox_from_cache(key);
	if (!bin)
		die(EXIT_INTERNAL, "the BusyBox of %s vanished from the cache", key);
	note("Debian's %s is %s", DEBIAN_PACKAGE, bin);
	cache_unlock(lock);
	free(pointer);
	free(deb);
	free(dir);
	return bin;
}

void busybox_check_opts(const struct busybox_opts *o)
{
	enum busybox_choice c = busybox_choice(o->given);

	if (o->source && o->given)
		die(EXIT_USAGE, "--busybox and --busybox-source are two ways to choose one BusyBox; pick one");
	if (o->source && !*o->source)
		die(EXIT_USAGE, "--busybox-source is empty (want a BusyBox tarball or 'debian')");
	if (o->source && strcmp(o->source, "debian") && !is_file(o->source))
		die(EXIT_INPUT, "--busybox-source %s: no such file", o->source);
	if (c == BUSYBOX_PATH && !is_file(o->given))
		die(EXIT_INPUT, "BusyBox %s: no such file (--busybox wants auto, system, debian "
		    "or the path of a static BusyBox)", o->given);
}

char *busybox_get(const struct busybox_opts *o)
{
	const char *why, *sys = system_busybox();

	busybox_check_opts(o);
	if (o->source)
		return busybox_build(o->source);
	switch (busybox_choice(o->given)) {
	case BUSYBOX_PATH:
		if ((why = busybox_unusable(o->given)))
			die(EXIT_INPUT, "BusyBox %s: %s; give a static one", o->given, why);
		return xstrdup(o->given);
	case BUSYBOX_SYSTEM:
		if ((why = busybox_unusable(sys)))
			die(EXIT_ENV, "--busybox system: %s is %s (apt install busybox-static, or "
			    "--busybox debian)", sys, why);
		return xstrdup(sys);
	case BUSYBOX_DEBIAN:
		return debian_busybox();
	case BUSYBOX_AUTO:
		break;
	}
	if (!(why = busybox_unusable(sys)))
		return xstrdup(sys);
	note("%s is %s: using Debian's %s", sys, why, DEBIAN_PACKAGE);
	return debian_busybox();
}

char *busybox_find(const char *given)
{
	return busybox_get(&(struct busybox_opts){ .given = given });
}

char *busybox_locate(char **what, bool *can_fetch)
{
	const char *sys = system_busybox(), *why = busybox_unusable(sys);
	char *bin, *key, *env = getenv("LABCTL_DEBIAN_MIRROR"), *mirror;

	*can_fetch = false;
	if (!why) {
		*what = xasprintf("%s is static x86-64 (the image uses it)", sys);
		return xstrdup(sys);
	}
	if ((bin = debian_cached())) {
		key = debian_key();
		*what = xasprintf("%s (Debian's %s, %.12s) is static x86-64 (the image uses it; "
				  "%s is %s)", bin, DEBIAN_PACKAGE, key, sys, why);
		free(key);
		return bin;
	}
	mirror = env && *env ? xstrdup(env) : apt_find_mirror("/etc/apt");
	*can_fetch = mirror && which("apt-get");
	*what = xasprintf("%s is %s; %s", sys, why, *can_fetch
			  ? "labctl image will download Debian's " DEBIAN_PACKAGE " into the cache"
			  : "and no apt-get with a Debian mirror to download busybox-static "
			    "(apt install busybox-static)");
	free(mirror);
	return NULL;
}
