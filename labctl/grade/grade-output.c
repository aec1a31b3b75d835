/*
 * A grade, written three ways for three readers: grade.json (labctl's own,
 * everything), junit.xml (CI test tabs), results.json (Gradescope's
 * autograder format).  Each file is written atomically.  grade.json is read
 * back here too (grade_read()), beside the code that writes it.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "version.h"

/* What a student reads in Gradescope when the grader, not the work, failed. */
#define GRADER_ERROR_OUTPUT \
	"The grader failed while grading this submission: this is not a problem with " \
	"your work, and the score shown is not your grade. Your course staff has been " \
	"told, and the submission will be regraded; there is nothing you need to do."

int grade_exit_code(enum grade_status st)
{
	static const int codes[] = {
		[GRADE_PASSED] = EXIT_OK, [GRADE_FAILED] = EXIT_FAIL,
		[GRADE_INVALID] = EXIT_INPUT, [GRADE_ERROR] = EXIT_ENV,
	};
	return codes[st];
}

const char *grade_status_name(enum grade_status st)
{
	static const char *const names[] = {
		[GRADE_PASSED] = "passed", [GRADE_FAILED] = "failed",
		[GRADE_INVALID] = "invalid", [GRADE_ERROR] = "error",
	};
	return names[st];
}

/*
 * The length of the valid UTF-8 sequence at P (N bytes left), its code
 * point in *CP; 0 when P starts none (a stray or missing continuation
 * byte, an overlong form, a UTF-16 surrogate, past U+10FFFF: RFC 3629).
 */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned *cp)
{
	/* The second byte's range after each lead byte rules out the overlong
	 * forms, the surrogates and what is past U+10FFFF. */
	unsigned lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	*cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	return len;
}

char *utf8_clean(const char *data, size_t len)
{
	/* U+FFFD is 3 bytes: the most one input byte can become */
	char *out = xmalloc(3 * len + 1), *o = out;
	const unsigned char *p = (const unsigned char *)data;
	unsigned cp;

	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_seq(p + i, len - i, &cp);
		if (n == 0 || cp == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			n = 1;
		} else {
			memcpy(o, p + i, n);
			o += n;
		}
	}
	*o = '\0';
	return out;
}

/* Any bytes as a JSON string: jansson refuses invalid UTF-8 (json_string()
 * returns NULL, and a json_pack() with it fails whole). */
static json_t *jstr(const char *s)
{
	char *clean;
	json_t *j;

	if (!s)
		return json_null();
	clean = utf8_clean(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return j;
}

static int write_json(const char *dir, const char *name, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS), *path;
	int rc;

	json_decref(j);
	if (!text)
		return -1;
	path = xasprintf("%s/%s", dir, name);
	rc = write_file_atomic(path, text, strlen(text));
	free(path);
	free(text);
	return rc;
}

static json_t *grade_json(const struct grade *g)
{
	const struct submission *s = g->sub;
	json_t *root = json_object(), *checks = json_array();

	json_object_set_new(root, "status", json_string(grade_status_name(g->status)));
	json_object_set_new(root, "why", jstr(g->why));
	json_object_set_new(root, "score", json_integer(g->score));
	json_object_set_new(root, "max", json_integer(g->max));
	json_object_set_new(root, "labctl_version", json_string(LABCTL_VERSION));
	json_object_set_new(root, "kernel_version", jstr(g->kernel_version));
	json_object_set_new(root, "rubric", jstr(g->rubric ? g->rubric->name : NULL));
	json_object_set_new(root, "seconds", json_real(g->seconds));
	json_object_set_new(root, "submission", json_pack("{s:o, s:o, s:o, s:o}",
		"origin", jstr(s ? s->origin : NULL), "ref", jstr(s ? s->ref : NULL),
		"commit", jstr(s ? s->commit : NULL), "student_id", jstr(s ? s->m.student_id : NULL)));
	json_object_set_new(root, "syscall", g->nr >= 0
		? json_pack("{s:I, s:o}", "nr", (json_int_t)g->nr, "name", jstr(g->syscall_name))
		: json_null());
	for (int i = 0; g->have_checks && i < NCHECKS; i++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:b, s:i, s:i, s:o}",
			"id", check_key(i), "title", check_title(i), "passed", g->res[i].passed,
			"points", g->res[i].points, "max", g->res[i].max,
			"message", jstr(g->res[i].message)));
	json_object_set_new(root, "checks", checks);
	return root;
}

static json_t *gradescope_json(const struct grade *g)
{
	json_t *root = json_object(), *tests = json_array();

	for (int i = 0; g->have_checks && i < NCHECKS; i++)
		json_array_append_new(tests, json_pack("{s:s, s:i, s:i, s:o, s:s}",
			"name", check_title(i), "score", g->res[i].points,
			"max_score", g->res[i].max, "output", jstr(g->res[i].message),
			"status", g->res[i].passed ? "passed" : "failed"));
	json_object_set_new(root, "score", json_integer(g->score));
	json_object_set_new(root, "tests", tests);
	/* A grader error's reason is the TA's (paths, exit codes: grade.json
	 * keeps it); the student reads that it is not a verdict on the work. */
	if (g->status == GRADE_ERROR)
		json_object_set_new(root, "output", json_string(GRADER_ERROR_OUTPUT));
	else if (g->why)
		json_object_set_new(root, "output", jstr(g->why));
	return root;
}

