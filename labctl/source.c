/* Kernel source trees: see source.h. */
#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt.h"
#include "archive.h"
#include "cache.h"
#include "fs.h"
#include "gitsrc.h"
#include "http.h"
#include "labctl.h"
#include "source.h"

#define DEBIAN_SUITE   "bullseye"
#define DEBIAN_PACKAGE "linux-source-5.10"
#define DEBIAN_MEMBER  "./usr/src/linux-source-5.10.tar.xz"

/* "VERSION = 5" style lines of the top Makefile. */
static long makefile_number(const char *text, const char *var)
{
	size_t n = strlen(var);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, var, n) && (l[n] == ' ' || l[n] == '='))
			return strtol(strchr(l, '=') ? strchr(l, '=') + 1 : l + n, NULL, 10);
	return -1;
}

int source_check_tree(const char *dir, char **version)
{
	char *mk = xasprintf("%s/Makefile", dir), *text;
	char *tbl = xasprintf("%s/arch/x86/entry/syscalls/syscall_64.tbl", dir);
	long v, p, s;
	int ret = -1;

	text = read_file(mk, NULL);
	if (!text || !is_file(tbl)) {
		error("%s is not a Linux source tree (no Makefile or arch/x86/entry/syscalls/syscall_64.tbl)", dir);
		goto out;
	}
	v = makefile_number(text, "VERSION");
	p = makefile_number(text, "PATCHLEVEL");
	s = makefile_number(text, "SUBLEVEL");
	if (v != 5) {
		error("%s is Linux %ld.%ld, not 5.x (the lab's entry code is 5.x's)", dir, v, p);
		goto out;
	}
	*version = xasprintf("%ld.%ld.%ld", v, p, s);
	ret = 0;
out:
	free(text);
	free(mk);
	free(tbl);
	return ret;
}

/* The hasher tree_key()'s nftw() callback feeds (nftw passes no data). */
static struct hasher *walk_hasher;

static int hash_stat(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const long long meta[] = {
		st->st_mode, st->st_size, st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
	};

	if (type == FTW_D && !strcmp(path + ftw->base, ".git"))
		return FTW_SKIP_SUBTREE;
	hasher_add_str(walk_hasher, path);
	hasher_add(walk_hasher, meta, sizeof(meta));
	return FTW_CONTINUE;
}

/*
 * The key of a tree used in place: its path, version, and every file's
 * name, size, mode, mtime and ctime (like git's index: an edit changes it,
 * no file is read).  About 0.2 s for a kernel tree with a warm page cache.
 */
