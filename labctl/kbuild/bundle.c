/* A built kernel as one relocatable archive: see bundle.h. */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbuild/bundle.h"
#include "kbuild/kernel.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/strvec.h"
#include "source/archive.h"

/* What the bundle takes of the source tree, besides what the build
 * compiled (see add_compiled): */
/* the headers, the system call tables and GDB's scripts, whole; */
static const char *const source_trees[] = {
	"include", "arch/x86/include", "arch/x86/entry/syscalls", "scripts/gdb", NULL
};
/* where SYSCALL_DEFINEs live (gdb/labctl/stubs.py's DIRS, which reads them
 * to name the option that builds a call this kernel was built without):
 * their .c files and Makefiles. */
static const char *const syscall_trees[] = {
	"kernel", "mm", "fs", "ipc", "security", "net", "block", "arch/x86", "io_uring", NULL
};
/* ... and of the object directory, what the build generated that DWARF
 * names or GDB's scripts load. */
static const char *const obj_trees[] = {
	"include/generated", "arch/x86/include/generated", "scripts/gdb", NULL
};
/* The kernel directory's own files (kernel.h). */
static const char *const kernel_files[] = {
	"kernel.json", "vmlinux", "bzImage", "config", "System.map", NULL
};

struct member {
	char *name;     /* in the archive */
	char *path;     /* on disk */
};

struct members {
	struct member *v;
	size_t n, alloc;
};

static void add(struct members *m, const char *prefix, const char *rel, const char *path)
{
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 4096;
		m->v = xrealloc(m->v, m->alloc * sizeof(*m->v));
	}
	m->v[m->n].name = prefix ? xasprintf("%s/%s", prefix, rel) : xstrdup(rel);
	m->v[m->n++].path = xstrdup(path);
}

static void members_free(struct members *m)
{
	for (size_t i = 0; i < m->n; i++)
		free_all(m->v[i].name, m->v[i].path);
	free(m->v);
}

static bool any_file(const char *rel)
{
	return true;
}

static bool syscall_file(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return ends_with(base, ".c") || !strcmp(base, "Makefile");
}

/* The regular files under ROOT/SUB that WANT (their path relative to ROOT)
 * accepts, named PREFIX/RELATIVE; symbolic links are followed when FOLLOW
 * (the object directory's scripts/gdb links into the source tree).  A SUB
 * this kernel does not have is no error (io_uring/ before 5.1x). */
static int add_tree(struct members *m, const char *root, const char *prefix, const char *sub,
		    bool follow, bool (*want)(const char *rel), struct error *e)
{
	char *top = xasprintf("%s/%s", root, sub);
	char *paths[] = { top, NULL };
	FTS *fts;
	FTSENT *f;
	int ret = 0;

	if (!is_dir(top)) {
		free(top);
		return 0;
	}
	fts = fts_open(paths, (follow ? FTS_LOGICAL : FTS_PHYSICAL) | FTS_NOCHDIR, NULL);
	while (fts && (f = fts_read(fts))) {
		if (f->fts_info == FTS_DNR || f->fts_info == FTS_ERR) {
			ret = error_set(e, EXIT_ENV, "cannot read %s: %s", f->fts_path,
					strerror(f->fts_errno));
			break;
		}
		if (f->fts_info == FTS_F && want(f->fts_path + strlen(root) + 1))
			add(m, prefix, f->fts_path + strlen(root) + 1, f->fts_path);
	}
	if (!fts)
		ret = error_set(e, EXIT_ENV, "cannot read %s: %m", top);
	else
		fts_close(fts);
	free(top);
	return ret;
}

/* PATH, as a .cmd file names it (absolute, or relative to the object
 * directory), when it is a file of K's trees: source/REL or obj/REL. */
static void add_built_file(struct members *m, const struct kernel *k, const char *path)
{
	char *given = *path == '/' ? xstrdup(path) : xasprintf("%s/%s", k->obj, path);
	char full[PATH_MAX];
	size_t ns = strlen(k->source), no = strlen(k->obj);
	struct stat st;

	/* resolved: Kbuild writes lib/../mm/internal.h */
	if (realpath(given, full) && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
		if (!strncmp(full, k->source, ns) && full[ns] == '/')
			add(m, "source", full + ns + 1, full);
		else if (!strncmp(full, k->obj, no) && full[no] == '/')
			add(m, "obj", full + no + 1, full);
	}
	free(given);
}

/*
 * The files one Kbuild .cmd file says its target was made from: its
 * source_TARGET := FILE and each FILE of its deps_TARGET := list, which
 * gcc's -MMD wrote (every header included), less the $(wildcard ...)
 * entries (config options, not files).
 */
