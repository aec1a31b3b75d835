/* The capture reader: what it reads, and how it names what it cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/error.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/trace/capture.h"

static json_t *parse(const char *text, struct error *e)
{
	memset(e, 0, sizeof(*e));
	return capture_parse(text, strlen(text), "cap.json", e);
}

static void test_reads_an_object(void **state)
{
	struct error e;
	json_t *j = parse("{\"ok\": true, \"rsp\": \"0xffffc90000013f58\", \"n\": 9223372036854775807}", &e);

	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "n")), INT64_MAX);
	json_decref(j);
}

/* The failure of issue 18: a kernel stack address as a number. */
static void test_too_big_names_key_and_file(void **state)
{
	struct error e;
	json_t *j = parse("{\"events\": [\n {\"seq\": 3,\n  \"_rsp\": 18446612682073702200}]}", &e);

	assert_null(j);
	assert_int_equal(e.code, EXIT_INTERNAL);
	assert_non_null(strstr(e.msg, "cap.json"));
	assert_non_null(strstr(e.msg, "key \"_rsp\""));
	assert_non_null(strstr(e.msg, "line 3"));
	assert_non_null(strstr(e.msg, "file is kept"));
}

/* Inside an array, the array's key is named. */
static void test_key_of_an_array(void **state)
{
	struct error e;

	assert_null(parse("{\"words\": [1, 2, 18446744073709551615]}", &e));
	assert_non_null(strstr(e.msg, "key \"words\""));
	assert_null(parse("{\"a\": [{\"b\": 1}, 99999999999999999999]}", &e));
	assert_non_null(strstr(e.msg, "key \"a\""));
}

static void test_not_an_object(void **state)
{
	struct error e;

	assert_null(parse("[1, 2]", &e));
	assert_int_equal(e.code, EXIT_INTERNAL);
	assert_null(parse("", &e));
	assert_non_null(strstr(e.msg, "not JSON"));
	assert_null(parse("{\"a\": ", &e));
	assert_null(parse("{\"a\" 1}", &e));
}

static void test_key_at_hostile(void **state)
{
	const char *s[] = { "", ":", "\":", "]]]]", "{{{", "\"\\\":1", "x\":1" };

	for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
		free(capture_key_at(s[i], strlen(s[i])));
	assert_null(capture_key_at("{\"a\": 1", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_an_object),
		cmocka_unit_test(test_too_big_names_key_and_file),
		cmocka_unit_test(test_key_of_an_array),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_key_at_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
