/* The argv builder every child process is started with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/labctl.h"
#include "../../labctl/lib/strvec.h"

/* SV holds exactly the strings WANT (NULL-terminated), and is NULL-terminated. */
static void assert_strvec(const struct strvec *sv, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		assert_string_equal(sv->v[n], want[n]);
	assert_int_equal(sv->nr, n);
	assert_null(sv->v[n]);
}

static void test_push_kinds(void **state)
{
	struct strvec sv = { 0 };
	char arg[] = "-o";

	strvec_push(&sv, arg);
	arg[1] = 'x';	/* a copy was pushed, not the caller's buffer */
	strvec_pushf(&sv, "--cpu=%d", 30);
	strvec_pushl(&sv, "a", "b", "c", NULL);
	assert_strvec(&sv, (const char *[]){ "-o", "--cpu=30", "a", "b", "c", NULL });
	strvec_clear(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.nr, 0);
}

/* More than the first allocation: the array grows, still NULL-terminated. */
static void test_grows(void **state)
{
	struct strvec sv = { 0 };

	for (int i = 0; i < 100; i++)
		strvec_pushf(&sv, "%d", i);
	assert_int_equal(sv.nr, 100);
	assert_string_equal(sv.v[99], "99");
	assert_null(sv.v[100]);
	strvec_clear(&sv);
}

/* A shared prefix (gcc and its flags), then each step's own arguments. */
static void test_truncate_to_prefix(void **state)
{
	struct strvec sv = { 0 };

	strvec_pushl(&sv, "gcc", "-O2", NULL);
	strvec_pushl(&sv, "-c", "a.c", NULL);
	strvec_truncate(&sv, 2);
	assert_strvec(&sv, (const char *[]){ "gcc", "-O2", NULL });
	strvec_pushl(&sv, "-o", "a", NULL);
	assert_strvec(&sv, (const char *[]){ "gcc", "-O2", "-o", "a", NULL });
	strvec_truncate(&sv, 9);	/* past the end: nothing to drop */
	assert_int_equal(sv.nr, 4);
	strvec_clear(&sv);
	strvec_truncate(&sv, 0);	/* an empty one too */
}

static void test_detach(void **state)
{
	struct strvec sv = { 0 };
	char **v;

	v = strvec_detach(&sv);	/* nothing pushed: still an empty argv */
	assert_non_null(v);
	assert_null(v[0]);
	strv_free(v);
	strvec_pushl(&sv, "qemu-system-x86_64", "-S", NULL);
	v = strvec_detach(&sv);
	assert_null(sv.v);
	assert_string_equal(v[1], "-S");
	assert_null(v[2]);
	strv_free(v);
	strv_free(NULL);
}

static void test_free_n(void **state)
{
	char **v = xcalloc(3, sizeof(*v));

	v[0] = xstrdup("a");
	v[1] = xstrdup("b");
	strv_free_n(v, 2);	/* ASan reports a leak or a double free */
	free_all(xstrdup("x"), NULL, xstrdup("y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_kinds),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_truncate_to_prefix),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_free_n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
