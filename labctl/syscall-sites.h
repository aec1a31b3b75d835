/*
 * The traced program's ELF, read on the host: where its `syscall` (x86-64)
 * or `int $0x80` (i386) instruction is.  The lab programs are static,
 * non-PIE executables, so the virtual address in the file is the one the
 * CPU will execute.
 */
#ifndef LABCTL_SYSCALL_SITES_H
#define LABCTL_SYSCALL_SITES_H

#include <stddef.h>

#define ELF_MAX_SITES 4	/* x86 has four debug address registers */

struct elf_func {
	char *name;
	unsigned long addr, size;
	/* Every address in the function whose bytes are 0f 05 (syscall) or,
	 * in an i386 program, cd 80 (int $0x80).  A byte pair inside another
	 * instruction is never executed, so a breakpoint on it costs nothing;
	 * the real one is always here. */
	unsigned long sites[ELF_MAX_SITES];
	size_t nsites;
	const char *abi;     /* "x86_64" or "i386", from the ELF header */
	const char *insn;    /* "syscall" or "int $0x80" */
};

/* Find function FUNC in the ELF image BUF and its syscall sites.  -1 with
 * a message (naming WHAT, the file) when it cannot. */
int elf_syscall_sites_mem(const unsigned char *buf, size_t len, const char *what,
			  const char *func, struct elf_func *out);
/* The same for the file PATH. */
int elf_syscall_sites(const char *path, const char *func, struct elf_func *out);
void elf_func_free(struct elf_func *f);

#endif
