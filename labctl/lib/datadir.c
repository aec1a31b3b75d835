/*
 * Where labctl's data lives: kernel-config/, rootfs/, gdb/, scenarios/.
 * Run from the source tree, bin/labctl finds them one level up; installed
 * as PREFIX/bin/labctl, in PREFIX/share/labctl.  $LABCTL_DATADIR overrides.
 */
#include <assert.h>
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/labctl.h"

static bool has_kernel_config(const char *dir)
{
	char *p = xasprintf("%s/kernel-config", dir);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);

	free(p);
	return ok;
}

static char *dir;

int datadir_init(struct error *e)
{
	char exe[PATH_MAX], *top, *cand;
	const char *env = getenv("LABCTL_DATADIR");
	ssize_t n;

	if (env && *env) {
		dir = xstrdup(env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return error_set(e, EXIT_ENV, "cannot find labctl's own path: %m");
	exe[n] = '\0';
	top = dirname(dirname(exe));	/* .../bin/labctl -> ... */
	if (has_kernel_config(top)) {
		dir = xstrdup(top);
		return 0;
	}
	cand = xasprintf("%s/share/labctl", top);
	if (has_kernel_config(cand)) {
		dir = cand;
		return 0;
	}
	free(cand);
	return error_set(e, EXIT_ENV, "cannot find labctl's data (kernel-config/) near %s; "
			 "set LABCTL_DATADIR", top);
}

const char *datadir(void)
{
	assert(dir);	/* main() calls datadir_init() before any command */
	return dir;
}

char *datapath(const char *rel)
{
	return xasprintf("%s/%s", datadir(), rel);
}
