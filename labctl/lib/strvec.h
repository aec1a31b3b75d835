/*
 * A growing NULL-terminated array of strings it owns: the argv of a child
 * process, built one argument at a time (git's strvec, cut to what labctl
 * uses).  v is always a valid argv once anything was pushed.
 */
#ifndef LABCTL_STRVEC_H
#define LABCTL_STRVEC_H

#include <stddef.h>

struct strvec {
	const char **v;
	size_t nr, alloc;
};

/* A copy of S at the end. */
void strvec_push(struct strvec *sv, const char *s);
/* A formatted string at the end. */
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Every string of a NULL-terminated list of arguments. */
void strvec_pushl(struct strvec *sv, ...) __attribute__((sentinel));
/* Drop the strings past the first NR (an argv shared by a prefix). */
void strvec_truncate(struct strvec *sv, size_t nr);
/* Free the strings and the array; SV is empty again. */
void strvec_clear(struct strvec *sv);
/* The array to keep, NULL-terminated (free it with strv_free); SV is empty. */
char **strvec_detach(struct strvec *sv);

/* Free a NULL-terminated array of strings and the array. */
void strv_free(char **v);
/* Free the first N strings of V and V. */
void strv_free_n(char **v, size_t n);

#endif
