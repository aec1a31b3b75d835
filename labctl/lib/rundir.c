/* Run directories: see rundir.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/rundir.h"

char *run_dir_create(const char *what, struct error *e)
{
	return run_dir_create_in(NULL, what, e);
}

char *run_dir_create_in(const char *under, const char *what, struct error *e)
{
	const char *env = getenv("LABCTL_RUN_ROOT");
	char *root = under ? xstrdup(under) : env && *env ? xstrdup(env) : cache_subdir("runs", e);
	char stamp[32], *dir, *link, *tmp;
	time_t t = time(NULL);

	if (!root)
		return NULL;
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&t));
	dir = xasprintf("%s/%s-%s-%d", root, what, stamp, (int)getpid());
	if (make_dirs(dir, e) < 0) {
		free(dir);
		free(root);
		return NULL;
	}
	/* "WHAT-latest" is replaced atomically: symlink beside it, rename over it.
	 * Relative: ROOT may be reached through a link that is gone later
	 * (grade-guest.c's short name for a long run directory). */
	link = xasprintf("%s/%s-latest", root, what);
	tmp = xasprintf("%s.%d", link, (int)getpid());
	unlink(tmp);
	if (symlink(strrchr(dir, '/') + 1, tmp) == 0 && rename(tmp, link) < 0)
		unlink(tmp);
	free_all(tmp, link, root);
	return dir;
}

char *run_socket(const char *dir, const char *name, struct error *e)
{
	char *sock = xasprintf("%s/%s", dir, name);

	if (strlen(sock) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		error_set(e, EXIT_ENV, "%s: too long for a Unix socket; set LABCTL_RUN_ROOT to a "
			  "shorter directory", sock);
		free(sock);
		return NULL;
	}
	return sock;
}
