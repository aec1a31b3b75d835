/* Errors returned, not printed: make_dirs(), staging_dir(), error_set(). */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/error.h"
#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"

static char dir[] = "/tmp/labctl-test-fs.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return remove_tree(dir);
}

static void test_make_dirs(void **state)
{
	char *deep = xasprintf("%s/a/b/c", dir);
	struct error e;

	assert_int_equal(make_dirs(deep, &e), 0);
	assert_true(is_dir(deep));
	assert_int_equal(make_dirs(deep, &e), 0);	/* there already: fine */
	free(deep);
}

/* A file where a directory should be: EXIT_ENV, naming the path. */
static void test_make_dirs_under_file(void **state)
{
	char *file = xasprintf("%s/file", dir), *under = xasprintf("%s/file/sub/dir", dir);
	char *want = xasprintf("cannot create %s/file/sub: Not a directory", dir);
	struct error e;

	assert_int_equal(write_file_atomic(file, "x", 1), 0);
	assert_int_equal(make_dirs(under, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_string_equal(e.msg, want);
	free(file);
	free(under);
	free(want);
}

/* A staging directory beside FINAL, or NULL with E when it cannot be made. */
static void test_staging_dir(void **state)
{
	char *final = xasprintf("%s/entry", dir), *blocker = xasprintf("%s/blocker", dir);
	char *blocked = xasprintf("%s/blocker/entry", dir), *staging;
	struct error e;

	staging = staging_dir(final, &e);
	assert_non_null(staging);
	assert_true(is_dir(staging));
	assert_int_equal(publish_dir(staging, final), 0);
	assert_true(is_dir(final));
	assert_int_equal(write_file_atomic(blocker, "x", 1), 0);
	assert_null(staging_dir(blocked, &e));
	assert_int_equal(e.code, EXIT_ENV);
	assert_int_equal(strncmp(e.msg, "cannot create ", 14), 0);
	free(staging);
	free(final);
	free(blocker);
	free(blocked);
}

/* temp_dir_create()'s directories: a live process's stay, a dead one's go
 * (the pid of a child we reaped), and nothing else in the directory. */
static void test_temp_dirs(void **state)
{
	struct error e;
	char *mine = temp_dir_create(dir, "labctl-t", &e), *dead, *other, *file;
	pid_t pid = fork();

	assert_non_null(mine);
	assert_true(is_dir(mine));
	assert_int_equal(strncmp(mine + strlen(dir), "/labctl-t-", 10), 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	dead = xasprintf("%s/labctl-t-%d-abcdef", dir, (int)pid);
	other = xasprintf("%s/labctl-tx-%d-abcdef", dir, (int)pid);
	file = xasprintf("%s/inside", dead);
	assert_int_equal(make_dirs(dead, &e), 0);
	assert_int_equal(make_dirs(other, &e), 0);
	assert_int_equal(write_file_atomic(file, "sources", 7), 0);
	temp_dirs_clean(dir, "labctl-t");
	assert_true(is_dir(mine));
	assert_false(is_dir(dead));
	assert_true(is_dir(other));
	free(mine);
	free(dead);
	free(other);
	free(file);
}

/* A copy is the same bytes (NULs too), by cmp(1); a missing source is
 * ENOENT, and leaves no copy, not even a temporary one. */
static void test_copy_file_atomic(void **state)
{
	char *from = xasprintf("%s/from", dir), *to = xasprintf("%s/to", dir);
	char *cmp = xasprintf("cmp -s %s %s", from, to), *none = xasprintf("%s/none", dir);
	char *nowhere = xasprintf("%s/nowhere", dir), *listing = xasprintf("ls %s | grep -q nowhere", dir);

	assert_int_equal(write_file_atomic(from, "a\0b\nLABCTL waiting\n", 18), 0);
	assert_int_equal(copy_file_atomic(from, to), 0);
	assert_int_equal(system(cmp), 0);
	errno = 0;
	assert_int_equal(copy_file_atomic(none, nowhere), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_not_equal(system(listing), 0);
	free_all(from, to, cmp, none, nowhere, listing);
}

/* The tail of a name, as a directory listing's filter asks it: a name
 * shorter than the suffix, or one ending in it but for a byte, is not. */
static void test_ends_with(void **state)
{
	assert_true(ends_with("42.state", ".state"));
	assert_true(ends_with(".state", ".state"));
	assert_true(ends_with("x", ""));
	assert_false(ends_with("state", ".state"));
	assert_false(ends_with("42.state.tmp.17", ".state"));
	assert_false(ends_with("42.statf", ".state"));
	assert_false(ends_with("", ".c"));
}

/* A message longer than the buffer is cut, and says so. */
static void test_error_set_truncates(void **state)
{
	char *long_path = xmalloc(3000);
	struct error e;

	memset(long_path, 'p', 2999);
	long_path[2999] = '\0';
	assert_int_equal(error_set(&e, EXIT_INPUT, "cannot read %s", long_path), -1);
	assert_int_equal(e.code, EXIT_INPUT);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_string_equal(e.msg + sizeof(e.msg) - 4, "...");
	assert_int_equal(strncmp(e.msg, "cannot read ppp", 15), 0);
	assert_int_equal(error_set(NULL, EXIT_ENV, "no E to fill"), -1);
	free(long_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_dirs),
		cmocka_unit_test(test_make_dirs_under_file),
		cmocka_unit_test(test_staging_dir),
		cmocka_unit_test(test_temp_dirs),
		cmocka_unit_test(test_copy_file_atomic),
		cmocka_unit_test(test_ends_with),
		cmocka_unit_test(test_error_set_truncates),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