/*
 * An attribute value: valid UTF-8 (the declared encoding), the five
 * entities, tabs and line breaks as references (a parser turns them into
 * spaces otherwise), and U+FFFD for what XML 1.0 has no character for (the
 * other C0 controls, U+FFFE, U+FFFF).
 */
static void xml_escape(FILE *f, const char *s)
{
	char *clean = utf8_clean(s ? s : "", s ? strlen(s) : 0);
	const unsigned char *p = (const unsigned char *)clean, *end = p + strlen(clean);
	unsigned cp;

	for (size_t n; p < end; p += n) {
		n = utf8_seq(p, end - p, &cp);
		switch (cp) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': case '\n': case '\r': fprintf(f, "&#%u;", cp); break;
		default:
			if (cp < 0x20 || cp == 0xfffe || cp == 0xffff)
				fputs("\xef\xbf\xbd", f);
			else
				fwrite(p, 1, n, f);
		}
	}
	free(clean);
}

static int write_junit(const struct grade *g, const char *dir)
{
	char *buf = NULL, *path;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int failures = 0, rc;

	for (int i = 0; g->have_checks && i < NCHECKS; i++)
		failures += !g->res[i].passed;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"labctl grade\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
		g->have_checks ? NCHECKS : 1, failures, g->have_checks ? 0 : 1);
	for (int i = 0; g->have_checks && i < NCHECKS; i++) {
		fprintf(f, "  <testcase classname=\"labctl.grade\" name=\"%s\">", check_key(i));
		if (!g->res[i].passed) {
			fputs("\n    <failure message=\"", f);
			xml_escape(f, g->res[i].message);
			fputs("\"/>\n  ", f);
		}
		fputs("</testcase>\n", f);
	}
	if (!g->have_checks) {
		fputs("  <testcase classname=\"labctl.grade\" name=\"submission\">\n"
		      "    <error message=\"", f);
		xml_escape(f, g->why);
		fputs("\"/>\n  </testcase>\n", f);
	}
	fputs("</testsuite>\n", f);
	fclose(f);
	path = xasprintf("%s/junit.xml", dir);
	rc = write_file_atomic(path, buf, len);
	free(path);
	free(buf);
	return rc;
}

int grade_write(const struct grade *g, const char *dir)
{
	if (write_json(dir, "grade.json", grade_json(g)) < 0 ||
	    write_json(dir, "results.json", gradescope_json(g)) < 0 ||
	    write_junit(g, dir) < 0)
		return -1;
	return 0;
}

static const char *jstring(json_t *root, const char *obj, const char *key)
{
	json_t *j = json_object_get(json_object_get(root, obj), key);

	return json_is_string(j) ? json_string_value(j) : "";
}

/* The status named NAME ("passed"), or -1. */
static int status_from_name(const char *name)
{
	for (int st = GRADE_PASSED; name && st <= GRADE_ERROR; st++)
		if (!strcmp(name, grade_status_name(st)))
			return st;
	return -1;
}

/* Each check's points, by its id, from grade.json's checks. */
static void read_points(struct grade_record *r, json_t *checks)
{
	size_t i;
	json_t *c;

	json_array_foreach(checks, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));

		for (int k = 0; id && k < NCHECKS; k++)
			if (!strcmp(id, check_key(k))) {
				r->points[k] = (int)json_integer_value(json_object_get(c, "points"));
				r->have_checks = true;
			}
	}
}

int grade_read(struct grade_record *r, const char *dir, struct error *e)
{
	char *path = xasprintf("%s/grade.json", dir);
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	int st = status_from_name(json_string_value(json_object_get(root, "status"))), rc = 0;

	*r = (struct grade_record){ .status = GRADE_ERROR };
	if (!root) {
		rc = error_set(e, EXIT_ENV, "cannot read %s: %s", path, jerr.text);
	} else if (st < 0) {
		rc = error_set(e, EXIT_ENV, "%s has no grade status", path);
	} else {
		r->status = st;
		r->score = json_integer_value(json_object_get(root, "score"));
		r->max = json_integer_value(json_object_get(root, "max"));
	}
	r->origin = xstrdup(rc ? "" : jstring(root, "submission", "origin"));
	r->ref = xstrdup(rc ? "" : jstring(root, "submission", "ref"));
	r->student_id = xstrdup(rc ? "" : jstring(root, "submission", "student_id"));
	r->commit = xstrdup(rc ? "" : jstring(root, "submission", "commit"));
	if (!rc)
		read_points(r, json_object_get(root, "checks"));
	json_decref(root);
	free(path);
	return rc;
}

void grade_record_free(struct grade_record *r)
{
	free(r->origin);
	free(r->ref);
	free(r->student_id);
	free(r->commit);
	memset(r, 0, sizeof(*r));
}
