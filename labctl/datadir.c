/*
 * Where labctl's data lives: kernel-config/, rootfs/, gdb/, scenarios/.
 * Run from the source tree, bin/labctl finds them one level up; installed
 * as PREFIX/bin/labctl, in PREFIX/share/labctl.  $LABCTL_DATADIR overrides.
 */
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labctl.h"

static bool has_kernel_config(const char *dir)
{
	char *p = xasprintf("%s/kernel-config", dir);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);

	free(p);
	return ok;
}

static char *find_datadir(void)
{
	char exe[PATH_MAX], *dir, *cand;
	const char *env = getenv("LABCTL_DATADIR");
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die_errno(EXIT_ENV, "cannot find labctl's own path");
	exe[n] = '\0';
	dir = dirname(dirname(exe));	/* .../bin/labctl -> ... */
	if (has_kernel_config(dir))
		return xstrdup(dir);
	cand = xasprintf("%s/share/labctl", dir);
	if (has_kernel_config(cand))
		return cand;
	die(EXIT_ENV, "cannot find labctl's data (kernel-config/) near %s; set LABCTL_DATADIR", dir);
}

const char *datadir(void)
{
	static char *dir;

	if (!dir)
		dir = find_datadir();
	return dir;
}

char *datapath(const char *rel)
{
	return xasprintf("%s/%s", datadir(), rel);
}
