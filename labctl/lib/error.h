/*
 * A library's error: the exit code it maps to (labctl.h) and one line of
 * message.  Libraries fill one and return -1 (or NULL); only main.c and the
 * cmd-*.c files print it and exit (die_error).
 */
#ifndef LABCTL_ERROR_H
#define LABCTL_ERROR_H

struct error {
	int code;               /* enum exit_code */
	char msg[1024];
};

/* Fill E (which may be NULL) and return -1, for `return error_set(...)`. */
int error_set(struct error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "labctl: error: MSG" and exit with E's code. */
_Noreturn void die_error(const struct error *e);

#endif
