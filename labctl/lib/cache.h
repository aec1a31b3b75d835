/*
 * The cache: everything labctl downloads or builds lives outside the
 * repository, under $XDG_CACHE_HOME/labctl (or --cache-dir), in entries
 * named by the SHA-256 of what went into them.  An entry appears whole
 * (staging directory, then rename) or not at all.
 */
#ifndef LABCTL_CACHE_H
#define LABCTL_CACHE_H

#include <stddef.h>

#include "lib/error.h"

#define SHA256_HEX_LEN 64

/* Resolve the cache root (--cache-dir, $LABCTL_CACHE_DIR, $XDG_CACHE_HOME,
 * $HOME) and create it; main() calls it once, before a command runs. */
int cache_init(struct error *e);
/* The cache root cache_init() resolved. */
const char *cache_root(void);
/* cache_root()/SUB/..., created; caller frees.  NULL with E if it cannot be. */
char *cache_subdir(const char *sub, struct error *e);
/* cache_root()/SUB/NAME, with SUB created; caller frees.  NULL with E. */
char *cache_path(const char *sub, const char *name, struct error *e);

/* Incremental SHA-256 over the inputs of a cache entry. */
struct hasher;
struct hasher *hasher_new(void);
void hasher_add(struct hasher *h, const void *data, size_t len);
void hasher_add_str(struct hasher *h, const char *s);     /* with a separator */
int hasher_add_file(struct hasher *h, const char *path);  /* -1 if unreadable */
/* Finish into OUT (hex, NUL-terminated) and free H. */
void hasher_hex(struct hasher *h, char out[SHA256_HEX_LEN + 1]);
/* SHA-256 of a file in hex; -1 if unreadable. */
int sha256_file(const char *path, char out[SHA256_HEX_LEN + 1]);

/* An exclusive lock on cache_root()/locks/NAME, held until cache_unlock();
 * -1 with E when the lock file cannot be opened. */
int cache_lock(const char *name, struct error *e);
void cache_unlock(int fd);

#endif
