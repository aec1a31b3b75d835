/*
 * Compiling a student's program: the only thing from a submission that ever
 * runs on the host, and it runs as gcc with LAB_CFLAGS inside bubblewrap —
 * no network, no other namespaces shared, a read-only /usr and nothing else
 * of the host (no /etc, no /home: `#include "/etc/shadow"` finds nothing),
 * a private /tmp, rlimits through prlimit(1), and proc.h's wall clock.
 * Run by root, it also drops to nobody so that RLIMIT_NPROC holds.
 *
 * bwrap itself starts with an environment of two variables: it is the
 * sandbox's pid 1, and /proc/1/environ inside is its environment, which
 * `.include "/proc/1/environ"` would otherwise copy (CI tokens and all)
 * into compile.log.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grade/grade.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/lang.h"
#include "lib/proc.h"
#include "lib/strvec.h"
#include "rootfs/labflags.h"

#define NOBODY "65534"
/* compile.log's share of each step's output: enough for pages of errors,
 * not for a compiler told to print gigabytes (grade-guest.c caps the
 * program's output the same way). */
#define LOG_CAP (64 * 1024)

/* All the sandbox's outer programs (setpriv, bwrap) see of the grader's
 * environment; inside, bwrap's --clearenv and --setenv make the compiler's. */
static const char *sandbox_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };

static const char *const lab_cflags[] = { LAB_CFLAGS };

void sandbox_defaults(struct sandbox_opts *o)
{
	*o = (struct sandbox_opts){
		.timeout = 60, .cpu_seconds = 30, .mem_bytes = 2L << 30,
		.fsize_bytes = 64L << 20, .nproc = 256,
	};
}

/* A program of the host by the path the grader's $PATH gives it: the
 * sandbox's own PATH need not hold it. */
static void push_tool(struct strvec *a, const char *name)
{
	const char *path = which(name);

	strvec_push(a, path ? path : name);
}

/* The sandbox around a command: BUILD is /w inside, the cwd is /w/out. */
static void sandbox_prefix(struct strvec *a, const struct sandbox_opts *o, const char *build)
{
	if (!o->disabled) {
		if (geteuid() == 0) {
			push_tool(a, "setpriv");
			strvec_push(a, "--reuid=" NOBODY);
			strvec_push(a, "--regid=" NOBODY);
			strvec_push(a, "--clear-groups");
		}
		push_tool(a, "bwrap");
		static const char *const bw[] = {
			"--unshare-all", "--die-with-parent", "--new-session",
			"--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
			"--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
			"--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
			"--clearenv", "--setenv", "PATH", "/usr/bin", "--setenv", "LC_ALL", "C",
			"--setenv", "HOME", "/w", "--chdir", "/w/out", "--bind",
		};
		for (size_t i = 0; i < sizeof(bw) / sizeof(bw[0]); i++)
			strvec_push(a, bw[i]);
		strvec_push(a, build);
		strvec_push(a, "/w");
		strvec_push(a, "--");
	}
	strvec_push(a, "prlimit");
	strvec_pushf(a, "--cpu=%d", o->cpu_seconds);
	strvec_pushf(a, "--as=%ld", o->mem_bytes);
	strvec_pushf(a, "--fsize=%ld", o->fsize_bytes);
	strvec_pushf(a, "--nproc=%d", o->nproc);
	strvec_push(a, "--core=0");
	strvec_push(a, "--");
}

/*
 * The directory the sandbox sees as /w.  Dropped to nobody, bwrap must reach
 * it by path, which a run directory under a private (0700) cache is not:
 * then it is a fresh directory in /tmp, and the results are copied back.
 */
static char *sandbox_dir(const struct sandbox_opts *o, const char *workdir, const char *name,
			 bool *temp, struct error *e)
{
	char *dir;

	*temp = !o->disabled && geteuid() == 0;
	if (!*temp) {
		dir = xasprintf("%s/%s", workdir, name);
		if (make_dirs(dir, e) == 0)
			return dir;
		free(dir);
		return NULL;
	}
	/* /tmp, not $TMPDIR: nobody must reach it, and $TMPDIR may be private.
	 * A labctl killed before it removes it: the next grade does. */
	if ((dir = temp_dir_create("/tmp", SANDBOX_TEMP, e)))
		chmod(dir, 0755);
	return dir;
}

