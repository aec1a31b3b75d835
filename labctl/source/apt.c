/* Debian packages through a private apt-get: see apt.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/proc.h"
#include "lib/strvec.h"
#include "source/apt.h"
#include "source/versions.h"

#define KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

/* The private apt: everything it reads or writes is under DIR. */
struct apt {
	char *dir, *log;
	struct strvec argv;
};

static void apt_opt(struct apt *a, const char *name, const char *sub)
{
	strvec_push(&a->argv, "-o");
	if (sub)
		strvec_pushf(&a->argv, "%s=%s/%s", name, a->dir, sub);
	else
		strvec_push(&a->argv, name);
}

char *apt_sources_list(const char *mirror, const char *suite, bool with_sources)
{
	char *deb = xasprintf("deb [signed-by=%s] %s %s main\n", KEYRING, mirror, suite), *both;

	if (!with_sources)
		return deb;
	both = xasprintf("%sdeb-src [signed-by=%s] %s %s main\n", deb, KEYRING, mirror, suite);
	free(deb);
	return both;
}

/* The archive SUITE (N bytes) is in: the security archive for a -security
 * suite, else the archive proper; NULL with E (EXIT_ENV) when there is none. */
static char *suite_mirror(const char *suite, size_t n, struct error *e)
{
	bool security = apt_is_security_suite(suite, n);
	const char *var = security ? "LABCTL_DEBIAN_SECURITY_MIRROR" : "LABCTL_DEBIAN_MIRROR";
	const char *env = getenv(var);
	char *mirror = env && *env ? xstrdup(env) : apt_find_mirror("/etc/apt", security);

	if (!mirror)
		error_set(e, EXIT_ENV, "no Debian %sarchive in the apt configuration "
			  "(/etc/apt/sources.list, sources.list.d/) for %.*s; set %s to one",
			  security ? "security " : "", (int)n, suite, var);
	return mirror;
}

/* The private sources.list: SUITES' lines, each from its archive. */
static char *sources_list(const char *suites, bool with_sources, struct error *e)
{
	char *list = xstrdup(""), *mirror, *lines, *both;

	for (const char *s = suites; *s; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");
		char *suite = xasprintf("%.*s", (int)n, s);

		mirror = suite_mirror(s, n, e);
		lines = mirror ? apt_sources_list(mirror, suite, with_sources) : NULL;
		both = lines ? xasprintf("%s%s", list, lines) : NULL;
		free_all(list, lines, mirror, suite);
		list = both;
		if (!list)
			return NULL;
		s += n;
	}
	return list;
}

/* Write the sources list and the directory layout; -1 with E (EXIT_ENV). */
static int apt_setup(struct apt *a, const char *suites, bool with_sources, struct error *e)
{
	char *list = sources_list(suites, with_sources, e), *path, *word;
	int ret = 0;

	if (!list)
		return -1;
	word = suites_word(suites);
	a->dir = xasprintf("%s/apt/%s", cache_root(), word);
	free(word);
	a->log = xasprintf("%s/apt.log", a->dir);
	for (const char *sub = "state/lists/partial\0cache/archives/partial\0preferences.d\0";
	     *sub && !ret; sub += strlen(sub) + 1) {
		path = xasprintf("%s/%s", a->dir, sub);
		ret = make_dirs(path, e);
		free(path);
	}
	if (ret) {
		free(list);
		return -1;
	}
	path = xasprintf("%s/sources.list", a->dir);
	if (write_file_atomic(path, list, strlen(list)) < 0)
		ret = error_set(e, EXIT_ENV, "cannot write %s: %m", path);
	free_all(path, list);

	strvec_pushl(&a->argv, "apt-get", "-q", NULL);
	apt_opt(a, "Dir::State", "state");
	apt_opt(a, "Dir::Cache", "cache");
	apt_opt(a, "Dir::Etc::SourceList", "sources.list");
	apt_opt(a, "Dir::Etc::SourceParts=/nonexistent", NULL);
	apt_opt(a, "Dir::Etc::Preferences", "preferences");
	apt_opt(a, "Dir::Etc::PreferencesParts", "preferences.d");
	apt_opt(a, "Debug::NoLocking=1", NULL);
	/* As root apt drops to _apt, who cannot write to our cache. */
	if (geteuid() == 0)
		apt_opt(a, "APT::Sandbox::User=root", NULL);
	return ret;
}

static void apt_free(struct apt *a)
{
	strvec_clear(&a->argv);
	free(a->dir);
	free(a->log);
}

/* apt-get ... VERB [ARG] in CWD; 0, or -1 with E (EXIT_ENV, EXIT_TIMEOUT). */
static int apt_run(struct apt *a, const char *verb, const char *arg, const char *cwd,
		   double timeout, struct error *e)
{
	static const char *env[] = { "LC_ALL=C", NULL };
	size_t base = a->argv.nr;
	int ret = 0;
	struct child c = {
		.name = xasprintf("apt-get %s", verb), .env = env,
		.dir = cwd, .log = a->log, .timeout = timeout, .echo = opts.verbose > 0,
	};

	strvec_pushl(&a->argv, verb, arg, NULL);
	c.argv = a->argv.v;
	if (child_start(&c, e) < 0)
		ret = -1;
	else if (child_wait(&c) < 0) {
		child_failure(&c, 5, e);
		/* apt-get fails for the network or the disk, not for our input */
		if (!c.timed_out)
			e->code = EXIT_ENV;
		ret = -1;
	}
	strvec_truncate(&a->argv, base);
	free((char *)c.name);
	return ret;
}

