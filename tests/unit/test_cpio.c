/* The initramfs writer: entries, modes, device nodes, determinism. */
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
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/rootfs/cpio.h"

static char dir[] = "/tmp/labctl-test-cpio.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return remove_tree(dir);
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A small root file system, its entries added in the order given. */
static struct cpio *sample(bool reversed)
{
	struct cpio *c = cpio_new();

	if (reversed) {
		cpio_add_symlink(c, "/bin/sh", "busybox");
		cpio_add_data(c, "/init", 0755, "#!/bin/sh\n", 10);
		cpio_add_node(c, "/dev/null", 0666, 'c', 1, 3);
		cpio_add_node(c, "/dev/console", 0600, 'c', 5, 1);
		cpio_add_dir(c, "/dev", 0755);
		cpio_add_dir(c, "/bin", 0755);
	} else {
		cpio_add_dir(c, "/bin", 0755);
		cpio_add_dir(c, "/dev", 0755);
		cpio_add_node(c, "/dev/console", 0600, 'c', 5, 1);
		cpio_add_node(c, "/dev/null", 0666, 'c', 1, 3);
		cpio_add_data(c, "/init", 0755, "#!/bin/sh\n", 10);
		cpio_add_symlink(c, "/bin/sh", "busybox");
	}
	return c;
}

static void write_sample(const char *out, bool reversed, bool gzip)
{
	struct cpio *c = sample(reversed);

	assert_int_equal(cpio_save(c, out, gzip, NULL), 0);
	cpio_free(c);
}

/* Read OUT back with libarchive and check every entry. */
static void test_entries(void **state)
{
	static const char *order[] = { "bin", "bin/sh", "dev", "dev/console", "dev/null", "init" };
	char *out = tmp_path("a.cpio"), data[16];
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int i = 0;

	write_sample(out, false, false);
	archive_read_support_format_cpio(a);
	archive_read_support_filter_all(a);
	assert_int_equal(archive_read_open_filename(a, out, 4096), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		assert_true(i < 6);
		assert_string_equal(name, order[i]);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_int_equal(archive_entry_mtime(e), 0);
		assert_int_equal(archive_entry_ino(e), i + 1);
		if (!strcmp(name, "dev/console")) {
			assert_int_equal(archive_entry_filetype(e), AE_IFCHR);
			assert_int_equal(archive_entry_perm(e), 0600);
			assert_int_equal(archive_entry_rdevmajor(e), 5);
			assert_int_equal(archive_entry_rdevminor(e), 1);
		} else if (!strcmp(name, "dev/null")) {
			assert_int_equal(archive_entry_filetype(e), AE_IFCHR);
			assert_int_equal(archive_entry_rdevmajor(e), 1);
			assert_int_equal(archive_entry_rdevminor(e), 3);
		} else if (!strcmp(name, "bin/sh")) {
			assert_int_equal(archive_entry_filetype(e), AE_IFLNK);
			assert_string_equal(archive_entry_symlink(e), "busybox");
		} else if (!strcmp(name, "init")) {
			assert_int_equal(archive_entry_filetype(e), AE_IFREG);
			assert_int_equal(archive_entry_perm(e), 0755);
			assert_int_equal(archive_read_data(a, data, sizeof(data)), 10);
			assert_memory_equal(data, "#!/bin/sh\n", 10);
		} else {
			assert_int_equal(archive_entry_filetype(e), AE_IFDIR);
		}
		i++;
	}
	assert_int_equal(i, 6);
	assert_int_equal(archive_format(a), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
	archive_read_free(a);
	free(out);
}

static void assert_same_file(const char *p1, const char *p2)
{
	size_t n1, n2;
	char *a = read_file(p1, &n1), *b = read_file(p2, &n2);

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	free(a);
	free(b);
}

/* Same entries, in any order, a second apart: the same bytes. */
static void test_deterministic(void **state)
{
	char *p1 = tmp_path("1.cpio"), *p2 = tmp_path("2.cpio");
	char *g1 = tmp_path("1.cpio.gz"), *g2 = tmp_path("2.cpio.gz");
	unsigned char *gz;

	write_sample(p1, false, false);
	write_sample(g1, false, true);
	sleep(1);
	write_sample(p2, true, false);
	write_sample(g2, true, true);
	assert_same_file(p1, p2);
	assert_same_file(g1, g2);
	/* A gzip member: magic, and no time stamp (bytes 4-7). */
	gz = (unsigned char *)read_file(g1, NULL);
	assert_int_equal(gz[0], 0x1f);
	assert_int_equal(gz[1], 0x8b);
	assert_int_equal(gz[4] | gz[5] | gz[6] | gz[7], 0);
	free(gz);
	free(p1); free(p2); free(g1); free(g2);
}

/* Adding a path twice keeps the last: one entry, the new contents. */
static void test_replace(void **state)
{
	struct cpio *c = cpio_new();
	char *out = tmp_path("r.cpio"), *text;
	size_t len;

	cpio_add_data(c, "/init", 0755, "old", 3);
	cpio_add_data(c, "init", 0700, "new!", 4);
	assert_int_equal(cpio_save(c, out, false, NULL), 0);
	cpio_free(c);
	text = read_file(out, &len);
	assert_null(memmem(text, len, "old", 3));
	assert_non_null(memmem(text, len, "new!", 4));
	free(text);
	free(out);
}

static void test_unwritable(void **state)
{
	struct cpio *c = sample(false);
	struct error e;

	assert_int_equal(cpio_save(c, "/nonexistent-dir/x.cpio", false, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_non_null(strstr(e.msg, "cannot write /nonexistent-dir/x.cpio: "));
	cpio_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
