/* The lab's initramfs: see initramfs.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "rootfs/busybox.h"
#include "rootfs/cpio.h"
#include "rootfs/initramfs.h"
#include "rootfs/programs.h"
#include "rootfs/scenario.h"

/* Bumped when the layout changes, so that old cache entries are not reused. */
#define INITRAMFS_FORMAT "labctl-initramfs-1"

static int bad_line(const char *file, int line, const char *what, struct error *e)
{
	return error_set(e, EXIT_INPUT, "%s:%d: %s", file, line, what);
}

static int parse_mode(mode_t *mode, const char *s, const char *file, int line, struct error *e)
{
	char *end;
	unsigned long m = strtoul(s, &end, 8);

	if (*end || m > 07777)
		return bad_line(file, line, "bad mode (want octal, e.g. 0755)", e);
	*mode = (mode_t)m;
	return 0;
}

/* One line of rootfs/initramfs.list (gen_init_cpio's format). */
static int list_line(struct cpio *c, char **w, int n, const char *file, int line,
		     struct error *e)
{
	char *rootfs, *src;
	mode_t mode = 0;
	int ret = 0;

	if (n > 1 && !w[1][strspn(w[1], "/")])
		return bad_line(file, line, "empty path", e);
	if (!strcmp(w[0], "dir") && n == 5) {
		if (!(ret = parse_mode(&mode, w[2], file, line, e)))
			cpio_add_dir(c, w[1], mode);
	} else if (!strcmp(w[0], "file") && n == 6) {
		if ((ret = parse_mode(&mode, w[3], file, line, e)))
			return ret;
		rootfs = datapath("rootfs");
		src = xasprintf("%s/%s", rootfs, w[2]);
		if (cpio_add_file(c, w[1], mode, src) < 0)
			ret = error_set(e, EXIT_INPUT, "%s:%d: cannot read %s: %m", file, line, src);
		free(src);
		free(rootfs);
	} else if (!strcmp(w[0], "nod") && n == 8 && (!strcmp(w[5], "c") || !strcmp(w[5], "b"))) {
		if (!(ret = parse_mode(&mode, w[2], file, line, e)))
			cpio_add_node(c, w[1], mode, w[5][0], (unsigned)atoi(w[6]),
				      (unsigned)atoi(w[7]));
	} else if (!strcmp(w[0], "slink") && n == 6) {
		cpio_add_symlink(c, w[1], w[2]);
	} else {
		ret = bad_line(file, line, "want dir, file, nod or slink with gen_init_cpio's fields", e);
	}
	return ret;
}

static int add_list(struct cpio *c, struct error *e)
{
	char *file = datapath("rootfs/initramfs.list"), *text, *save, *l;
	int line = 0, ret = 0;

	text = read_file(file, NULL);
	if (!text) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", file);
		free(file);
		return -1;
	}
	/* strtok_r would skip empty lines and lose the count: split by hand. */
	for (l = text; l && !ret; l = save) {
		char *w[9], *wsave;
		int n = 0;

		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		line++;
		for (char *t = strtok_r(l, " \t", &wsave); t && n < 9; t = strtok_r(NULL, " \t", &wsave))
			w[n++] = t;
		if (n && w[0][0] != '#')
			ret = list_line(c, w, n, file, line, e);
	}
	free(text);
	free(file);
	return ret;
}

static int add_programs(struct cpio *c, struct programs *p, struct error *e)
{
	for (size_t i = 0; i < p->n; i++) {
		char *dest = xasprintf("/lab/%s", p->v[i].name);
		int ret = cpio_add_file(c, dest, 0755, p->v[i].path);

		free(dest);
		if (ret < 0)
			return error_set(e, EXIT_ENV, "cannot read %s: %m", p->v[i].path);
	}
	return 0;
}

