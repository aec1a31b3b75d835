/* The process module: exit status, timeouts, process groups, output lines. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/lib/proc.h"

static char logpath[] = "/tmp/labctl-test-proc.XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(logpath);

	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(logpath);
	return 0;
}

/* child_start() + child_wait(), as the library's callers run a child. */
static int run(struct child *c)
{
	struct error e;

	assert_int_equal(child_start(c, &e), 0);
	return child_wait(c);
}

static void test_exit_status(void **state)
{
	const char *ok[] = { "true", NULL }, *bad[] = { "sh", "-c", "exit 3", NULL };
	struct child c = { .name = "true", .argv = ok, .log = logpath };

	assert_int_equal(run(&c), 0);
	c = (struct child){ .name = "exit3", .argv = bad, .log = logpath };
	assert_int_equal(run(&c), -1);
	assert_string_equal(child_outcome(&c), "exited with status 3");
}

/* Gone, or a zombie waiting for init: either way it no longer runs. */
static bool process_alive(int pid)
{
	char path[64], *stat, *paren;
	bool alive;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	stat = read_file(path, NULL);
	if (!stat)
		return false;
	paren = strrchr(stat, ')');
	alive = paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
	free(stat);
	return alive;
}

/* A timeout kills the whole process group, not just the leader. */
static void test_timeout_kills_group(void **state)
{
	const char *argv[] = { "sh", "-c", "sleep 30 & echo $! > /tmp/labctl-test-proc.bg; wait", NULL };
	struct child c = { .name = "sleeper", .argv = argv, .log = logpath, .timeout = 0.3 };
	double t0 = now();
	char *pid;

	assert_int_equal(run(&c), -1);
	assert_true(c.timed_out);
	assert_true(now() - t0 < 10.0);	/* killed at 0.3 s, long before the 30 s sleep */
	assert_string_equal(child_outcome(&c), "timed out after 0 s");
	pid = read_file("/tmp/labctl-test-proc.bg", NULL);
	assert_non_null(pid);
	usleep(50000);
	assert_false(process_alive(atoi(pid)));	/* the background sleep is gone */
	free(pid);
	unlink("/tmp/labctl-test-proc.bg");
}

struct lines { int n; char last[64]; };

static void count_line(struct child *c, const char *line, void *data)
{
	struct lines *l = data;

	l->n++;
	snprintf(l->last, sizeof(l->last), "%s", line);
}

/* interrupt_at: SIGINT to the child before its time limit, again until it
 * ends; one that ignores the first still ends by a later one, in time. */
static void test_interrupt(void **state)
{
	const char *argv[] = { "sh", "-c", "n=0; trap 'n=$((n+1)); [ $n -ge 2 ] && { echo got $n; "
			       "exit 3; }' INT; while :; do sleep 0.05; done", NULL };
	struct child c = { .name = "gdb-like", .argv = argv, .log = logpath, .timeout = 20,
			   .interrupt_at = 0.2 };
	double t0 = now();
	char *log;

	assert_int_equal(run(&c), -1);
	assert_false(c.timed_out);
	assert_true(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3);
	assert_true(now() - t0 < 10.0);
	log = read_file(logpath, NULL);
	assert_non_null(strstr(log, "got 2"));
	free(log);
}

static void test_lines_and_log(void **state)
{
	const char *argv[] = { "sh", "-c", "printf 'a\\nb\\nlast-no-newline'", NULL };
	struct lines l = { 0 };
	struct child c = { .name = "printer", .argv = argv, .log = logpath,
			   .on_line = count_line, .data = &l };
	char *log;

	truncate(logpath, 0);
	assert_int_equal(run(&c), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.last, "last-no-newline");
	log = read_file(logpath, NULL);
	assert_string_equal(log, "a\nb\nlast-no-newline");
	free(log);
}

/*
 * A process that is not the task's, serving it (a kept GDB): SERVER writes
 * to the FIFO the task reads; attached, it is waited for up to its end
 * line, and lives on; killed at the task's time limit; and a server gone
 * without its end line ends the wait.  SCRIPT is SERVER's, $1 the FIFO.
 */
static void attach_to(struct child *server, struct child *a, const char *fifo, const char *script)
{
	const char *argv[] = { "sh", "-c", script, "sh", fifo, NULL };
	struct error e;
	int fd = open(fifo, O_RDWR);

	assert_true(fd >= 0);
	*server = (struct child){ .name = "server", .argv = argv, .log = "/dev/null" };
	assert_int_equal(child_start(server, &e), 0);
	server->argv = NULL;
	assert_int_equal(child_attach(a, server->pid, fd, &e), 0);
}

