/* Reading GDB's captures: see capture.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "trace/capture.h"

/*
 * Walk back from POS over the value there (and any enclosing arrays) to
 * the "key": in front of it.  Good enough for a message: brackets inside
 * strings can mislead it, and then it names no key or a neighbour.
 */
char *capture_key_at(const char *text, size_t pos)
{
	int depth = 0;
	size_t i = pos, end;

	while (i-- > 0) {
		char c = text[i];

		if (c == ']' || c == '}')
			depth++;
		else if ((c == '[' || c == '{') && depth > 0)
			depth--;
		else if (c == '{' && depth == 0)
			return NULL;
		else if (c == ':' && depth == 0)
			break;
	}
	if (i == (size_t)-1)
		return NULL;
	while (i > 0 && strchr(" \t\r\n", text[i - 1]))
		i--;
	if (i == 0 || text[i - 1] != '"')
		return NULL;
	end = --i;
	while (i > 0 && !(text[i - 1] == '"' && (i < 2 || text[i - 2] != '\\')))
		i--;
	if (i == 0)
		return NULL;
	return strndup(text + i, end - i);
}

json_t *capture_parse(const char *text, size_t len, const char *path, struct error *e)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	char *key;

	if (json_is_object(root))
		return root;
	json_decref(root);
	if (!root) {
		key = je.position > 0 && (size_t)je.position <= len ?
		      capture_key_at(text, (size_t)je.position) : NULL;
		error_set(e, EXIT_INTERNAL, "%s is not JSON labctl reads: %s at line %d%s%s%s "
			  "(a bug in labctl's capture writer; the file is kept)", path, je.text, je.line,
			  key ? ", key \"" : "", key ? key : "", key ? "\"" : "");
		free(key);
	} else {
		error_set(e, EXIT_INTERNAL, "%s is not JSON labctl reads: not an object (the file is kept)", path);
	}
	return NULL;
}

json_t *capture_read(const char *path, struct error *e)
{
	size_t len;
	char *text = read_file(path, &len);
	json_t *root;

	if (!text) {
		error_set(e, EXIT_INTERNAL, "%s: cannot read the capture", path);
		return NULL;
	}
	root = capture_parse(text, len, path, e);
	free(text);
	return root;
}
