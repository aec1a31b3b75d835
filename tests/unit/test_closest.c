/* "Did you mean": the edit distance, prefixes, the closest of a list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/closest.h"

static void test_edit_distance(void **state)
{
	assert_int_equal(edit_distance("", ""), 0);
	assert_int_equal(edit_distance("connect", "connect"), 0);
	assert_int_equal(edit_distance("conect", "connect"), 1);
	assert_int_equal(edit_distance("kitten", "sitting"), 3);
	assert_int_equal(edit_distance("", "abc"), 3);
}

static void test_word_distance(void **state)
{
	/* Only the first LEN bytes count: "--forse=1" is "forse". */
	assert_int_equal(word_distance("forse=1", 5, "force", 1), 1);
	/* A start of the word long enough is as close as a typo... */
	assert_int_equal(word_distance("getpp", 5, "getppid", 3), 1);
	assert_int_equal(word_distance("tr", 2, "trace", 1), 1);
	/* ... and a shorter one is not. */
	assert_int_equal(word_distance("ge", 2, "getppid", 3), 5);
	assert_int_equal(word_distance("", 0, "abc", 0), 3);
}

static void test_closest_word(void **state)
{
	static const char *const commands[] = { "fetch", "config", "build", "image", "boot",
						 "trace", "grade", "doctor", "version", NULL };

	assert_string_equal(closest_word("tracee", 6, commands), "trace");
	assert_string_equal(closest_word("bulid", 5, commands), "build");
	assert_string_equal(closest_word("gr", 2, commands), "grade");
	/* Two at distance 1 ("boot" and "build" are not; "bo" starts only boot). */
	assert_string_equal(closest_word("bo", 2, commands), "boot");
	/* The first of equals: "b" starts build and boot, build comes first. */
	assert_string_equal(closest_word("b", 1, commands), "build");
	/* Only the first LEN bytes count: "--tracee=x" is "tracee". */
	assert_string_equal(closest_word("tracee=x", 6, commands), "trace");
	assert_null(closest_word("frobnicate", 10, commands));
	assert_null(closest_word("xyzzy", 5, commands));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_word_distance),
		cmocka_unit_test(test_closest_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
