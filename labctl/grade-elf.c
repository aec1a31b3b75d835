/*
 * The student's ELF: is it static, and which address ranges are the
 * student's own functions.  The names come from the student's object files
 * (defined STT_FUNC symbols), the addresses from the linked program; a
 * static function is matched only under its own STT_FILE, so a libc
 * function of the same name never counts as the student's.
 *
 * elf_trace_function() picks the function whose `syscall` instruction the
 * trace watches: the student's own when they wrote one, else libc's
 * wrapper (so that a libc call is still seen, and fails the inline check).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "grade.h"
#include "labctl.h"

struct elf_view {
	const unsigned char *p;
	size_t len;
	const Elf64_Ehdr *eh;
};

static bool elf_open(struct elf_view *v, const char *data, size_t len)
{
	v->p = (const unsigned char *)data;
	v->len = len;
	v->eh = (const Elf64_Ehdr *)data;
	return len >= sizeof(Elf64_Ehdr) && !memcmp(data, ELFMAG, SELFMAG) &&
	       v->eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       v->eh->e_shentsize == sizeof(Elf64_Shdr) &&
	       v->eh->e_shoff + (size_t)v->eh->e_shnum * sizeof(Elf64_Shdr) <= len &&
	       v->eh->e_phoff + (size_t)v->eh->e_phnum * sizeof(Elf64_Phdr) <= len;
}

static const Elf64_Shdr *shdr(const struct elf_view *v, size_t i)
{
	return (const Elf64_Shdr *)(v->p + v->eh->e_shoff) + i;
}

/* The symbol table and its strings, bounds-checked; false if there is none. */
static bool symtab(const struct elf_view *v, const Elf64_Sym **syms, size_t *n,
		   const char **str, size_t *strlen_)
{
	for (size_t i = 0; i < v->eh->e_shnum; i++) {
		const Elf64_Shdr *s = shdr(v, i), *ss;

		if (s->sh_type != SHT_SYMTAB || s->sh_link >= v->eh->e_shnum)
			continue;
		ss = shdr(v, s->sh_link);
		if (s->sh_offset + s->sh_size > v->len || ss->sh_offset + ss->sh_size > v->len)
			return false;
		*syms = (const Elf64_Sym *)(v->p + s->sh_offset);
		*n = s->sh_size / sizeof(Elf64_Sym);
		*str = (const char *)v->p + ss->sh_offset;
		*strlen_ = ss->sh_size;
		return true;
	}
	return false;
}

static const char *sym_name(const char *str, size_t len, const Elf64_Sym *s)
{
	return s->st_name < len && memchr(str + s->st_name, '\0', len - s->st_name)
		? str + s->st_name : "";
}

/* "file.c:name" for a local function, "name" for a global one. */
struct name_set {
	char **v;
	size_t n;
};

static bool in_set(const struct name_set *ns, const char *key)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], key))
			return true;
	return false;
}

static void collect_obj(const char *path, struct name_set *ns)
{
	size_t len, n, slen;
	char *data = read_file(path, &len);
	const char *str, *file = "";
	const Elf64_Sym *syms;
	struct elf_view v;

	if (!data)
		return;
	if (elf_open(&v, data, len) && symtab(&v, &syms, &n, &str, &slen)) {
		for (size_t i = 0; i < n; i++) {
			const char *name = sym_name(str, slen, &syms[i]);

			if (ELF64_ST_TYPE(syms[i].st_info) == STT_FILE)
				file = name;
			if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC ||
			    syms[i].st_shndx == SHN_UNDEF || !*name)
				continue;
			ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(char *));
			ns->v[ns->n++] = ELF64_ST_BIND(syms[i].st_info) == STB_LOCAL
				? xasprintf("%s:%s", file, name) : xstrdup(name);
		}
	}
	free(data);
}

static void add_func(struct elf_info *e, const char *name, const Elf64_Sym *s)
{
	e->funcs = xrealloc(e->funcs, (e->nfuncs + 1) * sizeof(*e->funcs));
	e->funcs[e->nfuncs++] = (struct func_range){
		.name = xstrdup(name), .start = s->st_value, .end = s->st_value + s->st_size,
	};
}

static void static_check(const struct elf_view *v, struct elf_info *e)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(v->p + v->eh->e_phoff);

	e->pie = v->eh->e_type == ET_DYN;
	e->is_static = v->eh->e_type == ET_EXEC || v->eh->e_type == ET_DYN;
	for (size_t i = 0; i < v->eh->e_phnum; i++)
		if (ph[i].p_type == PT_INTERP)
			e->is_static = false;
}

