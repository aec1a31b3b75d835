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

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "source/apt.h"
#include "source/archive.h"
#include "source/gitsrc.h"
#include "source/http.h"
#include "source/source.h"
#include "source/versions.h"

/* "VERSION = 5" style lines of the top Makefile. */
static long makefile_number(const char *text, const char *var)
{
	size_t n = strlen(var);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, var, n) && (l[n] == ' ' || l[n] == '='))
			return strtol(strchr(l, '=') ? strchr(l, '=') + 1 : l + n, NULL, 10);
	return -1;
}

int source_check_tree(char **version, const char *dir, struct error *e)
{
	char *mk = xasprintf("%s/Makefile", dir), *text;
	char *tbl = xasprintf("%s/arch/x86/entry/syscalls/syscall_64.tbl", dir);
	long v, p, s;
	int ret = -1;

	text = read_file(mk, NULL);
	if (!text || !is_file(tbl)) {
		error_set(e, EXIT_INPUT, "%s is not a Linux source tree (no Makefile or "
			  "arch/x86/entry/syscalls/syscall_64.tbl)", dir);
		goto out;
	}
	v = makefile_number(text, "VERSION");
	p = makefile_number(text, "PATCHLEVEL");
	s = makefile_number(text, "SUBLEVEL");
	if (v != 5 && v != 6) {
		error_set(e, EXIT_INPUT, "%s is Linux %ld.%ld, not 5.x or 6.x (the entry code "
			  "labctl follows)", dir, v, p);
		goto out;
	}
	*version = xasprintf("%ld.%ld.%ld", v, p, s);
	ret = 0;
out:
	free_all(text, mk, tbl);
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
static int tree_key(char key[SHA256_HEX_LEN + 1], const char *dir, const char *version,
		    struct error *e)
{
	int ret = 0;

	walk_hasher = hasher_new();
	hasher_add_str(walk_hasher, "tree");
	hasher_add_str(walk_hasher, version);
	if (nftw(dir, hash_stat, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		ret = error_set(e, EXIT_INPUT, "cannot read the tree %s: %m", dir);
	hasher_hex(walk_hasher, key);
	walk_hasher = NULL;
	return ret;
}

/* An extracted tree given by path: used in place. */
static int source_from_tree(struct kernel_source *out, const char *path, struct error *e)
{
	char buf[PATH_MAX];
	char key[SHA256_HEX_LEN + 1];

	if (!realpath(path, buf))
		return error_set(e, EXIT_INPUT, "kernel source %s: %m", path);
	if (source_check_tree(&out->version, buf, e) < 0 ||
	    tree_key(key, buf, out->version, e) < 0)
		return -1;
	out->dir = xstrdup(buf);
	out->key = xstrdup(key);
	out->origin = xasprintf("tree:%s", buf);
	return 0;
}

/* CACHE/sources/KEY: the entry (its tree/ and origin) once published. */
static char *entry_path(const char *key, struct error *e)
{
	return cache_path("sources", key, e);
}

/* Fill OUT from the published entry KEY: 1, or 0 if there is none, or -1. */
static int from_cache(struct kernel_source *out, const char *key, struct error *e)
{
	char *entry = entry_path(key, e), *tree, *origin_file, *origin;
	struct error ignored;
	int ret;

	if (!entry)
		return -1;
	tree = xasprintf("%s/tree", entry);
	origin_file = xasprintf("%s/origin", entry);
	ret = is_dir(tree);
	/* The check's own message is about a tree the user gave, not the cache. */
	if (ret && source_check_tree(&out->version, tree, &ignored) < 0)
		ret = error_set(e, EXIT_INTERNAL, "the cached tree %s is damaged; remove %s",
				tree, entry);
	if (ret > 0) {
		origin = read_file(origin_file, NULL);
		out->dir = tree;
		out->key = xstrdup(key);
		out->origin = origin ? origin : xstrdup("unknown");
		tree = NULL;
	}
	free_all(tree, entry, origin_file);
	return ret;
}

/*
 * Publish CACHE/sources/KEY from STAGING (holding tree/): check the tree,
 * record ORIGIN, rename.  On failure remove STAGING.  Frees STAGING.
 */
static int publish_entry(struct kernel_source *out, char *staging, const char *key,
			 const char *origin, struct error *e)
{
	char *entry = entry_path(key, e), *tree = xasprintf("%s/tree", staging);
	char *origin_file = xasprintf("%s/origin", staging), *version = NULL;
	int ret = -1;

	if (!entry || source_check_tree(&version, tree, e) < 0)
		goto fail;
	if (write_file_atomic(origin_file, origin, strlen(origin)) < 0 ||
	    publish_dir(staging, entry) < 0) {
		error_set(e, EXIT_ENV, "cannot publish %s: %m", entry);
		goto fail;
	}
	ret = from_cache(out, key, e);
	if (ret == 0)
		ret = error_set(e, EXIT_INTERNAL, "%s vanished after publishing", entry);
	ret = ret < 0 ? -1 : 0;
	goto out;
fail:
	remove_tree(staging);
out:
	free_all(version, entry, tree, origin_file, staging);
	return ret;
}

/*
 * Extract the tarball ARCHIVE (top directory stripped) as the entry KEY.
 * Returns 0, or -1 with E and nothing left in the cache.
 */
static int extract_entry(struct kernel_source *out, const char *archive, const char *key,
			 const char *origin, struct error *e)
{
	char *entry = entry_path(key, e), *staging = entry ? staging_dir(entry, e) : NULL;
	char *tree;
	double t0 = now();
	int rc;

	free(entry);
	if (!staging)
		return -1;
	tree = xasprintf("%s/tree", staging);
	note("extracting %s", archive);
	rc = make_dirs(tree, e);
	if (!rc)
		rc = archive_extract(archive, tree, 1, e);
	free(tree);
	if (rc) {
		remove_tree(staging);
		free(staging);
		return -1;
	}
	note("extracted in %.1f s", now() - t0);
	return publish_entry(out, staging, key, origin, e);
}

static int check_hex(const char *hex, struct error *e)
{
	if (strlen(hex) != SHA256_HEX_LEN || strspn(hex, "0123456789abcdefABCDEF") != SHA256_HEX_LEN)
		return error_set(e, EXIT_USAGE, "--sha256 '%s' is not 64 hexadecimal digits", hex);
	return 0;
}

/* A local linux-*.tar.{xz,gz}: keyed by its SHA-256. */
static int source_from_archive(struct kernel_source *out, const struct source_opts *o,
			       struct error *e)
{
	char key[SHA256_HEX_LEN + 1], path[PATH_MAX], *origin;
	int rc;

	if (!realpath(o->spec, path) || sha256_file(path, key) < 0)
		return error_set(e, EXIT_INPUT, "cannot read %s: %m", o->spec);
	if (o->sha256 && strcasecmp(o->sha256, key))
		return error_set(e, EXIT_INPUT, "SHA-256 mismatch for %s: expected %s, got %s",
				 path, o->sha256, key);
	rc = from_cache(out, key, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	origin = xasprintf("archive:%s sha256:%s", path, key);
	rc = extract_entry(out, path, key, origin, e);
	free(origin);
	return rc;
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
static int source_from_url(struct kernel_source *out, const struct source_opts *o,
			   struct error *e)
{
	char *want = o->sha256 ? xstrdup(o->sha256) : pinned_hash(o->spec);
	char have[SHA256_HEX_LEN + 1], *dir = NULL, *name = NULL, *dest = NULL, *origin;
	int rc;

	if (!want && !o->allow_unverified)
		return error_set(e, EXIT_INPUT, "no SHA-256 for %s: give --sha256, pin it in "
				 "kernel-config/sources.sha256, or pass --allow-unverified", o->spec);
	if (want) {
		rc = check_hex(want, e);
		for (char *c = want; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!rc)
			rc = from_cache(out, want, e);
		if (rc)
			goto out;
	}
	dir = cache_subdir("downloads", e);
	if (!dir) {
		rc = -1;
		goto out;
	}
	name = download_name(o->spec);
	dest = xasprintf("%s/%s", dir, name);
	rc = http_download(have, o->spec, dest, want, e);
	if (!rc) {
		if (!want)
			warn("%s was not verified (--allow-unverified); its SHA-256 is %s", o->spec, have);
		origin = xasprintf("url:%s sha256:%s", o->spec, have);
		rc = from_cache(out, have, e);
		if (!rc)
			rc = extract_entry(out, dest, have, origin, e);
		unlink(dest);
		free(origin);
	}
out:
	free_all(dest, name, dir, want);
	return rc < 0 ? -1 : 0;
}

/* git+URL#REV: the commit's tree, keyed by the commit id. */
static int source_from_git(struct kernel_source *out, const struct source_opts *o,
			   struct error *e)
{
	char *url = xstrdup(o->spec + strlen("git+")), *rev = strrchr(url, '#');
	char oid[GIT_OID_HEX_LEN + 1], *staging = NULL, *tree = NULL, *origin = NULL;
	int rc;

	if (!rev || !rev[1] || rev == url) {
		rc = error_set(e, EXIT_USAGE, "kernel source '%s': write git+URL#TAG "
			       "(a tag, branch or commit)", o->spec);
		goto out;
	}
	*rev++ = '\0';
	rc = gitsrc_resolve(oid, url, rev, e);
	if (rc == 0)
		rc = from_cache(out, oid, e);	/* 1: cached, done */
	else if (rc == 1)
		rc = 0;				/* an abbreviated id: the clone tells */
	if (rc)
		goto out;
	tree = entry_path("git-clone", e);
	staging = tree ? staging_dir(tree, e) : NULL;
	free(tree);
	tree = NULL;
	if (!staging) {
		rc = -1;
		goto out;
	}
	tree = xasprintf("%s/tree", staging);
	rc = gitsrc_export(oid, url, rev, tree, e);
	if (rc < 0) {
		remove_tree(staging);
		goto out;
	}
	origin = xasprintf("git:%s#%s %s", url, rev, oid);
	rc = from_cache(out, oid, e);
	if (rc)
		remove_tree(staging);
	else
		rc = publish_entry(out, xstrdup(staging), oid, origin, e);
out:
	free_all(staging, tree, origin, url);
	return rc < 0 ? -1 : 0;
}

/*
 * Debian's linux-source-X.Y, through a private apt; the pointer file
 * (debian-SUITES-PACKAGE) names its entry, so the version first fetched
 * stays until the cache is cleared.
 */
static int source_debian(struct kernel_source *out, const struct debian_kernel *dk,
			 struct error *e)
{
	char *suites = suites_word(dk->suites);
	char *name = xasprintf("debian-%s-%s", suites, dk->package);
	char *pointer, *key_text, key[SHA256_HEX_LEN + 1];
	char *dir = NULL, *deb = NULL, *version = NULL, *inner = NULL, *origin = NULL;
	char *member = xasprintf("./usr/src/%s.tar.xz", dk->package), *series = NULL;
	int rc;

	free(suites);
	pointer = entry_path(name, e);
	key_text = pointer ? read_file(pointer, NULL) : NULL;
	rc = pointer ? 0 : -1;
	if (!rc && key_text && strlen(key_text) >= SHA256_HEX_LEN) {
		key_text[SHA256_HEX_LEN] = '\0';
		rc = from_cache(out, key_text, e);
	}
	if (rc)
		goto out;
	dir = cache_subdir("downloads", e);
	if (!dir || apt_download(&deb, dk->suites, dk->package, dir, e) < 0) {
		rc = -1;
		goto out;
	}
	version = apt_deb_version(deb);
	inner = xasprintf("%s/%s_%s.tar.xz", dir, dk->package, version);
	origin = xasprintf("debian:%s %s", dk->package, version);
	rc = deb_extract_file(deb, member, inner, e);
	unlink(deb);
	if (!rc && sha256_file(inner, key) < 0)
		rc = error_set(e, EXIT_ENV, "cannot read %s: %m", inner);
	if (!rc)
		rc = from_cache(out, key, e);
	if (!rc)
		rc = extract_entry(out, inner, key, origin, e);
	unlink(inner);
	/* The package's name is a promise the tree must keep. */
	if (rc >= 0 && strcmp((series = kernel_series(out->version)), dk->version))
		rc = error_set(e, EXIT_INPUT, "%s %s holds Linux %s, not %s", dk->package, version,
			       out->version, dk->version);
	if (rc >= 0 && write_file_atomic(pointer, key, strlen(key)) < 0)
		rc = error_set(e, EXIT_ENV, "cannot write %s: %m", pointer);
out:
	free_all(dir, deb, version, inner, origin, key_text, pointer, name, member, series);
	return rc < 0 ? -1 : 0;
}

static int is_staging(const struct dirent *d)
{
	return strstr(d->d_name, ".tmp.") != NULL;
}

/*
 * Under the sources lock no other labctl is filling CACHE/sources, so a
 * staging directory there is what an interrupted fetch left: remove it.
 */
static int sweep_staging(struct error *e)
{
	char *dir = cache_subdir("sources", e);
	struct dirent **names = NULL;
	int n;

	if (!dir)
		return -1;
	n = scandir(dir, &names, is_staging, alphasort);

	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);

		note("removing %s, left by an interrupted fetch", path);
		remove_tree(path);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
	return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* What a spec names without a lock: a tree in place, or a usage error. */
static int check_spec(const struct source_opts *o, struct error *e)
{
	const char *spec = o->spec;

	if (o->sha256 && check_hex(o->sha256, e) < 0)
		return -1;
	if (spec && o->kernel)
		return error_set(e, EXIT_USAGE, "--kernel names Debian's source for a version, "
				 "--kernel-source another: give one");
	if (!spec && o->sha256)
		return error_set(e, EXIT_USAGE, "--sha256 applies to https:// and archive sources only");
	if (!spec)
		return 0;
	if (!*spec)
		return error_set(e, EXIT_USAGE, "--kernel-source is empty");
	if (!has_prefix(spec, "git+") && !has_prefix(spec, "https://") &&
	    !has_prefix(spec, "http://") && strstr(spec, "://"))
		return error_set(e, EXIT_USAGE, "kernel source '%s': unknown scheme (use https://, "
				 "http://, git+URL#TAG or a path)", spec);
	if (o->sha256 && (has_prefix(spec, "git+") || is_dir(spec)))
		return error_set(e, EXIT_USAGE, "--sha256 applies to https:// and archive sources only");
	return 0;
}

int source_get(struct kernel_source *out, const struct source_opts *o, struct error *e)
{
	const char *spec = o->spec;
	int lock, ret;

	memset(out, 0, sizeof(*out));
	if (check_spec(o, e) < 0)
		return -1;
	if (spec && is_dir(spec))
		return source_from_tree(out, spec, e);
	if (spec && !has_prefix(spec, "git+") && !strstr(spec, "://") && !is_file(spec))
		return error_set(e, EXIT_INPUT, "kernel source %s: no such file or directory", spec);
	lock = cache_lock("sources", e);
	if (lock < 0)
		return -1;
	if (sweep_staging(e) < 0)
		ret = -1;
	else if (!spec)
		ret = source_debian(out, debian_kernel(o->kernel), e);
	else if (has_prefix(spec, "git+"))
		ret = source_from_git(out, o, e);
	else if (strstr(spec, "://"))
		ret = source_from_url(out, o, e);
	else
		ret = source_from_archive(out, o, e);
	cache_unlock(lock);
	if (ret < 0)
		source_free(out);
	return ret;
}

void source_free(struct kernel_source *s)
{
	free_all(s->dir, s->version, s->key, s->origin);
}
