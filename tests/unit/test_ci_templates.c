/*
 * The CI templates in ci/ parse as YAML (libyaml), and every `labctl
 * COMMAND` they and their job scripts (ci/jobs/) run names a command of
 * bin/labctl (`labctl help COMMAND` exits 0).  Run from the repository's
 * root, as tests/run does.  The ci tier runs them in the real engines.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>
#include <cmocka.h>

static const char *const templates[] = {
	"ci/github/student-grade.yml",
	"ci/github/instructor-grade.yml",
	"ci/gitlab/gitlab-ci.yml",
};

/* The job scripts the templates call, in the order a pipeline runs them. */
static const char *const job_scripts[] = {
	"ci/jobs/install.sh", "ci/jobs/kernel.sh", "ci/jobs/grade.sh", "ci/jobs/chunks.sh",
	"ci/jobs/chunk.sh", "ci/jobs/gitlab-child.sh", "ci/jobs/gradebook.sh",
};

struct seen {
	char cmds[32][32];
	int ncmds;
	bool has[4];
};

static const char *const keys[] = { "matrix", "upload-artifact", "junit", "trigger" };

static void note_commands(struct seen *s, const char *text)
{
	for (const char *p = strstr(text, "labctl "); p; p = strstr(p + 1, "labctl ")) {
		char word[32];
		int n = 0;

		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '/' || p[-1] == '-'))
			continue;	/* "/opt/labctl ", "run-labctl " */
		for (p += 7; *p == ' '; p++)
			;
		while (n < 31 && (islower((unsigned char)p[n]) || p[n] == '-'))
			n++;
		if (n == 0 || p[0] == '-')
			continue;
		memcpy(word, p, n);
		word[n] = '\0';
		for (int i = 0; i < s->ncmds; i++)
			if (!strcmp(s->cmds[i], word))
				goto next;
		if (s->ncmds < 32)
			strcpy(s->cmds[s->ncmds++], word);
next:;
	}
}

/* Parse PATH event by event; every scalar is looked at. */
static void parse(const char *path, struct seen *s)
{
	FILE *f = fopen(path, "r");
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;

	if (!f)
		fail_msg("cannot open %s", path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev))
			fail_msg("%s:%zu: %s", path, parser.problem_mark.line + 1, parser.problem);
		if (ev.type == YAML_SCALAR_EVENT) {
			const char *v = (const char *)ev.data.scalar.value;

			note_commands(s, v);
			for (int i = 0; i < 4; i++)
				if (strstr(v, keys[i]))
					s->has[i] = true;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	fclose(f);
}

static bool command_exists(const char *cmd)
{
	char line[128];
	int rc;

	snprintf(line, sizeof(line), "bin/labctl help %s >/dev/null 2>&1", cmd);
	rc = system(line);
	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

static void check_template(void **state)
{
	const char *path = *state;
	struct seen s = { 0 };

	parse(path, &s);
	for (int i = 0; i < s.ncmds; i++)
		if (!command_exists(s.cmds[i]))
			fail_msg("%s runs 'labctl %s', which is no labctl command", path, s.cmds[i]);
	if (strstr(path, "instructor"))
		assert_true(s.has[0]);	/* the roster fans out as a matrix */
	if (strstr(path, "student"))
		assert_true(s.has[1]);	/* the report is uploaded */
	if (strstr(path, "gitlab"))
		assert_true(s.has[2] && s.has[3]);
}

/* Every job script exists, is executable, and runs only labctl's commands;
 * between them they run build, bundle and grade. */
static void test_job_scripts(void **state)
{
	struct seen s = { 0 };
	const char *const wanted[] = { "build", "bundle", "grade" };

	for (size_t i = 0; i < sizeof(job_scripts) / sizeof(job_scripts[0]); i++) {
		FILE *f = fopen(job_scripts[i], "r");
		char line[1024];

		if (!f)
			fail_msg("cannot open %s", job_scripts[i]);
		assert_int_equal(access(job_scripts[i], X_OK), 0);
		while (fgets(line, sizeof(line), f))
			if (line[0] != '#')
				note_commands(&s, line);
		fclose(f);
	}
	for (int i = 0; i < s.ncmds; i++)
		if (!command_exists(s.cmds[i]))
			fail_msg("ci/jobs runs 'labctl %s', which is no labctl command", s.cmds[i]);
	for (size_t w = 0; w < 3; w++) {
		bool found = false;

		for (int i = 0; i < s.ncmds; i++)
			found |= !strcmp(s.cmds[i], wanted[w]);
		if (!found)
			fail_msg("no job script runs 'labctl %s'", wanted[w]);
	}
}

static void test_garbage_is_refused(void **state)
{
	const char bad[] = "jobs:\n  grade:\n    run: [unclosed\n";
	yaml_parser_t parser;
	yaml_event_t ev;
	bool failed = false, done = false;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)bad, sizeof(bad) - 1);
	while (!done && !failed) {
		failed = !yaml_parser_parse(&parser, &ev);
		if (!failed) {
			done = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&parser);
	assert_true(failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "student workflow", check_template, NULL, NULL, (void *)templates[0] },
		{ "instructor workflow", check_template, NULL, NULL, (void *)templates[1] },
		{ "gitlab ci", check_template, NULL, NULL, (void *)templates[2] },
		cmocka_unit_test(test_job_scripts),
		cmocka_unit_test(test_garbage_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