static void read_cmd_file(struct strvec *named, const char *cmd)
{
	char *text = read_file(cmd, NULL), *save = NULL;
	bool deps = false;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v, *end;

		if (!strncmp(line, "source_", 7) && (v = strstr(line, " := "))) {
			strvec_push(named, v + 4);
			continue;
		}
		if (!strncmp(line, "deps_", 5)) {
			deps = true;
			continue;
		}
		if (!deps || (line[0] != ' ' && line[0] != '\t')) {
			deps = false;
			continue;
		}
		v = line + strspn(line, " \t");
		if (!strncmp(v, "$(", 2))
			continue;
		end = v + strcspn(v, " \t\\");
		*end = '\0';
		if (*v)
			strvec_push(named, v);
	}
	free(text);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * What the build compiled: every file a .cmd file of the object directory
 * names (the .c and .S files, and every header they included, generated
 * ones too), as Kbuild recorded them to know what to rebuild.  Each name
 * is resolved once: the .cmd files name the common headers hundreds of
 * times over (for the lab's 5.10: 390,873 names, 3,037 distinct).
 */
static int add_compiled(struct members *m, const struct kernel *k, struct error *e)
{
	char *paths[] = { k->obj, NULL };
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	struct strvec named = { 0 };
	FTSENT *f;
	int ret = 0;

	if (!fts)
		return error_set(e, EXIT_ENV, "cannot read %s: %m", k->obj);
	while ((errno = 0, f = fts_read(fts)))
		if (f->fts_info == FTS_F && f->fts_name[0] == '.' && ends_with(f->fts_name, ".cmd"))
			read_cmd_file(&named, f->fts_path);
	if (errno)
		ret = error_set(e, EXIT_ENV, "cannot read %s: %m", k->obj);
	fts_close(fts);
	qsort(named.v, named.nr, sizeof(*named.v), by_string);
	for (size_t i = 0; !ret && i < named.nr; i++)
		if (!i || strcmp(named.v[i], named.v[i - 1]))
			add_built_file(m, k, named.v[i]);
	strvec_clear(&named);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

/* What K's bundle holds, sorted by name, each name once. */
static int collect(struct members *m, const struct kernel *k, struct error *e)
{
	char *gdb_py;
	size_t j = 0;

	for (size_t i = 0; kernel_files[i]; i++) {
		char *path = xasprintf("%s/%s", k->dir, kernel_files[i]);

		add(m, NULL, kernel_files[i], path);
		free(path);
	}
	for (size_t i = 0; source_trees[i]; i++)
		if (add_tree(m, k->source, "source", source_trees[i], false, any_file, e) < 0)
			return -1;
	for (size_t i = 0; syscall_trees[i]; i++)
		if (add_tree(m, k->source, "source", syscall_trees[i], false, syscall_file, e) < 0)
			return -1;
	for (size_t i = 0; obj_trees[i]; i++)
		if (add_tree(m, k->obj, "obj", obj_trees[i], true, any_file, e) < 0)
			return -1;
	if (add_compiled(m, k, e) < 0)
		return -1;
	gdb_py = xasprintf("%s/vmlinux-gdb.py", k->obj);
	if (is_file(gdb_py))
		add(m, "obj", "vmlinux-gdb.py", gdb_py);
	free(gdb_py);
	qsort(m->v, m->n, sizeof(*m->v), by_name);
	for (size_t i = 0; i < m->n; i++) {
		if (j && !strcmp(m->v[j - 1].name, m->v[i].name)) {
			free_all(m->v[i].name, m->v[i].path);
			continue;
		}
		m->v[j++] = m->v[i];
	}
	m->n = j;
	return 0;
}

static struct archive_entry *entry_for(const char *name, int64_t size, mode_t mode)
{
	struct archive_entry *en = archive_entry_new();

	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, mode & 0111 ? 0755 : 0644);
	archive_entry_set_size(en, size);
	archive_entry_set_mtime(en, 0, 0);	/* the same kernel, the same bytes */
	return en;
}

/* PATH as member NAME, its SHA-256 into HEX as it goes. */
static int write_member(struct archive *a, const char *name, const char *path,
			char hex[SHA256_HEX_LEN + 1], uint64_t *bytes, struct error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct hasher *h;
	struct archive_entry *en;
	struct stat st;
	char buf[1 << 16];
	ssize_t n;
	int64_t left;

	if (fd < 0 || fstat(fd, &st) < 0) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	en = entry_for(name, st.st_size, st.st_mode);
	if (archive_write_header(a, en) != ARCHIVE_OK) {
		archive_entry_free(en);
		close(fd);
		return error_set(e, EXIT_ENV, "cannot write %s: %s", name, archive_error_string(a));
	}
	archive_entry_free(en);
	h = hasher_new();
	for (left = st.st_size; left > 0 && (n = read(fd, buf, sizeof(buf))) > 0; left -= n) {
		if (n > left)
			n = left;
		hasher_add(h, buf, n);
		if (archive_write_data(a, buf, n) != n) {
			hasher_hex(h, hex);
			close(fd);
			return error_set(e, EXIT_ENV, "cannot write %s: %s", name,
					 archive_error_string(a));
		}
	}
	hasher_hex(h, hex);
	close(fd);
	if (left)
		return error_set(e, EXIT_ENV, "%s changed while it was read", path);
	*bytes += st.st_size;
	return 0;
}

/* The kernel's key and version, from its kernel.json. */
static int read_identity(const char *kernel_json, struct bundle_info *info, struct error *e)
{
	json_t *j = json_load_file(kernel_json, 0, NULL);
	const char *key = json_string_value(json_object_get(j, "key"));
	const char *version = json_string_value(json_object_get(j, "version"));
	bool ok = key && version && strlen(key) == SHA256_HEX_LEN;

	for (size_t i = 0; ok && i < SHA256_HEX_LEN; i++)
		ok = isxdigit((unsigned char)key[i]) && !isupper((unsigned char)key[i]);
	if (ok) {
		memcpy(info->key, key, SHA256_HEX_LEN + 1);
		info->version = xstrdup(version);
	}
	json_decref(j);
	return ok ? 0 : error_set(e, EXIT_INPUT, "%s has no valid key and version", kernel_json);
}

int bundle_export(const struct kernel *k, const char *path, struct bundle_info *info,
		  struct error *e)
{
	struct members m = { 0 };
	struct archive *a = NULL;
	struct archive_entry *en;
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid()), *kj, *text = NULL;
	json_t *files = json_object(), *manifest;
	int ret = -1;

	memset(info, 0, sizeof(*info));
	kj = xasprintf("%s/kernel.json", k->dir);
	if (read_identity(kj, info, e) < 0 || collect(&m, k, e) < 0)
		goto out;
	a = archive_write_new();
	if (archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		error_set(e, EXIT_ENV, "cannot write %s: %s", tmp, archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		char hex[SHA256_HEX_LEN + 1];

		if (write_member(a, m.v[i].name, m.v[i].path, hex, &info->bytes, e) < 0)
			goto out;
		json_object_set_new(files, m.v[i].name, json_string(hex));
	}
	info->files = m.n;
	manifest = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:O}", "format", BUNDLE_FORMAT,
			     "key", info->key, "version", info->version, "built", "source",
			     k->source, "obj", k->obj, "files", files);
	text = json_dumps(manifest, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(manifest);
	en = entry_for(BUNDLE_MANIFEST, strlen(text), 0644);
	if (archive_write_header(a, en) != ARCHIVE_OK ||
	    archive_write_data(a, text, strlen(text)) != (la_ssize_t)strlen(text) ||
	    archive_write_close(a) != ARCHIVE_OK) {
		archive_entry_free(en);
		error_set(e, EXIT_ENV, "cannot write %s: %s", tmp, archive_error_string(a));
		goto out;
	}
	archive_entry_free(en);
	if (rename(tmp, path) < 0) {
		error_set(e, EXIT_ENV, "cannot write %s: %m", path);
		goto out;
	}
	ret = 0;
out:
	if (a)
		archive_write_free(a);
	if (ret < 0)
		unlink(tmp);
	members_free(&m);
	json_decref(files);
	free_all(tmp, kj, text);
	return ret;
}

