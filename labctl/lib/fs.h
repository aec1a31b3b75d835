/* Files and directories, written so that nothing is ever half there. */
#ifndef LABCTL_FS_H
#define LABCTL_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* mkdir -p: 0, or -1 with E (EXIT_ENV) naming the directory and why. */
int make_dirs(const char *path, struct error *e);
/* Write DATA to PATH through PATH.tmp.PID and rename(): readers see the old
 * file or the new one, never a part.  Returns 0 or -1 with errno set. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* FROM's bytes written to TO as write_file_atomic() writes: 0, or -1 with
 * errno set (by the read or by the write). */
int copy_file_atomic(const char *from, const char *to);
/* Read a whole file (NUL-terminated); NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* rm -rf; returns 0 or -1. */
int remove_tree(const char *path);
bool is_dir(const char *path);
bool is_file(const char *path);
/* Does the name S end with SUFFIX (".c", ".state")? */
bool ends_with(const char *s, const char *suffix);
/* A fresh directory beside FINAL to fill, then publish_dir() it; NULL
 * with E when it cannot be made. */
char *staging_dir(const char *final, struct error *e);
/* Atomically move a filled staging directory to FINAL (which must not exist). */
int publish_dir(const char *staging, const char *final);

/*
 * A fresh directory BASE/PREFIX-PID-XXXXXX for this process's scratch work,
 * to be removed by it (remove_tree) when done; NULL with E.  The PID in
 * the name lets temp_dirs_clean() tell a dead process's from a live one.
 */
char *temp_dir_create(const char *base, const char *prefix, struct error *e);
/* Remove what temp_dir_create(BASE, PREFIX) made for processes that are
 * gone (SIGKILLed, or killed by a signal before they cleaned up) and that
 * belonged to this user. */
void temp_dirs_clean(const char *base, const char *prefix);

#endif
