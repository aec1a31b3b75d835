/* The user's own program: see own-program.h. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/strvec.h"
#include "rootfs/cpio.h"
#include "rootfs/initramfs.h"
#include "rootfs/labflags.h"
#include "rootfs/programs.h"
#include "trace/elf.h"
#include "trace/own-program.h"

/* Bump when what a cached build holds changes. */
#define BUILD_FORMAT "own-build/1"

static bool is_source(const char *path)
{
	return ends_with(path, ".c") || ends_with(path, ".S");
}

/* FILE of DIR as a submission's file; -1 with E when it cannot be read. */
static int add_file(struct submission *s, const char *dir, const char *file, struct error *e)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct sub_file *f = &s->files[s->m.nsources];

	f->data = read_file(path, &f->len);
	if (!f->data || f->len > GRADE_MAX_FILE) {
		error_set(e, EXIT_INPUT, "%s: %s", path, f->data ? "too big to be a lab's source" :
			  "cannot be read");
		free(f->data);
		f->data = NULL;
		free(path);
		return -1;
	}
	f->path = xstrdup(file);
	s->m.sources[s->m.nsources++] = xstrdup(file);
	free(path);
	return 0;
}

static int is_header(const struct dirent *d)
{
	return ends_with(d->d_name, ".h");
}

/*
 * The submission grade would compile: the source, and the headers beside
 * it (a student's net.h), the program named after the source.
 */
static int load_sources(const char *path, struct submission *s, struct error *e)
{
	char *copy = xstrdup(path), *copy2 = xstrdup(path), *dir = dirname(copy);
	char *base = basename(copy2);
	struct dirent **hs = NULL;
	int n = scandir(dir, &hs, is_header, alphasort), ret;

	memset(s, 0, sizeof(*s));
	s->origin = xstrdup(path);
	s->m.syscall_nr = -1;
	s->m.program = xasprintf("%.*s", (int)(strlen(base) - 2), base);
	ret = add_file(s, dir, base, e);
	for (int i = 0; i < n; i++) {
		if (ret == 0 && s->m.nsources < GRADE_MAX_SOURCES)
			ret = add_file(s, dir, hs[i]->d_name, e);
		free(hs[i]);
	}
	free_all(hs, copy, copy2);
	return ret;
}

/*
 * Where the build of S lives in the cache: CACHE/own/KEY, KEY the hash of
 * the compiler, the lab's flags (and -m32 for I386), the program's name and
 * every file's name and bytes, so that tracing unchanged sources again does
 * not compile them again.
 */
