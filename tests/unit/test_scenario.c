/* The scenario parser: good files, and bad ones named by FILE:LINE. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/rootfs/scenario.h"

static char dir[] = "/tmp/labctl-test-scenario.XXXXXX";
static struct program known[] = { { .name = "tcp_server" }, { .name = "tcp_client" } };
static const struct programs programs = { .v = known, .n = 2 };

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return remove_tree(dir);
}

static const char good[] =
	"; a comment\n"
	"[scenario]\n"
	"name = connect\n"
	"description = TCP client and server\n"
	"syscall = connect\n"
	"traced = client\n"
	"function = lab_connect\n"
	"\n"
	"[step server]\n"
	"program = tcp_server\n"
	"background = yes\n"
	"\n"
	"[step client]\n"
	"program = tcp_client\n"
	"args = --direct it's\n";

/* Write TEXT to DIR/NAME.ini and load it; the error goes to *ERR (EXIT_INPUT),
 * and nothing to stderr: printing is the command's job. */
static int load(struct scenario *s, const char *name, const char *text, char **err)
{
	char *path = xasprintf("%s/%s.ini", dir, name), *errpath = xasprintf("%s/err", dir);
	char *printed;
	int saved = dup(2), fd, ret;
	struct error e = { 0 };

	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fflush(stderr);
	dup2(fd, 2);
	ret = scenario_load(s, path, &programs, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	printed = read_file(errpath, NULL);
	assert_string_equal(printed, "");
	free(printed);
	if (ret < 0)
		assert_int_equal(e.code, EXIT_INPUT);
	*err = xstrdup(e.msg);
	free(path);
	free(errpath);
	return ret;
}

static void test_good(void **state)
{
	struct scenario s;
	char *err, *script;

	assert_int_equal(load(&s, "connect", good, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(s.name, "connect");
	assert_string_equal(s.syscall, "connect");
	assert_int_equal(s.nsteps, 2);
	assert_string_equal(s.steps[0].name, "server");
	assert_true(s.steps[0].background);
	assert_null(s.steps[0].args[0]);
	assert_string_equal(s.steps[1].program, "tcp_client");
	assert_false(s.steps[1].background);
	assert_string_equal(s.steps[1].args[0], "--direct");
	assert_string_equal(s.steps[1].args[1], "it's");
	assert_null(s.steps[1].args[2]);
	assert_ptr_equal(scenario_traced(&s), &s.steps[1]);
	script = scenario_script(&s);
	assert_non_null(strstr(script, "step server bg /lab/tcp_server\n"));
	assert_non_null(strstr(script, "step client fg /lab/tcp_client '--direct' 'it'\\''s'\n"));
	free(script);
	scenario_free(&s);
	free(err);
}

static void test_cmdline_args(void **state)
{
	static const char text[] =
		"[scenario]\nname = getpid\nsyscall = getpid\ntraced = s\nfunction = lab_syscall\n"
		"[step s]\nprogram = tcp_client\nargs = 39\ncmdline_args = yes\n";
	struct scenario s;
	char *err, *script;

	assert_int_equal(load(&s, "getpid", text, &err), 0);
	script = scenario_script(&s);
	assert_non_null(strstr(script, "if [ -n \"$LABCTL_ARGS\" ]; then step s fg /lab/tcp_client "
				"$LABCTL_ARGS; else step s fg /lab/tcp_client '39'; fi\n"));
	free(script);
	scenario_free(&s);
	free(err);
}

/* Each bad file fails with "FILE:LINE: what". */
static void expect_error(const char *name, const char *text, int line, const char *what)
{
	struct scenario s;
	char *err, *where = xasprintf("%s/%s.ini:%d: ", dir, name, line);

	if (load(&s, name, text, &err) != -1)
		fail_msg("%s: loaded", text);
	if (!strstr(err, where) || !strstr(err, what))
		fail_msg("wanted '%s...%s', got '%s'", where, what, err);
	free(where);
	free(err);
}

static void test_missing_program(void **state)
{
	char *text = xasprintf("%s[step extra]\nprogram = no_such\n", good);

	expect_error("connect", text, 17, "no lab program 'no_such'");
	free(text);
}

/* A scenario whose step x, from line 6 on, is what a case adds. */
#define SCENARIO_X "[scenario]\nname = connect\nsyscall = connect\ntraced = x\nfunction = f\n"

static void test_bad_files(void **state)
{
	static const struct { const char *text; int line; const char *what; } bad[] = {
		{ SCENARIO_X "[step x]\nprogram = tcp_client\nbogus = 1\n", 8, "unknown key 'bogus'" },
		{ "[scenario]\nname = other\n", 1, "name must be the file's name" },
		{ "[scenario]\nname = connect\nsyscall = connect\ntraced = nobody\nfunction = f\n"
		  "[step x]\nprogram = tcp_client\n", 1, "traced = 'nobody' is not a step" },
		{ "[scenario]\nname = connect\nthis is not ini\n", 3, "syntax error" },
		{ SCENARIO_X "[step x]\nbackground = yes\n", 6, "step 'x' has no 'program ='" },
		{ SCENARIO_X "[step x]\nprogram = tcp_client\nbackground = maybe\n", 8, "yes or no" },
		{ SCENARIO_X "[step x]\nprogram = tcp_client\n[step x]\nprogram = tcp_client\n", 8,
		  "defined twice" },
		{ "name = connect\n", 1, "before any [section]" },
		{ "[scenario]\nname = connect\nsyscall = connect\ntraced = x\n"
		  "[step x]\nprogram = tcp_client\n", 1, "no 'function ='" },
		{ "[steps]\nprogram = tcp_client\n", 1, "unknown section [steps]" },
		{ SCENARIO_X "[step Bad Name]\nprogram = tcp_client\n", 6, "bad step name" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error("connect", bad[i].text, bad[i].line, bad[i].what);
}

static void test_unreadable(void **state)
{
	struct scenario s;
	struct error e;

	assert_int_equal(scenario_load(&s, "/nonexistent/x.ini", &programs, &e), -1);
	assert_int_equal(e.code, EXIT_INPUT);
	assert_string_equal(e.msg, "cannot read /nonexistent/x.ini: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_cmdline_args),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
