/* Reading the traced program's ELF: see syscall-sites.h.  libelf's gelf_*
 * read both classes: x86-64 programs enter with `syscall`, i386 ones with
 * `int $0x80`. */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "syscall-sites.h"
#include "fs.h"
#include "labctl.h"

/* The instruction that enters the kernel, per ABI. */
static const struct entry_insn {
	int class, machine;
	const char *abi, *text;
	unsigned char bytes[2];
} entry_insns[] = {
	{ ELFCLASS64, EM_X86_64, "x86_64", "syscall",   { 0x0f, 0x05 } },
	{ ELFCLASS32, EM_386,    "i386",   "int $0x80", { 0xcd, 0x80 } },
};

static const struct entry_insn *abi_of(Elf *e, const GElf_Ehdr *eh)
{
	for (size_t i = 0; i < sizeof(entry_insns) / sizeof(entry_insns[0]); i++)
		if (gelf_getclass(e) == entry_insns[i].class &&
		    eh->e_machine == entry_insns[i].machine)
			return &entry_insns[i];
	return NULL;
}

static bool header(Elf *e, GElf_Ehdr *eh, const char *what)
{
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, eh))
		return error("%s is not an ELF file", what), false;
	if (!abi_of(e, eh))
		return error("%s is not an x86-64 or i386 program", what), false;
	if (eh->e_type != ET_EXEC)
		return error("%s is not a static non-PIE executable (link it with -static -no-pie): "
			     "its addresses are not known before it runs", what), false;
	return true;
}

/* FUNC's symbol, from the symbol table. */
static bool find_symbol(Elf *e, const char *func, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		n = data ? data->d_size / sh.sh_entsize : 0;
		for (size_t i = 0; i < n; i++) {
			const char *name;

			if (!gelf_getsym(data, (int)i, out) || GELF_ST_TYPE(out->st_info) != STT_FUNC)
				continue;
			name = elf_strptr(e, sh.sh_link, out->st_name);
			if (name && !strcmp(name, func))
				return true;
		}
	}
	return false;
}

/* The bytes of SYM, or NULL when they are not all in the file. */
static const unsigned char *code_of(Elf *e, const GElf_Sym *sym)
{
	Elf_Scn *scn = elf_getscn(e, sym->st_shndx);
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Addr off;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
	    sym->st_value < sh.sh_addr || !(data = elf_getdata(scn, NULL)) || !data->d_buf)
		return NULL;
	off = sym->st_value - sh.sh_addr;
	if (off > data->d_size || sym->st_size > data->d_size - off)
		return NULL;
	return (const unsigned char *)data->d_buf + off;
}

static int sites(Elf *e, const char *what, const char *func, struct elf_func *out)
{
	const struct entry_insn *abi;
	const unsigned char *code;
	GElf_Ehdr eh;
	GElf_Sym sym;

	if (!header(e, &eh, what))
		return -1;
	abi = abi_of(e, &eh);
	if (!find_symbol(e, func, &sym))
		return error("%s has no function %s (no symbol table, or another name: see --function)",
			     what, func);
	if (!(code = code_of(e, &sym)))
		return error("%s: the code of %s is not in the file", what, func);
	for (size_t i = 0; i + 1 < sym.st_size && out->nsites < ELF_MAX_SITES; i++)
		if (code[i] == abi->bytes[0] && code[i + 1] == abi->bytes[1])
			out->sites[out->nsites++] = sym.st_value + i;
	if (!out->nsites)
		return error("%s: %s has no %s instruction", what, func, abi->text);
	out->name = xstrdup(func);
	out->addr = sym.st_value;
	out->size = sym.st_size;
	out->abi = abi->abi;
	out->insn = abi->text;
	return 0;
}

int elf_syscall_sites_mem(const unsigned char *buf, size_t len, const char *what,
			  const char *func, struct elf_func *out)
{
	Elf *e;
	int ret;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return error("libelf: %s", elf_errmsg(-1));
	/* elf_memory() wants a writable buffer but, for ELF_C_READ, only reads. */
	e = elf_memory((char *)buf, len);
	if (!e)
		return error("%s is not an ELF file", what);
	ret = sites(e, what, func, out);
	elf_end(e);
	return ret;
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
