/*
 * BusyBox built from source (--busybox-source TARBALL|debian), see busybox.h.
 *
 * The recipe: extract the tarball (libarchive, secure flags, top directory
 * stripped) into a staging entry, `make allnoconfig`, set every option of
 * rootfs/busybox.config in .config, `make oldconfig`, check that each one
 * took, `make busybox`, check the binary is static x86-64, publish
 * CACHE/busybox/KEY with the binary, its .config and origin (the source tree
 * is dropped: ~40 MB).  allnoconfig + fragment rather than defconfig +
 * fragment: the binary holds what the guest runs and nothing else, and a
 * new BusyBox release adds no applet behind our back.  (BusyBox's
 * `allnoconfig KCONFIG_ALLCONFIG=` does not keep the values: its conf runs
 * the no-pass twice and resets them, hence the merge and oldconfig.)
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig/kconfig.h"
#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "rootfs/busybox.h"
#include "rootfs/programs.h"
#include "source/apt.h"
#include "source/archive.h"

/* Bumped when the recipe changes, so that old builds are not reused. */
#define RECIPE "labctl-busybox-build-1"
#define FRAGMENT "rootfs/busybox.config"
#define DEBIAN_SOURCE_PACKAGE "busybox"
#define DEBIAN_SOURCE_DIR "debian-" BUSYBOX_DEBIAN_SUITE "-busybox-source"

/* "VERSION = 1" lines of BusyBox's top Makefile; -1 when absent. */
static long makefile_number(const char *text, const char *var)
{
	size_t n = strlen(var);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = l + n;

		if (strncmp(l, var, n))
			continue;
		p += strspn(p, " \t");
		if (*p == '=' && isdigit((unsigned char)p[1 + strspn(p + 1, " \t")]))
			return strtol(p + 1, NULL, 10);
	}
	return -1;
}

char *busybox_tree_version(const char *makefile)
{
	long v = makefile_number(makefile, "VERSION"), p = makefile_number(makefile, "PATCHLEVEL");
	long s = makefile_number(makefile, "SUBLEVEL");

	if (v < 0 || p < 0 || s < 0)
		return NULL;
	return xasprintf("%ld.%ld.%ld", v, p, s);
}

/* "CONFIG_NAME=..." or "# CONFIG_NAME is not set": NAME's length, 0 if neither. */
static size_t config_line_name(const char *line, const char **name)
{
	size_t n;

	if (!strncmp(line, "# CONFIG_", 9)) {
		*name = line + 9;
		n = strcspn(*name, " \n");
		return !strncmp(*name + n, " is not set", 11) ? n : 0;
	}
	if (strncmp(line, "CONFIG_", 7))
		return 0;
	*name = line + 7;
	n = strcspn(*name, "=\n");
	return (*name)[n] == '=' ? n : 0;
}

char *busybox_config_merge(const char *config, const struct kopts *fragment)
{
	size_t len = strlen(config), cap = len + 64 * (fragment->n + 1), used = 0;
	char *out = xmalloc(cap);

	for (const char *l = config; *l;) {
		const char *nl = strchr(l, '\n'), *name;
		size_t ll = nl ? (size_t)(nl - l) + 1 : strlen(l), n = config_line_name(l, &name);
		bool replaced = false;

		for (size_t i = 0; n && i < fragment->n && !replaced; i++)
			replaced = strlen(fragment->v[i].name) == n && !strncmp(fragment->v[i].name, name, n);
		if (!replaced) {
			memcpy(out + used, l, ll);
			used += ll;
			if (!nl)
				out[used++] = '\n';
		}
		l += ll;
	}
	for (size_t i = 0; i < fragment->n; i++) {
		const struct kopt *o = &fragment->v[i];
		char *line = !strcmp(o->value, "n") ? xasprintf("# CONFIG_%s is not set\n", o->name)
						    : xasprintf("CONFIG_%s=%s\n", o->name, o->value);
		size_t ll = strlen(line);

		if (used + ll + 1 > cap)
			out = xrealloc(out, cap = 2 * (used + ll + 1));
		memcpy(out + used, line, ll);
		used += ll;
		free(line);
	}
	out[used] = '\0';
	return out;
}

/* The downloaded upstream tarball of Debian's busybox source package, or NULL. */
static char *debian_tarball_cached(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && (e = readdir(d)))
		if (!found && apt_is_orig_tarball(e->d_name, DEBIAN_SOURCE_PACKAGE))
			found = xasprintf("%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	return found;
}

