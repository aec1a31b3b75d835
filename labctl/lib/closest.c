/* Closest words: see closest.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/closest.h"
#include "lib/labctl.h"

/* The distance between A's first LA bytes and B's first LB. */
static size_t levenshtein(const char *a, size_t la, const char *b, size_t lb)
{
	size_t *row = xcalloc(lb + 1, sizeof(*row)), d;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

size_t edit_distance(const char *a, const char *b)
{
	return levenshtein(a, strlen(a), b, strlen(b));
}

size_t word_distance(const char *given, size_t len, const char *name, size_t min_prefix)
{
	size_t d = levenshtein(given, len, name, strlen(name));

	if (d > 1 && len && len >= min_prefix && !strncmp(name, given, len))
		return 1;
	return d;
}

const char *closest_word(const char *given, size_t len, const char *const *words)
{
	const char *best = NULL;
	size_t best_d = 3, d;

	for (; *words; words++) {
		d = word_distance(given, len, *words, 1);
		if (d < best_d) {
			best_d = d;
			best = *words;
		}
	}
	return best;
}
