/* The guest's BusyBox: see busybox.h.  Building one is busybox-build.c. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "rootfs/busybox.h"
#include "source/apt.h"
#include "source/archive.h"
#include "trace/elf.h"

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

char *busybox_cache_path(const char *name, struct error *e)
{
	return cache_path("busybox", name, e);
}

int busybox_from_cache(char **bin, const char *key, struct error *e)
{
	char *entry = busybox_cache_path(key, e);
	const char *why;
	int ret = 0;

	*bin = NULL;
	if (!entry)
		return -1;
	*bin = xasprintf("%s/busybox", entry);
	if (!is_file(*bin)) {
		free(*bin);
		*bin = NULL;
	} else if ((why = busybox_unusable(*bin))) {
		ret = error_set(e, EXIT_INTERNAL, "the cached BusyBox %s is %s; remove %s",
				*bin, why, entry);
		free(*bin);
		*bin = NULL;
	}
	free(entry);
	return ret;
}

/* The download's key, from the pointer file: 0 with *KEY NULL if none yet. */
static int debian_key(char **key, struct error *e)
{
	char *pointer = busybox_cache_path(DEBIAN_POINTER, e);

	*key = pointer ? read_file(pointer, NULL) : NULL;
	free(pointer);
	if (*key && strlen(*key) >= SHA256_HEX_LEN)
		(*key)[SHA256_HEX_LEN] = '\0';
	else if (*key) {
		free(*key);
		*key = NULL;
	}
	return pointer ? 0 : -1;
}

/* Debian's busybox in the cache: 0 with *BIN NULL if none yet. */
static int debian_cached(char **bin, struct error *e)
{
	char *key;
	int ret = debian_key(&key, e);

	*bin = NULL;
	if (!ret && key)
		ret = busybox_from_cache(bin, key, e);
	free(key);
	return ret;
}

/* Copy busybox out of the .deb DEB into CACHE/busybox/KEY (checked first). */
static int publish_deb(const char *deb, const char *key, struct error *e)
{
	char *entry = busybox_cache_path(key, e), *staging = entry ? staging_dir(entry, e) : NULL;
	char *bin, *version, *origin, *origin_file;
	const char *why;
	int rc;

	if (!staging) {
		free(entry);
		return -1;
	}
	bin = xasprintf("%s/busybox", staging);
	version = apt_deb_version(deb);
	origin = xasprintf("debian:%s %s (%s) sha256:%s\n", DEBIAN_PACKAGE, version,
			   BUSYBOX_DEBIAN_SUITE, key);
	origin_file = xasprintf("%s/origin", staging);
	rc = deb_extract_file(deb, DEBIAN_MEMBER, bin, e);
	if (!rc && (why = busybox_unusable(bin)))
		rc = error_set(e, EXIT_INPUT, "%s from %s is %s", DEBIAN_MEMBER, deb, why);
	if (!rc && (chmod(bin, 0755) < 0 ||
		    write_file_atomic(origin_file, origin, strlen(origin)) < 0))
		rc = error_set(e, EXIT_ENV, "cannot write %s: %m", staging);
	if (!rc && publish_dir(staging, entry) < 0 && !is_dir(entry))
		rc = error_set(e, EXIT_ENV, "cannot publish %s: %m", entry);
	remove_tree(staging);
	free_all(entry, staging, bin, version, origin, origin_file);
	return rc;
}

/* Under the busybox lock: download Debian's package and publish its busybox. */
static int debian_fetch(char **bin, struct error *e)
{
	char *dir = cache_subdir("downloads", e), *deb = NULL, *pointer = NULL;
	char key[SHA256_HEX_LEN + 1];
	int rc = dir ? apt_download(&deb, BUSYBOX_DEBIAN_SUITE, DEBIAN_PACKAGE, dir, e) : -1;

	if (!rc && sha256_file(deb, key) < 0)
		rc = error_set(e, EXIT_ENV, "cannot read %s: %m", deb);
	if (!rc)
		rc = busybox_from_cache(bin, key, e);
	if (!rc && !*bin)
		rc = publish_deb(deb, key, e);
	if (deb)
		unlink(deb);
	if (!rc && !(pointer = busybox_cache_path(DEBIAN_POINTER, e)))
		rc = -1;
	if (!rc && write_file_atomic(pointer, key, strlen(key)) < 0)
		rc = error_set(e, EXIT_ENV, "cannot write %s: %m", pointer);
	if (!rc && !*bin)
		rc = busybox_from_cache(bin, key, e);
	if (!rc && !*bin)
		rc = error_set(e, EXIT_INTERNAL, "the BusyBox of %s vanished from the cache", key);
	if (!rc)
		note("Debian's %s is %s", DEBIAN_PACKAGE, *bin);
	free_all(pointer, deb, dir);
	return rc;
}

