/* Source trees used in place: checked, and keyed so that an edit shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/source/source.h"
#include "helpers.h"

static char top[] = "/tmp/labctl-test-source.XXXXXX";

static int setup(void **state)
{
	char *d;

	if (!mkdtemp(top))
		return -1;
	d = xasprintf("%s/arch/x86/entry/syscalls", top);
	assert_int_equal(make_dirs(d, NULL), 0);
	free(d);
	put_file(top, "Makefile", "VERSION = 5\nPATCHLEVEL = 4\nSUBLEVEL = 7\n");
	put_file(top, "arch/x86/entry/syscalls/syscall_64.tbl", "0\tcommon\tread\tsys_read\n");
	return 0;
}

static int teardown(void **state)
{
	remove_tree(top);
	return 0;
}

static char *key_of_tree(void)
{
	struct source_opts o = { .spec = top };
	struct kernel_source s;
	struct error e;
	char *key;

	assert_int_equal(source_get(&s, &o, &e), 0);
	assert_string_equal(s.version, "5.4.7");
	assert_string_equal(s.dir, top);
	key = xstrdup(s.key);
	source_free(&s);
	return key;
}

static void test_check_tree(void **state)
{
	char *version = NULL;
	struct error e;

	assert_int_equal(source_check_tree(&version, top, &e), 0);
	assert_string_equal(version, "5.4.7");
	free(version);
	assert_int_equal(source_check_tree(&version, "/", &e), -1);
	assert_int_equal(e.code, EXIT_INPUT);
	assert_string_equal(e.msg, "/ is not a Linux source tree (no Makefile or "
			    "arch/x86/entry/syscalls/syscall_64.tbl)");
}

static void test_key_follows_edits(void **state)
{
	char *k1 = key_of_tree(), *k2 = key_of_tree(), *k3, *k4;

	assert_string_equal(k1, k2);
	put_file(top, "arch/x86/entry/syscalls/syscall_64.tbl", "0\tcommon\tread\tsys_read\n1\tcommon\twrite\tsys_write\n");
	k3 = key_of_tree();
	assert_string_not_equal(k1, k3);
	put_file(top, "new.c", "int x;\n");
	k4 = key_of_tree();
	assert_string_not_equal(k3, k4);
	free(k1);
	free(k2);
	free(k3);
	free(k4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_tree),
		cmocka_unit_test(test_key_follows_edits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
