/* Winnowing (fingerprint.c): the tokens, and the share of one text's
 * fingerprints found in another, over the course's example report and two
 * written independently of it (tests/e2e/fixtures/grade/). */
#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/grade/fingerprint.h"
#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"

static char *load(const char *path)
{
	char *text = read_file(path, NULL);

	if (!text)
		fail_msg("cannot read %s (run from the source tree)", path);
	return text;
}

static bool wordish(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* TEXT with every whole word FROM replaced by TO (a renaming copier). */
static char *rename_word(char *text, const char *from, const char *to)
{
	size_t n = strlen(from);
	char *out = xstrdup(""), *p = text, *hit, *next;

	while ((hit = strstr(p, from))) {
		bool whole = (hit == text || !wordish(hit[-1])) && !wordish(hit[n]);

		next = xasprintf("%s%.*s%s", out, (int)(hit - p), p, whole ? to : from);
		free(out);
		out = next;
		p = hit + n;
	}
	next = xasprintf("%s%s", out, p);
	free(out);
	free(text);
	return next;
}

static double share(const char *a, const char *b)
{
	struct fingerprints x, y;
	double s;

	fingerprints_of(&x, a);
	fingerprints_of(&y, b);
	s = fingerprints_share(&x, &y);
	fingerprints_free(&x);
	fingerprints_free(&y);
	return s;
}

static void test_tokens(void **state)
{
	static const char *const want[] = {
		"Hello", "__x64_sys_connect", "rax", "0x2a", "système", "系", "统", "调", "用",
		"ok",
	};
	const char *p = "## Hello, `__x64_sys_connect()` *rax*=0x2a — système 系统调用。ok\xff";
	struct token t;
	size_t i = 0;

	while (text_token(&p, &t)) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		if (t.len != strlen(want[i]) || memcmp(t.start, want[i], t.len))
			fail_msg("token %zu: '%.*s', not '%s'", i, (int)t.len, t.start, want[i]);
		assert_int_equal(t.cjk, i >= 5 && i <= 8);
		i++;
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
}

/* Case, spacing, punctuation and Markdown are no part of a fingerprint. */
static void test_normalised(void **state)
{
	assert_true(share("The **kernel** calls `do_syscall_64`, then returns to user mode.",
			  "the kernel\n\ncalls do_syscall_64 then RETURNS to user mode") == 1.0);
	assert_true(share("the kernel calls do_syscall_64 then returns to user mode",
			  "the kernel calls do_syscall_32 then returns to user mode") < 1.0);
}

/* Fewer tokens than a k-gram: nothing to compare, nothing shared. */
static void test_short(void **state)
{
	struct fingerprints fp;

	fingerprints_of(&fp, "too short to say");
	assert_int_equal(fp.n, 0);
	assert_true(fingerprints_share(&fp, &fp) == 0.0);
	fingerprints_free(&fp);
	fingerprints_of(&fp, "exactly five tokens here now");
	assert_int_equal(fp.n, 1);
	fingerprints_free(&fp);
}

/*
 * The paper's guarantee: a run of k + w - 1 tokens that two texts share is
 * found, however different the rest; a shorter one may not be.
 */
static void test_guarantee(void **state)
{
	static const char run[] = "alpha beta gamma delta epsilon zeta eta theta";
	char *a = xasprintf("one two three four five six seven %s eight nine ten eleven", run);
	char *b = xasprintf("red green blue cyan magenta yellow %s black white grey", run);

	assert_int_equal(FP_K + FP_W - 1, 8);	/* RUN's tokens */
	assert_true(share(a, b) > 0);
	free(a);
	free(b);
}

/* The example copied, its sections moved and its words changed. */
static void test_copy_disguised(void **state)
{
	char *ex = load("ci/example-submission/REPORT.md"), *copy;
	const char *ret = strstr(ex, "## Return"), *path = strstr(ex, "## The path");

	assert_non_null(ret);
	assert_non_null(path);
	assert_true(share(ex, ex) == 1.0);
	/* Return first, then the path, then the start. */
	copy = xasprintf("%s\n%.*s\n%.*s", ret, (int)(ret - path), path, (int)(path - ex), ex);
	assert_true(share(copy, ex) > 0.85);
	copy = rename_word(copy, "my_connect", "lab_connect");
	copy = rename_word(copy, "calls", "invokes");
	copy = rename_word(copy, "kernel", "core");
	copy = rename_word(copy, "program", "code");
	copy = rename_word(copy, "which", "that");
	assert_true(share(copy, ex) > 0.5);
	free(copy);
	free(ex);
}

/* Two reports on the same call, written apart, share the names of the
 * trace and little else; the same holds for a Chinese one. */
static void test_independent(void **state)
{
	char *ex = load("ci/example-submission/REPORT.md");
	char *en = load("tests/e2e/fixtures/grade/REPORT-en.md");
	char *zh = load("tests/e2e/fixtures/grade/REPORT-zh.md");

	assert_true(share(en, ex) < 0.15);
	assert_true(share(ex, en) < 0.15);
	assert_true(share(zh, ex) < 0.15);
	assert_true(share(zh, en) < 0.15);
	free(ex);
	free(en);
	free(zh);
}

/* The template every student starts from is taken out before comparing. */
static void test_minus(void **state)
{
	struct fingerprints a, b, base;
	static const char tmpl[] = "Which system call, and how your program issues it. "
		"What entry_SYSCALL_64 does, what struct pt_regs holds.";
	char *ta = xasprintf("%s My program calls getpid with a syscall instruction of my own.", tmpl);
	char *tb = xasprintf("%s The program loads 39 into rax and then traps into the kernel.", tmpl);

	fingerprints_of(&a, ta);
	fingerprints_of(&b, tb);
	fingerprints_of(&base, tmpl);
	assert_true(fingerprints_share(&a, &b) > 0.3);
	fingerprints_minus(&a, &base);
	assert_true(a.n > 0);
	assert_true(fingerprints_share(&a, &b) == 0.0);
	fingerprints_free(&a);
	fingerprints_free(&b);
	fingerprints_free(&base);
	free(ta);
	free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_normalised),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_guarantee),
		cmocka_unit_test(test_copy_disguised),
		cmocka_unit_test(test_independent),
		cmocka_unit_test(test_minus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
