/* The submission's manifest, labctl.ini: parsed with libinih, then checked
 * value by value so that a student reads which line is wrong. */
#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "lib/labctl.h"
#include "lib/lang.h"

struct parse_state {
	struct manifest *m;
	char *err;
};

bool submission_path_ok(const char *path)
{
	const char *p = path, *seg;

	if (!*path || *path == '/' || strlen(path) > 200)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-/", *p))
			return false;
	for (seg = path; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
		size_t n = strcspn(seg, "/");

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
			return false;
	}
	return true;
}

static bool id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 32)
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) > 40)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int set_syscall(struct manifest *m, const char *v, char **err)
{
	char *end;
	long n;

	if (isdigit((unsigned char)*v)) {
		n = strtol(v, &end, 10);
		if (*end || n < 0 || n > 999) {
			*err = xasprintf(L_("syscall = %s is not a system call number (0-999)"), v);
			return -1;
		}
		m->syscall_nr = (int)n;
		return 0;
	}
	if (!name_ok(v)) {
		*err = xasprintf(L_("syscall = %s is neither a number nor a system call name"), v);
		return -1;
	}
	m->syscall_name = xstrdup(v);
	return 0;
}

static bool listed(const struct manifest *m, const char *path)
{
	for (int i = 0; i < m->nsources; i++)
		if (!strcmp(m->sources[i], path))
			return true;
	return false;
}

static int add_sources(struct manifest *m, const char *v, char **err)
{
	char *copy = xstrdup(v), *save, *tok;

	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		const char *dot = strrchr(tok, '.');

		/* Listed again: the same file, compiled once.  submission_path_ok()
		 * allows one spelling per file (no "./", no "//"), so equal
		 * strings are the only duplicates. */
		if (submission_path_ok(tok) && listed(m, tok))
			continue;

		if (!submission_path_ok(tok)) {
			*err = xasprintf(L_("sources: '%s' must be a relative path inside the repository"), tok);
			break;
		}
		if (!dot || (strcmp(dot, ".c") && strcmp(dot, ".h") && strcmp(dot, ".S"))) {
			*err = xasprintf(L_("sources: '%s' is not a .c, .h or .S file"), tok);
			break;
		}
		if (m->nsources == GRADE_MAX_SOURCES) {
			*err = xasprintf(L_("sources: more than %d files"), GRADE_MAX_SOURCES);
			break;
		}
		m->sources[m->nsources++] = xstrdup(tok);
	}
	free(copy);
	return *err ? -1 : 0;
}

static int set_path(char **dst, const char *key, const char *v, char **err)
{
	if (!submission_path_ok(v)) {
		*err = xasprintf(L_("%s = %s must be a relative path inside the repository"), key, v);
		return -1;
	}
	free(*dst);
	*dst = xstrdup(v);
	return 0;
}

static int on_value(void *user, const char *section, const char *key, const char *v)
{
	struct parse_state *st = user;
	struct manifest *m = st->m;
	int rc = -1;

	if (st->err)
		return 0;
	if (!strcmp(section, "student") && !strcmp(key, "id")) {
		if (id_ok(v)) {
			free(m->student_id);
			m->student_id = xstrdup(v);
			return 1;
		}
		st->err = xasprintf(L_("id = %s: use 1-32 letters, digits, '-' or '_'"), v);
	} else if (!strcmp(section, "lab") && !strcmp(key, "syscall")) {
		rc = set_syscall(m, v, &st->err);
	} else if (!strcmp(section, "lab") && !strcmp(key, "sources")) {
		rc = add_sources(m, v, &st->err);
	} else if (!strcmp(section, "lab") && !strcmp(key, "report")) {
		rc = set_path(&m->report, key, v, &st->err);
	} else if (!strcmp(section, "lab") && !strcmp(key, "program")) {
		if (name_ok(v) && strlen(v) < 16) {
			free(m->program);
			m->program = xstrdup(v);
			return 1;
		}
		st->err = xasprintf(L_("program = %s: use up to 15 lower-case letters, digits or '_'"), v);
	} else {
		st->err = xasprintf(L_("unknown setting [%s] %s"), section, key);
	}
	return rc == 0;
}

int manifest_parse(struct manifest *m, const char *text, char **err)
{
	struct parse_state st = { .m = m };
	int line;

	memset(m, 0, sizeof(*m));
	m->syscall_nr = -1;
	line = ini_parse_string(text, on_value, &st);
	if (line > 0 && !st.err)
		st.err = xasprintf(L_("line %d is not 'key = value' or '[section]'"), line);
	if (!st.err && !m->student_id)
		st.err = xstrdup(L_("[student] id is missing"));
	if (!st.err && !m->nsources)
		st.err = xstrdup(L_("[lab] sources is missing: list your program's source files"));
	if (!st.err && m->syscall_nr < 0 && !m->syscall_name && syscall_from_id(m->student_id) < 0)
		st.err = xasprintf(L_("id = %s does not end in two digits; set [lab] syscall"), m->student_id);
	if (st.err) {
		manifest_free(m);
		*err = xasprintf("labctl.ini: %s", st.err);
		free(st.err);
		return -1;
	}
	if (!m->report)
		m->report = xstrdup("REPORT.md");
	if (!m->program)
		m->program = xstrdup("lab");
	return 0;
}

void manifest_free(struct manifest *m)
{
	free(m->student_id);
	free(m->syscall_name);
	for (int i = 0; i < m->nsources; i++)
		free(m->sources[i]);
	free(m->report);
	free(m->program);
	memset(m, 0, sizeof(*m));
	m->syscall_nr = -1;
}

int syscall_from_id(const char *id)
{
	size_t n = strlen(id);

	if (n < 2 || !isdigit((unsigned char)id[n - 1]) || !isdigit((unsigned char)id[n - 2]))
		return -1;
	return (id[n - 2] - '0') * 10 + (id[n - 1] - '0');
}