static void tree_key(const char *dir, const char *version, char key[SHA256_HEX_LEN + 1])
{
	walk_hasher = hasher_new();
	hasher_add_str(walk_hasher, "tree");
	hasher_add_str(walk_hasher, version);
	if (nftw(dir, hash_stat, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		die_errno(EXIT_INPUT, "cannot read the tree %s", dir);
	hasher_hex(walk_hasher, key);
	walk_hasher = NULL;
}

/* An extracted tree given by path: used in place. */
static void source_from_tree(const char *path, struct kernel_source *out)
{
	char buf[PATH_MAX];
	char key[SHA256_HEX_LEN + 1];

	if (!realpath(path, buf))
		die_errno(EXIT_INPUT, "kernel source %s", path);
	if (source_check_tree(buf, &out->version) < 0)
		exit(EXIT_INPUT);
	tree_key(buf, out->version, key);
	out->dir = xstrdup(buf);
	out->key = xstrdup(key);
	out->origin = xasprintf("tree:%s", buf);
}

/* CACHE/sources/KEY: the entry (its tree/ and origin) once published. */
static char *entry_path(const char *key)
{
	char *dir = cache_subdir("sources"), *p = xasprintf("%s/%s", dir, key);

	free(dir);
	return p;
}

/* Fill OUT from the published entry KEY; false if there is none. */
static bool from_cache(const char *key, struct kernel_source *out)
{
	char *entry = entry_path(key), *tree = xasprintf("%s/tree", entry);
	char *origin_file = xasprintf("%s/origin", entry), *origin;
	bool ok = is_dir(tree);

	if (ok && source_check_tree(tree, &out->version) < 0)
		die(EXIT_INTERNAL, "the cached tree %s is damaged; remove %s", tree, entry);
	if (ok) {
		origin = read_file(origin_file, NULL);
		out->dir = tree;
		out->key = xstrdup(key);
		out->origin = origin ? origin : xstrdup("unknown");
		tree = NULL;
	}
	free(tree);
	free(entry);
	free(origin_file);
	return ok;
}

/*
 * Publish CACHE/sources/KEY from STAGING (holding tree/): check the tree,
 * record ORIGIN, rename.  On failure remove STAGING and exit.
 */
static void publish_entry(char *staging, const char *key, const char *origin,
			  struct kernel_source *out)
{
	char *entry = entry_path(key), *tree = xasprintf("%s/tree", staging);
	char *origin_file = xasprintf("%s/origin", staging), *version;

	if (source_check_tree(tree, &version) < 0) {
		remove_tree(staging);
		exit(EXIT_INPUT);
	}
	free(version);
	if (write_file_atomic(origin_file, origin, strlen(origin)) < 0 ||
	    publish_dir(staging, entry) < 0) {
		remove_tree(staging);
		die_errno(EXIT_ENV, "cannot publish %s", entry);
	}
	if (!from_cache(key, out))
		die(EXIT_INTERNAL, "%s vanished after publishing", entry);
	free(entry);
	free(tree);
	free(origin_file);
	free(staging);
}

/*
 * Extract the tarball ARCHIVE (top directory stripped) as the entry KEY.
 * Returns 0, or an exit code with nothing left in the cache.
 */
static int extract_entry(const char *archive, const char *key, const char *origin,
			  struct kernel_source *out)
{
	char *entry = entry_path(key), *staging = staging_dir(entry);
	char *tree = xasprintf("%s/tree", staging);
	double t0 = now();
	int rc;

	mkdir_p(tree);
	note("extracting %s", archive);
	rc = archive_extract(archive, tree, 1);
	free(tree);
	free(entry);
	if (rc) {
		remove_tree(staging);
		free(staging);
		return rc;
	}
	note("extracted in %.1f s", now() - t0);
	publish_entry(staging, key, origin, out);
	return 0;
}

static void check_hex(const char *hex)
{
	if (strlen(hex) != SHA256_HEX_LEN || strspn(hex, "0123456789abcdefABCDEF") != SHA256_HEX_LEN)
		die(EXIT_USAGE, "--sha256 '%s' is not 64 hexadecimal digits", hex);
}

/* A local linux-*.tar.{xz,gz}: keyed by its SHA-256. */
static void source_from_archive(const struct source_opts *o, struct kernel_source *out)
{
	char key[SHA256_HEX_LEN + 1], path[PATH_MAX], *origin;
	int rc;

	if (!realpath(o->spec, path) || sha256_file(path, key) < 0)
		die_errno(EXIT_INPUT, "cannot read %s", o->spec);
	if (o->sha256 && strcasecmp(o->sha256, key))
		die(EXIT_INPUT, "SHA-256 mismatch for %s: expected %s, got %s", path, o->sha256, key);
	if (from_cache(key, out))
		return;
	origin = xasprintf("archive:%s sha256:%s", path, key);
	rc = extract_entry(path, key, origin, out);
	free(origin);
	if (rc)
		exit(rc);
}

/* The SHA-256 pinned for URL in kernel-config/sources.sha256 ("HEX  URL" lines). */
static char *pinned_hash(const char *url)
{
	char *file = datapath("kernel-config/sources.sha256"), *text = read_file(file, NULL);
	char *found = NULL, *save, hex[SHA256_HEX_LEN + 1], u[4096];

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l && !found;
	     l = strtok_r(NULL, "\n", &save))
		if (*l != '#' && sscanf(l, "%64s %4095s", hex, u) == 2 && !strcmp(u, url))
			found = xstrdup(hex);
	free(text);
	free(file);
	return found;
}

/* The file name a URL's download is kept under in CACHE/downloads/. */
static char *download_name(const char *url)
{
	const char *slash = strrchr(url, '/');
	size_t n = strcspn(slash + 1, "?#");

	if (n == 0 || slash[1] == '.')
		return xstrdup("download.tar");
	return xasprintf("%.*s", (int)n, slash + 1);
}

/* https:// or http://: downloaded, checked against a known SHA-256, extracted. */
static void source_from_url(const struct source_opts *o, struct kernel_source *out)
{
	char *want = o->sha256 ? xstrdup(o->sha256) : pinned_hash(o->spec);
	char have[SHA256_HEX_LEN + 1], *dir, *name, *dest, *origin;
	int rc;

	if (!want && !o->allow_unverified)
		die(EXIT_INPUT, "no SHA-256 for %s: give --sha256, pin it in kernel-config/sources.sha256, "
		    "or pass --allow-unverified", o->spec);
	if (want) {
		check_hex(want);
		for (char *c = want; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (from_cache(want, out)) {
			free(want);
			return;
		}
	}
	dir = cache_subdir("downloads");
	name = download_name(o->spec);
	dest = xasprintf("%s/%s", dir, name);
	rc = http_download(o->spec, dest, want, have);
	if (!rc) {
		if (!want)
			warn("%s was not verified (--allow-unverified); its SHA-256 is %s", o->spec, have);
		origin = xasprintf("url:%s sha256:%s", o->spec, have);
		if (!from_cache(have, out))
			rc = extract_entry(dest, have, origin, out);
		unlink(dest);
		free(origin);
	}
	free(dest);
	free(name);
	free(dir);
	free(want);
	if (rc)
		exit(rc);
}

/* git+URL#REV: the commit's tree, keyed by the commit id. */
static void source_from_git(const struct source_opts *o, struct kernel_source *out)
{
	char *url = xstrdup(o->spec + strlen("git+")), *rev = strrchr(url, '#');
	char oid[GIT_OID_HEX_LEN + 1], *staging, *tree, *origin;
	int rc;

	if (!rev || !rev[1] || rev == url)
		die(EXIT_USAGE, "kernel source '%s': write git+URL#TAG (a tag, branch or commit)", o->spec);
	*rev++ = '\0';
	rc = gitsrc_resolve(url, rev, oid);
	if (rc > 1)
		exit(rc);
	if (rc == 0 && from_cache(oid, out)) {
		free(url);
		return;
	}
	tree = entry_path("git-clone");
	staging = staging_dir(tree);
	free(tree);
	tree = xasprintf("%s/tree", staging);
	rc = gitsrc_export(url, rev, tree, oid);
	if (rc) {
		remove_tree(staging);
		exit(rc);
	}
	origin = xasprintf("git:%s#%s %s", url, rev, oid);
	if (from_cache(oid, out))
		remove_tree(staging);
	else
		publish_entry(xstrdup(staging), oid, origin, out);
	free(staging);
	free(tree);
	free(origin);
	free(url);
}

/* Debian's linux-source-5.10, through a private apt; the pointer file names its entry. */
static void source_debian(struct kernel_source *out)
{
	char *pointer = entry_path("debian-" DEBIAN_SUITE "-" DEBIAN_PACKAGE);
	char *key_text = read_file(pointer, NULL), key[SHA256_HEX_LEN + 1];
	char *dir, *deb, *version, *inner, *origin;
	int rc;

	if (key_text && strlen(key_text) >= SHA256_HEX_LEN) {
		key_text[SHA256_HEX_LEN] = '\0';
		if (from_cache(key_text, out))
			goto out;
	}
	dir = cache_subdir("downloads");
	rc = apt_download(DEBIAN_SUITE, DEBIAN_PACKAGE, dir, &deb);
	if (rc)
		exit(rc);
	version = apt_deb_version(deb);
	inner = xasprintf("%s/%s_%s.tar.xz", dir, DEBIAN_PACKAGE, version);
	origin = xasprintf("debian:%s %s", DEBIAN_PACKAGE, version);
	rc = deb_extract_file(deb, DEBIAN_MEMBER, inner);
	unlink(deb);
	if (!rc && sha256_file(inner, key) < 0)
		die_errno(EXIT_ENV, "cannot read %s", inner);
	if (!rc && !from_cache(key, out))
		rc = extract_entry(inner, key, origin, out);
	unlink(inner);
	if (rc)
		exit(rc);
	if (write_file_atomic(pointer, key, strlen(key)) < 0)
		die_errno(EXIT_ENV, "cannot write %s", pointer);
	free(dir);
	free(deb);
	free(version);
	free(inner);
	free(origin);
out:
	free(key_text);
	free(pointer);
}

static int is_staging(const struct dirent *d)
{
	return strstr(d->d_name, ".tmp.") != NULL;
}

/*
 * Under the sources lock no other labctl is filling CACHE/sources, so a
 * staging directory there is what an interrupted fetch left: remove it.
 */
static void sweep_staging(void)
{
	char *dir = cache_subdir("sources");
	struct dirent **names = NULL;
	int n = scandir(dir, &names, is_staging, alphasort);

	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);

		note("removing %s, left by an interrupted fetch", path);
		remove_tree(path);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* What a spec names without a lock: a tree in place, or a usage error. */
static void check_spec(const struct source_opts *o)
{
	const char *spec = o->spec;

	if (o->sha256)
		check_hex(o->sha256);
	if (!spec && o->sha256)
		die(EXIT_USAGE, "--sha256 applies to https:// and archive sources only");
	if (!spec)
		return;
	if (!*spec)
		die(EXIT_USAGE, "--kernel-source is empty");
	if (!has_prefix(spec, "git+") && !has_prefix(spec, "https://") &&
	    !has_prefix(spec, "http://") && strstr(spec, "://"))
		die(EXIT_USAGE, "kernel source '%s': unknown scheme (use https://, http://, "
		    "git+URL#TAG or a path)", spec);
	if (o->sha256 && (has_prefix(spec, "git+") || is_dir(spec)))
		die(EXIT_USAGE, "--sha256 applies to https:// and archive sources only");
}

void source_get(const struct source_opts *o, struct kernel_source *out)
{
	const char *spec = o->spec;
	int lock;

	memset(out, 0, sizeof(*out));
	check_spec(o);
	if (spec && is_dir(spec)) {
		source_from_tree(spec, out);
		return;
	}
	if (spec && !has_prefix(spec, "git+") && !strstr(spec, "://") && !is_file(spec))
		die(EXIT_INPUT, "kernel source %s: no such file or directory", spec);
	lock = cache_lock("sources");
	sweep_staging();
	if (!spec)
		source_debian(out);
	else if (has_prefix(spec, "git+"))
		source_from_git(o, out);
	else if (strstr(spec, "://"))
		source_from_url(o, out);
	else
		source_from_archive(o, out);
	cache_unlock(lock);
}

void source_free(struct kernel_source *s)
{
	free(s->dir);
	free(s->version);
	free(s->key);
	free(s->origin);
}
