/* ELF files: see elf.h.  libelf's gelf_* read both classes, since the lab
 * has i386 programs too. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"

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
		errno = EINVAL;
		return NULL;
	}
	return e;
}

static void elf_close(Elf *e, int fd)
{
	elf_end(e);
	close(fd);
}

int elf_read_info(const char *path, struct elf_info *info)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n;
	int fd, class;
	Elf *e = elf_open(path, &fd);

	if (!e)
		return -1;
	class = gelf_getclass(e);
	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &n) != 0 ||
	    (class != ELFCLASS32 && class != ELFCLASS64)) {
		elf_close(e, fd);
		errno = EINVAL;
		return -1;
	}
	info->bits = class == ELFCLASS64 ? 64 : 32;
	info->machine = eh.e_machine;
	info->executable = eh.e_type == ET_EXEC || eh.e_type == ET_DYN;
	info->is_static = true;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
			info->is_static = false;
	elf_close(e, fd);
	return 0;
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
	elf_close(e, fd);
	return found;
}
