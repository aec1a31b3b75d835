/* The lab's initramfs: see initramfs.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "busybox.h"
#include "cache.h"
#include "cpio.h"
#include "fs.h"
#include "initramfs.h"
#include "labctl.h"
#include "programs.h"
#include "scenario.h"

/* Bumped when the layout changes, so that old cache entries are not reused. */
#define INITRAMFS_FORMAT "labctl-initramfs-1"

static _Noreturn void bad_line(const char *file, int line, const char *what)
{
	die(EXIT_INPUT, "%s:%d: %s", file, line, what);
}

static mode_t parse_mode(const char *s, const char *file, int line)
{
	char *end;
	unsigned long m = strtoul(s, &end, 8);

	if (*end || m > 07777)
		bad_line(file, line, "bad mode (want octal, e.g. 0755)");
	return (mode_t)m;
}

/* One line of rootfs/initramfs.list (gen_init_cpio's format). */
static void list_line(struct cpio *c, char **w, int n, const char *file, int line)
{
	char *rootfs = datapath("rootfs"), *src;

	if (!strcmp(w[0], "dir") && n == 5) {
		cpio_add_dir(c, w[1], parse_mode(w[2], file, line));
	} else if (!strcmp(w[0], "file") && n == 6) {
		src = xasprintf("%s/%s", rootfs, w[2]);
		if (cpio_add_file(c, w[1], parse_mode(w[3], file, line), src) < 0)
			die_errno(EXIT_INPUT, "%s:%d: cannot read %s", file, line, src);
		free(src);
	} else if (!strcmp(w[0], "nod") && n == 8 && (!strcmp(w[5], "c") || !strcmp(w[5], "b"))) {
		cpio_add_node(c, w[1], parse_mode(w[2], file, line), w[5][0],
			      (unsigned)atoi(w[6]), (unsigned)atoi(w[7]));
	} else if (!strcmp(w[0], "slink") && n == 6) {
		cpio_add_symlink(c, w[1], w[2]);
	} else {
		bad_line(file, line, "want dir, file, nod or slink with gen_init_cpio's fields");
	}
	free(rootfs);
}

static void add_list(struct cpio *c)
{
	char *file = datapath("rootfs/initramfs.list"), *text, *save, *l;
	int line = 0;

	text = read_file(file, NULL);
	if (!text)
		die_errno(EXIT_ENV, "cannot read %s", file);
	/* strtok_r would skip empty lines and lose the count: split by hand. */
	for (l = text; l; l = save) {
		char *w[9], *wsave;
		int n = 0;

		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		line++;
		for (char *t = strtok_r(l, " \t", &wsave); t && n < 9; t = strtok_r(NULL, " \t", &wsave))
			w[n++] = t;
		if (n && w[0][0] != '#')
			list_line(c, w, n, file, line);
	}
	free(text);
	free(file);
}

static void add_programs(struct cpio *c, struct programs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		char *dest = xasprintf("/lab/%s", p->v[i].name);

		if (cpio_add_file(c, dest, 0755, p->v[i].path) < 0)
			die_errno(EXIT_ENV, "cannot read %s", p->v[i].path);
		free(dest);
	}
}

/* Every scenario, checked against the programs, as a script for init. */
static void add_scenarios(struct cpio *c, const struct programs *p)
{
	char **names = scenario_names();

	if (!names[0])
		die(EXIT_INPUT, "no scenarios in %s/scenarios", datadir());
	for (char **n = names; *n; n++) {
		char *path = xasprintf("%s/scenarios/%s.ini", datadir(), *n), *script, *dest;
		struct scenario s;

		if (scenario_load(&s, path, p) < 0)
			exit(EXIT_INPUT);
		script = scenario_script(&s);
		dest = xasprintf("/etc/labctl/scenarios/%s.sh", *n);
		cpio_add_data(c, dest, 0644, script, strlen(script));
		scenario_free(&s);
		free(script);
		free(dest);
		free(path);
		free(*n);
	}
	free(names);
}

static void point_current(const char *images, const char *key)
{
	char *link = xasprintf("%s/current", images), *tmp = xasprintf("%s.%d", link, (int)getpid());

	unlink(tmp);
	if (symlink(key, tmp) < 0 || rename(tmp, link) < 0) {
		unlink(tmp);
		die_errno(EXIT_ENV, "cannot update %s", link);
	}
	free(link);
	free(tmp);
}

/* Write the archive into CACHE/images/KEY unless it is there already. */
static char *publish(struct cpio *c, const char *key, bool gzip)
{
	char *images = cache_subdir("images");
	char *final = xasprintf("%s/%s", images, key), *staging, *tmp;
	const char *name = gzip ? "initramfs.cpio.gz" : "initramfs.cpio";
	char *out = xasprintf("%s/%s", final, name);

	if (!is_file(out)) {
		staging = staging_dir(final);
		tmp = xasprintf("%s/%s", staging, name);
		if (cpio_write(c, tmp, gzip) < 0)
			exit(EXIT_ENV);
		if (publish_dir(staging, final) < 0 && !is_file(out))
			die_errno(EXIT_ENV, "cannot publish %s", final);
		remove_tree(staging);
		free(staging);
		free(tmp);
	}
	point_current(images, key);
	free(images);
	free(final);
	return out;
}

char *initramfs_build(const struct initramfs_opts *o)
{
	struct cpio *c = cpio_new();
	struct hasher *h = hasher_new();
	struct programs p;
	char key[SHA256_HEX_LEN + 1], *busybox, *out;

	busybox = busybox_get(&(struct busybox_opts){ .given = o->busybox,
						      .source = o->busybox_source });
	programs_list(&p, NULL);
	add_list(c);
	add_scenarios(c, &p);		/* bad scenarios fail before any compiling */
	programs_build(&p);
	add_programs(c, &p);
	if (cpio_add_file(c, "/bin/busybox", 0755, busybox) < 0)
		die_errno(EXIT_ENV, "cannot read %s", busybox);

	hasher_add_str(h, INITRAMFS_FORMAT);
	hasher_add_str(h, o->gzip ? "gzip" : "none");
	cpio_hash(c, h);
	hasher_hex(h, key);
	out = publish(c, key, o->gzip);

	cpio_free(c);
	programs_free(&p);
	free(busybox);
	return out;
}
