/* The lab programs: see programs.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/strvec.h"
#include "rootfs/programs.h"
#include "trace/elf.h"

static void add_line(struct child *c, const char *line, void *data)
{
	strvec_push(data, line);
}

int hash_compiler(struct hasher *h, struct error *e)
{
	/* asked once per run: the programs' key and BusyBox's both hold it */
	static struct strvec lines;
	static bool known;
	const char *argv[] = { "gcc", "--version", NULL };
	struct child c = { .name = "gcc", .argv = argv, .log = "/dev/null",
			   .timeout = 30, .on_line = add_line, .data = &lines };

	if (!known) {
		if (!which("gcc"))
			return error_set(e, EXIT_ENV, "gcc not found (it builds the lab programs; "
					 "see 'make deps')");
		if (child_start(&c, e) < 0)
			return -1;
		if (child_wait(&c) < 0) {
			strvec_clear(&lines);
			return error_set(e, EXIT_ENV, "'gcc --version' failed (%s)",
					 child_outcome(&c));
		}
		known = true;
	}
	for (size_t i = 0; i < lines.nr; i++)
		hasher_add_str(h, lines.v[i]);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct program *)a)->name, ((const struct program *)b)->name);
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static void add_program(struct programs *p, const char *dir, const char *base, bool i386)
{
	struct program *pr;

	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	pr = &p->v[p->n++];
	memset(pr, 0, sizeof(*pr));
	pr->name = i386 ? xasprintf("%s32", base) : xstrdup(base);
	pr->source = xasprintf("%s/%s.c", dir, base);
	pr->i386 = i386;
}

/* Every header in DIR, in name order, goes into every key. */
static int hash_headers(struct hasher *h, const char *dir, char **names, int n,
			struct error *e)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		char *path;
		int ret;

		if (len < 3 || strcmp(names[i] + len - 2, ".h"))
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		hasher_add_str(h, names[i]);
		ret = hasher_add_file(h, path) < 0
		      ? error_set(e, EXIT_ENV, "cannot read %s: %m", path) : 0;
		free(path);
		if (ret)
			return -1;
	}
	return 0;
}

static char **sorted_entries(const char *dir, int *n, struct error *e)
{
	struct dirent **list;
	char **names;

	*n = scandir(dir, &list, NULL, alphasort);
	if (*n < 0) {
		error_set(e, EXIT_ENV, "cannot read %s: %m", dir);
		return NULL;
	}
	names = xcalloc(*n + 1, sizeof(*names));
	for (int i = 0; i < *n; i++) {
		names[i] = xstrdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return names;
}

int programs_list(struct programs *p, const char *dir, struct error *e)
{
	char *own = dir ? NULL : datapath("rootfs/programs");
	char *list_path, *i386_list, **names, common[SHA256_HEX_LEN + 1], *root;
	struct hasher *h;
	int n, ret;

	dir = dir ? dir : own;
	memset(p, 0, sizeof(*p));
	names = sorted_entries(dir, &n, e);
	if (!names) {
		free(own);
		return -1;
	}
	list_path = xasprintf("%s/i386.list", dir);
	i386_list = read_file(list_path, NULL);	/* optional */
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		char *base;

		if (len < 3 || strcmp(names[i] + len - 2, ".c"))
			continue;
		base = xstrdup(names[i]);
		base[len - 2] = '\0';
		add_program(p, dir, base, false);
		if (listed(i386_list, base))
			add_program(p, dir, base, true);
		free(base);
	}
	qsort(p->v, p->n, sizeof(*p->v), by_name);

	h = hasher_new();
	ret = hash_compiler(h, e);
	hasher_add_str(h, PROGRAM_CFLAGS);
	if (!ret)
		ret = hash_headers(h, dir, names, n, e);
	hasher_hex(h, common);
	root = ret ? NULL : cache_subdir("programs", e);
	if (!root)
		ret = -1;
	for (size_t i = 0; i < p->n && !ret; i++) {
		struct program *pr = &p->v[i];

		h = hasher_new();
		hasher_add_str(h, common);
		hasher_add_str(h, pr->i386 ? "-m32" : "");
		if (hasher_add_file(h, pr->source) < 0)
			ret = error_set(e, EXIT_ENV, "cannot read %s: %m", pr->source);
		hasher_hex(h, pr->key);
		pr->path = xasprintf("%s/%s/%s", root, pr->key, pr->name);
	}
	if (ret)
		programs_free(p);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free_all(names, root, i386_list, list_path, own);
	return ret;
}

