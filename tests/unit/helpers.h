/*
 * What several unit tests share: files written under a scratch directory,
 * and the directory removed when done.  Static inline, so that each
 * tests/unit/test_*.c still links alone with the library objects.
 */
#ifndef LABCTL_TESTS_HELPERS_H
#define LABCTL_TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"

/* Write TEXT to DIR/REL (whose directory exists); the test fails if it cannot. */
static inline void put_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);

	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
	free(path);
}

/* rm -r DIR; the test fails if it cannot. */
static inline void remove_scratch(const char *dir)
{
	assert_int_equal(remove_tree(dir), 0);
}

#endif
