/* The guest's outcome, from its serial console: see outcome.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "labctl.h"
#include "outcome.h"

/* A copy of LINE without the carriage return the serial line adds. */
static char *clean(const char *line)
{
	char *s = xstrdup(line);

	s[strcspn(s, "\r")] = '\0';
	return s;
}

static void parse_line(struct outcome *o, char *line)
{
	char name[64];
	int n;
	char *p;

	if (sscanf(line, "LABCTL scenario done status=%d", &n) == 1) {
		o->done = true;
		o->status = n;
	} else if (sscanf(line, "LABCTL step %63s exit %d", name, &n) == 2) {
		if (n && !o->failed_step) {
			o->failed_step = xstrdup(name);
			o->failed_status = n;
		}
	} else if (!strncmp(line, "LABCTL error: ", 14) && !o->error) {
		o->error = clean(line + 14);
	} else if ((p = strstr(line, "Kernel panic - not syncing")) && !o->panic) {
		o->panic = clean(p);
	}
}

int outcome_read(struct outcome *o, const char *serial_log)
{
	char *text = read_file(serial_log, NULL), *save;

	memset(o, 0, sizeof(*o));
	if (!text)
		return -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		parse_line(o, l);
	free(text);
	return 0;
}

void outcome_free(struct outcome *o)
{
	free(o->failed_step);
	free(o->panic);
	free(o->error);
	memset(o, 0, sizeof(*o));
}