/* --busybox-source debian: Debian's busybox source package's upstream tarball. */
static char *debian_tarball(struct error *e)
{
	char *dir = busybox_cache_path(DEBIAN_SOURCE_DIR, e), *tar;
	int lock;

	if (!dir)
		return NULL;
	if ((tar = debian_tarball_cached(dir))) {
		free(dir);
		return tar;
	}
	lock = cache_lock("busybox", e);
	if (lock >= 0 && make_dirs(dir, e) == 0 && !(tar = debian_tarball_cached(dir)))
		apt_download_source(&tar, BUSYBOX_DEBIAN_SUITE, DEBIAN_SOURCE_PACKAGE, dir, e);
	if (lock >= 0)
		cache_unlock(lock);
	free(dir);
	return tar;
}

struct bbuild {
	const char *tarball, *fragment;
	char tar_sha[SHA256_HEX_LEN + 1], key[SHA256_HEX_LEN + 1];
	char *entry, *staging, *src, *run_dir, *log, *version;
};

static int make(struct bbuild *b, const char *what, const char *target, double timeout,
		struct error *e)
{
	static const char *env[] = { "LC_ALL=C", "MAKEFLAGS=", "MAKELEVEL=", "KCONFIG_NOTIMESTAMP=1",
				     NULL };
	char *jobs = xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN) > 0
			       ? sysconf(_SC_NPROCESSORS_ONLN) : 1L);
	const char *argv[] = { "make", jobs, target, NULL };
	struct child c = { .name = what, .argv = argv, .env = env, .dir = b->src, .log = b->log,
			   .timeout = timeout, .echo = opts.verbose > 0 };
	int ret = child_start(&c, e);

	if (!ret && child_wait(&c) < 0)
		ret = child_failure(&c, 20, e);
	free(jobs);
	return ret;
}

/* The extracted tree must be BusyBox's: its version, or EXIT_INPUT. */
static int check_tree(struct bbuild *b, struct error *e)
{
	char *mk = xasprintf("%s/Makefile", b->src), *text = read_file(mk, NULL);
	char *ash = xasprintf("%s/shell/ash.c", b->src), *cfg = xasprintf("%s/Config.in", b->src);
	int ret = 0;

	b->version = text ? busybox_tree_version(text) : NULL;
	if (!b->version || !is_file(ash) || !is_file(cfg))
		ret = error_set(e, EXIT_INPUT, "%s is not a BusyBox source tarball (no Makefile "
				"with VERSION, Config.in and shell/ash.c at its top)", b->tarball);
	free_all(text, mk, ash, cfg);
	return ret;
}

static char *busybox_why(const struct kopt *want, const struct kopts *have, void *version)
{
	const char *got = kopts_get(have, want->name);

	return xasprintf("%s: CONFIG_%s=%s did not take in BusyBox %s (it is %s: no such "
			 "option, or its dependencies are unmet)", want->where, want->name,
			 want->value, (const char *)version, got ? got : "absent");
}

/* allnoconfig, the fragment merged in, oldconfig, and the check: every
 * option that did not take is a line of E. */
static int configure(struct bbuild *b, struct error *e)
{
	char *config = xasprintf("%s/.config", b->src), *text, *merged, *report = NULL;
	struct kopts want = { 0 };
	int ret, dropped;

	if ((ret = make(b, "make allnoconfig", "allnoconfig", 300, e)) ||
	    (ret = kopts_parse_file(&want, b->fragment, e)))
		goto out;
	if (!(text = read_file(config, NULL))) {
		ret = error_set(e, EXIT_FAIL, "make allnoconfig left no %s: %m", config);
		goto out;
	}
	merged = busybox_config_merge(text, &want);
	free(text);
	if (write_file_atomic(config, merged, strlen(merged)) < 0)
		ret = error_set(e, EXIT_ENV, "cannot write %s: %m", config);
	free(merged);
	if (ret || (ret = make(b, "make oldconfig", "oldconfig", 300, e)))
		goto out;
	if ((ret = kopts_not_taken(&want, config, "make oldconfig", busybox_why, (void *)b->version,
				   &report, &dropped, e)))
		goto out;
	if (report)
		ret = error_set(e, EXIT_INPUT, "%s", report);
out:
	kopts_free(&want);
	free(report);
	free(config);
	return ret;
}

