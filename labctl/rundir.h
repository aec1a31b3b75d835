/* Run directories: one per build, boot, trace or grade, holding its logs. */
#ifndef LABCTL_RUNDIR_H
#define LABCTL_RUNDIR_H

/*
 * A new directory cache_root()/runs/WHAT-YYYYmmdd-HHMMSS-PID (or under
 * $LABCTL_RUN_ROOT), with a "WHAT-latest" symlink beside it.  Caller frees.
 */
char *run_dir_new(const char *what);

#endif