int elf_inspect(const char *exe, char *const *objs, int nobjs, struct elf_info *e)
{
	struct name_set ns = { 0 };
	size_t len, n, slen;
	char *data = read_file(exe, &len), *key;
	const char *str, *file = "";
	const Elf64_Sym *syms;
	struct elf_view v;

	memset(e, 0, sizeof(*e));
	if (!data)
		return -1;
	e->is_elf = elf_open(&v, data, len);
	if (e->is_elf) {
		static_check(&v, e);
		for (int i = 0; i < nobjs; i++)
			collect_obj(objs[i], &ns);
	}
	if (e->is_elf && symtab(&v, &syms, &n, &str, &slen)) {
		for (size_t i = 0; i < n; i++) {
			const char *name = sym_name(str, slen, &syms[i]);

			if (ELF64_ST_TYPE(syms[i].st_info) == STT_FILE)
				file = name;
			if (ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || !syms[i].st_value)
				continue;
			key = ELF64_ST_BIND(syms[i].st_info) == STB_LOCAL
				? xasprintf("%s:%s", file, name) : xstrdup(name);
			if (in_set(&ns, key))
				add_func(e, name, &syms[i]);
			free(key);
		}
	}
	for (size_t i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	free(data);
	return e->is_elf ? 0 : -1;
}

const struct func_range *elf_func_at(const struct elf_info *e, unsigned long addr)
{
	for (size_t i = 0; i < e->nfuncs; i++)
		if (addr >= e->funcs[i].start && addr < e->funcs[i].end)
			return &e->funcs[i];
	return NULL;
}

void elf_info_free(struct elf_info *e)
{
	for (size_t i = 0; i < e->nfuncs; i++)
		free(e->funcs[i].name);
	free(e->funcs);
	memset(e, 0, sizeof(*e));
}

/* The file bytes of [ADDR, ADDR+SIZE) in an allocated section, or NULL. */
static const unsigned char *vaddr_bytes(const struct elf_view *v, unsigned long addr,
					 unsigned long size)
{
	for (size_t i = 0; i < v->eh->e_shnum; i++) {
		const Elf64_Shdr *s = shdr(v, i);

		if (s->sh_type != SHT_PROGBITS || !(s->sh_flags & SHF_ALLOC) ||
		    addr < s->sh_addr || addr + size > s->sh_addr + s->sh_size ||
		    s->sh_offset + s->sh_size > v->len)
			continue;
		return v->p + s->sh_offset + (addr - s->sh_addr);
	}
	return NULL;
}

/*
 * How well [START, END) fits as the function making system call NR: 0 no
 * `syscall` instruction (0f 05) in it, 1 some, 2 also an immediate NR
 * moved into eax or rax (b8 NR / 48 c7 c0 NR), the usual inline asm.
 */
static int fitness(const struct elf_view *v, unsigned long start, unsigned long end, long nr)
{
	const unsigned char *b = end > start ? vaddr_bytes(v, start, end - start) : NULL;
	size_t n = end - start;
	unsigned char imm[4] = { nr & 0xff, (nr >> 8) & 0xff, (nr >> 16) & 0xff, (nr >> 24) & 0xff };
	int fit = 0;

	for (size_t i = 0; b && i + 1 < n; i++)
		if (b[i] == 0x0f && b[i + 1] == 0x05)
			fit = 1;
	for (size_t i = 0; b && fit && i + 5 <= n; i++)
		if ((b[i] == 0xb8 && !memcmp(b + i + 1, imm, 4)) ||
		    (i + 7 <= n && b[i] == 0x48 && b[i + 1] == 0xc7 && b[i + 2] == 0xc0 &&
		     !memcmp(b + i + 3, imm, 4)))
			return 2;
	return fit;
}

char *elf_trace_function(const char *exe, const struct elf_info *e, long nr,
			 const char *syscall_name, bool *students)
{
	size_t len, n, slen;
	char *data = read_file(exe, &len), *found = NULL;
	const char *str;
	const Elf64_Sym *syms;
	struct elf_view v;
	int best = 0;

	*students = false;
	if (!data || !elf_open(&v, data, len)) {
		free(data);
		return NULL;
	}
	for (size_t i = 0; i < e->nfuncs; i++) {
		int fit = fitness(&v, e->funcs[i].start, e->funcs[i].end, nr);

		if (fit > best) {
			best = fit;
			free(found);
			found = xstrdup(e->funcs[i].name);
		}
	}
	*students = found != NULL;
	if (!found && syscall_name && symtab(&v, &syms, &n, &str, &slen)) {
		/* glibc's wrapper for connect is __libc_connect, aliased __connect
		 * and connect: the same address, any name does. */
		const char *prefix[] = { "__libc_", "__", "" };

		for (size_t f = 0; f < 3 && !found; f++) {
			char *want = xasprintf("%s%s", prefix[f], syscall_name);

			for (size_t i = 0; i < n && !found; i++)
				if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC &&
				    ELF64_ST_BIND(syms[i].st_info) != STB_LOCAL &&
				    !strcmp(sym_name(str, slen, &syms[i]), want) &&
				    fitness(&v, syms[i].st_value, syms[i].st_value + syms[i].st_size, nr))
					found = xstrdup(want);
			free(want);
		}
	}
	free(data);
	return found;
}
