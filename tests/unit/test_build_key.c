/* The built kernel's cache key: every input changes it, nothing else does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/kbuild/build.h"
#include "../../labctl/lib/fs.h"

static char dir[] = "/tmp/labctl-test-key.XXXXXX";
static char *frag[2];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	for (int i = 0; i < 2; i++) {
		frag[i] = malloc(strlen(dir) + 16);
		sprintf(frag[i], "%s/f%d.config", dir, i);
	}
	write_file_atomic(frag[0], "CONFIG_A=y\n", 11);
	write_file_atomic(frag[1], "CONFIG_B=y\n", 11);
	return 0;
}

static int teardown(void **state)
{
	remove_tree(dir);
	free(frag[0]);
	free(frag[1]);
	return 0;
}

static void key(const char *src, const char *base, size_t n, const char *cc,
		char out[SHA256_HEX_LEN + 1])
{
	assert_int_equal(build_key(out, src, base, frag, n, cc, NULL), 0);
}

static void test_key(void **state)
{
	char k0[SHA256_HEX_LEN + 1], k[SHA256_HEX_LEN + 1];

	key("src", "tinyconfig", 2, "gcc 12", k0);
	assert_int_equal(strlen(k0), 64);
	key("src", "tinyconfig", 2, "gcc 12", k);
	assert_string_equal(k, k0);				/* nothing changed */
	key("src2", "tinyconfig", 2, "gcc 12", k);
	assert_string_not_equal(k, k0);				/* source */
	key("src", "defconfig", 2, "gcc 12", k);
	assert_string_not_equal(k, k0);				/* base */
	key("src", "tinyconfig", 1, "gcc 12", k);
	assert_string_not_equal(k, k0);				/* fewer fragments */
	key("src", "tinyconfig", 2, "gcc 13", k);
	assert_string_not_equal(k, k0);				/* compiler */
	write_file_atomic(frag[1], "CONFIG_B=n\n", 11);
	key("src", "tinyconfig", 2, "gcc 12", k);
	assert_string_not_equal(k, k0);				/* a fragment's content */
	write_file_atomic(frag[1], "CONFIG_B=y\n", 11);
	key("src", "tinyconfig", 2, "gcc 12", k);
	assert_string_equal(k, k0);				/* and back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
