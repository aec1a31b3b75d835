/* Finding the syscall instruction of a function in a static executable. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/labctl.h"
#include "../../labctl/trace/elf.h"

/*
 * A minimal executable of W (64 or 32) bits: an ELF header, .text, a
 * symbol table and its string table, and the section headers of these
 * three (after the null one).
 */
#define ELF_IMAGE(tag, W, nsyms, nstrtab)		\
	struct tag {					\
		Elf##W##_Ehdr eh;			\
		unsigned char text[16];			\
		Elf##W##_Sym syms[nsyms];		\
		char strtab[nstrtab];			\
		Elf##W##_Shdr sh[4];			\
	}

/* IM, of type T, zeroed: its ELF header and section headers filled in for
 * a W-bit MACHINE executable of TYPE whose .text is at ADDR. */
#define ELF_LAY_OUT(T, im, W, machine, type, addr) do {				\
	memset(&(im), 0, sizeof(im));							\
	memcpy((im).eh.e_ident, ELFMAG, SELFMAG);					\
	(im).eh.e_ident[EI_CLASS] = ELFCLASS##W;					\
	(im).eh.e_ident[EI_DATA] = ELFDATA2LSB;						\
	(im).eh.e_ident[EI_VERSION] = EV_CURRENT;					\
	(im).eh.e_version = EV_CURRENT;							\
	(im).eh.e_ehsize = sizeof(Elf##W##_Ehdr);					\
	(im).eh.e_type = (type);							\
	(im).eh.e_machine = (machine);							\
	(im).eh.e_shoff = offsetof(T, sh);						\
	(im).eh.e_shentsize = sizeof(Elf##W##_Shdr);					\
	(im).eh.e_shnum = 4;								\
	(im).sh[1] = (Elf##W##_Shdr){ .sh_type = SHT_PROGBITS, .sh_addr = (addr),	\
		.sh_offset = offsetof(T, text), .sh_size = sizeof((im).text) };		\
	(im).sh[2] = (Elf##W##_Shdr){ .sh_type = SHT_SYMTAB, .sh_link = 3,		\
		.sh_entsize = sizeof(Elf##W##_Sym),					\
		.sh_offset = offsetof(T, syms), .sh_size = sizeof((im).syms) };		\
	(im).sh[3] = (Elf##W##_Shdr){ .sh_type = SHT_STRTAB,				\
		.sh_offset = offsetof(T, strtab), .sh_size = sizeof((im).strtab) };	\
} while (0)

/* x86-64: .text at 0x401000 holding lab_connect (mov $0x2a,%eax; syscall;
 * ret) and lab_none (ret). */
ELF_IMAGE(image, 64, 3, 32);

static const unsigned char code[] = {
	0xb8, 0x2a, 0x00, 0x00, 0x00,	/* mov $0x2a,%eax */
	0x0f, 0x05,			/* syscall */
	0xc3,				/* ret */
	0xc3,				/* lab_none: ret */
};

static void build(struct image *im, uint16_t type)
{
	ELF_LAY_OUT(struct image, *im, 64, EM_X86_64, type, 0x401000);
	memcpy(im->text, code, sizeof(code));
	memcpy(im->strtab, "\0lab_connect\0lab_none", 22);
	im->syms[1] = (Elf64_Sym){ .st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
				   .st_shndx = 1, .st_value = 0x401000, .st_size = 8 };
	im->syms[2] = (Elf64_Sym){ .st_name = 13, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
				   .st_shndx = 1, .st_value = 0x401008, .st_size = 1 };
}

static int find(struct image *im, size_t len, const char *func, struct elf_func *f)
{
	return elf_syscall_sites_mem((const unsigned char *)im, len, "test", func, f, NULL);
}

static void test_found(void **state)
{
	struct image im;
	struct elf_func f;

	build(&im, ET_EXEC);
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), 0);
	assert_string_equal(f.name, "lab_connect");
	assert_int_equal(f.addr, 0x401000);
	assert_int_equal(f.size, 8);
	assert_int_equal(f.nsites, 1);
	assert_int_equal(f.sites[0], 0x401005);
	assert_string_equal(f.abi, "x86_64");
	assert_string_equal(f.insn, "syscall");
	elf_func_free(&f);
}

/* The same program for i386: ELF32, and int $0x80 instead of syscall. */
ELF_IMAGE(image32, 32, 2, 16);

static const unsigned char code32[] = {
	0xb8, 0x66, 0x00, 0x00, 0x00,	/* mov $0x66,%eax */
	0x0f, 0x05,			/* bytes of a syscall: not the i386 way in */
	0xcd, 0x80,			/* int $0x80 */
	0xc3,				/* ret */
};

static void test_i386(void **state)
{
	struct image32 im;
	struct elf_func f;

	ELF_LAY_OUT(struct image32, im, 32, EM_386, ET_EXEC, 0x8049000);
	memcpy(im.text, code32, sizeof(code32));
	memcpy(im.strtab, "\0lab_connect", 13);
	im.syms[1] = (Elf32_Sym){ .st_name = 1, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC),
				  .st_shndx = 1, .st_value = 0x8049000, .st_size = sizeof(code32) };
	assert_int_equal(elf_syscall_sites_mem((const unsigned char *)&im, sizeof(im), "test",
					       "lab_connect", &f, NULL), 0);
	assert_string_equal(f.abi, "i386");
	assert_string_equal(f.insn, "int $0x80");
	assert_int_equal(f.nsites, 1);
	assert_int_equal(f.sites[0], 0x8049007);
	elf_func_free(&f);
}

static void test_refused(void **state)
{
	struct image im;
	struct elf_func f;

	build(&im, ET_EXEC);
	/* no such function; a function without syscall */
	assert_int_equal(find(&im, sizeof(im), "lab_bind", &f), -1);
	assert_int_equal(find(&im, sizeof(im), "lab_none", &f), -1);
	/* truncated: the section headers are past the end */
	assert_int_equal(find(&im, offsetof(struct image, sh), "lab_connect", &f), -1);
	/* PIE: its addresses are not known before it runs */
	build(&im, ET_DYN);
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	/* not ELF */
	build(&im, ET_EXEC);
	im.eh.e_ident[1] = 'X';
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	assert_int_equal(elf_syscall_sites("/nonexistent", "lab_connect", &f, NULL), -1);
}

static void test_hostile(void **state)
{
	struct image im;
	struct elf_func f;

	/* A symbol whose code lies outside the file, a name outside the strings. */
	build(&im, ET_EXEC);
	im.syms[1].st_size = 1u << 30;
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	build(&im, ET_EXEC);
	im.syms[1].st_name = 4000;
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	build(&im, ET_EXEC);
	im.sh[3].sh_size = 1u << 30;
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	/* misaligned tables are refused, not read */
	build(&im, ET_EXEC);
	im.eh.e_shoff += 1;
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
	build(&im, ET_EXEC);
	im.sh[2].sh_offset += 4;
	assert_int_equal(find(&im, sizeof(im), "lab_connect", &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_i386),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hostile),
	};

	opts.quiet = true;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