static void test_attached(void **state)
{
	char dir[] = "/tmp/labctl-test-fifo.XXXXXX", fifo[64];
	struct lines l = { 0 };
	struct child server, a = { .name = "served", .log = logpath, .end_line = "END",
				   .on_line = count_line, .data = &l, .timeout = 20 };
	double t0;
	char *log;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/out", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	truncate(logpath, 0);

	/* its end line: done, the server still there */
	attach_to(&server, &a, fifo, "printf 'one\ntwo\nEND\n' >\"$1\"; exec sleep 30");
	assert_int_equal(child_wait(&a), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.last, "two");
	assert_false(child_exited(&server));
	log = read_file(logpath, NULL);
	assert_string_equal(log, "one\ntwo\nEND\n");
	free(log);

	/* its time limit: the server killed */
	child_kill(&server);
	a = (struct child){ .name = "served", .log = logpath, .end_line = "END", .timeout = 0.3 };
	attach_to(&server, &a, fifo, "exec sleep 30");
	t0 = now();
	assert_int_equal(child_wait(&a), -1);
	assert_true(a.timed_out && now() - t0 < 10.0);
	child_wait(&server);
	assert_true(WIFSIGNALED(server.status) && WTERMSIG(server.status) == SIGKILL);

	/* gone without its end line: not waited for until the time limit */
	a = (struct child){ .name = "served", .log = logpath, .end_line = "END", .timeout = 20 };
	attach_to(&server, &a, fifo, "echo half >\"$1\"");
	t0 = now();
	child_wait(&a);
	assert_false(a.timed_out);
	assert_true(now() - t0 < 10.0);
	child_wait(&server);
	unlink(fifo);
	rmdir(dir);
}

/* A capped log keeps the first LOG_CAP bytes and counts the rest, checked
 * against the byte count wc(1) gives of the same output. */
static void test_log_cap(void **state)
{
	const char *argv[] = { "sh", "-c", "yes 0123456789 | head -c 100000", NULL };
	struct child c = { .name = "yes", .argv = argv, .log = logpath, .log_cap = 1000 };
	char *log, *cmd;
	size_t len;

	truncate(logpath, 0);
	assert_int_equal(run(&c), 0);
	log = read_file(logpath, &len);
	assert_int_equal(strncmp(log, "0123456789\n0123456789\n", 22), 0);
	assert_non_null(strstr(log + 1000, "\n[labctl: 99000 more bytes of yes's output were not kept]\n"));
	assert_true(len < 1100);
	free(log);
	cmd = xasprintf("test \"$(head -c 1000 %s | wc -c)\" -eq 1000", logpath);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* clean_env: the child's environment is ENV, nothing of ours, as cat(1)
 * reads it from /proc (the shell adds its PWD). */
static void test_clean_env(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
		"cat /proc/self/environ | tr '\\0' '\\n' | grep -v '^PWD=' | sort", NULL };
	const char *env[] = { "PATH=/usr/bin:/bin", "ONLY=this", NULL };
	struct child c = { .name = "env", .argv = argv, .log = logpath, .env = env,
			   .clean_env = true };
	char *log;

	setenv("LABCTL_TEST_SECRET", "hunter2", 1);
	truncate(logpath, 0);
	assert_int_equal(run(&c), 0);
	log = read_file(logpath, NULL);
	assert_string_equal(log, "ONLY=this\nPATH=/usr/bin:/bin\n");
	free(log);
	/* Without it, ENV is added to ours. */
	c.clean_env = false;
	truncate(logpath, 0);
	assert_int_equal(run(&c), 0);
	log = read_file(logpath, NULL);
	assert_non_null(strstr(log, "LABCTL_TEST_SECRET=hunter2\n"));
	assert_non_null(strstr(log, "ONLY=this\n"));
	free(log);
	unsetenv("LABCTL_TEST_SECRET");
}

/* The child has its own process group, and stdin is /dev/null. */
static void test_own_group_no_stdin(void **state)
{
	const char *argv[] = { "sh", "-c", "test $(ps -o pgid= -p $$) -eq $$ && ! read x", NULL };
	struct child c = { .name = "pg", .argv = argv, .log = logpath, .timeout = 5 };

	assert_int_equal(run(&c), 0);
}

