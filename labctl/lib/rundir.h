/* Run directories: one per build, boot, trace or grade, holding its logs. */
#ifndef LABCTL_RUNDIR_H
#define LABCTL_RUNDIR_H

#include "lib/error.h"

/*
 * A new directory cache_root()/runs/WHAT-YYYYmmdd-HHMMSS-PID (or under
 * $LABCTL_RUN_ROOT), with a "WHAT-latest" symlink beside it.  Caller
 * frees; NULL with E when it cannot be made.
 */
char *run_dir_create(const char *what, struct error *e);
/* The same under ROOT (made if need be) instead: grade keeps a trace's
 * run directory in the grading's own. */
char *run_dir_create_in(const char *root, const char *what, struct error *e);
/* DIR/NAME, for a Unix socket (caller frees); NULL with E (EXIT_ENV) when
 * the path is too long for one. */
char *run_socket(const char *dir, const char *name, struct error *e);

#endif
