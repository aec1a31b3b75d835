/*
 * Kernel sources from git repositories, with libgit2 (never the git CLI).
 * URL is anything libgit2 clones: https://, file://, a local path.  These
 * return 0, or -1 with E's code EXIT_INPUT (no such repository or
 * revision) or EXIT_ENV (the disk).
 */
#ifndef LABCTL_GITSRC_H
#define LABCTL_GITSRC_H

#include "lib/error.h"

#define GIT_OID_HEX_LEN 40

/*
 * The commit REV names at URL, from the remote's refs alone (no clone): a
 * tag (peeled), a branch, a full ref name, or a full commit id.  Returns 0
 * with OID set, 1 when the refs do not name REV (an abbreviated commit id:
 * clone to find out), or -1.
 */
int gitsrc_resolve(char oid[GIT_OID_HEX_LEN + 1], const char *url, const char *rev,
		   struct error *e);

/*
 * Clone URL into DIR (which must not exist), check out REV (tag, branch or
 * commit) and drop DIR/.git, leaving a plain tree.  OID gets the commit.
 */
int gitsrc_export(char oid[GIT_OID_HEX_LEN + 1], const char *url, const char *rev,
		  const char *dir, struct error *e);

#endif