/* The one PACKAGE_*.deb apt-get download left in DIR; NULL if none. */
static char *find_deb(const char *dir, const char *package)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(package);
	char *found = NULL;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, package, n) && e->d_name[n] == '_' &&
		    strstr(e->d_name, ".deb") && !found)
			found = xstrdup(e->d_name);
	if (d)
		closedir(d);
	return found;
}

/* Download into a scratch directory, then move the .deb: DEST_DIR never holds a part. */
static int apt_fetch(char **deb_path, struct apt *a, const char *package, const char *dest_dir,
		     struct error *e)
{
	char *tmp = xasprintf("%s/.apt.%d", dest_dir, (int)getpid()), *name;
	int ret;

	remove_tree(tmp);
	ret = make_dirs(tmp, e);
	if (!ret)
		ret = apt_run(a, "download", package, tmp, 1800, e);
	name = ret ? NULL : find_deb(tmp, package);
	if (!ret && !name)
		ret = error_set(e, EXIT_ENV, "apt-get download left no %s_*.deb (see %s)",
				package, a->log);
	if (!ret) {
		char *from = xasprintf("%s/%s", tmp, name);

		*deb_path = xasprintf("%s/%s", dest_dir, name);
		if (rename(from, *deb_path) < 0)
			ret = error_set(e, EXIT_ENV, "cannot move %s to %s: %m", from, *deb_path);
		free(from);
	}
	remove_tree(tmp);
	free(tmp);
	free(name);
	return ret;
}

/* apt-get update for SUITES (and their sources when WITH_SOURCES), in A. */
static int apt_begin(struct apt *a, const char *suites, bool with_sources, struct error *e)
{
	if (!which("apt-get"))
		return error_set(e, EXIT_ENV, "apt-get not found: labctl fetches Debian packages with it");
	if (apt_setup(a, suites, with_sources, e) < 0)
		return -1;
	note("apt-get update (%s, private state in %s)", suites, a->dir);
	/* An unreachable mirror is an error now, not "no such package" later. */
	return apt_run(a, "update", "--error-on=any", NULL, 600, e);
}

int apt_download(char **deb_path, const char *suites, const char *package, const char *dest_dir,
		 struct error *e)
{
	struct apt a = { 0 };
	double t0 = now();
	int ret;

	*deb_path = NULL;
	ret = apt_begin(&a, suites, false, e);
	if (!ret) {
		note("apt-get download %s", package);
		ret = apt_fetch(deb_path, &a, package, dest_dir, e);
	}
	if (!ret)
		note("downloaded %s in %.1f s", *deb_path, now() - t0);
	apt_free(&a);
	return ret;
}

bool apt_is_orig_tarball(const char *name, const char *package)
{
	size_t n = strlen(package);
	const char *orig;

	if (strncmp(name, package, n) || name[n] != '_' || strchr(name, '/'))
		return false;
	orig = strstr(name + n, ".orig.tar.");
	/* not an extra component tarball (PACKAGE_V.orig-COMPONENT.tar.xz) nor its .asc */
	return orig && (!strcmp(orig, ".orig.tar.gz") || !strcmp(orig, ".orig.tar.xz") ||
			!strcmp(orig, ".orig.tar.bz2"));
}

/* The PACKAGE_VERSION.orig.tar.* apt-get source left in DIR; NULL if none. */
static char *find_orig(const char *dir, const char *package)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;

	while (d && (e = readdir(d)))
		if (!found && apt_is_orig_tarball(e->d_name, package))
			found = xstrdup(e->d_name);
	if (d)
		closedir(d);
	return found;
}

int apt_download_source(char **orig_path, const char *suites, const char *package,
			const char *dest_dir, struct error *e)
{
	struct apt a = { 0 };
	char *tmp = xasprintf("%s/.apt.%d", dest_dir, (int)getpid()), *name = NULL, *from;
	double t0 = now();
	int ret;

	*orig_path = NULL;
	ret = apt_begin(&a, suites, true, e);
	if (!ret) {
		note("apt-get source --download-only %s", package);
		remove_tree(tmp);
		ret = make_dirs(tmp, e);
	}
	if (!ret) {
		strvec_push(&a.argv, "--download-only");
		ret = apt_run(&a, "source", package, tmp, 1800, e);
		name = ret ? NULL : find_orig(tmp, package);
		if (!ret && !name)
			ret = error_set(e, EXIT_ENV, "apt-get source left no %s_*.orig.tar.* (see %s)",
					package, a.log);
	}
	if (!ret) {
		from = xasprintf("%s/%s", tmp, name);
		*orig_path = xasprintf("%s/%s", dest_dir, name);
		if (rename(from, *orig_path) < 0) {
			ret = error_set(e, EXIT_ENV, "cannot move %s to %s: %m", from, *orig_path);
			free(*orig_path);
			*orig_path = NULL;
		}
		free(from);
	}
	if (!ret)
		note("downloaded %s in %.1f s", *orig_path, now() - t0);
	remove_tree(tmp);
	free(tmp);
	free(name);
	apt_free(&a);
	return ret;
}

char *apt_deb_version(const char *deb_path)
{
	const char *base = strrchr(deb_path, '/') ? strrchr(deb_path, '/') + 1 : deb_path;
	const char *v = strchr(base, '_'), *end;
	char *out, *o;

	if (!v)
		return xstrdup("unknown");
	end = strchr(++v, '_');
	if (!end)
		end = v + strlen(v);
	/* apt writes an epoch's ':' as %3a in file names. */
	out = o = xmalloc(end - v + 1);
	while (v < end)
		if (!strncasecmp(v, "%3a", 3) && v + 3 <= end) {
			*o++ = ':';
			v += 3;
		} else {
			*o++ = *v++;
		}
	*o = '\0';
	return out;
}
