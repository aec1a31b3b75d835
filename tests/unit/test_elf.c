/* ELF headers: class, machine, static or not. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/elf.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
