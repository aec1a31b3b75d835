/*
 * The reports a submission's report is compared with (the report check in
 * grade-checks.c): the course's example and starter, read from labctl's
 * data, and the other submissions of a batch or of --compare, each read as
 * its grading reads it (submission_load()).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grade/grade.h"
#include "lib/error.h"
#include "lib/labctl.h"

static void add(struct report_sources *rs, char *label, const char *origin, char *text, bool base)
{
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->v[rs->n++] = (struct report_source){ label, xstrdup(origin), text, base };
}

/* Load ORIGIN; its report text (the caller's), or NULL with ERR. */
static char *load_report(const char *origin, const char *ref, const char *workdir,
			 char **name, char **id, char **err)
{
	struct submission s = { 0 };
	char *text = NULL;

	if (submission_load(&s, origin, ref, workdir, err) == 0 && s.report_text) {
		text = s.report_text;
		s.report_text = NULL;
		*name = xstrdup(s.m.report);
		*id = xstrdup(s.m.student_id);
	} else if (!*err) {
		*err = xstrdup("it has no report");
	}
	submission_free(&s);
	return text;
}

static int add_course(struct report_sources *rs, const char *rel, bool base, struct error *e)
{
	char *dir = datapath(rel), *name = NULL, *id = NULL, *err = NULL;
	char *text = load_report(dir, NULL, NULL, &name, &id, &err);

	if (!text) {
		error_set(e, EXIT_ENV, "the course's %s: %s", dir, err);
		free(err);
		free(dir);
		return -1;
	}
	add(rs, xasprintf("%s/%s", rel, name), dir, text, base);
	free_all(name, id, dir);
	return 0;
}

int report_sources_course(struct report_sources *rs, struct error *e)
{
	if (add_course(rs, "ci/example-submission", false, e) < 0 ||
	    add_course(rs, "ci/starter", true, e) < 0)
		return -1;
	return 0;
}

void report_sources_add(struct report_sources *rs, const char *origin, const char *ref,
			const char *workdir)
{
	char *name = NULL, *id = NULL, *err = NULL;
	char *text = load_report(origin, ref, workdir, &name, &id, &err);

	if (text)
		add(rs, xasprintf("the report of %s (student %s)", origin, id), origin, text, false);
	free_all(name, id, err);
}

bool report_source_is(const struct report_source *s, const char *origin)
{
	struct stat a, b;

	if (!strcmp(s->origin, origin))
		return true;
	return stat(s->origin, &a) == 0 && stat(origin, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void report_sources_free(struct report_sources *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free_all(rs->v[i].label, rs->v[i].origin, rs->v[i].text);
	free(rs->v);
	*rs = (struct report_sources){ 0 };
}
