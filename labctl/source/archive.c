/* Archives through libarchive: see archive.h. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "source/archive.h"

#define SECURE_FLAGS (ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
		      ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

/* A write that failed for want of disk is the machine's fault, not the input's. */
static bool disk_trouble(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EROFS || err == EIO ||
	       err == EACCES || err == EPERM;
}

static int write_failure(const char *what, const char *where, int err, const char *msg,
			 struct error *e)
{
	if (err == ENOSPC || err == EDQUOT)
		return error_set(e, EXIT_ENV, "no space left on the device extracting %s into %s",
				 what, where);
	return error_set(e, EXIT_ENV, "cannot write %s into %s: %s", what, where,
			 msg ? msg : strerror(err));
}

/*
 * Check NAME (refusing absolute paths and `..`) and drop its first STRIP
 * components; NULL when nothing is left.  Returns -1 for a hostile name.
 */
static int strip_path(const char *name, int strip, const char **rest)
{
	const char *p = name;

	if (name[0] == '/')
		return -1;
	for (const char *c = name; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : "")
		if (!strncmp(c, "..", 2) && (c[2] == '/' || c[2] == '\0'))
			return -1;
	while (strip > 0 && *p) {
		const char *slash = strchr(p, '/');
		bool counts = strncmp(p, "./", 2) && strcmp(p, ".") && *p != '/';

		p = slash ? slash + 1 : "";
		strip -= counts;
	}
	while (!strncmp(p, "./", 2))
		p += 2;
	*rest = *p && strcmp(p, ".") ? p : NULL;
	return 0;
}

/* Rewrite E's path (and hard link target) for extraction; 1 to skip it, -1 if hostile. */
static int rewrite_entry(struct archive_entry *ent, int strip, const char *archive,
			 struct error *e)
{
	const char *name = archive_entry_pathname(ent), *link = archive_entry_hardlink(ent);
	const char *rest, *link_rest = NULL;

	mode_t type = archive_entry_filetype(ent);

	if (!name || strip_path(name, strip, &rest) < 0)
		return error_set(e, EXIT_INPUT,
				 "refusing archive %s: entry '%s' has an absolute path or a '..'",
				 archive, name ? name : "(no name)");
	/* A source tree has no device nodes or FIFOs: as root they would be made. */
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return error_set(e, EXIT_INPUT,
				 "refusing archive %s: entry '%s' is a device, FIFO or socket",
				 archive, name);
	if (link && (strip_path(link, strip, &link_rest) < 0 || !link_rest))
		return error_set(e, EXIT_INPUT,
				 "refusing archive %s: hard link '%s' points outside the tree (%s)",
				 archive, name, link);
	if (!rest)
		return 1;
	archive_entry_copy_pathname(ent, rest);
	if (link)
		archive_entry_copy_hardlink(ent, link_rest);
	return 0;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;

