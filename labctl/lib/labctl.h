/* labctl: what every command shares — exit codes, errors, global options. */
#ifndef LABCTL_H
#define LABCTL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Exit codes, documented in README.md and `labctl help`.  A script (or a
 * grader's CI) tells "your input is wrong" from "this machine is broken"
 * from "the guest did something unexpected" without reading stderr.
 */
enum exit_code {
	EXIT_OK       = 0, /* done */
	EXIT_FAIL     = 1, /* the job ran and failed: a build, a boot, a trace */
	EXIT_USAGE    = 2, /* bad command line */
	EXIT_ENV      = 3, /* the machine lacks something: a tool, disk space, KVM */
	EXIT_INPUT    = 4, /* bad input: not a kernel tree, hash mismatch, hostile archive */
	EXIT_TIMEOUT  = 5, /* a phase ran past its time limit */
	EXIT_INTERNAL = 70 /* a bug in labctl (EX_SOFTWARE) */
};

/* Global options, set by main() before a command runs. */
struct labctl_opts {
	const char *cache_dir;  /* --cache-dir, $LABCTL_CACHE_DIR, XDG cache */
	int verbose;            /* -v: echo children's logs, more detail */
	bool quiet;             /* -q: only errors */
};
extern struct labctl_opts opts;

/* One line on stderr: "labctl: error: ...", then exit(code).  For main.c
 * and the commands (cmd-*.c) only, where they are defined and linked. */
_Noreturn void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As die(), with ": strerror(errno)" appended. */
_Noreturn void die_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "labctl: error: ..." without exiting; returns -1 for `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress for humans on stderr; silent under -q. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail (dies with EXIT_ENV when memory is gone). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* free() each of a few pointers: a struct's strings, gone in one line. */
#define free_all(...) \
	free_ptrs((void *[]){ __VA_ARGS__ }, sizeof((void *[]){ __VA_ARGS__ }) / sizeof(void *))
void free_ptrs(void *const *p, size_t n);
/* The same death for memory another library (libcrypto) could not get. */
_Noreturn void out_of_memory(const char *what);

/* Monotonic clock in seconds, for timeouts and timings. */
double now(void);

/* Where rootfs/, kernel-config/, gdb/ and scenarios/ live (see datadir.c):
 * found once by main() through datadir_init(), then read. */
struct error;
int datadir_init(struct error *e);
const char *datadir(void);
char *datapath(const char *rel);

#endif