void sandbox_clean_stale(void)
{
	temp_dirs_clean("/tmp", SANDBOX_TEMP);
}

/* An integer sysctl, -1 when this kernel has no such file. */
static int sysctl_int(const char *path)
{
	char *text = read_file(path, NULL);
	int v = text ? atoi(text) : -1;

	free(text);
	return v;
}

void sandbox_host_read(struct sandbox_host *h)
{
	h->container = access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
	h->userns_clone = sysctl_int("/proc/sys/kernel/unprivileged_userns_clone");
	h->max_userns = sysctl_int("/proc/sys/user/max_user_namespaces");
	h->apparmor_restrict = sysctl_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
}

/*
 * Inside a container the kernel's switches are the host's (one kernel), so
 * they come first; then the container's own confinement, as docker's
 * defaults have it: its seccomp profile refuses the user namespace, and its
 * masked /proc paths refuse a new /proc (ci/README.md, measured).
 */
const char *sandbox_hint(const char *log, const struct sandbox_host *h)
{
	static const char container_opts[] =
		"run the container with --security-opt seccomp=unconfined --security-opt "
		"systempaths=unconfined (or privileged: a GitLab runner's privileged = true; "
		"see ci/README.md)";
	static char hint[512];

	if (!log)
		return NULL;
	if (strstr(log, "Can't mount proc")) {
		if (!h->container)
			return NULL;
		snprintf(hint, sizeof(hint), "this container hides parts of /proc, so no new /proc "
			 "can be mounted: %s", container_opts);
		return hint;
	}
	/* "No permissions to create new namespace", "Creating new namespace
	 * failed: ...", "setting up uid map: ..." */
	if (!strstr(log, "new namespace") && !strstr(log, "setting up uid map"))
		return NULL;
	if (h->userns_clone == 0)
		return "unprivileged user namespaces are off on this kernel: sysctl "
		       "kernel.unprivileged_userns_clone=1 turns them on";
	if (h->max_userns == 0)
		return "user.max_user_namespaces is 0 on this kernel: sysctl "
		       "user.max_user_namespaces=10000 allows them";
	if (h->apparmor_restrict == 1)
		return "AppArmor restricts unprivileged user namespaces: sysctl "
		       "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
		       "for bwrap";
	if (h->container) {
		snprintf(hint, sizeof(hint), "this container refuses user namespaces: %s",
			 container_opts);
		return hint;
	}
	return NULL;
}

const char *sandbox_probe(const char *workdir)
{
	static char why[sizeof(((struct error *)0)->msg) + PATH_MAX];
	struct sandbox_opts o;
	struct strvec a = { 0 };
	char *build = NULL, *out = NULL;
	char *log = xasprintf("%s/sandbox-probe.log", workdir);
	struct child c = { .name = "bwrap", .log = log, .timeout = 20,
			   .env = sandbox_env, .clean_env = true };
	const char *res = NULL;
	struct error e;
	bool temp;

	sandbox_defaults(&o);
	if (!which("bwrap") || !which("prlimit") || (geteuid() == 0 && !which("setpriv"))) {
		res = "bwrap, prlimit or setpriv is not installed (Debian: bubblewrap, util-linux)";
		goto out;
	}
	if (!(build = sandbox_dir(&o, workdir, "probe", &temp, &e))) {
		strcpy(why, e.msg);	/* it fits: see why's size */
		res = why;
		goto out;
	}
	out = xasprintf("%s/out", build);
	sandbox_prefix(&a, &o, build);
	strvec_push(&a, "true");
	c.argv = a.v;
	if (make_dirs(out, &e) < 0 || child_start(&c, &e) < 0) {
		strcpy(why, e.msg);	/* it fits: see why's size */
		res = why;
	} else if (child_wait(&c) < 0) {
		char *said = read_file(log, NULL);
		struct sandbox_host h;
		const char *hint;

		sandbox_host_read(&h);
		hint = sandbox_hint(said, &h);
		snprintf(why, sizeof(why), "bubblewrap cannot create a sandbox here (%s; see %s)%s%s",
			 child_outcome(&c), log, hint ? ": " : "", hint ? hint : "");
		free(said);
		res = why;
	}
	strvec_clear(&a);
	remove_tree(build);
out:
	free_all(build, out, log);
	return res;
}