/* Every scenario, checked against the programs, as a script for init. */
static int add_scenarios(struct cpio *c, const struct programs *p, struct error *e)
{
	char **names = scenario_names(e);
	int ret = 0;

	if (!names)
		return -1;
	if (!names[0])
		ret = error_set(e, EXIT_INPUT, "no scenarios in %s/scenarios", datadir());
	for (char **n = names; *n; n++) {
		char *path = xasprintf("%s/scenarios/%s.ini", datadir(), *n), *script, *dest;
		struct scenario s;

		if (!ret && !(ret = scenario_load(&s, path, p, e))) {
			script = scenario_script(&s);
			dest = xasprintf("/etc/labctl/scenarios/%s.sh", *n);
			cpio_add_data(c, dest, 0644, script, strlen(script));
			scenario_free(&s);
			free(script);
			free(dest);
		}
		free(path);
		free(*n);
	}
	free(names);
	return ret;
}

static int point_current(const char *images, const char *key, struct error *e)
{
	char *link = xasprintf("%s/current", images), *tmp = xasprintf("%s.%d", link, (int)getpid());
	int ret = 0;

	unlink(tmp);
	if (symlink(key, tmp) < 0 || rename(tmp, link) < 0) {
		ret = error_set(e, EXIT_ENV, "cannot update %s: %m", link);
		unlink(tmp);
	}
	free(link);
	free(tmp);
	return ret;
}

/* Write the archive into CACHE/images/KEY unless it is there already. */
static char *publish(struct cpio *c, const char *key, bool gzip, struct error *e)
{
	char *images = cache_subdir("images", e), *final, *staging, *tmp, *out;
	const char *name = gzip ? "initramfs.cpio.gz" : "initramfs.cpio";
	int ret = 0;

	if (!images)
		return NULL;
	final = xasprintf("%s/%s", images, key);
	out = xasprintf("%s/%s", final, name);
	if (!is_file(out)) {
		if (!(staging = staging_dir(final, e)))
			ret = -1;
		tmp = staging ? xasprintf("%s/%s", staging, name) : NULL;
		if (!ret)
			ret = cpio_save(c, tmp, gzip, e);
		if (!ret && publish_dir(staging, final) < 0 && !is_file(out))
			ret = error_set(e, EXIT_ENV, "cannot publish %s: %m", final);
		if (staging)
			remove_tree(staging);
		free(staging);
		free(tmp);
	}
	if (!ret)
		ret = point_current(images, key, e);
	if (ret) {
		free(out);
		out = NULL;
	}
	free(images);
	free(final);
	return out;
}

char *initramfs_create(const struct initramfs_opts *o, struct error *e)
{
	struct cpio *c = cpio_new();
	struct programs p = { 0 };
	char key[SHA256_HEX_LEN + 1], *busybox, *out = NULL;
	struct hasher *h;

	busybox = busybox_get(&(struct busybox_opts){ .given = o->busybox,
						      .source = o->busybox_source }, e);
	if (!busybox || programs_list(&p, NULL, e) < 0 || add_list(c, e) < 0 ||
	    add_scenarios(c, &p, e) < 0 ||	/* bad scenarios fail before any compiling */
	    programs_build(&p, e) < 0 || add_programs(c, &p, e) < 0)
		goto out;
	if (cpio_add_file(c, "/bin/busybox", 0755, busybox) < 0) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", busybox);
		goto out;
	}
	h = hasher_new();
	hasher_add_str(h, INITRAMFS_FORMAT);
	hasher_add_str(h, o->gzip ? "gzip" : "none");
	cpio_hash(c, h);
	hasher_hex(h, key);
	out = publish(c, key, o->gzip, e);
out:
	cpio_free(c);
	programs_free(&p);
	free(busybox);
	return out;
}

int initramfs_join(const char *base, const char *extra, const char *out, struct error *e)
{
	size_t blen, alen;
	char *data = read_file(base, &blen), *add = read_file(extra, &alen);
	int ret = -1;

	if (!data || !add) {
		error_set(e, EXIT_ENV, "cannot read %s: %s", data ? extra : base, strerror(errno));
		goto out;
	}
	/* Each archive starts 4-byte aligned; zeros between them are skipped. */
	data = xrealloc(data, blen + 3 + alen);
	while (blen % 4)
		data[blen++] = '\0';
	memcpy(data + blen, add, alen);
	if (write_file_atomic(out, data, blen + alen) < 0) {
		error_set(e, EXIT_ENV, "cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free_all(data, add);
	return ret;
}
