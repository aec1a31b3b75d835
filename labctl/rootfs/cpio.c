/* Reproducible cpio archives: see cpio.h. */
#include <archive.h>
#include <archive_entry.h>
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "rootfs/cpio.h"

struct cpio_entry {
	char *path;     /* without the leading "/", as gen_init_cpio writes it */
	mode_t mode;    /* type and permissions */
	dev_t rdev;
	char *target;   /* symlink */
	char *data;     /* regular file */
	size_t len;
};

struct cpio {
	struct cpio_entry *v;
	size_t n;
};

struct cpio *cpio_new(void)
{
	return xcalloc(1, sizeof(struct cpio));
}

static void entry_clear(struct cpio_entry *e)
{
	free_all(e->path, e->target, e->data);
	memset(e, 0, sizeof(*e));
}

void cpio_free(struct cpio *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->v[i]);
	free(c->v);
	free(c);
}

static struct cpio_entry *add(struct cpio *c, const char *path, mode_t mode)
{
	struct cpio_entry *e = NULL;

	while (*path == '/')
		path++;
	/* "/" is the archive itself: callers pass a file's path (initramfs.c
	 * refuses such a line of initramfs.list with its FILE:LINE). */
	assert(*path);
	for (size_t i = 0; i < c->n && !e; i++)
		if (!strcmp(c->v[i].path, path)) {
			e = &c->v[i];
			entry_clear(e);
		}
	if (!e) {
		c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
		e = &c->v[c->n++];
		memset(e, 0, sizeof(*e));
	}
	e->path = xstrdup(path);
	e->mode = mode;
	return e;
}

void cpio_add_dir(struct cpio *c, const char *path, mode_t perm)
{
	add(c, path, S_IFDIR | (perm & 07777));
}

void cpio_add_data(struct cpio *c, const char *path, mode_t perm, const void *data, size_t len)
{
	struct cpio_entry *e = add(c, path, S_IFREG | (perm & 07777));

	e->data = xmalloc(len ? len : 1);
	memcpy(e->data, data, len);
	e->len = len;
}

int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const char *source)
{
	size_t len;
	char *data = read_file(source, &len);
	struct cpio_entry *e;

	if (!data)
		return -1;
	e = add(c, path, S_IFREG | (perm & 07777));
	e->data = data;
	e->len = len;
	return 0;
}

void cpio_add_node(struct cpio *c, const char *path, mode_t perm, char type,
		   unsigned major, unsigned minor)
{
	struct cpio_entry *e = add(c, path, (type == 'b' ? S_IFBLK : S_IFCHR) | (perm & 07777));

	e->rdev = makedev(major, minor);
}

void cpio_add_symlink(struct cpio *c, const char *path, const char *target)
{
	struct cpio_entry *e = add(c, path, S_IFLNK | 0777);

	e->target = xstrdup(target);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct cpio_entry *)a)->path, ((const struct cpio_entry *)b)->path);
}

void cpio_hash(struct cpio *c, struct hasher *h)
{
	qsort(c->v, c->n, sizeof(*c->v), by_path);
	for (size_t i = 0; i < c->n; i++) {
		const struct cpio_entry *e = &c->v[i];
		char *meta = xasprintf("%s %o %u:%u %zu", e->path, (unsigned)e->mode,
				       major(e->rdev), minor(e->rdev), e->len);

		hasher_add_str(h, meta);
		hasher_add_str(h, e->target ? e->target : "");
		hasher_add(h, e->data, e->len);
		free(meta);
	}
}

/* One header, and the contents of a regular file. */
static int write_entry(struct archive *a, struct archive_entry *ae,
		       const struct cpio_entry *e, unsigned ino)
{
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_mode(ae, e->mode);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_mtime(ae, 0, 0);
	archive_entry_set_ino(ae, ino);
	archive_entry_set_dev(ae, 0);
	archive_entry_set_nlink(ae, S_ISDIR(e->mode) ? 2 : 1);
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
		archive_entry_set_rdev(ae, e->rdev);
	if (S_ISLNK(e->mode))
		archive_entry_set_symlink(ae, e->target);
	archive_entry_set_size(ae, S_ISREG(e->mode) ? (la_int64_t)e->len : 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return -1;
	if (S_ISREG(e->mode) && e->len &&
	    archive_write_data(a, e->data, e->len) != (la_ssize_t)e->len)
		return -1;
	return 0;
}

int cpio_save(struct cpio *c, const char *out, bool gzip, struct error *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int ret = -1;

	qsort(c->v, c->n, sizeof(*c->v), by_path);
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK)
		goto out;
	/* gzip would record the time of writing: leave it out. */
	if (gzip && (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
		     archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK))
		goto out;
	if (archive_write_open_filename(a, out) != ARCHIVE_OK)
		goto out;
	for (size_t i = 0; i < c->n; i++)
		if (write_entry(a, ae, &c->v[i], i + 1) < 0)
			goto out;
	if (archive_write_close(a) == ARCHIVE_OK)
		ret = 0;
out:
	if (ret < 0)
		error_set(e, EXIT_ENV, "cannot write %s: %s", out, archive_error_string(a) ?
			  archive_error_string(a) : strerror(errno));
	archive_entry_free(ae);
	archive_write_free(a);
	return ret;
}
