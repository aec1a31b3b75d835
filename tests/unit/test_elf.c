/* ELF headers: class, machine, static or not. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/trace/elf.h"
#include "helpers.h"

/* This test program itself: a dynamically linked x86-64 executable. */
static void test_dynamic(void **state)
{
	struct elf_info info;

	assert_int_equal(elf_read_info("/proc/self/exe", &info), 0);
	assert_int_equal(info.bits, 64);
	assert_int_equal(info.machine, EM_X86_64);
	assert_true(info.executable);
	assert_false(info.is_static);
}

/* Debian's busybox-static, when installed: what the initramfs needs. */
static void test_static(void **state)
{
	struct elf_info info;

	if (access("/bin/busybox", R_OK) < 0)
		skip();
	assert_int_equal(elf_read_info("/bin/busybox", &info), 0);
	assert_int_equal(info.bits, 64);
	assert_true(info.is_static);
}

static void test_not_elf(void **state)
{
	char path[] = "/tmp/labctl-test-elf.XXXXXX";
	struct elf_info info;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	assert_int_equal(elf_read_info(path, &info), -1);
	assert_int_equal(errno, EINVAL);
	unlink(path);
	assert_int_equal(elf_read_info("/nonexistent", &info), -1);
	assert_int_equal(errno, ENOENT);
}

/*
 * A static non-PIE program, compiled here for x86-64 and for i386, read by
 * elf.c and by binutils: the two must agree.
 */
static const char prog[] =
	"long lab_connect(void)\n{\n\tlong r;\n"
	"#ifdef __x86_64__\n"
	"\t__asm__ volatile(\"mov $42, %%eax\\n\\tsyscall\" : \"=a\"(r) : : \"rcx\", \"r11\", \"memory\");\n"
	"#else\n"
	"\t__asm__ volatile(\"mov $102, %%eax\\n\\tint $0x80\" : \"=a\"(r) : : \"memory\");\n"
	"#endif\n\treturn r;\n}\n"
	"int main(int argc, char **argv) { return argc > 5 ? (int)lab_connect() : 0; }\n";

/* The first line of the output of the shell command FMT..., or NULL. */
__attribute__((format(printf, 1, 2)))
static char *first_line(const char *fmt, ...)
{
	va_list ap;
	char buf[512], *command, *line = NULL;
	FILE *f;

	va_start(ap, fmt);
	assert_true(vasprintf(&command, fmt, ap) >= 0);
	va_end(ap);
	f = popen(command, "r");
	free(command);
	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		line = xstrdup(buf);
	}
	if (f)
		pclose(f);
	return line;
}

/* Compile prog with FLAGS in DIR: DIR/lab.o and DIR/lab; false if gcc cannot. */
static bool compile(const char *dir, const char *flags)
{
	char *cmd;
	int rc;

	put_file(dir, "lab.c", prog);
	cmd = xasprintf("cd %s && gcc %s -O1 -c lab.c -o lab.o 2>/dev/null && "
			"gcc %s -static -no-pie lab.o -o lab 2>/dev/null", dir, flags, flags);
	rc = system(cmd);
	free(cmd);
	return rc == 0;
}

static void check_program(const char *flags, int bits, int machine, const char *insn)
{
	char dir[] = "/tmp/labctl-test-elf.XXXXXX", *exe, *obj, *line;
	struct elf_info info;
	struct elf_func f;
	unsigned long addr, size;

	assert_non_null(mkdtemp(dir));
	if (!compile(dir, flags)) {
		remove_scratch(dir);
		skip();
	}
	exe = xasprintf("%s/lab", dir);
	obj = xasprintf("%s/lab.o", dir);

	/* The header, as readelf -h and -l print it. */
	assert_int_equal(elf_read_info(exe, &info), 0);
	line = first_line("readelf -h %s | sed -n 's/^ *Class: *ELF//p'", exe);
	assert_non_null(line);
	assert_int_equal(info.bits, atoi(line));
	assert_int_equal(bits, atoi(line));
	free(line);
	line = first_line("readelf -h %s | sed -n 's/^ *Type: *\\([A-Z]*\\).*/\\1/p'", exe);
	assert_string_equal(line, "EXEC");
	free(line);
	line = first_line("readelf -l %s | grep -c INTERP", exe);
	assert_string_equal(line, "0");
	free(line);
	assert_int_equal(info.machine, machine);
	assert_true(info.executable && info.is_static && !info.pie);

	/* lab_connect's address and size, as nm -S prints them. */
	line = first_line("nm -S %s | awk '$4 == \"lab_connect\" { print $1, $2 }'", exe);
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%lx %lx", &addr, &size), 2);
	free(line);
	assert_int_equal(elf_syscall_sites(exe, "lab_connect", &f, NULL), 0);
	assert_int_equal(f.addr, addr);
	assert_int_equal(f.size, size);
	assert_string_equal(f.insn, insn);
	assert_true(f.nsites >= 1 && f.sites[0] > addr && f.sites[0] < addr + size);
	elf_func_free(&f);

	/* The student's function is found at nm's address, and it is the one
	 * the trace watches (its number: connect, or i386's socketcall). */
	{
		char *objs[] = { obj }, *fn;
		const struct func_range *r;
		bool students;

		assert_int_equal(elf_inspect(exe, objs, 1, &info), 0);
		assert_int_equal(info.bits, bits);
		r = elf_func_at(&info, addr + 1);
		assert_non_null(r);
		assert_string_equal(r->name, "lab_connect");
		assert_int_equal(r->start, addr);
		assert_int_equal(r->end, addr + size);
		fn = elf_trace_function(exe, &info, bits == 64 ? 42 : 102,
					bits == 64 ? "connect" : "socketcall", &students);
		assert_string_equal(fn, "lab_connect");
		assert_true(students);
		free(fn);
		elf_info_free(&info);
	}
	remove_scratch(dir);
	free(exe);
	free(obj);
}

