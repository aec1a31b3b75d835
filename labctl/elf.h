/* What labctl asks of ELF files: the programs it puts into the guest,
 * busybox, vmlinux. */
#ifndef LABCTL_ELF_H
#define LABCTL_ELF_H

#include <stdbool.h>

struct elf_info {
	int bits;           /* 32 or 64 (ELFCLASS) */
	int machine;        /* EM_X86_64, EM_386, ... */
	bool executable;    /* ET_EXEC or ET_DYN */
	bool is_static;     /* no PT_INTERP: the kernel runs it without ld.so */
};

/* Read PATH's ELF header and program headers; -1 with errno (EINVAL: not
 * an ELF file) on failure. */
int elf_read_info(const char *path, struct elf_info *info);
/* Does the ELF file PATH have a section called NAME?  -1 if PATH is not a
 * readable ELF file. */
int elf_has_section(const char *path, const char *name);

#endif
