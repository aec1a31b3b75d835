/*
 * "Did you mean ...": how close a mistyped word is to the valid ones, for
 * the system call names, the options and the commands alike.
 */
#ifndef LABCTL_CLOSEST_H
#define LABCTL_CLOSEST_H

#include <stddef.h>

/* Levenshtein distance between A and B. */
size_t edit_distance(const char *a, const char *b);
/*
 * How far GIVEN (its first LEN bytes) is from NAME: the edit distance, but
 * 1 when GIVEN starts NAME and is at least MIN_PREFIX long ("getpi",
 * "--forc", "tr"): the start of a word is as good a guess as a typo.
 */
size_t word_distance(const char *given, size_t len, const char *name, size_t min_prefix);
/* The word of WORDS (NULL-ended) at distance 1 or 2 from GIVEN (its first
 * LEN bytes), the closest, the first of equals; NULL when none is that close. */
const char *closest_word(const char *given, size_t len, const char *const *words);

#endif
