/*
 * What a restored guest is told of its inbox (qemu/snapshot.c): the
 * archive's size and FNV-1a hash, checked against the published FNV test
 * vectors (not labctl's code); an archive larger than the inbox refused.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/qemu/snapshot.h"
#include "../../rootfs/programs/inbox.h"
#include "helpers.h"

static char dir[] = "/tmp/labctl-test-snapshot.XXXXXX";

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	remove_scratch(dir);
	return 0;
}

static void word_is(const char *text, const char *want)
{
	char *path = xasprintf("%s/archive", dir), *word;
	struct error e;

	put_file(dir, "archive", text);
	word = snapshot_inbox_word(path, &e);
	assert_non_null(word);
	assert_string_equal(word, want);
	free(word);
	free(path);
}

/* FNV-1a 64 vectors from the FNV authors' test suite (isthe.com/chongo/tech/comp/fnv). */
static void test_fnv1a_vectors(void **state)
{
	word_is("", "labctl.inbox=0:cbf29ce484222325");
	word_is("a", "labctl.inbox=1:af63dc4c8601ec8c");
	word_is("foobar", "labctl.inbox=6:85944171f73967e8");
}

static void test_larger_than_the_inbox(void **state)
{
	char *path = xasprintf("%s/big", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct error e;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, LAB_INBOX_SIZE + 1), 0);
	close(fd);
	assert_null(snapshot_inbox_word(path, &e));
	assert_int_equal(e.code, EXIT_INPUT);
	assert_non_null(strstr(e.msg, "more than the inbox's"));
	free(path);
}

static void test_unreadable(void **state)
{
	struct error e;

	assert_null(snapshot_inbox_word("/nonexistent/archive", &e));
	assert_int_equal(e.code, EXIT_ENV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a_vectors),
		cmocka_unit_test(test_larger_than_the_inbox),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