static char *build_dir(const struct submission *s, bool i386, struct error *e)
{
	static const char *const flags[] = { LAB_CFLAGS };
	struct hasher *h = hasher_new();
	char key[SHA256_HEX_LEN + 1], *root, *dir;

	hasher_add_str(h, BUILD_FORMAT);
	if (hash_compiler(h, e) < 0) {
		hasher_hex(h, key);	/* which frees H */
		return NULL;
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		hasher_add_str(h, flags[i]);
	hasher_add_str(h, i386 ? "-m32" : "");
	hasher_add_str(h, s->m.program);
	for (int i = 0; i < s->m.nsources; i++) {
		hasher_add_str(h, s->files[i].path);
		hasher_add(h, s->files[i].data, s->files[i].len);
	}
	hasher_hex(h, key);
	if (!(root = cache_subdir("own", e)))
		return NULL;
	dir = xasprintf("%s/%s", root, key);
	free(root);
	return dir;
}

/* The objects of S's compiled sources in DIR, as sandbox_compile names them. */
static char **build_objects(const struct submission *s, const char *dir, int *n)
{
	char **objs = xcalloc(GRADE_MAX_SOURCES, sizeof(*objs));

	*n = 0;
	for (int i = 0; i < s->m.nsources; i++) {
		char *obj = sandbox_object(s->m.sources[i]);

		if (obj)
			objs[(*n)++] = xasprintf("%s/build/out/%s", dir, obj);
		free(obj);
	}
	return objs;
}

/* Compile S into the staging directory of FINAL and publish it there; the
 * compiler's log into WORK when the code does not compile. */
static int compile_into(const char *path, const struct submission *s, bool i386,
			const char *final, const char *work, struct error *e)
{
	struct sandbox_opts so;
	struct compile_result cr = { 0 };
	const char *probe;
	char *staging, *log;
	int ret = -1;

	sandbox_defaults(&so);
	so.m32 = i386;
	if ((probe = sandbox_probe(work)))
		return error_set(e, EXIT_ENV, "%s; compile %s yourself (gcc -static) and give "
				 "the program", probe, path);
	if (!(staging = staging_dir(final, e)))
		return -1;
	note("compiling %s with the lab's flags%s", path, i386 ? " and -m32" : "");
	if (sandbox_compile(s, &so, staging, &cr, e) < 0)
		goto out;
	if (!cr.ok) {
		log = xasprintf("%s/compile.log", work);
		write_file_atomic(log, cr.log ? cr.log : "", cr.log ? strlen(cr.log) : 0);
		error_set(e, EXIT_INPUT, "%s does not compile: %s (all the compiler said: %s)",
			  path, cr.why, log);
		free(log);
		goto out;
	}
	/* Another trace of the same sources may have published it first. */
	if (publish_dir(staging, final) < 0 && !is_dir(final)) {
		error_set(e, EXIT_ENV, "cannot publish %s: %m", final);
		goto out;
	}
	ret = 0;
out:
	if (is_dir(staging))
		remove_tree(staging);
	compile_result_free(&cr);
	free(staging);
	return ret;
}

static int compile(const char *path, const char *work, bool i386, struct own_program *p,
		   struct elf_info *info, struct error *e)
{
	struct submission s;
	char *dir = NULL, *exe = NULL, **objs = NULL;
	int nobjs = 0, ret = -1;

	if (load_sources(path, &s, e) < 0 || make_dirs(work, e) < 0 ||
	    !(dir = build_dir(&s, i386, e)))
		goto out;
	exe = xasprintf("%s/build/out/%s", dir, s.m.program);
	if (is_file(exe))
		note("%s: unchanged since it was last compiled (the build in %s)", path, dir);
	else if (compile_into(path, &s, i386, dir, work, e) < 0)
		goto out;
	objs = build_objects(&s, dir, &nobjs);
	if (elf_inspect(exe, objs, nobjs, info) < 0) {
		error_set(e, EXIT_INPUT, "%s: the compiler made no program", path);
		goto out;
	}
	p->exe = exe;
	exe = NULL;
	p->name = xstrdup(s.m.program);
	ret = 0;
out:
	for (int i = 0; i < nobjs; i++)
		free(objs[i]);
	free_all(objs, exe, dir);
	submission_free(&s);
	return ret;
}

int own_program_build(const char *path, const char *work, bool i386, struct own_program *p,
		      struct error *e)
{
	char *copy = xstrdup(path), resolved[PATH_MAX];
	int ret = -1;

	memset(p, 0, sizeof(*p));
	p->path = xstrdup(path);
	if (is_source(path)) {
		if (compile(path, work, i386, p, &p->info, e) < 0)
			goto out;
	} else if (elf_read_info(path, &p->info) < 0 || !p->info.is_elf) {
		error_set(e, EXIT_INPUT, "%s is neither a program (ELF) nor a .c or .S source", path);
		goto out;
	} else if (!realpath(path, resolved)) {
		error_set(e, EXIT_INPUT, "%s: cannot be read", path);
		goto out;
	} else {
		p->exe = xstrdup(resolved);
		p->name = xstrdup(basename(copy));
	}
	if (p->info.machine != EM_X86_64 && p->info.machine != EM_386) {
		error_set(e, EXIT_INPUT, "%s is not an x86 program", path);
		goto out;
	}
	if (!p->info.is_static) {
		error_set(e, EXIT_INPUT, "%s is dynamically linked: the lab's guest has no C library; "
			  "link it with -static", path);
		goto out;
	}
	p->abi = p->info.machine == EM_386 ? "i386" : "x86_64";
	ret = 0;
out:
	free(copy);
	if (ret < 0)
		own_program_free(p);
	return ret;
}

int own_program_find_call(struct own_program *p, long nr, const char *name,
			  const char *function, struct error *e)
{
	bool students = false;

	if (function)
		p->function = xstrdup(function);
	else if (p->info.funcs)	/* compiled here: the user's own functions are known */
		p->function = elf_trace_function(p->exe, &p->info, nr, name, &students);
	else
		p->function = xasprintf("lab_%s", name);
	/* every other way the call may be made, watched too: the user's other
	 * functions with a syscall instruction, libc's wrapper, syscall() */
	if (!function && p->info.funcs)
		p->others = elf_call_functions(p->exe, &p->info, nr, name, p->function, &p->nothers);
	if (!p->function)
		return error_set(e, EXIT_INPUT, "%s has no syscall instruction that could make "
				 "system call %ld (%s), and no C library wrapper for it", p->path, nr,
				 name);
	p->in_libc = !function && p->info.funcs && !students;
	return 0;
}

char *own_program_image(const struct own_program *p, struct scenario *sc, struct scenario_step *st,
			char *const *args, int nargs, const char *lab, const char *dir,
			char **inbox, struct error *e)
{
	struct cpio *c = cpio_new();
	char *script, *script_path, *in_guest, *out = NULL;

	for (size_t i = 0; i < sc->nsteps; i++)
		if (&sc->steps[i] != st && !strcmp(sc->steps[i].program, p->name)) {
			error_set(e, EXIT_INPUT, "your program is named %s, like the scenario's step "
				  "%s: rename it", p->name, sc->steps[i].name);
			cpio_free(c);
			return NULL;
		}
	free(st->program);
	st->program = xasprintf("user/%s", p->name);
	for (char **a = st->args; a && *a; a++)
		free(*a);
	free(st->args);
	st->args = xcalloc(nargs + 1, sizeof(*st->args));
	for (int i = 0; i < nargs; i++)
		st->args[i] = xstrdup(args[i]);
	st->cmdline_args = false;
	script = scenario_script(sc);
	script_path = xasprintf("/etc/labctl/scenarios/%s.sh", sc->name);
	in_guest = xasprintf("/lab/%s", st->program);
	cpio_add_dir(c, "/lab/user", 0755);
	cpio_add_data(c, script_path, 0644, script, strlen(script));
	if (cpio_add_file(c, in_guest, 0755, p->exe) < 0)
		error_set(e, EXIT_INPUT, "cannot read %s: %s", p->exe, strerror(errno));
	else {
		out = xasprintf("%s/guest.cpio", dir);
		*inbox = xasprintf("%s/inbox.cpio", dir);
		if (cpio_save(c, *inbox, false, e) < 0 || initramfs_join(lab, *inbox, out, e) < 0) {
			free(out);
			free(*inbox);
			out = *inbox = NULL;
		}
	}
	cpio_free(c);
	free_all(script, script_path, in_guest);
	return out;
}

void own_program_free(struct own_program *p)
{
	free(p->path);
	elf_info_free(&p->info);
	free_all(p->exe, p->name, p->function);
	strv_free_n(p->others, p->nothers);
	memset(p, 0, sizeof(*p));
}
