#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/labctl.h"
#include "lib/strvec.h"

static void append(struct strvec *sv, char *owned)
{
	if (sv->nr + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? 2 * sv->alloc : 16;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->nr++] = owned;
	sv->v[sv->nr] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	append(sv, xstrdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory("a child's argument");
	va_end(ap);
	append(sv, s);
}

void strvec_pushl(struct strvec *sv, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)))
		strvec_push(sv, s);
	va_end(ap);
}

void strvec_truncate(struct strvec *sv, size_t nr)
{
	while (sv->nr > nr)
		free((char *)sv->v[--sv->nr]);
	if (sv->v)
		sv->v[sv->nr] = NULL;
}

void strvec_clear(struct strvec *sv)
{
	strvec_truncate(sv, 0);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

char **strvec_detach(struct strvec *sv)
{
	char **v = (char **)sv->v;

	if (!v)
		v = xcalloc(1, sizeof(*v));
	*sv = (struct strvec){ 0 };
	return v;
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
