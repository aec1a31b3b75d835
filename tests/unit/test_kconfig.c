/* Config fragments, the requested-vs-final comparison, Kconfig's depends. */
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
#include "../../labctl/lib/error.h"
#include "../../labctl/lib/labctl.h"

static void test_parse_fragment(void **state)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"CONFIG_DEBUG_INFO=y\n"
		"# CONFIG_RANDOMIZE_BASE is not set\n"
		"CONFIG_LOG_BUF_SHIFT=17\n"
		"CONFIG_CMDLINE=\"console=ttyS0\"\n"
		"  # indented comment\r\n";
	struct kopts l = { 0 };

	assert_int_equal(kopts_parse(&l, text, "f.config", NULL), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(kopts_get(&l, "DEBUG_INFO"), "y");
	assert_string_equal(kopts_get(&l, "RANDOMIZE_BASE"), "n");
	assert_string_equal(kopts_get(&l, "LOG_BUF_SHIFT"), "17");
	assert_string_equal(kopts_get(&l, "CMDLINE"), "\"console=ttyS0\"");
	assert_string_equal(l.v[1].where, "f.config:4");
	assert_null(kopts_get(&l, "DEBUG"));
	kopts_free(&l);
}

/* A later fragment overrides an earlier one, as merge_config.sh does. */
static void test_later_wins(void **state)
{
	struct kopts l = { 0 };

	assert_int_equal(kopts_parse(&l, "CONFIG_A=y\nCONFIG_B=y\n", "one", NULL), 0);
	assert_int_equal(kopts_parse(&l, "# CONFIG_A is not set\n", "two", NULL), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(kopts_get(&l, "A"), "n");
	assert_string_equal(l.v[0].where, "two:1");
	kopts_free(&l);
}

static void test_bad_lines(void **state)
{
	struct kopts l = { 0 };
	struct error e;

	/* The first bad line is the one E names. */
	assert_int_equal(kopts_parse(&l, "CONFIG_A=y\nDEBUG_INFO=y\nJUNK\n", "f", &e), -1);
	assert_int_equal(e.code, EXIT_INPUT);
	assert_string_equal(e.msg, "f:2: not a config line: DEBUG_INFO=y");
	assert_int_equal(kopts_parse_file(&l, "/nonexistent/f.config", &e), -1);
	assert_int_equal(e.code, EXIT_INPUT);
	assert_string_equal(e.msg, "cannot read /nonexistent/f.config: No such file or directory");
	assert_int_equal(kopts_parse(&l, "CONFIG_=y\n", "f", NULL), -1);
	assert_int_equal(kopts_parse(&l, "# CONFIG_B is unset\n", "f", NULL), 0);	/* a comment */
	assert_int_equal(l.n, 1);
	kopts_free(&l);
}

static void test_took(void **state)
{
	struct kopts want = { 0 }, have = { 0 };

	kopts_parse(&want, "CONFIG_A=y\n# CONFIG_B is not set\n# CONFIG_C is not set\n"
		    "CONFIG_D=y\nCONFIG_E=64\nCONFIG_F=y\n", "want", NULL);
	kopts_parse(&have, "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n"
		    "# CONFIG_D is not set\nCONFIG_E=32\n", "have", NULL);
	assert_true(kopt_took(&have, &want.v[0]));	/* y = y */
	assert_true(kopt_took(&have, &want.v[1]));	/* unset = unset */
	assert_false(kopt_took(&have, &want.v[2]));	/* wanted unset, got y */
	assert_false(kopt_took(&have, &want.v[3]));	/* dropped */
	assert_false(kopt_took(&have, &want.v[4]));	/* other value */
	assert_false(kopt_took(&have, &want.v[5]));	/* absent */
	kopts_free(&want);
	kopts_free(&have);
	kopts_parse(&want, "# CONFIG_G is not set\n", "want", NULL);
	assert_true(kopt_took(&have, &want.v[0]));	/* absent counts as unset */
	kopts_free(&want);
}

static const char kconfig[] =
	"menu \"Networking\"\n"
	"\tdepends on NET\n"
	"\n"
	"config FOO\n"
	"\tbool \"foo\"\n"
	"\tdepends on PCI && ACPI\n"
	"\tdepends on !BAR\n"
	"\thelp\n"
	"\t  if you say Y here, depends on nothing\n"
	"\t  config FAKE\n"
	"\n"
	"endmenu\n"
	"\n"
	"if X86\n"
	"config BAZ\n"
	"\tdef_bool y\n"
	"endif\n"
	"menuconfig QUX\n"
	"\tbool \"qux\"\n";

static void test_entry_depends(void **state)
{
	char *d;

	d = kconfig_entry_depends(kconfig, "FOO");
	assert_string_equal(d, "NET && PCI && ACPI && !BAR");
	free(d);
	d = kconfig_entry_depends(kconfig, "BAZ");
	assert_string_equal(d, "X86");
	free(d);
	d = kconfig_entry_depends(kconfig, "QUX");
	assert_string_equal(d, "");
	free(d);
	assert_null(kconfig_entry_depends(kconfig, "FAKE"));	/* help text, not an entry */
	assert_null(kconfig_entry_depends(kconfig, "FO"));
}

static void test_unmet(void **state)
{
	struct kopts have = { 0 };
	char *u;

	kopts_parse(&have, "CONFIG_NET=y\n# CONFIG_ACPI is not set\n", "have", NULL);
	u = kconfig_unmet("NET && PCI && ACPI && !BAR", &have);
	assert_string_equal(u, "PCI, ACPI, BAR");
	free(u);
	assert_null(kconfig_unmet("NET", &have));
	kopts_free(&have);
}

static char *why_named(const struct kopt *want, const struct kopts *have, void *tag)
{
	const char *got = kopts_get(have, want->name);

	return xasprintf("%s %s=%s (is %s)", (const char *)tag, want->name, want->value,
			 got ? got : "absent");
}

/* The options that did not take, a line each, counted; none: NULL and 0. */
static void test_not_taken(void **state)
{
	char path[] = "/tmp/labctl-test-kconfig-XXXXXX";
	static const char config[] = "CONFIG_NET=y\n# CONFIG_PCI is not set\nCONFIG_SHIFT=17\n";
	struct kopts want = { 0 };
	struct error e;
	char *report;
	int fd = mkstemp(path), n;

	assert_true(fd >= 0 && write(fd, config, strlen(config)) == (ssize_t)strlen(config));
	close(fd);
	kopts_parse(&want, "CONFIG_NET=y\nCONFIG_PCI=y\nCONFIG_SHIFT=18\nCONFIG_ACPI=y\n"
		    "# CONFIG_USB is not set\n", "want", NULL);
	assert_int_equal(kopts_not_taken(&want, path, "olddefconfig", why_named, "x", &report,
					 &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(report, "x PCI=y (is n)\nx SHIFT=18 (is 17)\nx ACPI=y (is absent)");
	free(report);
	kopts_free(&want);

	kopts_parse(&want, "CONFIG_NET=y\n", "want", NULL);
	assert_int_equal(kopts_not_taken(&want, path, "olddefconfig", why_named, "x", &report,
					 &n, &e), 0);
	assert_null(report);
	assert_int_equal(n, 0);
	unlink(path);
	assert_int_equal(kopts_not_taken(&want, path, "make oldconfig", why_named, "x", &report,
					 &n, &e), -1);
	assert_int_equal(e.code, EXIT_FAIL);
	assert_non_null(strstr(e.msg, "make oldconfig left an unreadable"));
	kopts_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fragment),
		cmocka_unit_test(test_later_wins),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_took),
		cmocka_unit_test(test_entry_depends),
		cmocka_unit_test(test_unmet),
		cmocka_unit_test(test_not_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
