/* Reading the traced program's ELF: see elf.h. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "syscall-sites.h"
#include "fs.h"
#include "labctl.h"

struct image {
	const unsigned char *buf;
	size_t len;
	const char *what;
};

/* A pointer to N bytes at OFF, or NULL when they are not all in the file. */
static const void *at(const struct image *im, size_t off, size_t n)
{
	if (off > im->len || n > im->len - off)
		return NULL;
	return im->buf + off;
}

static const Elf64_Ehdr *header(const struct image *im)
{
	const Elf64_Ehdr *eh = at(im, 0, sizeof(*eh));

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		error("%s is not an ELF file", im->what);
		return NULL;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64) {
		error("%s is not an x86-64 program", im->what);
		return NULL;
	}
	if (eh->e_type != ET_EXEC) {
		error("%s is not a static non-PIE executable (link it with -static -no-pie): "
		      "its addresses are not known before it runs", im->what);
		return NULL;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % _Alignof(Elf64_Shdr) ||
	    !at(im, eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr))) {
		error("%s: bad section header table", im->what);
		return NULL;
	}
	return eh;
}

static const Elf64_Sym *find_symbol(const struct image *im, const Elf64_Shdr *sh,
				    size_t nsec, const char *func)
{
	for (size_t i = 0; i < nsec; i++) {
		const Elf64_Shdr *strs;
		const Elf64_Sym *syms;
		const char *strtab;
		size_t n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= nsec ||
		    sh[i].sh_offset % _Alignof(Elf64_Sym))
			continue;
		strs = &sh[sh[i].sh_link];
		strtab = at(im, strs->sh_offset, strs->sh_size);
		n = sh[i].sh_size / sizeof(Elf64_Sym);
		syms = at(im, sh[i].sh_offset, n * sizeof(Elf64_Sym));
		if (!syms || !strtab)
			continue;
		for (size_t j = 0; j < n; j++) {
			size_t off = syms[j].st_name;

			if (ELF64_ST_TYPE(syms[j].st_info) != STT_FUNC || off >= strs->sh_size ||
			    !memchr(strtab + off, '\0', strs->sh_size - off))
				continue;
			if (!strcmp(strtab + off, func))
				return &syms[j];
		}
	}
	return NULL;
}

int elf_syscall_sites_mem(const unsigned char *buf, size_t len, const char *what,
			  const char *func, struct elf_func *out)
{
	struct image im = { buf, len, what };
	const Elf64_Ehdr *eh = header(&im);
	const Elf64_Shdr *sh, *text;
	const Elf64_Sym *sym;
	const unsigned char *code;

	memset(out, 0, sizeof(*out));
	if (!eh)
		return -1;
	sh = at(&im, eh->e_shoff, 0);
	sym = find_symbol(&im, sh, eh->e_shnum, func);
	if (!sym)
		return error("%s has no function %s (no symbol table, or another name: see --function)",
			     what, func);
	if (sym->st_shndx >= eh->e_shnum)
		return error("%s: %s is not in a section", what, func);
	text = &sh[sym->st_shndx];
	code = text->sh_type == SHT_PROGBITS && sym->st_value >= text->sh_addr
		? at(&im, text->sh_offset + (sym->st_value - text->sh_addr), sym->st_size)
		: NULL;
	if (!code)
		return error("%s: the code of %s is not in the file", what, func);
	for (size_t i = 0; i + 1 < sym->st_size && out->nsites < ELF_MAX_SITES; i++)
		if (code[i] == 0x0f && code[i + 1] == 0x05)
			out->sites[out->nsites++] = sym->st_value + i;
	if (!out->nsites)
		return error("%s: %s has no syscall instruction", what, func);
	out->name = xstrdup(func);
	out->addr = sym->st_value;
	out->size = sym->st_size;
	return 0;
}

int elf_syscall_sites(const char *path, const char *func, struct elf_func *out)
{
	size_t len;
	unsigned char *buf = (unsigned char *)read_file(path, &len);
	int ret;

	if (!buf)
		return error("cannot read %s: %s", path, strerror(errno));
	ret = elf_syscall_sites_mem(buf, len, path, func, out);
	free(buf);
	return ret;
}

void elf_func_free(struct elf_func *f)
{
	free(f->name);
	memset(f, 0, sizeof(*f));
}
