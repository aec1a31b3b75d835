/*
 * Document fingerprints by winnowing (Schleimer, Wilkerson, Aiken,
 * "Winnowing: Local Algorithms for Document Fingerprinting", SIGMOD 2003),
 * for telling a copied report from one written by its student.
 *
 * A text becomes a sequence of normalised tokens (text_token()), every run of
 * FP_K tokens is hashed, and of every FP_W consecutive hashes the smallest
 * is kept.  Two texts that share any run of FP_K + FP_W - 1 tokens share a
 * fingerprint, wherever the run stands in each: moving paragraphs around
 * does not hide it, and changing a word now and then breaks only the
 * k-grams that hold it.
 */
#ifndef LABCTL_FINGERPRINT_H
#define LABCTL_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/*
 * k: five tokens are rarer than a common phrase ("the kernel returns to")
 * but short enough that a word renamed every few words still leaves most
 * k-grams intact.  w: every shared run of k + w - 1 = 8 tokens is found.
 */
#define FP_K 5
#define FP_W 4

/* A token: a lowercased word or identifier (ASCII letters, digits, '_',
 * and letters of other alphabets), or one CJK character.  LEN bytes of
 * the text at START; CJK is set for a CJK character. */
struct token {
	const char *start;
	size_t len;
	int cjk;
};

/*
 * The next token of the text at *P, moving *P past it; 0 at the end.
 * Whitespace, punctuation and Markdown's marks are no tokens.
 */
int text_token(const char **p, struct token *t);
/* The code point of the UTF-8 sequence at S (at most N bytes) and its
 * length in *LEN; an invalid byte is U+FFFD of length 1. */
uint32_t utf8_decode(const char *s, size_t n, size_t *len);
/* Is C a CJK ideograph, kana or Hangul syllable: one word-like unit. */
int is_cjk(uint32_t c);
/* Does C belong in a word: ASCII letters, digits and '_', letters of other
 * alphabets; not CJK, nor the punctuation and fullwidth-form blocks. */
int is_word_char(uint32_t c);

/* A text's fingerprints: the selected hashes, sorted, each once. */
struct fingerprints {
	uint64_t *h;
	size_t n;
};

void fingerprints_of(struct fingerprints *fp, const char *text);
/* Remove from A every fingerprint of B (the template all students share). */
void fingerprints_minus(struct fingerprints *a, const struct fingerprints *b);
/* The share of A's fingerprints that are also B's: 0.0 to 1.0 (0 when A
 * has none). */
double fingerprints_share(const struct fingerprints *a, const struct fingerprints *b);
void fingerprints_free(struct fingerprints *fp);

#endif
