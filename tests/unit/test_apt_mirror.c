/*
 * Finding the Debian mirror in an apt configuration: deb822 and one-line
 * files, comments, disabled stanzas and files, -security and -updates
 * suites skipped; and the security archive, for -security suites.  The
 * hosts are made up (.example).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/source/apt.h"
#include "helpers.h"

static char etc[] = "/tmp/labctl-test-apt.XXXXXX";

/* Start each test with an empty /etc/apt. */
static int fresh(void **state)
{
	char *d = xasprintf("%s/sources.list.d", etc);

	remove_tree(etc);
	assert_int_equal(make_dirs(d, NULL), 0);
	free(d);
	return 0;
}

static int teardown(void **state)
{
	return remove_tree(etc);
}

static void expect_archive(bool security, const char *want)
{
	char *got = apt_find_mirror(etc, security);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void expect_mirror(const char *want)
{
	expect_archive(false, want);
}

static void test_deb822(void **state)
{
	put_file(etc, "sources.list.d/debian.sources",
	    "# the security archive first, to be skipped\n"
	    "Types: deb\n"
	    "URIs: http://security.example/debian-security\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n"
	    "\n"
	    "Types: deb deb-src\n"
	    "# a comment inside a stanza\n"
	    "URIs: http://mirror.example/debian\n"
	    "Suites: bookworm bookworm-updates\n"
	    "Components: main\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
	expect_mirror("http://mirror.example/debian");
}

static void test_one_line(void **state)
{
	put_file(etc, "sources.list",
	    "# deb http://commented.example/debian bookworm main\n"
	    "deb-src http://src.example/debian bookworm main\n"
	    "deb http://security.example/debian-security bookworm-security main\n"
	    "deb http://mirror.example/debian bookworm-updates main\n"
	    "\n"
	    "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
	    "http://mirror.example/debian/ bookworm main contrib\n");
	expect_mirror("http://mirror.example/debian/");
}

static void test_options_with_spaces(void **state)
{
	put_file(etc, "sources.list", "deb [ arch=amd64 trusted=no ] http://mirror.example/debian bookworm main\n");
	expect_mirror("http://mirror.example/debian");
}

static void test_disabled(void **state)
{
	put_file(etc, "sources.list.d/off.sources",
	    "Enabled: no\n"
	    "Types: deb\n"
	    "URIs: http://disabled.example/debian\n"
	    "Suites: bookworm\n");
	put_file(etc, "sources.list.d/old.list.disabled", "deb http://old.example/debian bookworm main\n");
	put_file(etc, "sources.list.d/on.list", "deb http://mirror.example/debian bookworm main\n");
	expect_mirror("http://mirror.example/debian");
}

static void test_debian_path_preferred(void **state)
{
	put_file(etc, "sources.list.d/a-vendor.list", "deb http://vendor.example/apt stable main\n");
	put_file(etc, "sources.list.d/b.sources",
	    "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\nComponents: main\n");
	expect_mirror("http://mirror.example/debian");
}

static void test_none(void **state)
{
	expect_mirror(NULL);
	put_file(etc, "sources.list", "deb http://security.example/debian-security bookworm-security main\n");
	expect_mirror(NULL);
}

/* The security archive, for bookworm-security's kernels: only a -security
 * suite counts, and Debian's own path wins over another archive's. */
static void test_security(void **state)
{
	put_file(etc, "sources.list",
	    "deb http://mirror.example/debian bookworm main\n"
	    "deb http://mirror.example/debian bookworm-updates main\n");
	expect_archive(true, NULL);
	put_file(etc, "sources.list.d/a.list",
	    "deb http://vendor.example/apt stable-security main\n");
	put_file(etc, "sources.list.d/b.sources",
	    "Types: deb\n"
	    "URIs: http://security.example/debian-security/\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n");
	expect_archive(true, "http://security.example/debian-security/");
	expect_mirror("http://mirror.example/debian");
}

static void test_deb_version(void **state)
{
	char *v = apt_deb_version("/c/downloads/linux-source-5.10_5.10.223-1_all.deb");

	assert_string_equal(v, "5.10.223-1");
	free(v);
	v = apt_deb_version("busybox-static_1%3a1.30.1-6+b3_amd64.deb");
	assert_string_equal(v, "1:1.30.1-6+b3");
	free(v);
}

/* What apt-get source leaves: only the upstream tarball is kept. */
static void test_orig_tarball(void **state)
{
	assert_true(apt_is_orig_tarball("busybox_1.35.0.orig.tar.bz2", "busybox"));
	assert_true(apt_is_orig_tarball("busybox_1.36.1.orig.tar.xz", "busybox"));
	assert_true(apt_is_orig_tarball("busybox_1.30.1.orig.tar.gz", "busybox"));
	assert_false(apt_is_orig_tarball("busybox_1.35.0-4+deb12u1.debian.tar.xz", "busybox"));
	assert_false(apt_is_orig_tarball("busybox_1.35.0-4+deb12u1.dsc", "busybox"));
	assert_false(apt_is_orig_tarball("busybox_1.35.0.orig.tar.bz2.asc", "busybox"));
	assert_false(apt_is_orig_tarball("busybox_1.35.0.orig-extra.tar.xz", "busybox"));
	assert_false(apt_is_orig_tarball("busybox-static_1.35.0.orig.tar.bz2", "busybox"));
	assert_false(apt_is_orig_tarball("busybox1.35.0.orig.tar.bz2", "busybox"));
	assert_false(apt_is_orig_tarball("x/busybox_1.35.0.orig.tar.bz2", "busybox"));
}

static void test_sources_list(void **state)
{
	char *l = apt_sources_list("http://mirror.example/debian", "bookworm", false);

	assert_string_equal(l, "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
			    "http://mirror.example/debian bookworm main\n");
	free(l);
	l = apt_sources_list("http://mirror.example/debian", "bookworm", true);
	assert_string_equal(l, "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
			    "http://mirror.example/debian bookworm main\n"
			    "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
			    "http://mirror.example/debian bookworm main\n");
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_deb822, fresh),
		cmocka_unit_test_setup(test_one_line, fresh),
		cmocka_unit_test_setup(test_options_with_spaces, fresh),
		cmocka_unit_test_setup(test_disabled, fresh),
		cmocka_unit_test_setup(test_debian_path_preferred, fresh),
		cmocka_unit_test_setup(test_none, fresh),
		cmocka_unit_test_setup(test_security, fresh),
		cmocka_unit_test(test_deb_version),
		cmocka_unit_test(test_orig_tarball),
		cmocka_unit_test(test_sources_list),
	};

	if (!mkdtemp(etc))
		return 1;
	return cmocka_run_group_tests(tests, NULL, teardown);
}