	while ((r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_OK)
			return -2;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* Extract every entry of IN through OUT, with the current directory as the target. */
static int extract_entries(struct archive *in, struct archive *out, int strip,
			   const char *archive, const char *dest, struct error *e)
{
	struct archive_entry *ent;
	int r;

	while ((r = archive_read_next_header(in, &ent)) == ARCHIVE_OK) {
		int skip = rewrite_entry(ent, strip, archive, e);

		if (skip < 0)
			return -1;
		if (skip)
			continue;
		if (archive_write_header(out, ent) < ARCHIVE_WARN)
			goto write_failed;
		if (archive_entry_size(ent) > 0) {
			r = copy_data(in, out);
			if (r == -1)
				goto read_failed;
			if (r == -2)
				goto write_failed;
		}
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			goto write_failed;
	}
	if (r == ARCHIVE_EOF)
		return 0;
read_failed:
	return error_set(e, EXIT_INPUT, "cannot read archive %s: %s", archive,
			 archive_error_string(in));
write_failed:
	if (disk_trouble(archive_errno(out)))
		return write_failure(archive, dest, archive_errno(out), archive_error_string(out), e);
	return error_set(e, EXIT_INPUT, "refusing archive %s: %s", archive,
			 archive_error_string(out));
}

int archive_extract(const char *archive, const char *dest, int strip, struct error *e)
{
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (!in || !out || cwd < 0) {
		ret = error_set(e, EXIT_ENV, "cannot set up extraction of %s", archive);
		goto out;
	}
	archive_read_support_filter_all(in);
	/* Tar only: "all" would take mtree, whose entries can pull in local files. */
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | SECURE_FLAGS);
	archive_write_disk_set_standard_lookup(out);
	if (archive_read_open_filename(in, archive, 1 << 16) != ARCHIVE_OK) {
		ret = error_set(e, EXIT_INPUT, "cannot read archive %s: %s", archive,
				archive_error_string(in));
	} else if (chdir(dest) < 0) {
		ret = write_failure(archive, dest, errno, NULL, e);
	} else {
		/* The secure flags refuse absolute paths: extract relative to DEST. */
		ret = extract_entries(in, out, strip, archive, dest, e);
		/* Every later relative path would be wrong: this outranks ret. */
		if (fchdir(cwd) < 0)
			ret = error_set(e, EXIT_ENV, "cannot return to the working directory: %m");
	}
out:
	if (cwd >= 0)
		close(cwd);
	archive_read_free(in);
	archive_write_free(out);
	return ret;
}

/* The data.tar.* of a .deb, read straight out of the outer ar archive. */
struct nested {
	struct archive *outer;
	char buf[1 << 16];
};

static la_ssize_t nested_read(struct archive *a, void *data, const void **buf)
{
	struct nested *n = data;

	(void)a;
	*buf = n->buf;
	return archive_read_data(n->outer, n->buf, sizeof(n->buf));
}

/* Write the current entry of IN to FD; 0, or -1 (read) / errno (write). */
static int entry_to_fd(struct archive *in, int fd)
{
	char buf[1 << 16];
	la_ssize_t n;

	while ((n = archive_read_data(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; n > 0;) {
			ssize_t w = write(fd, p, n);

			if (w < 0 && errno != EINTR)
				return errno;
			if (w > 0) {
				p += w;
				n -= w;
			}
		}
	return n < 0 ? -1 : 0;
}

static bool same_member(const char *name, const char *member)
{
	while (!strncmp(name, "./", 2))
		name += 2;
	while (!strncmp(member, "./", 2))
		member += 2;
	return !strcmp(name, member);
}

/* Find MEMBER in the data tarball IN and copy it to OUT_PATH. */
static int copy_member(struct archive *in, const char *deb, const char *member,
		       const char *out_path, struct error *e)
{
	struct archive_entry *ent;
	char *tmp;
	int fd, err, r;

	while ((r = archive_read_next_header(in, &ent)) == ARCHIVE_OK)
		if (archive_entry_pathname(ent) && same_member(archive_entry_pathname(ent), member))
			break;
	if (r == ARCHIVE_EOF)
		return error_set(e, EXIT_INPUT, "%s has no %s", deb, member);
	if (r != ARCHIVE_OK)
		return error_set(e, EXIT_INPUT, "cannot read %s: %s", deb, archive_error_string(in));
	tmp = xasprintf("%s.tmp.%d", out_path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		write_failure(member, tmp, errno, NULL, e);
		free(tmp);
		return -1;
	}
	err = entry_to_fd(in, fd);
	if (!err && close(fd) < 0)
		err = errno;
	else if (err)
		close(fd);
	if (!err && rename(tmp, out_path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		if (err == -1)
			error_set(e, EXIT_INPUT, "cannot read %s from %s: %s", member, deb,
				  archive_error_string(in));
		else
			write_failure(member, out_path, err, NULL, e);
	}
	free(tmp);
	return err ? -1 : 0;
}

int deb_extract_file(const char *deb, const char *member, const char *out_path,
		     struct error *e)
{
	struct nested *n = xcalloc(1, sizeof(*n));
	struct archive *in = archive_read_new();
	struct archive_entry *ent;
	int r, ret = -1;

	n->outer = archive_read_new();
	archive_read_support_format_ar(n->outer);
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open_filename(n->outer, deb, 1 << 16) != ARCHIVE_OK) {
		error_set(e, EXIT_INPUT, "cannot read package %s: %s", deb,
			  archive_error_string(n->outer));
		goto out;
	}
	while ((r = archive_read_next_header(n->outer, &ent)) == ARCHIVE_OK)
		if (archive_entry_pathname(ent) &&
		    !strncmp(archive_entry_pathname(ent), "data.tar", 8))
			break;
	if (r != ARCHIVE_OK) {
		error_set(e, EXIT_INPUT, "%s is not a Debian package (no data.tar.*)", deb);
		goto out;
	}
	if (archive_read_open(in, n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		error_set(e, EXIT_INPUT, "cannot read the data of %s: %s", deb,
			  archive_error_string(in));
		goto out;
	}
	ret = copy_member(in, deb, member, out_path, e);
out:
	archive_read_free(in);
	archive_read_free(n->outer);
	free(n);
	return ret;
}
