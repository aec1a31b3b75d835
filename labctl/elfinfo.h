/* What labctl asks of ELF files (vmlinux, busybox), through libelf. */
#ifndef LABCTL_ELFINFO_H
#define LABCTL_ELFINFO_H

#include <stdbool.h>

/* Does the ELF file PATH have a section called NAME?  -1 if PATH is not a
 * readable ELF file. */
int elf_has_section(const char *path, const char *name);
/* Is PATH a statically linked ELF executable (no PT_INTERP)?  -1 if PATH
 * is not a readable ELF file. */
int elf_is_static(const char *path);

#endif