/* Is NAME one the manifest may list: relative, no `..`, no empty part? */
static bool plain_name(const char *name)
{
	return *name && *name != '/' && !strstr(name, "//") && strcmp(name, "..") &&
	       strncmp(name, "../", 3) && !strstr(name, "/../") && !ends_with(name, "/..") &&
	       !ends_with(name, "/");
}

/* Every member of the extracted bundle in STAGE is the manifest's, with its
 * SHA-256, and nothing else is there. */
static int check_members(const char *stage, json_t *files, struct bundle_info *info,
			 struct error *e)
{
	char *paths[] = { (char *)stage, NULL };
	const char *name;
	json_t *sum;
	FTS *fts;
	FTSENT *f;
	size_t seen = 0;
	int ret = 0;

	json_object_foreach(files, name, sum) {
		char *path = xasprintf("%s/%s", stage, name), hex[SHA256_HEX_LEN + 1];
		struct stat st;

		if (!plain_name(name) || !json_is_string(sum))
			ret = error_set(e, EXIT_INPUT, "its manifest lists '%s' wrongly", name);
		else if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			ret = error_set(e, EXIT_INPUT, "%s is missing", name);
		else if (sha256_file(path, hex) < 0)
			ret = error_set(e, EXIT_ENV, "cannot read %s: %m", path);
		else if (strcmp(hex, json_string_value(sum)))
			ret = error_set(e, EXIT_INPUT, "%s does not match its SHA-256 in the manifest "
					"(the bundle is corrupt or was changed)", name);
		else
			info->bytes += st.st_size;
		free(path);
		if (ret < 0)
			return -1;
	}
	/* Nothing besides: a link or an extra file would be read as the kernel's. */
	fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	while (fts && (f = fts_read(fts))) {
		const char *rel = f->fts_path + strlen(stage);

		rel += *rel == '/';
		if (f->fts_info == FTS_D || f->fts_info == FTS_DP)
			continue;
		if (f->fts_info != FTS_F) {
			ret = error_set(e, EXIT_INPUT, "it holds %s, which is not a regular file", rel);
			break;
		}
		if (strcmp(rel, BUNDLE_MANIFEST) && !json_object_get(files, rel)) {
			ret = error_set(e, EXIT_INPUT, "it holds %s, which its manifest does not list",
					rel);
			break;
		}
		seen++;
	}
	if (fts)
		fts_close(fts);
	info->files = json_object_size(files);
	if (!ret && seen != info->files + 1)
		ret = error_set(e, EXIT_INPUT, "it holds %zu files, its manifest %zu", seen - 1,
				info->files);
	return ret;
}

