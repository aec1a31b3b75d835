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

#include "error.h"
#include "fs.h"
#include "grade.h"
#include "labctl.h"

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

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
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
	json_object_set_new(root, "submission", json_pack("{s:s?, s:s?, s:s?, s:s?}",
		"origin", s ? s->origin : NULL, "ref", s ? s->ref : NULL,
		"commit", s ? s->commit : NULL, "student_id", s ? s->m.student_id : NULL));
	json_object_set_new(root, "syscall", g->nr >= 0
		? json_pack("{s:I, s:s?}", "nr", (json_int_t)g->nr, "name", g->syscall_name)
		: json_null());
	for (int i = 0; g->have_checks && i < NCHECKS; i++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:b, s:i, s:i, s:s}",
			"id", check_key(i), "title", check_title(i), "passed", g->res[i].passed,
			"points", g->res[i].points, "max", g->res[i].max,
			"message", g->res[i].message));
	json_object_set_new(root, "checks", checks);
	return root;
}

static json_t *gradescope_json(const struct grade *g)
{
	json_t *root = json_object(), *tests = json_array();

	for (int i = 0; g->have_checks && i < NCHECKS; i++)
		json_array_append_new(tests, json_pack("{s:s, s:i, s:i, s:s, s:s}",
			"name", check_title(i), "score", g->res[i].points,
			"max_score", g->res[i].max, "output", g->res[i].message,
			"status", g->res[i].passed ? "passed" : "failed"));
	json_object_set_new(root, "score", json_integer(g->score));
	json_object_set_new(root, "tests", tests);
	if (g->why)
		json_object_set_new(root, "output", json_string(g->why));
	return root;
}

/* XML text: the five entities, and no control characters at all. */
static void xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? '?' : *s, f);
		}
	}
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
	r->student_id = xstrdup(rc ? "" : jstring(root, "submission", "student_id"));
	r->commit = xstrdup(rc ? "" : jstring(root, "submission", "commit"));
	json_decref(root);
	free(path);
	return rc;
}

void grade_record_free(struct grade_record *r)
{
	free(r->student_id);
	free(r->commit);
	memset(r, 0, sizeof(*r));
}
