/* The cache: see cache.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"

static char *root;

int cache_init(struct error *e)
{
	const char *env;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool sha256 = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	/* Checked once here, so that hasher_new() fails only when memory does. */
	EVP_MD_CTX_free(ctx);
	if (!sha256)
		return error_set(e, EXIT_INTERNAL, "SHA-256 unavailable from libcrypto");
	if (opts.cache_dir)
		root = xstrdup(opts.cache_dir);
	else if ((env = getenv("LABCTL_CACHE_DIR")) && *env)
		root = xstrdup(env);
	else if ((env = getenv("XDG_CACHE_HOME")) && *env)
		root = xasprintf("%s/labctl", env);
	else if ((env = getenv("HOME")) && *env)
		root = xasprintf("%s/.cache/labctl", env);
	else
		return error_set(e, EXIT_ENV, "no cache directory: set --cache-dir, LABCTL_CACHE_DIR or HOME");
	return make_dirs(root, e);
}

const char *cache_root(void)
{
	assert(root);	/* main() calls cache_init() before any command */
	return root;
}

char *cache_subdir(const char *sub, struct error *e)
{
	char *dir = xasprintf("%s/%s", cache_root(), sub);

	if (make_dirs(dir, e) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

char *cache_path(const char *sub, const char *name, struct error *e)
{
	char *dir = cache_subdir(sub, e), *path;

	if (!dir)
		return NULL;
	path = xasprintf("%s/%s", dir, name);
	free(dir);
	return path;
}

struct hasher {
	EVP_MD_CTX *ctx;
};

struct hasher *hasher_new(void)
{
	struct hasher *h = xmalloc(sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
		out_of_memory("a SHA-256 context");
	return h;
}

void hasher_add(struct hasher *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
}

void hasher_add_str(struct hasher *h, const char *s)
{
	/* The NUL keeps ("ab","c") and ("a","bc") apart. */
	hasher_add(h, s, strlen(s) + 1);
}

int hasher_add_file(struct hasher *h, const char *path)
{
	char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		hasher_add(h, buf, n);
	close(fd);
	return n < 0 ? -1 : 0;
}

void hasher_hex(struct hasher *h, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int len = 0;

	EVP_DigestFinal_ex(h->ctx, md, &len);
	EVP_MD_CTX_free(h->ctx);
	free(h);
	for (unsigned int i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * len] = '\0';
}

int sha256_file(const char *path, char out[SHA256_HEX_LEN + 1])
{
	struct hasher *h = hasher_new();
	int ret = hasher_add_file(h, path);

	hasher_hex(h, out);
	return ret;
}

int cache_lock(const char *name, struct error *e)
{
	char *path = cache_path("locks", name, e);
	int fd;

	if (!path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_set(e, EXIT_ENV, "cannot open lock %s: %m", path);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		note("waiting for another labctl to release %s", path);
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
	}
out:
	free(path);
	return fd;
}

void cache_unlock(int fd)
{
	close(fd);
}
