/*
 * The guest's BusyBox: --busybox's words, the version of a BusyBox tree,
 * the fragment merged into allnoconfig's .config, and which files can be
 * the guest's BusyBox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/kconfig/kconfig.h"
#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/rootfs/busybox.h"
#include "helpers.h"

static void test_choice(void **state)
{
	assert_int_equal(busybox_choice(NULL), BUSYBOX_AUTO);
	assert_int_equal(busybox_choice("auto"), BUSYBOX_AUTO);
	assert_int_equal(busybox_choice("system"), BUSYBOX_SYSTEM);
	assert_int_equal(busybox_choice("debian"), BUSYBOX_DEBIAN);
	assert_int_equal(busybox_choice("./debian"), BUSYBOX_PATH);
	assert_int_equal(busybox_choice("/bin/busybox"), BUSYBOX_PATH);
	assert_int_equal(busybox_choice("Debian"), BUSYBOX_PATH);
}

static void test_tree_version(void **state)
{
	char *v = busybox_tree_version("VERSION = 1\nPATCHLEVEL = 35\nSUBLEVEL = 0\n"
				       "EXTRAVERSION =\nNAME = Unnamed\n");

	assert_string_equal(v, "1.35.0");
	free(v);
	v = busybox_tree_version("# comment\nVERSION=1\nPATCHLEVEL=36\nSUBLEVEL=1\n");
	assert_string_equal(v, "1.36.1");
	free(v);
	/* VERSIONX, or a value that is no number, is not VERSION */
	assert_null(busybox_tree_version("VERSIONX = 1\nPATCHLEVEL = 35\nSUBLEVEL = 0\n"));
	assert_null(busybox_tree_version("VERSION = $(X)\nPATCHLEVEL = 35\nSUBLEVEL = 0\n"));
	assert_null(busybox_tree_version("VERSION = 1\nPATCHLEVEL = 35\n"));
	assert_null(busybox_tree_version(""));
}

static void test_config_merge(void **state)
{
	const char *config =
		"#\n# Automatically generated make config: don't edit\n#\n"
		"CONFIG_HAVE_DOT_CONFIG=y\n"
		"# CONFIG_STATIC is not set\n"
		"# CONFIG_STATIC_LIBGCC is not set\n"
		"CONFIG_EXTRA_CFLAGS=\"\"\n"
		"# CONFIG_ASH is not set\n"
		"CONFIG_FEATURE_EDITING=y";	/* no final newline */
	struct kopts frag = { 0 }, have = { 0 };
	char *out;

	assert_int_equal(kopts_parse(&frag, "# the fragment\nCONFIG_STATIC=y\nCONFIG_ASH=y\n"
				     "# CONFIG_FEATURE_EDITING is not set\nCONFIG_MKFIFO=y\n",
				     "busybox.config", NULL), 0);
	out = busybox_config_merge(config, &frag);
	assert_string_equal(out,
		"#\n# Automatically generated make config: don't edit\n#\n"
		"CONFIG_HAVE_DOT_CONFIG=y\n"
		"# CONFIG_STATIC_LIBGCC is not set\n"
		"CONFIG_EXTRA_CFLAGS=\"\"\n"
		"CONFIG_STATIC=y\n"
		"CONFIG_ASH=y\n"
		"# CONFIG_FEATURE_EDITING is not set\n"
		"CONFIG_MKFIFO=y\n");
	/* what the check after oldconfig reads back */
	assert_int_equal(kopts_parse(&have, out, ".config", NULL), 0);
	for (size_t i = 0; i < frag.n; i++)
		assert_true(kopt_took(&have, &frag.v[i]));
	assert_string_equal(kopts_get(&have, "STATIC_LIBGCC"), "n");
	free(out);
	kopts_free(&have);

	/* an empty fragment leaves the config as it was */
	kopts_free(&frag);
	out = busybox_config_merge("CONFIG_A=y\n", &frag);
	assert_string_equal(out, "CONFIG_A=y\n");
	free(out);
}

static void test_unusable(void **state)
{
	char dir[] = "/tmp/labctl-test-busybox.XXXXXX", *path;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/busybox", dir);
	put_file(dir, "busybox", "#!/bin/sh\n");
	assert_string_equal(busybox_unusable(path), "not an ELF executable");
	unlink(path);
	assert_string_equal(busybox_unusable(path), "missing");
	/* the test binary itself: x86-64, dynamically linked */
	assert_string_equal(busybox_unusable("/proc/self/exe"),
			    "dynamically linked (the initramfs has no libc)");
	remove_scratch(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_tree_version),
		cmocka_unit_test(test_config_merge),
		cmocka_unit_test(test_unusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
