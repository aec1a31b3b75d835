/* Files and directories: see fs.h. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"

int make_dirs(const char *path, struct error *e)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1; *s && !ret; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			ret = error_set(e, EXIT_ENV, "cannot create %s: %m", p);
		*s = '/';
	}
	if (!ret && mkdir(p, 0755) < 0 && errno != EEXIST)
		ret = error_set(e, EXIT_ENV, "cannot create %s: %m", p);
	free(p);
	return ret;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	const char *p = data;
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		p += n;
		len -= n;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	saved = errno;
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

int copy_file_atomic(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	int ret = data ? write_file_atomic(to, data, len) : -1, saved = errno;

	free(data);
	errno = saved;
	return ret;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t size = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - size < 4096)
			buf = xrealloc(buf, cap = cap * 2 + 8192);
		n = fread(buf + size, 1, cap - size - 1, f);
		size += n;
	} while (n > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	if (len)
		*len = size;
	return buf;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

char *staging_dir(const char *final, struct error *e)
{
	char *dir = xasprintf("%s.tmp.%d", final, (int)getpid());

	remove_tree(dir);
	if (make_dirs(dir, e) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

int publish_dir(const char *staging, const char *final)
{
	return rename(staging, final);
}

char *temp_dir_create(const char *base, const char *prefix, struct error *e)
{
	char *dir = xasprintf("%s/%s-%d-XXXXXX", base, prefix, (int)getpid());

	if (!mkdtemp(dir)) {
		error_set(e, EXIT_ENV, "cannot make a directory in %s: %s", base, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

void temp_dirs_clean(const char *base, const char *prefix)
{
	DIR *d = opendir(base);
	struct dirent *de;
	size_t plen = strlen(prefix);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *end, *path;
		long pid;

		if (strncmp(de->d_name, prefix, plen) || de->d_name[plen] != '-')
			continue;
		pid = strtol(de->d_name + plen + 1, &end, 10);
		/* Alive (or another user's, EPERM): not ours to take.  A reused
		 * pid only keeps a dead one's directory until the next time. */
		if (end == de->d_name + plen + 1 || *end != '-' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = xasprintf("%s/%s", base, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			remove_tree(path);
		free(path);
	}
	closedir(d);
}
