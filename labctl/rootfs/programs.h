/*
 * The lab programs: rootfs/programs/NAME.c, each built static into the
 * cache as CACHE/programs/KEY/NAME, KEY = sha256(source, headers, flags,
 * compiler).  Names listed in rootfs/programs/i386.list are also built
 * with -m32 as NAME32.
 */
#ifndef LABCTL_PROGRAMS_H
#define LABCTL_PROGRAMS_H

#include <stdbool.h>

#include "lib/cache.h"
#include "lib/error.h"

/* The one set of flags every lab program is built with (plus -m32). */
#define PROGRAM_CFLAGS "-static -O1 -g -fno-omit-frame-pointer -Wall"

struct program {
	char *name;     /* "tcp_client", "tcp_client32" */
	char *source;   /* .../rootfs/programs/tcp_client.c */
	bool i386;      /* built with -m32: enters the kernel through int $0x80 */
	char key[SHA256_HEX_LEN + 1];
	char *path;     /* the binary in the cache */
};

struct programs {
	struct program *v;
	size_t n;
};

/* Find the programs in DIR (NULL: datadir's rootfs/programs), sorted by
 * name, with their keys and cache paths.  -1 with E (EXIT_ENV) on an
 * unreadable dir or file, or no working gcc. */
int programs_list(struct programs *p, const char *dir, struct error *e);
/* Build those not in the cache yet.  -1 with E (EXIT_FAIL) when one does
 * not compile, after showing the compiler's errors. */
int programs_build(struct programs *p, struct error *e);
const struct program *programs_find(const struct programs *p, const char *name);
void programs_free(struct programs *p);
/* The compiler's identity (`gcc --version`: "gcc (Debian 12.2.0-14) 12.2.0"),
 * into a cache key.  -1 with E (EXIT_ENV) when gcc is missing or fails. */
int hash_compiler(struct hasher *h, struct error *e);

#endif
