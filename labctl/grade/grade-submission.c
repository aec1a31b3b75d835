/*
 * Reading a submission: only the files the manifest names, as blobs of one
 * commit (never a checkout: no hooks, no filters, no .gitattributes, no
 * symlinks on disk) or, for a plain directory, opened one path component at
 * a time with O_NOFOLLOW.  Sizes are capped per file and in total.
 */
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade/grade.h"
#include "lib/labctl.h"
#include "lib/lang.h"

/* Where the files come from: a commit's tree, or a directory. */
struct reader {
	git_repository *repo;
	git_tree *tree;
	int dirfd;
	size_t total;
};

static char *git_msg(const char *what)
{
	const git_error *e = git_error_last();

	return xasprintf("%s: %s", what, e && e->message ? e->message : "unknown error");
}

static bool is_remote(const char *origin)
{
	return strstr(origin, "://") || !strncmp(origin, "git@", 4);
}

static int open_repo(struct reader *rd, const char *origin, const char *workdir, char **err)
{
	git_clone_options co;
	char *dest;
	int rc;

	if (!is_remote(origin)) {
		if (git_repository_open_ext(&rd->repo, origin, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
			*err = git_msg(origin);
			return EXIT_INPUT;
		}
		return 0;
	}
	/* Bare: the objects only, nothing from the remote lands as a file. */
	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	co.bare = 1;
	dest = xasprintf("%s/repo.git", workdir);
	rc = git_clone(&rd->repo, origin, dest, &co);
	free(dest);
	if (rc < 0) {
		*err = git_msg(xasprintf("cannot clone %s", origin));
		return EXIT_INPUT;
	}
	return 0;
}

static bool has_refs(git_repository *repo)
{
	git_reference_iterator *it;
	git_reference *ref;
	bool any;

	if (git_reference_iterator_new(&it, repo) < 0)
		return false;
	any = git_reference_next(&ref, it) == 0;
	if (any)
		git_reference_free(ref);
	git_reference_iterator_free(it);
	return any;
}

static int resolve_commit(struct reader *rd, struct submission *s, char **err)
{
	const char *ref = s->ref ? s->ref : "HEAD";
	git_object *obj = NULL;
	git_commit *commit;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (git_repository_is_empty(rd->repo) == 1 || !has_refs(rd->repo)) {
		*err = xstrdup("the repository is empty: commit your work first");
		return EXIT_INPUT;
	}
	rc = git_revparse_single(&obj, rd->repo, ref);
	if (rc < 0 && s->ref) {
		/* A cloned remote's other branches live under origin/. */
		char *remote = xasprintf("origin/%s", ref);

		rc = git_revparse_single(&obj, rd->repo, remote);
		free(remote);
	}
	if (rc < 0 || git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		*err = xasprintf("there is no commit '%s' in the repository", ref);
		return EXIT_INPUT;
	}
	git_object_free(obj);
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	s->commit = xstrdup(hex);
	rc = git_commit_tree(&rd->tree, commit);
	git_commit_free(commit);
	if (rc < 0) {
		*err = git_msg("cannot read the commit's tree");
		return EXIT_INPUT;
	}
	return 0;
}

static int read_blob(struct reader *rd, const char *path, size_t cap, struct sub_file *f, char **err)
{
	git_tree_entry *te;
	git_blob *blob;
	git_object_size_t size;

	if (git_tree_entry_bypath(&te, rd->tree, path) < 0) {
		f->missing = true;
		*err = xasprintf(L_("%s is not in the commit"), path);
		return EXIT_INPUT;
	}
	switch (git_tree_entry_filemode(te)) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	case GIT_FILEMODE_LINK:
		*err = xasprintf(L_("%s is a symbolic link: commit the file itself"), path);
		break;
	case GIT_FILEMODE_COMMIT:
		*err = xasprintf(L_("%s is a submodule: commit the file itself"), path);
		break;
	default:
		*err = xasprintf(L_("%s is not a file"), path);
		break;
	}
	if (*err || git_blob_lookup(&blob, rd->repo, git_tree_entry_id(te)) < 0) {
		git_tree_entry_free(te);
		if (!*err)
			*err = git_msg(path);
		return EXIT_INPUT;
	}
	git_tree_entry_free(te);
	size = git_blob_rawsize(blob);
	if (size > cap || rd->total + size > GRADE_MAX_TOTAL) {
		git_blob_free(blob);
		*err = xasprintf(L_("%s is too large (%llu bytes; at most %zu per file, %d in all)"),
				 path, (unsigned long long)size, cap, GRADE_MAX_TOTAL);
		return EXIT_INPUT;
	}
	rd->total += size;
	f->len = size;
	f->data = xmalloc(size + 1);
	memcpy(f->data, git_blob_rawcontent(blob), size);
	f->data[size] = '\0';
	git_blob_free(blob);
	return 0;
}

