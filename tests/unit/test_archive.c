/*
 * Secure extraction: hostile tarballs (absolute path, `..`, a symlink then
 * a write through it, a hard link out) are refused and write nothing
 * outside the target; a good one extracts with its top directory
 * stripped; a file comes out of a .deb's data.tar.
 */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/source/archive.h"

struct item {
	const char *name;
	char type;		/* 'f' file, 'd' directory, 'l' symlink, 'h' hard link, 'c' device */
	const char *data;	/* file contents, or the link target */
};

static char scratch[] = "/tmp/labctl-test-archive.XXXXXX";
static char *dest, *outside, *tarball;
static struct error err;

/* archive_extract()'s verdict: 0, or E's exit code (the return being -1). */
static int extract(int strip)
{
	int ret = archive_extract(tarball, dest, strip, &err);

	assert_true(ret == 0 || ret == -1);
	return ret ? err.code : 0;
}

static int deb_extract(const char *deb, const char *member, const char *out)
{
	int ret = deb_extract_file(deb, member, out, &err);

	assert_true(ret == 0 || ret == -1);
	return ret ? err.code : 0;
}

static void add_item(struct archive *a, const struct item *it)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = it->type == 'f' ? strlen(it->data) : 0;

	archive_entry_set_pathname(e, it->name);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, len);
	if (it->type == 'd') {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	} else if (it->type == 'l') {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, it->data);
	} else if (it->type == 'c') {
		archive_entry_set_filetype(e, AE_IFCHR);
		archive_entry_set_rdev(e, makedev(1, 3));
	} else if (it->type == 'h') {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, it->data);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
	}
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	if (len)
		assert_int_equal(archive_write_data(a, it->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* A regular file of LEN bytes (not a C string: a nested archive). */
static void add_bytes(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* A tar.gz of ITEMS at PATH, written with libarchive's own writer. */
static void make_tar(const char *path, const struct item *items, size_t n)
{
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++)
		add_item(a, &items[i]);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(scratch));
	dest = xasprintf("%s/dest", scratch);
	outside = xasprintf("%s/outside", scratch);
	tarball = xasprintf("%s/t.tar.gz", scratch);
	assert_int_equal(make_dirs(dest, NULL), 0);
	assert_int_equal(make_dirs(outside, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	remove_tree(scratch);
	free(dest);
	free(outside);
	free(tarball);
	return 0;
}

/* Start each test with an empty target. */
static int fresh(void **state)
{
	remove_tree(dest);
	assert_int_equal(make_dirs(dest, NULL), 0);
	return 0;
}

/* The top directory stripped; a symlink and a hard link read as their targets. */
static void test_good_archive(void **state)
{
	const struct item items[] = {
		{ "linux-5.10/", 'd', NULL },
		{ "linux-5.10/Makefile", 'f', "VERSION = 5\n" },
		{ "linux-5.10/arch/x86/a.S", 'f', "nop\n" },
		{ "linux-5.10/link", 'l', "arch/x86/a.S" },
		{ "linux-5.10/hard", 'h', "linux-5.10/Makefile" },
	};
	static const struct { const char *path, *text; } want[] = {
		{ "Makefile", "VERSION = 5\n" },
		{ "arch/x86/a.S", "nop\n" },
		{ "link", "nop\n" },
		{ "hard", "VERSION = 5\n" },
	};

	make_tar(tarball, items, 5);
	assert_int_equal(extract(1), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *path = xasprintf("%s/%s", dest, want[i].path), *text = read_file(path, NULL);

		if (!is_file(path) || !text || strcmp(text, want[i].text))
			fail_msg("%s: not a file holding '%s'", path, want[i].text);
		free(text);
		free(path);
	}
}

/*
 * A hostile tarball: refused, and nothing written where it aimed.  In the
 * items, a leading "OUTSIDE" stands for the directory beside the target.
 */
struct hostile {
	const char *name;
	struct item items[2];
	size_t nitems;
	int strip;		/* top directories stripped */
	const char *says;	/* in the error message, or NULL */
	const char *evil;	/* under the scratch directory: must not exist after */
};

static const struct hostile hostile[] = {
	{ "test_absolute_path", { { "OUTSIDE/abs", 'f', "pwned\n" } }, 1, 0,
	  "has an absolute path or a '..'", "outside/abs" },
	{ "test_dotdot", { { "linux/Makefile", 'f', "x\n" },
			   { "linux/../../outside/dotdot", 'f', "pwned\n" } }, 2, 1,
	  NULL, "outside/dotdot" },
	{ "test_write_through_symlink", { { "linux/escape", 'l', "OUTSIDE" },
					  { "linux/escape/pwned", 'f', "pwned\n" } }, 2, 1,
	  NULL, "outside/pwned" },
	{ "test_relative_symlink_escape", { { "linux/up", 'l', "../../outside" },
					    { "linux/up/rel", 'f', "pwned\n" } }, 2, 1,
	  NULL, "outside/rel" },
	{ "test_hard_link_out", { { "linux/passwd", 'h', "/etc/passwd" } }, 1, 1,
	  NULL, "dest/passwd" },
	{ "test_device_node", { { "linux/null", 'c', NULL } }, 1, 1,
	  "entry 'linux/null' is a device, FIFO or socket", "dest/null" },
};

/* S with a leading "OUTSIDE" made the outside directory's path. */
static char *expand(const char *s)
{
	if (s && !strncmp(s, "OUTSIDE", 7))
		return xasprintf("%s%s", outside, s + 7);
	return s ? xstrdup(s) : NULL;
}

static void test_hostile(void **state)
{
	const struct hostile *h = *state;
	struct item items[2];
	char *evil = xasprintf("%s/%s", scratch, h->evil);

	for (size_t i = 0; i < h->nitems; i++)
		items[i] = (struct item){ expand(h->items[i].name), h->items[i].type,
					  expand(h->items[i].data) };
	make_tar(tarball, items, h->nitems);
	assert_int_equal(extract(h->strip), EXIT_INPUT);
	if (h->says && !strstr(err.msg, h->says))
		fail_msg("'%s' does not say '%s'", err.msg, h->says);
	assert_false(exists(evil));
	for (size_t i = 0; i < h->nitems; i++) {
		free((char *)items[i].name);
		free((char *)items[i].data);
	}
	free(evil);
}

static void test_not_an_archive(void **state)
{
	assert_int_equal(write_file_atomic(tarball, "hello\n", 6), 0);
	assert_int_equal(extract(1), EXIT_INPUT);
}

/* An ar archive like a .deb: debian-binary, control.tar.gz, data.tar.gz. */
static void make_deb(const char *path, const char *member, const char *content)
{
	const struct item data[] = { { "./usr/", 'd', NULL }, { member, 'f', content } };
	char *tmp = xasprintf("%s/data.tar.gz", scratch), *bytes;
	size_t len;
	struct archive *a;

	make_tar(tmp, data, 2);
	bytes = read_file(tmp, &len);
	a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	add_bytes(a, "debian-binary", "2.0\n", 4);
	add_bytes(a, "control.tar.gz", "", 0);
	add_bytes(a, "data.tar.gz", bytes, len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(bytes);
	free(tmp);
}

static void test_deb_member(void **state)
{
	char *deb = xasprintf("%s/p_1.0_all.deb", scratch), *out = xasprintf("%s/out", scratch);
	char *text;

	make_deb(deb, "./usr/src/inner.tar.xz", "inner bytes\n");
	assert_int_equal(deb_extract(deb, "./usr/src/inner.tar.xz", out), 0);
	text = read_file(out, NULL);
	assert_non_null(text);
	assert_string_equal(text, "inner bytes\n");
	unlink(out);
	assert_int_equal(deb_extract(deb, "./usr/src/missing", out), EXIT_INPUT);
	assert_non_null(strstr(err.msg, "has no ./usr/src/missing"));
	assert_false(exists(out));
	assert_int_equal(deb_extract(tarball, "./usr/src/inner.tar.xz", out), EXIT_INPUT);
	assert_false(exists(out));
	free(text);
	free(deb);
	free(out);
}

int main(void)
{
	enum { NHOSTILE = sizeof(hostile) / sizeof(hostile[0]) };
	struct CMUnitTest tests[3 + NHOSTILE] = { cmocka_unit_test_setup(test_good_archive, fresh) };
	size_t n = 1;

	/* each hostile tarball a test of its own, named as in the table */
	for (size_t i = 0; i < NHOSTILE; i++)
		tests[n++] = (struct CMUnitTest){ hostile[i].name, test_hostile, fresh, NULL,
						  (void *)&hostile[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup(test_not_an_archive, fresh);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_deb_member);
	return cmocka_run_group_tests(tests, setup, teardown);
}
