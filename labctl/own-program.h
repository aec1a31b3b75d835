/*
 * The user's own program for `labctl trace --program PATH` (own-program.c):
 * a static ELF as it is, or C/assembly sources compiled with the lab's
 * flags in grade's sandbox; then the function whose syscall instruction
 * makes the call, found in the user's own code when --function is not
 * given.
 */
#ifndef LABCTL_OWN_PROGRAM_H
#define LABCTL_OWN_PROGRAM_H

#include <stdbool.h>

struct error;

struct own_program {
	char *exe;          /* the linked program on the host */
	char *name;         /* its name in the guest (/lab/user/NAME), its exe */
	char *function;     /* the function holding the syscall instruction */
	bool in_libc;       /* FUNCTION is libc's wrapper, not the user's code */
	/* Every other way the program may make the call, watched too (found,
	 * not given; elf_call_functions()): the user's other functions with a
	 * syscall instruction (a helper gcc inlined into main leaves a copy of
	 * its own that never runs, and only the guest knows which one does),
	 * then libc's wrapper and syscall(). */
	char **others;
	int nothers;
};

/*
 * PATH (an ELF, or a .c/.S source with the headers beside it, compiled
 * with -m32 when I386; its compiler's log in WORK when it does not
 * compile); FUNCTION (or NULL: found) for system call NR, NAME.  0, or -1 with E: EXIT_INPUT for what the user can fix (does not
 * compile, not static, no syscall instruction), with one line that says so.
 */
int own_program_get(const char *path, const char *work, bool i386, long nr, const char *name,
		    const char *function, struct own_program *p, struct error *e);
void own_program_free(struct own_program *p);

#endif
