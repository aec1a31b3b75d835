/*
 * ELF files, as labctl reads them (libelf, both classes): the programs it
 * puts into the guest and busybox (is it static, for which ABI), vmlinux
 * (its sections), the traced program (where its syscall instruction is),
 * and a student's program (which functions are the student's, and which
 * one makes the assigned call).  No other file reads ELF.
 */
#ifndef LABCTL_ELF_H
#define LABCTL_ELF_H

#include <stdbool.h>
#include <stddef.h>

struct error;

struct func_range {
	char *name;
	unsigned long start, end;  /* [start, end) */
};

struct elf_info {
	bool is_elf;               /* an ELF file of class 32 or 64; for elf_inspect()
	                            * one of class 64, the only one grading runs */
	int bits;                  /* 32 or 64 (ELFCLASS) */
	int machine;               /* EM_X86_64, EM_386, ... */
	bool executable;           /* ET_EXEC or ET_DYN */
	bool is_static;            /* an executable without PT_INTERP: the kernel
	                            * runs it without ld.so */
	bool pie;                  /* ET_DYN: static-pie when is_static */
	struct func_range *funcs;  /* elf_inspect(): the student's functions */
	size_t nfuncs;
};

/* Read PATH's ELF header and program headers; -1 with errno (EINVAL: not
 * an ELF file) on failure. */
int elf_read_info(const char *path, struct elf_info *info);
/* Does the ELF file PATH have a section called NAME?  -1 if PATH is not a
 * readable ELF file. */
int elf_has_section(const char *path, const char *name);

/* ---- the traced program: where its way into the kernel is ---- */

struct elf_func {
	char *name;
	unsigned long addr, size;
	/* Every address in the function whose bytes are 0f 05 (syscall) or,
	 * in an i386 program, cd 80 (int $0x80).  A byte pair inside another
	 * instruction is never executed, so a breakpoint on it costs nothing;
	 * the real one is always here. */
	unsigned long *sites;
	size_t nsites;
	const char *abi;     /* "x86_64" or "i386", from the ELF header */
	const char *insn;    /* "syscall" or "int $0x80" */
};

/*
 * Find function FUNC in the ELF image BUF, a static non-PIE executable
 * (its addresses are the ones the CPU executes), and its syscall sites.
 * -1 with E (EXIT_INPUT, naming WHAT, the file) when it cannot.
 */
int elf_syscall_sites_mem(const unsigned char *buf, size_t len, const char *what,
			  const char *func, struct elf_func *out, struct error *e);
/* The same for the file PATH. */
int elf_syscall_sites(const char *path, const char *func, struct elf_func *out,
		      struct error *e);
void elf_func_free(struct elf_func *f);

/* ---- a student's program, for grading ---- */

/*
 * Inspect the linked EXE, whose student code came from the objects OBJS:
 * is it static, and where are the student's functions (defined STT_FUNC
 * symbols of OBJS; a static one matched only under its own STT_FILE, so a
 * libc function of the same name never counts).  0, or -1 when EXE is no
 * ELF file (E->bits says which class it is).
 */
int elf_inspect(const char *exe, char *const *objs, int nobjs, struct elf_info *e);
void elf_info_free(struct elf_info *e);
/* The student's function holding ADDR, or NULL. */
const struct func_range *elf_func_at(const struct elf_info *e, unsigned long addr);
/*
 * The function of EXE whose `syscall` instruction (bytes 0f 05; int $0x80,
 * cd 80, in an i386 program) the trace watches for system call NR: the
 * student's function with one (preferring one that also moves the
 * immediate NR into eax or rax; *STUDENTS = true), else libc's wrapper
 * __libc_NAME, __NAME or NAME, else glibc's syscall().  NULL when there is none: the program cannot make the call.  Caller frees.
 */
char *elf_trace_function(const char *exe, const struct elf_info *e, long nr,
			 const char *syscall_name, bool *students);
/*
 * Every other function of EXE that may make system call NR, for the trace
 * to watch beside FIRST (elf_trace_function's): the student's functions
 * with a syscall instruction (an inlined copy in main and the unused
 * out-of-line one are two), libc's wrapper for SYSCALL_NAME, glibc's
 * syscall().  The trace watches them all (under KVM, as many as the debug
 * registers allow, in this order); the inline check then judges the
 * instruction that ran.
 * *N names (caller frees each and the array); NULL when EXE is unreadable.
 */
char **elf_call_functions(const char *exe, const struct elf_info *e, long nr,
			  const char *syscall_name, const char *first, int *n);

#endif