/* Copy the sources into BUILD/src, owned by us and readable by nobody. */
static int stage_sources(const struct submission *s, const char *build, const char *out,
			 struct error *e)
{
	if (make_dirs(out, e) < 0)
		return -1;
	for (int i = 0; i < s->m.nsources; i++) {
		char *p = xasprintf("%s/src/%s", build, s->files[i].path), *slash;
		int ret;

		slash = strrchr(p, '/');
		*slash = '\0';
		ret = make_dirs(p, e);
		*slash = '/';
		if (ret == 0 && write_file_atomic(p, s->files[i].data, s->files[i].len) < 0)
			ret = error_set(e, EXIT_ENV, "cannot write %s: %s", p, strerror(errno));
		if (ret == 0)
			chmod(p, 0644);
		free(p);
		if (ret < 0)
			return -1;
	}
	if (geteuid() == 0 && chown(out, 65534, 65534) < 0)
		return error_set(e, EXIT_ENV, "cannot hand %s to nobody: %s", out, strerror(errno));
	return 0;
}

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static bool compiled_unit(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && (!strcmp(dot, ".c") || !strcmp(dot, ".S"));
}

/*
 * The first line of the log that says "error", for the student, with the
 * sandbox's directory taken off the file name ("lab.c:3:1: error: ...").
 */
static char *first_error(const char *log)
{
	const char *l = log ? strcasestr(log, "error") : NULL, *bol, *eol, *src;

	if (!l)
		return xstrdup("see the compiler's log");
	for (bol = l; bol > log && bol[-1] != '\n'; bol--)
		;
	eol = strchr(l, '\n');
	if (!eol)
		eol = l + strlen(l);
	src = memmem(bol, l - bol, "/src/", 5);
	if (src && memchr(bol, ':', l - bol) > (const void *)src)
		bol = src + 5;
	return xasprintf("%.*s", (int)(eol - bol), bol);
}

/* The compiler's log as text: a NUL (a source quoted back) would end the
 * search for its error early, an invalid byte the outputs' strings. */
static char *read_log(const char *log)
{
	size_t len;
	char *raw = read_file(log, &len), *text;

	if (!raw)
		return NULL;
	text = utf8_clean(raw, len);
	free(raw);
	return text;
}

static int run_step(const struct sandbox_opts *o, const char *out, const char *log,
		    struct strvec *a, char **why)
{
	/* --no-sandbox is for trusted code: the compiler gets the grader's
	 * environment (its PATH) as any other command does. */
	struct child c = { .name = "gcc", .argv = a->v, .log = log, .timeout = o->timeout,
			   .dir = o->disabled ? out : NULL, .log_cap = LOG_CAP,
			   .env = o->disabled ? NULL : sandbox_env, .clean_env = !o->disabled };
	struct error e;
	char *text;

	if (child_start(&c, &e) < 0) {
		*why = NULL;	/* no gcc, prlimit or bwrap: the sandbox broke */
		return -1;
	}
	if (child_wait(&c) == 0)
		return 0;
	text = read_log(log);
	if (c.timed_out)
		*why = xasprintf(L_("the compiler ran past its %.0f s time limit and was stopped: "
				    "look for an #include loop or a huge expansion"), o->timeout);
	else if (WIFSIGNALED(c.status))
		*why = xasprintf(L_("the compiler was stopped by the sandbox's limits (%s)"),
				 child_outcome(&c));
	else if (text && (strstr(text, "virtual memory exhausted") || strstr(text, "out of memory")))
		*why = xasprintf(L_("the compiler ran out of its %ld MiB memory limit and was "
				    "stopped: look for a huge expansion"), o->mem_bytes >> 20);
	else if (text && (strstr(text, "bwrap:") || strstr(text, "setpriv:")))
		*why = NULL;	/* the sandbox broke, not the program */
	else
		*why = first_error(text);
	free(text);
	return -1;
}

/* Name the results by their path in WORKDIR/build/out, copied there when
 * the sandbox worked in /tmp. */
