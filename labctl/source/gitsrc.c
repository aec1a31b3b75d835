/* Kernel sources from git, with libgit2: see gitsrc.h. */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/labctl.h"
#include "source/gitsrc.h"

/* libgit2 up for one operation; git_libgit2_shutdown() frees its caches. */
static int git_init(struct error *e)
{
	if (git_libgit2_init() < 0)
		return error_set(e, EXIT_ENV, "cannot initialise libgit2");
	return 0;
}

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static bool is_full_oid(const char *rev)
{
	return strlen(rev) == GIT_OID_HEX_LEN && strspn(rev, "0123456789abcdef") == GIT_OID_HEX_LEN;
}

/* The ref names REV may stand for, best first ("^{}" is a peeled tag). */
static const char *const ref_forms[][2] = {
	{ "refs/tags/", "^{}" }, { "refs/tags/", "" }, { "refs/heads/", "" }, { "", "" },
};

static bool find_ref(const git_remote_head **heads, size_t n, const char *rev, git_oid *out)
{
	for (size_t f = 0; f < sizeof(ref_forms) / sizeof(ref_forms[0]); f++) {
		char *name = xasprintf("%s%s%s", ref_forms[f][0], rev, ref_forms[f][1]);

		for (size_t i = 0; i < n; i++)
			if (!strcmp(heads[i]->name, name)) {
				git_oid_cpy(out, &heads[i]->oid);
				free(name);
				return true;
			}
		free(name);
	}
	return false;
}

int gitsrc_resolve(char oid[GIT_OID_HEX_LEN + 1], const char *url, const char *rev,
		   struct error *e)
{
	const git_remote_head **heads;
	git_remote *remote = NULL;
	git_oid id;
	size_t n;
	int ret = 1;

	if (is_full_oid(rev)) {
		strcpy(oid, rev);
		return 0;
	}
	if (!strstr(url, "://") && !strchr(url, ':') && !is_dir(url))
		return error_set(e, EXIT_INPUT, "no git repository at %s", url);
	if (git_init(e) < 0)
		return -1;
	if (git_remote_create_detached(&remote, url) < 0 ||
	    git_remote_connect(remote, GIT_DIRECTION_FETCH, NULL, NULL, NULL) < 0 ||
	    git_remote_ls(&heads, &n, remote) < 0) {
		ret = error_set(e, EXIT_INPUT, "cannot read git repository %s: %s", url,
				git_message());
	} else if (find_ref(heads, n, rev, &id)) {
		git_oid_tostr(oid, GIT_OID_HEX_LEN + 1, &id);
		ret = 0;
	}
	git_remote_free(remote);
	git_libgit2_shutdown();
	return ret;
}

/* REV as a commit of the fresh clone REPO: a tag, a remote branch, a commit id. */
static git_commit *lookup_rev(git_repository *repo, const char *rev)
{
	static const char *const forms[] = { "refs/tags/", "refs/remotes/origin/", "" };
	git_object *obj = NULL, *commit = NULL;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]) && !obj; f++) {
		char *spec = xasprintf("%s%s", forms[f], rev);

		if (git_revparse_single(&obj, repo, spec) < 0)
			obj = NULL;
		free(spec);
	}
	if (obj && git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		commit = NULL;
	git_object_free(obj);
	return (git_commit *)commit;
}

static int checkout(char oid[GIT_OID_HEX_LEN + 1], git_repository *repo, const char *url,
		    const char *rev, struct error *e)
{
	git_checkout_options co;
	git_commit *commit = lookup_rev(repo, rev);
	int ret = 0;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (!commit)
		return error_set(e, EXIT_INPUT, "git repository %s has no tag, branch or commit '%s'",
				 url, rev);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_tree(repo, (git_object *)commit, &co) < 0 ||
	    git_repository_set_head_detached(repo, git_commit_id(commit)) < 0) {
		ret = error_set(e, EXIT_ENV, "cannot check out %s of %s: %s", rev, url,
				git_message());
	} else {
		git_oid_tostr(oid, GIT_OID_HEX_LEN + 1, git_commit_id(commit));
	}
	git_commit_free(commit);
	return ret;
}

int gitsrc_export(char oid[GIT_OID_HEX_LEN + 1], const char *url, const char *rev,
		  const char *dir, struct error *e)
{
	git_clone_options opts_clone;
	git_repository *repo = NULL;
	char *gitdir;
	int ret;

	if (git_init(e) < 0)
		return -1;
	git_clone_options_init(&opts_clone, GIT_CLONE_OPTIONS_VERSION);
	/* Nothing checked out yet: only REV's tree is written, once. */
	opts_clone.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	note("cloning %s", url);
	if (git_clone(&repo, url, dir, &opts_clone) < 0) {
		error_set(e, EXIT_INPUT, "cannot clone %s: %s", url, git_message());
		git_libgit2_shutdown();
		return -1;
	}
	ret = checkout(oid, repo, url, rev, e);
	git_repository_free(repo);
	git_libgit2_shutdown();
	gitdir = xasprintf("%s/.git", dir);
	if (!ret && remove_tree(gitdir) < 0)
		ret = error_set(e, EXIT_ENV, "cannot remove %s: %m", gitdir);
	free(gitdir);
	return ret;
}