/* The manifest of the extracted bundle in STAGE, checked against it. */
static int check_bundle(const char *stage, struct bundle_info *info, struct error *e)
{
	char *path = xasprintf("%s/" BUNDLE_MANIFEST, stage), *kj = NULL;
	json_t *m = json_load_file(path, 0, NULL), *files = json_object_get(m, "files");
	const char *format = json_string_value(json_object_get(m, "format"));
	const char *key = json_string_value(json_object_get(m, "key"));
	int ret = -1;

	if (!m || !format || strcmp(format, BUNDLE_FORMAT) || !json_is_object(files)) {
		error_set(e, EXIT_INPUT, "no %s manifest (%s) in it", BUNDLE_FORMAT, BUNDLE_MANIFEST);
		goto out;
	}
	for (size_t i = 0; kernel_files[i]; i++)
		if (!json_object_get(files, kernel_files[i])) {
			error_set(e, EXIT_INPUT, "its manifest lists no %s", kernel_files[i]);
			goto out;
		}
	if (check_members(stage, files, info, e) < 0)
		goto out;
	/* kernel.json is checked now: the key it gives is the directory's name */
	kj = xasprintf("%s/kernel.json", stage);
	if (read_identity(kj, info, e) < 0)
		goto out;
	if (!key || strcmp(key, info->key)) {
		error_set(e, EXIT_INPUT, "its manifest's key is not its kernel.json's");
		goto out;
	}
	ret = 0;
out:
	json_decref(m);
	free_all(path, kj);
	return ret;
}

int bundle_import(const char *path, struct bundle_info *info, struct error *e)
{
	char *kernels = NULL, *stage = NULL, *final = NULL, *meta = NULL;
	struct error why;
	int lock = -1, ret = -1;

	memset(info, 0, sizeof(*info));
	if (access(path, R_OK) < 0)
		return error_set(e, EXIT_INPUT, "cannot read %s: %m", path);
	if (!(kernels = cache_subdir("kernels", e)) || (lock = cache_lock("build", e)) < 0)
		goto out;
	/* ".tmp." in its name: a killed import's leftovers go with the next build's */
	stage = xasprintf("%s/import.tmp.%d", kernels, (int)getpid());
	remove_tree(stage);
	if (make_dirs(stage, e) < 0)
		goto out;
	if (archive_extract(path, stage, 0, &why) < 0) {
		if (why.code == EXIT_INPUT)
			error_set(e, EXIT_INPUT, "%s is not a kernel bundle: %s", path, why.msg);
		else
			*e = why;
		goto out;
	}
	if (check_bundle(stage, info, &why) < 0) {
		error_set(e, why.code, "%s: %s", path, why.msg);
		goto out;
	}
	final = xasprintf("%s/%s", kernels, info->key);
	meta = xasprintf("%s/kernel.json", final);
	if (is_file(meta)) {
		info->existed = true;	/* built here, or imported before: the same key */
	} else {
		remove_tree(final);	/* a part of a kernel, without its kernel.json */
		if (rename(stage, final) < 0) {
			error_set(e, EXIT_ENV, "cannot publish %s: %m", final);
			goto out;
		}
	}
	ret = kernel_set_current(info->key, info->version, e);
out:
	if (stage)
		remove_tree(stage);
	if (lock >= 0)
		cache_unlock(lock);
	free_all(kernels, stage, final, meta);
	return ret;
}

void bundle_info_free(struct bundle_info *b)
{
	free(b->version);
	memset(b, 0, sizeof(*b));
}
