/* The user's own program: see own-program.h. */
#include <dirent.h>
#include <elf.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "error.h"
#include "fs.h"
#include "grade.h"
#include "labctl.h"
#include "own-program.h"

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

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
	free(hs);
	free(copy);
	free(copy2);
	return ret;
}

static int compile(const char *path, const char *work, struct own_program *p,
		   struct elf_info *info, struct error *e)
{
	struct submission s;
	struct sandbox_opts so;
	struct compile_result cr = { 0 };
	const char *probe;
	int ret = -1;

	if (load_sources(path, &s, e) < 0)
		goto out;
	sandbox_defaults(&so);
	if (make_dirs(work, e) < 0)
		goto out;
	if ((probe = sandbox_probe(work))) {
		error_set(e, EXIT_ENV, "%s; compile %s yourself (gcc -static) and give the program",
			  probe, path);
		goto out;
	}
	note("compiling %s with the lab's flags (log: %s/compile.log)", path, work);
	if (sandbox_compile(&s, &so, work, &cr, e) < 0)
		goto out;
	if (!cr.ok) {
		error_set(e, EXIT_INPUT, "%s does not compile: %s (all the compiler said: "
			  "%s/compile.log)", path, cr.why, work);
		goto out;
	}
	if (elf_inspect(cr.exe, cr.objs, cr.nobjs, info) < 0) {
		error_set(e, EXIT_INPUT, "%s: the compiler made no 64-bit program", path);
		goto out;
	}
	p->exe = xstrdup(cr.exe);
	p->name = xstrdup(s.m.program);
	ret = 0;
out:
	compile_result_free(&cr);
	submission_free(&s);
	return ret;
}

int own_program_get(const char *path, const char *work, long nr, const char *name,
		    const char *function, struct own_program *p, struct error *e)
{
	struct elf_info info = { 0 };
	char *copy = xstrdup(path), resolved[PATH_MAX];
	bool students = false;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (is_source(path)) {
		if (compile(path, work, p, &info, e) < 0)
			goto out;
	} else if (elf_read_info(path, &info) < 0 || !info.is_elf) {
		error_set(e, EXIT_INPUT, "%s is neither a program (ELF) nor a .c or .S source", path);
		goto out;
	} else if (!realpath(path, resolved)) {
		error_set(e, EXIT_INPUT, "%s: cannot be read", path);
		goto out;
	} else {
		p->exe = xstrdup(resolved);
		p->name = xstrdup(basename(copy));
	}
	if (info.machine != EM_X86_64 && info.machine != EM_386) {
		error_set(e, EXIT_INPUT, "%s is not an x86 program", path);
		goto out;
	}
	if (!info.is_static) {
		error_set(e, EXIT_INPUT, "%s is dynamically linked: the lab's guest has no C library; "
			  "link it with -static", path);
		goto out;
	}
	if (function)
		p->function = xstrdup(function);
	else if (info.funcs)	/* compiled here: the user's own functions are known */
		p->function = elf_trace_function(p->exe, &info, nr, name, &students);
	else
		p->function = xasprintf("lab_%s", name);
	/* every other way the call may be made, watched too: the user's other
	 * functions with a syscall instruction, libc's wrapper, syscall() */
	if (!function && info.funcs)
		p->others = elf_call_functions(p->exe, &info, nr, name, p->function, &p->nothers);
	if (!p->function) {
		error_set(e, EXIT_INPUT, "%s has no syscall instruction that could make system call "
			  "%ld (%s), and no C library wrapper for it", path, nr, name);
		goto out;
	}
	p->in_libc = !function && info.funcs && !students;
	ret = 0;
out:
	elf_info_free(&info);
	free(copy);
	if (ret < 0)
		own_program_free(p);
	return ret;
}

void own_program_free(struct own_program *p)
{
	free(p->exe);
	free(p->name);
	free(p->function);
	for (int i = 0; i < p->nothers; i++)
		free(p->others[i]);
	free(p->others);
	memset(p, 0, sizeof(*p));
}
