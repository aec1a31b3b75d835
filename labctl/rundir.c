/* Run directories: see rundir.h. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "fs.h"
#include "labctl.h"
#include "rundir.h"

char *run_dir_new(const char *what)
{
	const char *env = getenv("LABCTL_RUN_ROOT");
	char *root = env && *env ? xstrdup(env) : cache_subdir("runs");
	char stamp[32], *dir, *link, *tmp;
	time_t t = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&t));
	dir = xasprintf("%s/%s-%s-%d", root, what, stamp, (int)getpid());
	mkdir_p(dir);
	/* "WHAT-latest" is replaced atomically: symlink beside it, rename over it. */
	link = xasprintf("%s/%s-latest", root, what);
	tmp = xasprintf("%s.%d", link, (int)getpid());
	unlink(tmp);
	if (symlink(dir, tmp) == 0 && rename(tmp, link) < 0)
		unlink(tmp);
	free(tmp);
	free(link);
	free(root);
	return dir;
}