static int keep_results(struct compile_result *r, const char *out, const char *workdir, bool temp,
			struct error *e)
{
	char *final = xasprintf("%s/build/out", workdir), **name, *from, *to, *data;
	size_t len;
	int ret = make_dirs(final, e);

	for (int i = -1; i < r->nobjs; i++) {
		name = i < 0 ? &r->exe : &r->objs[i];
		if (!*name)
			continue;
		from = xasprintf("%s/%s", out, *name);
		to = xasprintf("%s/%s", final, *name);
		if (ret == 0 && temp && (data = read_file(from, &len))) {
			if (write_file_atomic(to, data, len) < 0)
				ret = error_set(e, EXIT_ENV, "cannot write %s: %s", to, strerror(errno));
			else
				chmod(to, 0755);
			free(data);
		}
		free(from);
		free(*name);
		*name = to;
	}
	free(final);
	return ret;
}

char *sandbox_object(const char *source)
{
	const char *base = base_of(source);

	return compiled_unit(source) ? xasprintf("%.*s.o", (int)strlen(base) - 2, base) : NULL;
}

int sandbox_compile(const struct submission *s, const struct sandbox_opts *o,
		    const char *workdir, struct compile_result *r, struct error *e)
{
	char *build, *out, *log = xasprintf("%s/compile.log", workdir), *why = NULL;
	struct strvec a = { 0 };
	size_t flags_end;
	int rc = 0;
	bool temp;

	memset(r, 0, sizeof(*r));
	r->objs = xcalloc(GRADE_MAX_SOURCES, sizeof(char *));
	for (int i = 0; i < s->m.nsources; i++)
		for (int j = 0; j < i; j++)
			if (compiled_unit(s->m.sources[i]) &&
			    !strcmp(base_of(s->m.sources[i]), base_of(s->m.sources[j]))) {
				r->why = xasprintf(L_("two sources are named %s: rename one"),
						   base_of(s->m.sources[i]));
				goto out;
			}
	if (!(build = sandbox_dir(o, workdir, "build", &temp, e))) {
		rc = -1;
		goto out;
	}
	out = xasprintf("%s/out", build);
	if (stage_sources(s, build, out, e) < 0) {
		rc = -1;
		goto done;
	}

	sandbox_prefix(&a, o, build);
	strvec_push(&a, "gcc");
	for (size_t i = 0; i < sizeof(lab_cflags) / sizeof(lab_cflags[0]); i++)
		strvec_push(&a, lab_cflags[i]);
	if (o->m32)
		strvec_push(&a, "-m32");
	flags_end = a.nr;
	strvec_push(&a, "-c");
	for (int i = 0; i < s->m.nsources; i++) {
		if (!compiled_unit(s->m.sources[i]))
			continue;
		strvec_pushf(&a, "%s/src/%s", o->disabled ? build : "/w", s->m.sources[i]);
		r->objs[r->nobjs++] = sandbox_object(s->m.sources[i]);
	}
	if (!r->nobjs) {
		r->why = xstrdup(L_("no .c or .S file in sources"));
		goto done;
	}
	if (run_step(o, out, log, &a, &why) < 0)
		goto failed;

	/* Link: the same flags, the objects in the order given. */
	strvec_truncate(&a, flags_end);
	strvec_push(&a, "-o");
	strvec_push(&a, s->m.program);
	for (int i = 0; i < r->nobjs; i++)
		strvec_push(&a, r->objs[i]);
	if (run_step(o, out, log, &a, &why) < 0)
		goto failed;
	r->ok = true;
	r->exe = xstrdup(s->m.program);
	goto done;
failed:
	if (!why)
		rc = error_set(e, EXIT_ENV, "the compiler's sandbox failed (see %s)", log);
	r->why = why;
done:
	if (keep_results(r, out, workdir, temp, e) < 0)
		rc = -1;
	if (temp)
		remove_tree(build);
	strvec_clear(&a);
	free(build);
	free(out);
out:
	r->log = read_log(log);
	free(log);
	return rc;
}

void compile_result_free(struct compile_result *r)
{
	free(r->exe);
	strv_free_n(r->objs, r->nobjs);
	free(r->log);
	free(r->why);
	memset(r, 0, sizeof(*r));
}
