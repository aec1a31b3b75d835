/* The message catalogue, as gdb/labctl/report/lang/__init__.py reads it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/lang.h"

const char *const lang_codes[] = { "en", "zh", NULL };

/* English message -> translation, every section's; NULL for English. */
static json_t *messages;

static bool known_code(const char *code)
{
	for (const char *c = code; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && *c != '-' && *c != '_')
			return false;
	return *code != '\0';
}

int lang_from_env(const char **code, struct error *e)
{
	const char *v = getenv("LABCTL_LANG");
	char *known;

	*code = NULL;
	if (!v || !*v)
		return 0;
	for (size_t i = 0; lang_codes[i]; i++)
		if (!strcmp(v, lang_codes[i])) {
			*code = lang_codes[i];
			return 0;
		}
	known = xstrdup(lang_codes[0]);
	for (size_t i = 1; lang_codes[i]; i++) {
		char *more = xasprintf("%s, %s", known, lang_codes[i]);

		free(known);
		known = more;
	}
	error_set(e, EXIT_USAGE, "LABCTL_LANG=%s: not a language of labctl's (%s)", v, known);
	free(known);
	return -1;
}

int lang_use(const char *code, struct error *e)
{
	char *rel, *path;
	json_t *cat, *sections, *section;
	json_error_t jerr;
	size_t i;

	json_decref(messages);
	messages = NULL;
	if (!code || !strcmp(code, "en"))
		return 0;
	if (!known_code(code))
		return error_set(e, EXIT_USAGE, "%s: not a language code", code);
	rel = xasprintf("gdb/labctl/report/lang/%s.json", code);
	path = datapath(rel);
	free(rel);
	cat = json_load_file(path, 0, &jerr);
	if (!cat) {
		bool there = access(path, R_OK) == 0;

		error_set(e, there ? EXIT_INTERNAL : EXIT_USAGE, "%s: %s (%s)", code,
			  there ? "its catalogue does not parse" : "no catalogue for this language",
			  jerr.text);
		free(path);
		return -1;
	}
	free(path);
	messages = json_object();
	sections = json_object_get(cat, "sections");
	json_array_foreach(sections, i, section)
		json_object_update(messages, json_object_get(section, "messages"));
	json_decref(cat);
	return 0;
}

const char *lang_text(const char *msg)
{
	const char *t = messages ? json_string_value(json_object_get(messages, msg)) : NULL;

	return t ? t : msg;
}
