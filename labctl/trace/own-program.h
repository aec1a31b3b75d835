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

#include "rootfs/scenario.h"
#include "trace/elf.h"

struct error;

struct own_program {
	char *path;         /* as the user gave it */
	char *exe;          /* the linked program on the host */
	char *name;         /* its name in the guest (/lab/user/NAME), its exe */
	const char *abi;    /* "x86_64" or "i386", from the ELF header */
	struct elf_info info;   /* the user's own functions, when compiled here */
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
 * compile) as a static x86 program.  0, or -1 with E: EXIT_INPUT for what
 * the user can fix (does not compile, not static), in one line.
 */
int own_program_build(const char *path, const char *work, bool i386, struct own_program *p,
		      struct error *e);
/* The function of P that makes system call NR, NAME (FUNCTION, or NULL:
 * found), and the others to watch.  -1 with E (EXIT_INPUT) when P cannot
 * make it. */
int own_program_find_call(struct own_program *p, long nr, const char *name,
			  const char *function, struct error *e);
/*
 * The lab's image LAB with P in the place of SC's step ST (run with ARGS):
 * /lab/user/NAME and SC's script, an archive appended to the cached image
 * (nothing rebuilt), written to DIR/guest.cpio, which the user may boot
 * (labctl boot --initrd).  Its path, or NULL with E; *INBOX (caller frees)
 * is the archive alone, DIR/inbox.cpio, for a guest restored from its
 * saved state (qemu/snapshot.h).
 */
char *own_program_image(const struct own_program *p, struct scenario *sc, struct scenario_step *st,
			char *const *args, int nargs, const char *lab, const char *dir,
			char **inbox, struct error *e);
void own_program_free(struct own_program *p);

#endif
