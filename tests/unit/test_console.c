/* The guest's serial console: a grading's console as the guest prints it
 * (kernel lines, init's and grade_run's markers, \r\n line ends), and a
 * program whose output pretends to be markers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/error.h"
#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/qemu/console.h"

static const char grading[] =
	"[    0.000000] Linux version 5.10.223 (labctl@host) (gcc 12.2.0) #1 SMP\r\n"
	"[    0.912345] Run /init as init process\r\n"
	"LABCTL scenario labctl-grade start\r\n"
	"server: listening on 127.0.0.1:1234\r\n"
	"LABCTL grade run start\r\n"
	"| connect returned 0\r\n"
	"| LABCTL grade run exit 99\r\n"
	"| LABCTL scenario done status=7\r\n"
	"| server: listening on 10.0.0.1:80\r\n"
	"| [    3.1] Kernel panic - not syncing: fake\r\n"
	"| a\rb\r\n"
	"LABCTL grade run output 140\r\n"
	"LABCTL grade run exit 3\r\n"
	"server: listening on 127.0.0.1:1234\r\n"
	"LABCTL grade traced start\r\n"
	"[    5.432100] random: crng init done\r\n"
	"| traced output\r\n";

static void test_grading(void **state)
{
	struct console c;
	const struct console_run *r;

	console_parse(&c, grading);
	/* The guest stopped during the traced run: no end, no panic. */
	assert_false(c.done);
	assert_null(c.panic);
	assert_null(c.error);
	assert_null(c.failed_step);
	assert_string_equal(c.server, "127.0.0.1:1234");
	assert_int_equal(c.nruns, 2);

	r = console_run(&c, "run");
	assert_non_null(r);
	assert_true(r->started);
	assert_int_equal(r->end, RUN_EXIT);
	assert_int_equal(r->value, 3);
	assert_int_equal(r->printed, 140);
	assert_string_equal(r->output,
		"connect returned 0\nLABCTL grade run exit 99\nLABCTL scenario done status=7\n"
		"server: listening on 10.0.0.1:80\n[    3.1] Kernel panic - not syncing: fake\n"
		"a\rb\n");

	r = console_run(&c, "traced");
	assert_non_null(r);
	assert_true(r->started);
	assert_int_equal(r->end, RUN_UNENDED);
	assert_string_equal(r->output, "traced output\n");
	assert_null(console_run(&c, "runs"));
	assert_null(console_run(&c, ""));
	console_free(&c);
}

/* Each way grade_run says a run ended. */
static void test_run_ends(void **state)
{
	static const struct { const char *text; enum run_end end; int value; } ends[] = {
		{ "LABCTL grade run start\nLABCTL grade run signal 11\n", RUN_SIGNAL, 11 },
		{ "LABCTL grade run start\nLABCTL grade run timeout 2.5\n", RUN_TIMEOUT, 2 },
		{ "LABCTL grade run start\nLABCTL grade run cannot-run 127\n", RUN_CANNOT_RUN, 127 },
		{ "LABCTL grade run start\nLABCTL grade run exit 0\n", RUN_EXIT, 0 },
		{ "LABCTL grade run start\nLABCTL grade run explode 1\n", RUN_UNENDED, 0 },
	};

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		struct console c;
		const struct console_run *r;

		console_parse(&c, ends[i].text);
		r = console_run(&c, "run");
		assert_non_null(r);
		assert_int_equal(r->end, ends[i].end);
		assert_int_equal(r->value, ends[i].value);
		assert_null(r->output);
		if (ends[i].end == RUN_TIMEOUT)
			assert_string_equal(r->timeout, "2.5");
		assert_int_equal(r->waiting_in, -1);
		console_free(&c);
	}
}

