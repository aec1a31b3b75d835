/* ELF files: see elfinfo.h. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "elfinfo.h"

static Elf *elf_open(const char *path, int *fd)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	e = elf_begin(*fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(*fd);
		return NULL;
	}
	return e;
}

int elf_has_section(const char *path, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;
	int fd, found = 0;
	Elf *e = elf_open(path, &fd);

	if (!e)
		return -1;
	if (elf_getshdrstrndx(e, &shstrndx) == 0)
		while (!found && (scn = elf_nextscn(e, scn)))
			if (gelf_getshdr(scn, &sh)) {
				const char *s = elf_strptr(e, shstrndx, sh.sh_name);

				found = s && !strcmp(s, name);
			}
	elf_end(e);
	close(fd);
	return found;
}

int elf_is_static(const char *path)
{
	GElf_Phdr ph;
	size_t n;
	int fd, interp = 0;
	Elf *e = elf_open(path, &fd);

	if (!e)
		return -1;
	if (elf_getphdrnum(e, &n) == 0)
		for (size_t i = 0; i < n; i++)
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
				interp = 1;
	elf_end(e);
	close(fd);
	return !interp;
}