/* Debian's busybox-static: from the cache, or downloaded by a private apt. */
static char *debian_busybox(struct error *e)
{
	char *bin;
	int lock, rc;

	if (debian_cached(&bin, e) < 0 || bin)
		return bin;
	lock = cache_lock("busybox", e);
	if (lock < 0)
		return NULL;
	rc = debian_cached(&bin, e);	/* another labctl may have got it meanwhile */
	if (!rc && !bin && debian_fetch(&bin, e) < 0) {
		free(bin);
		bin = NULL;
	}
	cache_unlock(lock);
	return bin;
}

int busybox_check_opts(const struct busybox_opts *o, struct error *e)
{
	if (o->given && !*o->given)
		return error_set(e, EXIT_USAGE, "--busybox is empty (want auto, system, debian "
				 "or a path)");
	if (o->source && o->given)
		return error_set(e, EXIT_USAGE, "--busybox and --busybox-source are two ways to "
				 "choose one BusyBox; pick one");
	if (o->source && !*o->source)
		return error_set(e, EXIT_USAGE, "--busybox-source is empty (want a BusyBox "
				 "tarball or 'debian')");
	if (o->source && strcmp(o->source, "debian") && !is_file(o->source))
		return error_set(e, EXIT_INPUT, "--busybox-source %s: no such file", o->source);
	if (busybox_choice(o->given) == BUSYBOX_PATH && !is_file(o->given))
		return error_set(e, EXIT_INPUT, "BusyBox %s: no such file (--busybox wants auto, "
				 "system, debian or the path of a static BusyBox)", o->given);
	return 0;
}

char *busybox_get(const struct busybox_opts *o, struct error *e)
{
	const char *why, *sys = system_busybox();

	if (busybox_check_opts(o, e) < 0)
		return NULL;
	if (o->source)
		return busybox_build(o->source, e);
	switch (busybox_choice(o->given)) {
	case BUSYBOX_PATH:
		if ((why = busybox_unusable(o->given))) {
			error_set(e, EXIT_INPUT, "BusyBox %s: %s; give a static one", o->given, why);
			return NULL;
		}
		return xstrdup(o->given);
	case BUSYBOX_SYSTEM:
		if ((why = busybox_unusable(sys))) {
			error_set(e, EXIT_ENV, "--busybox system: %s is %s (apt install "
				  "busybox-static, or --busybox debian)", sys, why);
			return NULL;
		}
		return xstrdup(sys);
	case BUSYBOX_DEBIAN:
		return debian_busybox(e);
	case BUSYBOX_AUTO:
		break;
	}
	if (!(why = busybox_unusable(sys)))
		return xstrdup(sys);
	note("%s is %s: using Debian's %s", sys, why, DEBIAN_PACKAGE);
	return debian_busybox(e);
}

char *busybox_locate(char **what, bool *can_fetch, struct error *e)
{
	const char *sys = system_busybox(), *why = busybox_unusable(sys);
	char *bin, *key, *env = getenv("LABCTL_DEBIAN_MIRROR"), *mirror;

	*can_fetch = false;
	*what = NULL;
	if (!why) {
		*what = xasprintf("%s is static x86-64 (the image uses it)", sys);
		return xstrdup(sys);
	}
	if (debian_cached(&bin, e) < 0)
		return NULL;
	if (bin) {
		debian_key(&key, e);
		*what = xasprintf("%s (Debian's %s, %.12s) is static x86-64 (the image uses it; "
				  "%s is %s)", bin, DEBIAN_PACKAGE, key, sys, why);
		free(key);
		return bin;
	}
	mirror = env && *env ? xstrdup(env) : apt_find_mirror("/etc/apt", false);
	*can_fetch = mirror && which("apt-get");
	*what = xasprintf("%s is %s; %s", sys, why, *can_fetch
			  ? "labctl image will download Debian's " DEBIAN_PACKAGE " into the cache"
			  : "and no apt-get with a Debian mirror to download busybox-static "
			    "(apt install busybox-static)");
	free(mirror);
	return NULL;
}
