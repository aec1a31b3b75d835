/*
 * The kernels labctl knows by version: Debian's linux-source-X.Y packages,
 * the suites that carry them, and `--kernel VERSION` for every command.
 * fetch, config and build get VERSION's source (source.h); boot, trace and
 * grade use the kernel last built from it (kernel.h).
 */
#ifndef LABCTL_VERSIONS_H
#define LABCTL_VERSIONS_H

/* The lab's kernel, and what builds when no --kernel is given. */
#define DEFAULT_KERNEL "5.10"

struct debian_kernel {
	const char *version;   /* "6.1": the tree's VERSION.PATCHLEVEL */
	const char *package;   /* "linux-source-6.1" */
	const char *suites;    /* where apt finds it, space-separated, newest wins */
};

/* --kernel's words, NULL-ended: "5.10", "6.1", "6.12". */
extern const char *const kernel_versions[];

/* VERSION's row (NULL: the default), or NULL when labctl does not know it. */
const struct debian_kernel *debian_kernel(const char *version);

/* SUITES as one word for a path: "bookworm+bookworm-security"; caller
 * frees. */
char *suites_word(const char *suites);

/* The kernels directory's name for a tree's version: "6.1" of "6.1.192";
 * caller frees. */
char *kernel_series(const char *version);

/* The rows of boot's, trace's and grade's --kernel; V is a const char **. */
#define KERNEL_OPTION(V) \
	OPT_CHOICE(0, "kernel", (V), kernel_versions, "VERSION", \
		   "the kernel last built for VERSION (labctl build\n" \
		   "--kernel VERSION): 5.10, 6.1 or 6.12 (default: the\n" \
		   "last kernel built)")

#endif
