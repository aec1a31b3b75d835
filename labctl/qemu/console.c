/* The guest's serial console: see console.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "qemu/console.h"

#define NO_RUN ((size_t)-1)

/* The run LABEL, added when the console has not mentioned it before. */
static size_t run_index(struct console *c, const char *label)
{
	for (size_t i = 0; i < c->nruns; i++)
		if (!strcmp(c->runs[i].label, label))
			return i;
	c->runs = xrealloc(c->runs, (c->nruns + 1) * sizeof(*c->runs));
	c->runs[c->nruns] = (struct console_run){ .label = xstrdup(label), .waiting_in = -1 };
	return c->nruns++;
}

static void add_output(struct console_run *r, const char *text)
{
	size_t have = r->output ? strlen(r->output) : 0, n = strlen(text);

	if (have >= CONSOLE_OUTPUT_KEEP)
		return;
	r->output = xrealloc(r->output, have + n + 2);
	memcpy(r->output + have, text, n);
	memcpy(r->output + have + n, "\n", 2);
}

/* "LABCTL grade LABEL WORD [REST]", from LABEL on; *OPEN is the run whose
 * output the "| " lines are. */
static void grade_line(struct console *c, char *line, size_t *open)
{
	char *word = strchr(line, ' '), *rest;
	struct console_run *r;
	size_t i;

	if (!word)
		return;
	*word++ = '\0';
	rest = word + strcspn(word, " ");
	if (*rest)
		*rest++ = '\0';
	i = run_index(c, line);
	r = &c->runs[i];
	if (!strcmp(word, "start")) {
		r->started = true;
		*open = i;
		return;
	}
	if (!strcmp(word, "output")) {
		r->printed = strtoul(rest, NULL, 10);
		return;
	}
	if (!strcmp(word, "exit"))
		r->end = RUN_EXIT;
	else if (!strcmp(word, "signal"))
		r->end = RUN_SIGNAL;
	else if (!strcmp(word, "timeout"))
		r->end = RUN_TIMEOUT;
	else if (!strcmp(word, "cannot-run"))
		r->end = RUN_CANNOT_RUN;
	else
		return;
	r->value = atoi(rest);
	if (r->end == RUN_TIMEOUT) {
		char *in = strstr(rest, " syscall ");

		r->waiting_in = in ? strtol(in + strlen(" syscall "), NULL, 10) : -1;
		free(r->timeout);
		r->timeout = xasprintf("%.*s", (int)strcspn(rest, " "), rest);
	}
	if (*open == i)
		*open = NO_RUN;
}

static void parse_line(struct console *c, char *line, size_t *open, const char **said)
{
	char name[64];
	int n;
	char *p;

	if (!strncmp(line, "| ", 2)) {
		if (*open != NO_RUN)
			add_output(&c->runs[*open], line + 2);
	} else if (!strncmp(line, "LABCTL grade ", 13)) {
		grade_line(c, line + 13, open);
	} else if (sscanf(line, "LABCTL scenario done status=%d", &n) == 1) {
		c->done = true;
		c->status = n;
	} else if (sscanf(line, "LABCTL step %63s exit %d", name, &n) == 2) {
		if (n && !c->failed_step) {
			c->failed_step = xstrdup(name);
			c->failed_status = n;
			c->failed_said = *said ? xstrdup(*said) : NULL;
		}
	} else if (!strncmp(line, "LABCTL error: ", 14)) {
		if (!c->error)
			c->error = xstrdup(line + 14);
	} else if (!strncmp(line, "server: listening on ", 21)) {
		if (!c->server)
			c->server = xstrdup(line + 21);
	} else if ((p = strstr(line, "Kernel panic - not syncing")) && !c->panic) {
		c->panic = xstrdup(p);
	} else if (strncmp(line, "LABCTL ", 7) && *line) {
		*said = line;
	}
}

void console_parse(struct console *c, const char *text)
{
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	size_t open = NO_RUN;
	const char *said = NULL;   /* into COPY */

	memset(c, 0, sizeof(*c));
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(l);

		/* The serial line ends lines with \r\n. */
		if (len && l[len - 1] == '\r')
			l[len - 1] = '\0';
		parse_line(c, l, &open, &said);
	}
	free(copy);
}

int console_read(struct console *c, const char *path, struct error *e)
{
	char *text = read_file(path, NULL);

	if (!text) {
		memset(c, 0, sizeof(*c));
		return error_set(e, EXIT_ENV, "cannot read %s: %s", path, strerror(errno));
	}
	console_parse(c, text);
	free(text);
	return 0;
}

const struct console_run *console_run(const struct console *c, const char *label)
{
	for (size_t i = 0; i < c->nruns; i++)
		if (!strcmp(c->runs[i].label, label))
			return &c->runs[i];
	return NULL;
}

void console_free(struct console *c)
{
	for (size_t i = 0; i < c->nruns; i++)
		free_all(c->runs[i].label, c->runs[i].timeout, c->runs[i].output);
	free_all(c->runs, c->failed_step, c->failed_said, c->error, c->panic, c->server);
	memset(c, 0, sizeof(*c));
}