/* PROGRAM_CFLAGS, a word an argument. */
static void push_flags(struct strvec *argv)
{
	char *flags = xstrdup(PROGRAM_CFLAGS), *save;

	for (char *f = strtok_r(flags, " ", &save); f; f = strtok_r(NULL, " ", &save))
		strvec_push(argv, f);
	free(flags);
}

struct build {
	struct child c;
	struct strvec argv;
	char *staging, *final, *out;
	struct program *pr;
};

static void build_free(struct build *b)
{
	free((char *)b->c.log);
	strvec_clear(&b->argv);
	free_all(b->staging, b->final, b->out);
	memset(b, 0, sizeof(*b));
}

static int build_start(struct build *b, struct program *pr, struct error *e)
{
	memset(b, 0, sizeof(*b));
	b->final = xstrdup(pr->path);
	*strrchr(b->final, '/') = '\0';	/* CACHE/programs/KEY */
	b->staging = staging_dir(b->final, e);
	if (!b->staging) {
		build_free(b);
		return -1;
	}
	b->pr = pr;
	b->out = xasprintf("%s/%s", b->staging, pr->name);
	strvec_push(&b->argv, "gcc");
	push_flags(&b->argv);
	if (pr->i386)
		strvec_push(&b->argv, "-m32");
	strvec_pushl(&b->argv, "-o", b->out, pr->source, NULL);
	b->c = (struct child){ .name = "gcc", .argv = b->argv.v, .timeout = 120,
			       .log = xasprintf("%s/build.log", b->staging) };
	if (child_start(&b->c, e) < 0) {
		remove_tree(b->staging);
		build_free(b);
		return -1;
	}
	return 0;
}

/* Check what gcc made, then publish it. */
static int build_finish(struct build *b, struct error *e)
{
	struct elf_info info;
	struct error gcc;
	int bits = b->pr->i386 ? 32 : 64, ret = 0;

	if (child_wait(&b->c) < 0) {
		child_failure(&b->c, 20, &gcc);
		ret = error_set(e, EXIT_FAIL, "%s\nlab program %s does not compile (%s)", gcc.msg,
				b->pr->name, b->pr->source);
	} else if (elf_read_info(b->out, &info) < 0 || !info.is_static || info.bits != bits) {
		ret = error_set(e, EXIT_INTERNAL, "gcc made %s, which is not a static %d-bit ELF",
				b->out, bits);
	} else if (publish_dir(b->staging, b->final) < 0 && !is_file(b->pr->path)) {
		ret = error_set(e, EXIT_ENV, "cannot publish %s: %m", b->final);
	}
	remove_tree(b->staging);	/* left over when another labctl published first */
	build_free(b);
	return ret;
}

/* A build that will not be finished: its gcc killed, its staging removed. */
static void build_abandon(struct build *b)
{
	child_kill(&b->c);
	remove_tree(b->staging);
	build_free(b);
}

int programs_build(struct programs *p, struct error *e)
{
	struct build *b = xcalloc(p->n, sizeof(*b));
	size_t started = 0;
	int ret = 0;

	/* All at once: gcc is quick, and the machine has cores to spare. */
	for (size_t i = 0; i < p->n && !ret; i++)
		if (!is_file(p->v[i].path)) {
			if (!started++)
				note("building the lab programs");
			ret = build_start(&b[i], &p->v[i], e);
		}
	/* After the first failure the rest are only cleaned up: E tells that one. */
	for (size_t i = 0; i < p->n; i++)
		if (b[i].pr && !ret)
			ret = build_finish(&b[i], e);
		else if (b[i].pr)
			build_abandon(&b[i]);
	free(b);
	return ret;
}

const struct program *programs_find(const struct programs *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	return NULL;
}

void programs_free(struct programs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free_all(p->v[i].name, p->v[i].source, p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