/* A program that is not there: -1 and EXIT_ENV, for the command to print. */
static void test_not_found(void **state)
{
	const char *argv[] = { "labctl-no-such-program", NULL };
	struct child c = { .name = "ghost", .argv = argv, .log = logpath };
	struct error e;

	assert_int_equal(child_start(&c, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_string_equal(e.msg, "cannot run labctl-no-such-program (ghost): "
			    "No such file or directory");
}

/* A log that cannot be opened: -1 and EXIT_ENV, nothing started. */
static void test_bad_log(void **state)
{
	const char *argv[] = { "true", NULL };
	struct child c = { .name = "true", .argv = argv, .log = "/nonexistent/dir/log" };
	struct error e;

	assert_int_equal(child_start(&c, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_string_equal(e.msg, "cannot open log /nonexistent/dir/log: No such file or directory");
	assert_int_equal(c.pid, 0);
}

/* A child that runs a function of ours instead of a program. */
static int says_and_exits_3(void *arg)
{
	printf("in the child: %s\n", (const char *)arg);
	return 3;
}

/* ... which starts children of its own: proc.c's state must be its own. */
static int runs_a_child(void *arg)
{
	const char *argv[] = { "sh", "-c", "exit 4", NULL };
	struct child c = { .name = "inner", .argv = argv, .log = arg, .timeout = 30 };
	struct error e;

	if (child_start(&c, &e) < 0)
		return 100;
	child_wait(&c);
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 101;
}

static int sleeps(void *arg)
{
	sleep(30);
	return 0;
}

static void test_function_child(void **state)
{
	struct child c = { .name = "fn", .fn = says_and_exits_3, .fn_arg = "hello", .log = logpath };
	char *log;

	assert_int_equal(run(&c), -1);
	assert_string_equal(child_outcome(&c), "exited with status 3");
	log = read_file(logpath, NULL);
	assert_non_null(strstr(log, "in the child: hello\n"));
	free(log);

	c = (struct child){ .name = "fn", .fn = runs_a_child, .fn_arg = logpath, .log = logpath,
			    .timeout = 60 };
	assert_int_equal(run(&c), -1);
	assert_string_equal(child_outcome(&c), "exited with status 4");

	c = (struct child){ .name = "fn", .fn = sleeps, .log = logpath, .timeout = 0.3 };
	assert_int_equal(run(&c), -1);
	assert_true(c.timed_out);
}

static void test_which(void **state)
{
	assert_non_null(which("sh"));
	assert_null(which("no-such-program-labctl"));
}

/*
 * A terminal child (an interactive GDB) shares labctl's process group, so
 * that Ctrl-C at the terminal reaches it; the SIGINT it sends the group here
 * is ignored by labctl while it runs, and labctl's own handling is back after.
 */
static void test_terminal_child(void **state)
{
	const char *argv[] = {
		"sh", "-c", "[ \"$(cut -d' ' -f5 /proc/$$/stat)\" = \"$(cut -d' ' -f5 /proc/$PPID/stat)\" ] "
		"&& kill -INT $PPID && exit 7", NULL
	};
	struct child c = { .name = "gdb", .argv = argv, .terminal = true };
	const char *sleeper[] = { "sleep", "5", NULL };
	struct sigaction during, after;
	struct error e;
	pid_t pid;

	assert_int_equal(run(&c), -1);
	assert_string_equal(child_outcome(&c), "exited with status 7");	/* same group, INT sent */
	sigaction(SIGINT, NULL, &after);
	assert_ptr_not_equal(after.sa_handler, SIG_IGN);
	/* while it runs, SIGINT is ignored; killed, it is reaped */
	c = (struct child){ .name = "gdb", .argv = sleeper, .terminal = true };
	assert_int_equal(child_start(&c, &e), 0);
	pid = c.pid;
	assert_true(process_alive(pid));
	sigaction(SIGINT, NULL, &during);
	assert_ptr_equal(during.sa_handler, SIG_IGN);
	child_kill(&c);
	assert_false(process_alive(pid));
	sigaction(SIGINT, NULL, &after);
	assert_ptr_not_equal(after.sa_handler, SIG_IGN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_lines_and_log),
		cmocka_unit_test(test_attached),
		cmocka_unit_test(test_log_cap),
		cmocka_unit_test(test_clean_env),
		cmocka_unit_test(test_own_group_no_stdin),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_bad_log),
		cmocka_unit_test(test_which),
		cmocka_unit_test(test_function_child),
		cmocka_unit_test(test_terminal_child),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