/* The built binary checked, moved beside the .config and origin; src dropped. */
static int finish(struct bbuild *b, struct error *e)
{
	char *built = xasprintf("%s/busybox", b->src), *bin = xasprintf("%s/busybox", b->staging);
	char *cfg_from = xasprintf("%s/.config", b->src), *cfg_to = xasprintf("%s/config", b->staging);
	char *origin_file = xasprintf("%s/origin", b->staging);
	char *origin = xasprintf("built:BusyBox %s from %s sha256:%s with %s\n", b->version,
				 b->tarball, b->tar_sha, FRAGMENT);
	const char *why = busybox_unusable(built);
	int ret = 0;

	if (why)
		ret = error_set(e, EXIT_FAIL, "the BusyBox built from %s is %s (see %s)",
				b->tarball, why, b->log);
	else if (rename(built, bin) < 0 || rename(cfg_from, cfg_to) < 0 ||
		 write_file_atomic(origin_file, origin, strlen(origin)) < 0)
		ret = error_set(e, EXIT_ENV, "cannot fill %s: %m", b->staging);
	if (!ret) {
		remove_tree(b->src);
		if (publish_dir(b->staging, b->entry) < 0 && !is_dir(b->entry))
			ret = error_set(e, EXIT_ENV, "cannot publish %s: %m", b->entry);
	}
	free_all(built, bin, cfg_from, cfg_to, origin_file, origin);
	return ret;
}

static int build(struct bbuild *b, struct error *e)
{
	double t0 = now();
	int ret;

	if (!(b->staging = staging_dir(b->entry, e)))
		return -1;
	b->src = xasprintf("%s/src", b->staging);
	ret = (b->run_dir = run_dir_create("busybox", e)) ? 0 : -1;
	if (!ret) {
		b->log = xasprintf("%s/busybox.log", b->run_dir);
		ret = make_dirs(b->src, e);
	}
	if (!ret) {
		note("extracting %s", b->tarball);
		ret = archive_extract(b->tarball, b->src, 1, e);
	}
	if (!ret)
		ret = check_tree(b, e);
	if (!ret) {
		note("building BusyBox %s with %s (log: %s)", b->version, b->fragment, b->log);
		ret = configure(b, e);
	}
	if (!ret)
		ret = make(b, "make busybox", "busybox", 1800, e);
	if (!ret)
		ret = finish(b, e);
	if (!ret)
		note("built BusyBox %s in %.1f s", b->version, now() - t0);
	remove_tree(b->staging);
	return ret;
}

/* B's cache key: the tarball, the fragment, the compiler. */
static int build_key(struct bbuild *b, struct error *e)
{
	struct hasher *h;

	if (sha256_file(b->tarball, b->tar_sha) < 0)
		return error_set(e, EXIT_INPUT, "cannot read %s: %m", b->tarball);
	h = hasher_new();
	hasher_add_str(h, RECIPE);
	hasher_add_str(h, b->tar_sha);
	if (hasher_add_file(h, b->fragment) < 0) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", b->fragment);
		hasher_hex(h, b->key);
		return -1;
	}
	if (!which("gcc") || !which("make")) {
		hasher_hex(h, b->key);
		return error_set(e, EXIT_ENV, "gcc and make are needed to build BusyBox "
				 "(see 'make deps')");
	}
	if (hash_compiler(h, e) < 0) {
		hasher_hex(h, b->key);
		return -1;
	}
	hasher_hex(h, b->key);
	return 0;
}

char *busybox_build(const char *source, struct error *e)
{
	struct bbuild b = { .tarball = NULL };
	char *tarball = !strcmp(source, "debian") ? debian_tarball(e) : xstrdup(source);
	char *fragment = datapath(FRAGMENT), *bin = NULL;
	int lock;

	b.tarball = tarball;
	b.fragment = fragment;
	if (!tarball || build_key(&b, e) < 0 || !(b.entry = busybox_cache_path(b.key, e)) ||
	    busybox_from_cache(&bin, b.key, e) < 0 || bin)
		goto out;
	lock = cache_lock("busybox", e);
	if (lock < 0)
		goto out;
	if (busybox_from_cache(&bin, b.key, e) == 0 && !bin && build(&b, e) == 0 &&
	    busybox_from_cache(&bin, b.key, e) == 0 && !bin)
		error_set(e, EXIT_INTERNAL, "the BusyBox built as %s vanished from the cache", b.entry);
	cache_unlock(lock);
out:
	free_all(b.entry, b.staging, b.src, b.run_dir, b.log, b.version, tarball, fragment);
	return bin;
}