/*
 * A student's assembly function without `.type @function` (STT_NOTYPE)
 * next to a C main that calls it, and an inlined copy of a global helper:
 * the label is the student's code up to the next symbol (nm -n), and every
 * function with a syscall instruction is one the trace watches.
 */
static void test_untyped_asm(void **state)
{
	static const char asm_src[] =
		"\t.text\n\t.globl raw_call\nraw_call:\n\tmovq $42, %rax\n\tsyscall\n\tret\n"
		"\t.globl after_it\nafter_it:\n\tret\n"
		"\t.section .note.GNU-stack,\"\",@progbits\n";
	static const char c_src[] =
		"long raw_call(void);\n"
		"long helper(long n) { long r; asm volatile(\"syscall\" : \"=a\"(r) : \"a\"(n) "
		": \"rcx\", \"r11\"); return r; }\n"
		"int main(void) { return (int)raw_call() + (int)helper(42); }\n";
	char dir[] = "/tmp/labctl-test-elf.XXXXXX", *cmd, *line, *exe, *objs[2], **also, *fn;
	const struct func_range *r;
	unsigned long start, end;
	struct elf_info info;
	bool students, has_helper = false, has_main = false;
	int n;

	assert_non_null(mkdtemp(dir));
	exe = xasprintf("%s/lab", dir);
	objs[0] = xasprintf("%s/call.o", dir);
	objs[1] = xasprintf("%s/lab.o", dir);
	put_file(dir, "call.S", asm_src);
	put_file(dir, "lab.c", c_src);
	cmd = xasprintf("cd %s && gcc -O1 -c call.S -o call.o && gcc -O1 -c lab.c -o lab.o && "
			"gcc -static -no-pie call.o lab.o -o lab", dir);
	if (system(cmd) != 0) {
		remove_scratch(dir);
		skip();
	}
	free(cmd);
	/* nm -n: raw_call's address, and the next symbol's, where it ends */
	line = first_line("nm -n %s | awk '$3 == \"raw_call\" { print $1; getline; print $1 }' | "
			  "paste -sd ' '", exe);
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%lx %lx", &start, &end), 2);
	free(line);

	assert_int_equal(elf_inspect(exe, objs, 2, &info), 0);
	r = elf_func_at(&info, start + 7);	/* the syscall after movq */
	assert_non_null(r);
	assert_string_equal(r->name, "raw_call");
	assert_int_equal(r->start, start);
	assert_int_equal(r->end, end);
	fn = elf_trace_function(exe, &info, 42, "connect", &students);
	assert_non_null(fn);
	assert_true(students);
	also = elf_call_functions(exe, &info, 42, "connect", fn, &n);
	for (int i = 0; i < n; i++) {
		has_helper |= !strcmp(also[i], "helper") || !strcmp(fn, "helper");
		has_main |= !strcmp(also[i], "main") || !strcmp(fn, "main");
		assert_string_not_equal(also[i], fn);
		free(also[i]);
	}
	free(also);
	/* the helper inlined into main and its out-of-line copy: both watched */
	assert_true(has_helper && has_main);
	free(fn);
	elf_info_free(&info);
	remove_scratch(dir);
	free(exe);
	free(objs[0]);
	free(objs[1]);
}

static void test_compiled_64(void **state)
{
	check_program("", 64, EM_X86_64, "syscall");
}

static void test_compiled_32(void **state)
{
	check_program("-m32", 32, EM_386, "int $0x80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_compiled_64),
		cmocka_unit_test(test_untyped_asm),
		cmocka_unit_test(test_compiled_32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
