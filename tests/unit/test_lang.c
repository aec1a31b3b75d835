/* The message catalogue as labctl's C reads it (lib/lang.c): the same file
 * as the reports' (gdb/labctl/report/lang/zh.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/error.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/lib/lang.h"

/* The tree's own data: the unit tests run from the top of it (make test). */
static int setup(void **state)
{
	struct error e;

	setenv("LABCTL_DATADIR", ".", 1);
	return datadir_init(&e);
}

static void test_english_is_the_source(void **state)
{
	struct error e;

	assert_int_equal(lang_use("en", &e), 0);
	assert_string_equal(L_("compiles statically"), "compiles statically");
	assert_int_equal(lang_use(NULL, &e), 0);
	assert_string_equal(L_("the call"), "the call");
}

static void test_chinese(void **state)
{
	struct error e;
	char buf[128];

	assert_int_equal(lang_use("zh", &e), 0);
	/* a title, a verdict with its specifiers filled in as in C */
	assert_string_equal(L_("compiles statically"), "静态编译");
	snprintf(buf, sizeof(buf), L_("It ran in the guest and exited with status %d."), 3);
	assert_string_equal(buf, "它在虚拟机中运行，并以状态 3 退出。");
	/* a report's message, from another section of the same file */
	assert_string_equal(L_("system call number"), "系统调用号");
	/* none in the catalogue: the English itself */
	assert_string_equal(L_("no such message"), "no such message");
	assert_int_equal(lang_use("en", &e), 0);
	assert_string_equal(L_("compiles statically"), "compiles statically");
}

static void test_unknown_language(void **state)
{
	struct error e;

	assert_int_equal(lang_use("fr", &e), -1);
	assert_int_equal(e.code, EXIT_USAGE);
	assert_non_null(strstr(e.msg, "fr: no catalogue for this language"));
	assert_int_equal(lang_use("../../etc/passwd", &e), -1);	/* a code, not a path */
	assert_int_equal(e.code, EXIT_USAGE);
	assert_string_equal(L_("the call"), "the call");
}

static void test_from_env(void **state)
{
	const char *code;
	struct error e;

	unsetenv("LABCTL_LANG");
	assert_int_equal(lang_from_env(&code, &e), 0);
	assert_null(code);
	setenv("LABCTL_LANG", "zh", 1);
	assert_int_equal(lang_from_env(&code, &e), 0);
	assert_string_equal(code, "zh");
	setenv("LABCTL_LANG", "fr", 1);
	assert_int_equal(lang_from_env(&code, &e), -1);
	assert_int_equal(e.code, EXIT_USAGE);
	unsetenv("LABCTL_LANG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english_is_the_source),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_unknown_language),
		cmocka_unit_test(test_from_env),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
