/* The kernels labctl knows by version: see versions.h. */
#include <stddef.h>
#include <string.h>

#include "lib/labctl.h"
#include "source/versions.h"

/*
 * One row per version.  5.10 is Debian 11's kernel; 6.1 is Debian 12's,
 * whose security updates (bookworm-security) are newer than the point
 * release's; 6.12 is in Debian 12 through bookworm-security only.
 */
#define DEBIAN_KERNELS(X) \
	X("5.10", "linux-source-5.10", "bullseye") \
	X("6.1", "linux-source-6.1", "bookworm bookworm-security") \
	X("6.12", "linux-source-6.12", "bookworm-security")

#define ROW(v, p, s) { v, p, s },
#define WORD(v, p, s) v,

static const struct debian_kernel rows[] = { DEBIAN_KERNELS(ROW) };
const char *const kernel_versions[] = { DEBIAN_KERNELS(WORD) NULL };

const struct debian_kernel *debian_kernel(const char *version)
{
	if (!version)
		version = DEFAULT_KERNEL;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].version, version))
			return &rows[i];
	return NULL;
}

char *suites_word(const char *suites)
{
	char *out = xasprintf("%s", suites);

	for (char *c = out; *c; c++)
		if (*c == ' ')
			*c = '+';
	return out;
}

char *kernel_series(const char *version)
{
	const char *dot = strchr(version, '.');
	size_t n = dot ? strcspn(dot + 1, ".") + (size_t)(dot + 1 - version) : strlen(version);

	return xasprintf("%.*s", (int)n, version);
}
