/*
 * The system call tables as the kernel source declares them:
 * arch/x86/entry/syscalls/syscall_64.tbl ("<number> <abi> <name> <entry
 * point>") for x86-64 and syscall_32.tbl (the same, then the compat entry
 * point) for i386.  `labctl trace` takes a name or a number and reports the
 * table's line.
 */
#ifndef LABCTL_SYSCALLS_H
#define LABCTL_SYSCALLS_H

#include <stddef.h>

struct error;

struct syscall_entry {
	int nr;
	char *abi;      /* "common", "64" or "x32"; "i386" in syscall_32.tbl */
	char *name;     /* "connect" */
	char *entry;    /* "sys_connect", or NULL when the line has none */
	char *line;     /* the whole line, as written in the table */
	int lineno;
};

struct syscall_table {
	struct syscall_entry *v;
	size_t n;
};

/* Path of the table of ABI ("x86_64" or "i386") in a kernel source tree.
 * Caller frees. */
char *syscall_table_path(const char *source_dir, const char *abi);
/* Parse the table's text; lines that are not entries are skipped. */
void syscalls_parse(const char *text, struct syscall_table *t);
/* Read and parse PATH; -1 with E (EXIT_INPUT) when it cannot be read or
 * holds no entry. */
int syscalls_load(const char *path, struct syscall_table *t, struct error *e);
void syscalls_free(struct syscall_table *t);

/*
 * The entry named NAME, or numbered NAME when it is all digits
 * ("connect", "42").  x32 entries are never returned: labctl traces the
 * x86-64 and i386 ABIs.  NULL when there is none.
 */
const struct syscall_entry *syscall_lookup(const struct syscall_table *t, const char *name);
/* The entry numbered NR, x32 entries never; NULL when there is none. */
const struct syscall_entry *syscall_lookup_nr(const struct syscall_table *t, long nr);
/*
 * Up to MAX names close to NAME (edit distance at most 2, or NAME a prefix
 * of them), closest first; returns how many were stored in OUT.
 */
size_t syscall_suggest(const struct syscall_table *t, const char *name,
		       const char **out, size_t max);

#endif
