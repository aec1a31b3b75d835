/*
 * Configuring and building a kernel into the cache (see kernel.h for what a
 * built kernel looks like there).  `labctl config` and `labctl build` are
 * thin wrappers around these.
 */
#ifndef LABCTL_BUILD_H
#define LABCTL_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/cache.h"
#include "lib/error.h"
#include "lib/proc.h"
#include "source/source.h"

/* Bump when the way a kernel is built changes: every cached kernel is stale. */
#define BUILD_RECIPE_VERSION "1"

struct build_opts {
	const char *base;          /* "tinyconfig" (default) or "defconfig" */
	struct opt_strings fragments; /* none: kernel-config/'s defaults for BASE */
	struct source_opts source;
	int jobs;                  /* make -j; 0 for the number of CPUs */
	bool force;                /* rebuild even when the cache has it */
	const char *busybox;       /* build: --busybox WHICH for the initramfs (busybox.h) */
	const char *busybox_source; /* build: --busybox-source TARBALL|debian */
};

/* What a build needs, worked out before anything runs. */
struct build_plan {
	const struct build_opts *o;
	struct kernel_source src;
	char **fragments;          /* resolved paths */
	size_t nfragments;
	char *compiler;            /* first line of `gcc --version` */
	char *obj;                 /* CACHE/obj/BASE-ID, kept between builds */
	char key[SHA256_HEX_LEN + 1];
	char *dir;                 /* CACHE/kernels/KEY */
	char *run_dir;             /* logs, created when work starts */
	bool ccache;
};

/* The inputs of the cache key, hashed; split out for the unit tests.  -1
 * with E (EXIT_INPUT) when a fragment cannot be read. */
int build_key(char out[SHA256_HEX_LEN + 1], const char *source_key, const char *base,
	      char *const *fragments, size_t nfragments, const char *compiler, struct error *e);

/* Check the tools, get the source, compute the key; -1 with E on bad input
 * or a missing tool.  build_plan_free() P either way. */
int build_plan_init(struct build_plan *p, const struct build_opts *o, struct error *e);
void build_plan_free(struct build_plan *p);
/* Is the kernel for P already in the cache? */
bool build_cached(const struct build_plan *p);
/* Point CACHE/kernels/current and CACHE/kernels/X.Y (P's version) at P's
 * kernel (atomically). */
int build_set_current(const struct build_plan *p, struct error *e);
/* -1 with E (EXIT_ENV) when the cache's file system has too little room. */
int build_check_space(const struct build_plan *p, struct error *e);

/* Write the .config in P's object directory and check every requested
 * option took: 0, or -1 with E. */
int build_config(struct build_plan *p, struct error *e);
/* make, gdb-add-index, publish into the cache: 0, or -1 with E. */
int build_kernel(struct build_plan *p, struct error *e);

/* For build-config.c and build-kernel.c: run `make TARGETS` in P's object
 * directory as child C, output appended to RUN_DIR/LOG.  As git's
 * run_command(): 0, 1 when make ran and failed (for child_failure()), -1
 * with E when it could not start. */
int build_make(struct build_plan *p, struct child *c, const char *log,
	       const char *const *targets, double timeout, struct error *e);

/* --base's words, and the rows of the options config and build share
 * (parse-options.h); O is a struct build_opts *. */
extern const char *const build_bases[];
#define CONFIG_OPTIONS(O) \
	OPT_CHOICE(0, "base", &(O)->base, build_bases, "BASE", \
		   "tinyconfig (default: the lab's small kernel) or defconfig\n" \
		   "(the reference write-ups' recipe)"), \
	OPT_STRINGS_OF(0, "fragment", &(O)->fragments, OPT_FILES, "FILE", \
		    "a config fragment (repeatable); default kernel-config/\n" \
		    "lab.config + debug.config, or debug.config on defconfig"), \
	SOURCE_OPTIONS(&(O)->source)

#endif
