/* Which Debian mirror the system's apt uses: apt_find_mirror() in apt.h. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/fs.h"
#include "lib/labctl.h"
#include "source/apt.h"

struct pick {
	bool security;	/* the -security archive, not the archive proper */
	char *uri;
	int score;	/* 0 none, 1 a suite of the kind, 2 ... on the usual path */
};

/* Apply FN to each space-separated word of LIST until it returns true. */
static bool any_word(const char *list, bool (*fn)(const char *w, size_t n, const void *d),
		     const void *data)
{
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n && fn(p, n, data))
			return true;
		p += n;
	}
	return false;
}

static bool is_word(const char *w, size_t n, const void *data)
{
	return n == strlen(data) && !strncmp(w, data, n);
}

/* The archive proper ("bookworm", "stable"), not -security, -updates or a/b. */
static bool is_plain_suite(const char *w, size_t n, const void *data)
{
	(void)data;
	return !memchr(w, '-', n) && !memchr(w, '/', n);
}

bool apt_is_security_suite(const char *suite, size_t n)
{
	return n > 9 && !strncmp(suite + n - 9, "-security", 9) && !memchr(suite, '/', n);
}

static bool is_security_suite(const char *w, size_t n, const void *data)
{
	(void)data;
	return apt_is_security_suite(w, n);
}

/* Does the URI's path end in /debian (/debian-security), as Debian's own
 * mirrors' do?  Those win over a third party's archive for the same suite. */
static int uri_score(const char *w, size_t n, bool security)
{
	const char *tail = security ? "/debian-security" : "/debian";
	size_t m = strlen(tail);

	while (n > 0 && w[n - 1] == '/')
		n--;
	return n >= m && !strncmp(w + n - m, tail, m) ? 2 : 1;
}

static bool consider_uri(const char *w, size_t n, const void *data)
{
	struct pick *p = (struct pick *)data;
	int score = uri_score(w, n, p->security);

	if (score > p->score) {
		free(p->uri);
		p->uri = xasprintf("%.*s", (int)n, w);
		p->score = score;
	}
	return false;
}

static void consider(struct pick *p, const char *types, const char *uris, const char *suites)
{
	if (types && uris && suites && any_word(types, is_word, "deb") &&
	    any_word(suites, p->security ? is_security_suite : is_plain_suite, NULL))
		any_word(uris, consider_uri, p);
}

/* "deb [options] URI SUITE COMPONENT..." */
static void parse_line(struct pick *p, char *line)
{
	char *type, *uri, *suite, *save;

	line += strspn(line, " \t");
	if (*line == '#' || !*line)
		return;
	type = strtok_r(line, " \t", &save);
	uri = strtok_r(NULL, " \t", &save);
	if (uri && *uri == '[') {
		while (uri && !strchr(uri, ']'))
			uri = strtok_r(NULL, " \t", &save);
		uri = strtok_r(NULL, " \t", &save);
	}
	suite = strtok_r(NULL, " \t", &save);
	consider(p, type, uri, suite);
}

static void parse_list(struct pick *p, char *text)
{
	char *save;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		parse_line(p, l);
}

struct stanza {
	char *types, *uris, *suites;
	bool disabled;
};

static void stanza_end(struct pick *p, struct stanza *s)
{
	if (!s->disabled)
		consider(p, s->types, s->uris, s->suites);
	*s = (struct stanza){ 0 };
}

/* One "Name: value" line of a deb822 stanza; values point into the text. */
static void stanza_field(struct stanza *s, char *line)
{
	char *colon = strchr(line, ':'), *value;

	if (!colon)
		return;
	*colon = '\0';
	value = colon + 1 + strspn(colon + 1, " \t");
	if (!strcasecmp(line, "Types"))
		s->types = value;
	else if (!strcasecmp(line, "URIs"))
		s->uris = value;
	else if (!strcasecmp(line, "Suites"))
		s->suites = value;
	else if (!strcasecmp(line, "Enabled"))
		s->disabled = !strncasecmp(value, "no", 2);
}

static void parse_deb822(struct pick *p, char *text)
{
	struct stanza s = { 0 };
	char *line = text, *next;

	for (; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[strspn(line, " \t\r")] == '\0')
			stanza_end(p, &s);
		else if (*line != '#' && *line != ' ' && *line != '\t')
			stanza_field(&s, line);
	}
	stanza_end(p, &s);
}

static void parse_file(struct pick *p, const char *path, bool deb822)
{
	char *text = read_file(path, NULL);

	if (!text)
		return;
	if (deb822)
		parse_deb822(p, text);
	else
		parse_list(p, text);
	free(text);
}

static int source_file(const struct dirent *d)
{
	return ends_with(d->d_name, ".list") || ends_with(d->d_name, ".sources");
}

char *apt_find_mirror(const char *etc_apt, bool security)
{
	struct pick p = { .security = security };
	char *path = xasprintf("%s/sources.list", etc_apt);
	char *dir = xasprintf("%s/sources.list.d", etc_apt);
	struct dirent **names = NULL;
	int n;

	parse_file(&p, path, false);
	n = scandir(dir, &names, source_file, alphasort);
	for (int i = 0; i < n; i++) {
		char *f = xasprintf("%s/%s", dir, names[i]->d_name);

		parse_file(&p, f, ends_with(f, ".sources"));
		free(f);
		free(names[i]);
	}
	free_all(names, path, dir);
	return p.uri;
}