/* openat() each component with O_NOFOLLOW: a symlink anywhere is refused. */
static int read_plain(struct reader *rd, const char *path, size_t cap, struct sub_file *f, char **err)
{
	char *copy = xstrdup(path), *save, *seg, *next;
	int fd = dup(rd->dirfd), nfd;
	struct stat st;
	ssize_t n;

	for (seg = strtok_r(copy, "/", &save); seg && fd >= 0; seg = next) {
		next = strtok_r(NULL, "/", &save);
		nfd = openat(fd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
			     (next ? O_DIRECTORY : 0));
		close(fd);
		fd = nfd;
	}
	free(copy);
	if (fd < 0) {
		f->missing = errno != ELOOP && errno != ENOTDIR;
		*err = errno == ELOOP || errno == ENOTDIR
			? xasprintf(L_("%s is (or lies under) a symbolic link: submit the file itself"), path)
			: xasprintf(L_("%s is missing"), path);
		return EXIT_INPUT;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*err = xasprintf(L_("%s is not a regular file"), path);
		return EXIT_INPUT;
	}
	if ((size_t)st.st_size > cap || rd->total + st.st_size > GRADE_MAX_TOTAL) {
		close(fd);
		*err = xasprintf(L_("%s is too large (%lld bytes; at most %zu per file, %d in all)"),
				 path, (long long)st.st_size, cap, GRADE_MAX_TOTAL);
		return EXIT_INPUT;
	}
	f->data = xmalloc(st.st_size + 1);
	n = read(fd, f->data, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(f->data);
		f->data = NULL;
		*err = xasprintf(L_("cannot read %s"), path);
		return EXIT_INPUT;
	}
	f->data[n] = '\0';
	f->len = n;
	rd->total += n;
	return 0;
}

static int read_one(struct reader *rd, const char *path, size_t cap, struct sub_file *f, char **err)
{
	f->path = xstrdup(path);
	return rd->tree ? read_blob(rd, path, cap, f, err) : read_plain(rd, path, cap, f, err);
}

static int open_source(struct reader *rd, struct submission *s, const char *workdir, char **err)
{
	struct stat st;
	int rc;

	if (!is_remote(s->origin) && (lstat(s->origin, &st) < 0 || !S_ISDIR(st.st_mode))) {
		*err = xasprintf("%s is not a directory or a git repository", s->origin);
		return EXIT_INPUT;
	}
	/* A repository (with a worktree or bare) is graded at a commit, even
	 * without --ref: its HEAD; any other directory as it is. */
	if (!is_remote(s->origin) && !s->ref &&
	    git_repository_open_ext(NULL, s->origin, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rd->dirfd = open(s->origin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rd->dirfd < 0) {
			*err = xasprintf("cannot open %s", s->origin);
			return EXIT_INPUT;
		}
		return 0;
	}
	rc = open_repo(rd, s->origin, workdir, err);
	return rc ? rc : resolve_commit(rd, s, err);
}

static int read_all(struct reader *rd, struct submission *s, char **err)
{
	struct sub_file mf = { 0 }, rep = { 0 };
	char *perr = NULL;
	int rc;

	rc = read_one(rd, GRADE_MANIFEST, 16 * 1024, &mf, err);
	if (rc) {
		if (mf.missing) {
			free(*err);
			*err = xstrdup(L_("there is no labctl.ini: copy it from the starter template"));
		}
		free(mf.path);
		return rc;
	}
	rc = manifest_parse(&s->m, mf.data, &perr);
	free(mf.path);
	free(mf.data);
	if (rc) {
		*err = perr;
		return EXIT_INPUT;
	}
	for (int i = 0; i < s->m.nsources; i++) {
		rc = read_one(rd, s->m.sources[i], GRADE_MAX_FILE, &s->files[i], err);
		if (rc)
			return rc;
	}
	/* A missing or unreadable report costs the report's points; it does not
	 * void the rest.  Unreadable, the student reads why (too large, a link). */
	if (read_one(rd, s->m.report, GRADE_MAX_FILE, &rep, &perr) == 0)
		s->report_text = rep.data;
	else if (!rep.missing)
		s->report_error = xstrdup(perr);
	free(perr);
	free(rep.path);
	return 0;
}

int submission_load(struct submission *s, const char *origin, const char *ref,
		    const char *workdir, char **err)
{
	struct reader rd = { .dirfd = -1 };
	int rc;

	memset(s, 0, sizeof(*s));
	s->m.syscall_nr = -1;
	s->origin = xstrdup(origin);
	s->ref = ref ? xstrdup(ref) : NULL;
	*err = NULL;
	git_libgit2_init();
	rc = open_source(&rd, s, workdir, err);
	if (!rc)
		rc = read_all(&rd, s, err);
	git_tree_free(rd.tree);
	git_repository_free(rd.repo);
	if (rd.dirfd >= 0)
		close(rd.dirfd);
	git_libgit2_shutdown();
	return rc;
}

void submission_free(struct submission *s)
{
	free_all(s->origin, s->ref, s->commit);
	for (int i = 0; i < GRADE_MAX_SOURCES; i++)
		free_all(s->files[i].path, s->files[i].data);
	free(s->report_text);
	free(s->report_error);
	manifest_free(&s->m);
}