/* A run stopped while blocked in a call: which one, from /proc/PID/syscall. */
static void test_run_waiting_in(void **state)
{
	struct console c;
	const struct console_run *r;

	(void)state;
	console_parse(&c, "LABCTL grade run start\nLABCTL grade run timeout 10 syscall 34\n");
	r = console_run(&c, "run");
	assert_non_null(r);
	assert_int_equal(r->end, RUN_TIMEOUT);
	assert_string_equal(r->timeout, "10");
	assert_int_equal(r->waiting_in, 34);
	console_free(&c);
}

/* What `labctl boot` reads: init's markers, a failed step, a panic. */
static void test_scenario(void **state)
{
	struct console c;

	console_parse(&c, "LABCTL scenario connect start\r\nLABCTL step server start\r\n"
		      "LABCTL step client start\r\nLABCTL step client exit 0\r\n"
		      "LABCTL step server exit 2\r\nLABCTL step late exit 5\r\n"
		      "LABCTL scenario done status=1\r\n");
	assert_true(c.done);
	assert_int_equal(c.status, 1);
	assert_string_equal(c.failed_step, "server");
	assert_int_equal(c.failed_status, 2);
	assert_null(c.failed_said);
	assert_int_equal(c.nruns, 0);
	console_free(&c);

	/* the failed step's message: the last line before its exit line that
	 * is no marker (a "| " output line or init's lines are not it) */
	console_parse(&c, "LABCTL step syscall start\r\nsyscall: bad argument 'xyz'\r\n"
		      "| not this\r\nLABCTL step syscall exit 2\r\nlater\r\n"
		      "LABCTL step other exit 3\r\n");
	assert_string_equal(c.failed_step, "syscall");
	assert_string_equal(c.failed_said, "syscall: bad argument 'xyz'");
	console_free(&c);

	console_parse(&c, "LABCTL error: no scenario 'nope' (labctl.scenario= on the kernel "
		      "command line)\r\nLABCTL scenario done status=127\r\n");
	assert_string_equal(c.error, "no scenario 'nope' (labctl.scenario= on the kernel command line)");
	assert_int_equal(c.status, 127);
	console_free(&c);

	console_parse(&c, "[    1.2] Kernel panic - not syncing: No working init found.\r\n"
		      "[    1.3] Kernel panic - not syncing: a second one\r\n");
	assert_string_equal(c.panic, "Kernel panic - not syncing: No working init found.");
	assert_false(c.done);
	console_free(&c);

	console_parse(&c, NULL);
	assert_false(c.done);
	assert_int_equal(c.nruns, 0);
	console_free(&c);
}

/* A program that prints much: what is kept is capped, the count is not. */
static void test_output_cap(void **state)
{
	char *text = xasprintf("LABCTL grade run start\n"), *line = xmalloc(1002), *next;
	struct console c;
	const struct console_run *r;

	memset(line, 'x', 1000);
	line[1000] = '\0';
	for (int i = 0; i < 40; i++) {
		next = xasprintf("%s| %s\n", text, line);
		free(text);
		text = next;
	}
	next = xasprintf("%sLABCTL grade run output 40040\nLABCTL grade run exit 0\n", text);
	free(text);
	console_parse(&c, next);
	r = console_run(&c, "run");
	assert_int_equal(r->printed, 40040);
	assert_true(strlen(r->output) >= CONSOLE_OUTPUT_KEEP);
	assert_true(strlen(r->output) < CONSOLE_OUTPUT_KEEP + 1002);
	assert_int_equal(r->end, RUN_EXIT);
	console_free(&c);
	free(next);
	free(line);
}

static void test_read(void **state)
{
	char path[] = "/tmp/labctl-test-console.XXXXXX";
	int fd = mkstemp(path);
	struct console c;
	struct error e = { 0 };

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file_atomic(path, grading, strlen(grading)), 0);
	assert_int_equal(console_read(&c, path, &e), 0);
	assert_int_equal(c.nruns, 2);
	console_free(&c);
	unlink(path);
	assert_int_equal(console_read(&c, path, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(c.nruns, 0);
	console_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grading),
		cmocka_unit_test(test_run_ends),
		cmocka_unit_test(test_run_waiting_in),
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
