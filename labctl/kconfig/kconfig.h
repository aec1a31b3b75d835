/*
 * Kernel configuration fragments and .config files: parsing them, checking
 * that what the fragments asked for is what Kconfig kept, and explaining
 * from the tree's Kconfig files why an option was dropped.
 */
#ifndef LABCTL_KCONFIG_H
#define LABCTL_KCONFIG_H

#include <stddef.h>

#include "lib/error.h"

/* One "CONFIG_NAME=value" or "# CONFIG_NAME is not set" line. */
struct kopt {
	char *name;     /* without the CONFIG_ prefix */
	char *value;    /* "y", "m", "64", "\"str\""; "n" for "is not set" */
	char *where;    /* "lab.config:12", for messages */
};

struct kopts {
	struct kopt *v;
	size_t n;
};

/*
 * Add the assignments in TEXT (a fragment or a .config named FILE) to L; a
 * later assignment of the same option replaces the earlier one, as in
 * merge_config.sh.  Returns -1 with E (EXIT_INPUT) naming FILE:LINE of the
 * first line that is neither an assignment, a comment nor blank.
 */
int kopts_parse(struct kopts *l, const char *text, const char *file, struct error *e);
/* kopts_parse() on PATH's text; -1 with E (EXIT_INPUT) if it cannot be read. */
int kopts_parse_file(struct kopts *l, const char *path, struct error *e);
void kopts_free(struct kopts *l);
/* The value of NAME in L ("n" when L says "is not set"), or NULL. */
const char *kopts_get(const struct kopts *l, const char *name);
/* Does the final config HAVE give NAME the value WANT?  An option missing
 * from HAVE is "n". */
int kopt_took(const struct kopts *have, const struct kopt *want);

/* What a build says of an option that did not take (a line, caller frees). */
typedef char *kopt_why_fn(const struct kopt *want, const struct kopts *have, void *arg);
/*
 * The options of WANT that did not take in the .config at CONFIG, which
 * STEP (say "make oldconfig") left: *REPORT gets WHY's line for each, one a
 * line, and *N their count (NULL and 0 when all took).  -1 with E
 * (EXIT_FAIL) when CONFIG cannot be read.
 */
int kopts_not_taken(const struct kopts *want, const char *config, const char *step,
		    kopt_why_fn *why, void *arg, char **report, int *n, struct error *e);

/*
 * Why Kconfig dropped WANT: its `depends on` lines in the tree's Kconfig
 * files, with the symbols in them that HAVE leaves unset.  Caller frees.
 */
char *kconfig_explain(const char *srctree, const struct kopt *want,
		      const struct kopts *have);
/* From the text of Kconfig files: the part used by kconfig_explain(). */
char *kconfig_entry_depends(const char *kconfig_text, const char *name);
char *kconfig_unmet(const char *depends, const struct kopts *have);

#endif
