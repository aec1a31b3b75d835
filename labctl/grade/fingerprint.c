/*
 * Winnowing (Schleimer, Wilkerson, Aiken, "Winnowing: Local Algorithms for
 * Document Fingerprinting", SIGMOD 2003), over words rather than the
 * paper's characters: a report's words are what a copier keeps, its
 * spacing, punctuation and Markdown are what it changes for free.
 */
#include <stdlib.h>
#include <string.h>

#include "grade/fingerprint.h"
#include "lib/labctl.h"

/*
 * UTF-8 by hand: the tokens need only "which code point, how long", and
 * the whole decoder is these lines (libunistring would be a dependency of
 * labctl for them alone).
 */
uint32_t utf8_decode(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t need;

	if (u[0] < 0x80) {
		*len = 1;
		return u[0];
	}
	if ((u[0] & 0xe0) == 0xc0)
		need = 2, c = u[0] & 0x1f;
	else if ((u[0] & 0xf0) == 0xe0)
		need = 3, c = u[0] & 0x0f;
	else if ((u[0] & 0xf8) == 0xf0)
		need = 4, c = u[0] & 0x07;
	else
		need = 0, c = 0;
	for (size_t i = 1; i < need; i++) {
		if (i >= n || (u[i] & 0xc0) != 0x80) {
			need = 0;
			break;
		}
		c = c << 6 | (u[i] & 0x3f);
	}
	if (!need) {
		*len = 1;
		return 0xfffd;
	}
	*len = need;
	return c;
}

int is_cjk(uint32_t c)
{
	return (c >= 0x3040 && c <= 0x30ff) ||		/* hiragana, katakana */
	       (c >= 0x3400 && c <= 0x4dbf) ||		/* CJK extension A */
	       (c >= 0x4e00 && c <= 0x9fff) ||		/* CJK unified ideographs */
	       (c >= 0xac00 && c <= 0xd7af) ||		/* Hangul syllables */
	       (c >= 0xf900 && c <= 0xfaff) ||		/* compatibility ideographs */
	       (c >= 0x20000 && c <= 0x3134f);		/* extensions B-G */
}

int is_word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       (c >= '0' && c <= '9') || c == '_';
	return c != 0xfffd && !is_cjk(c) && !(c >= 0x2000 && c <= 0x2bff) &&
	       !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xffef);
}

int text_token(const char **p, struct token *t)
{
	const char *s = *p;
	size_t n = strlen(s), len;
	uint32_t c;

	for (;;) {
		if (!*s) {
			*p = s;
			return 0;
		}
		c = utf8_decode(s, n, &len);
		if (is_cjk(c)) {
			*t = (struct token){ s, len, 1 };
			*p = s + len;
			return 1;
		}
		if (is_word_char(c))
			break;
		s += len;
		n -= len;
	}
	t->start = s;
	t->cjk = 0;
	while (*s && is_word_char(c = utf8_decode(s, n, &len))) {
		s += len;
		n -= len;
	}
	t->len = (size_t)(s - t->start);
	*p = s;
	return 1;
}

/* FNV-1a of the token, ASCII lowercased: "Kernel" and "kernel" are one. */
static uint64_t token_hash(const struct token *t)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < t->len; i++) {
		unsigned char b = (unsigned char)t->start[i];

		h ^= b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The k-gram's hash: its tokens' hashes, in order, mixed (splitmix64's
 * finaliser) so that the minimum of a window is a fair draw. */
static uint64_t kgram_hash(const uint64_t *th)
{
	uint64_t h = 0;

	for (int i = 0; i < FP_K; i++) {
		h = (h ^ th[i]) + 0x9e3779b97f4a7c15ULL;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void fingerprints_of(struct fingerprints *fp, const char *text)
{
	uint64_t *th = NULL, *kh;
	size_t nt = 0, cap = 0, nk, nwin, out = 0;
	const char *p = text ? text : "";
	struct token t;
	size_t last = (size_t)-1;

	while (text_token(&p, &t)) {
		if (nt == cap)
			th = xrealloc(th, (cap = cap ? 2 * cap : 256) * sizeof(*th));
		th[nt++] = token_hash(&t);
	}
	fp->h = NULL;
	fp->n = 0;
	if (nt < FP_K) {
		free(th);
		return;
	}
	nk = nt - FP_K + 1;
	kh = xmalloc(nk * sizeof(*kh));
	for (size_t i = 0; i < nk; i++)
		kh[i] = kgram_hash(th + i);
	free(th);
	/* A text shorter than one window is one window. */
	nwin = nk >= FP_W ? nk - FP_W + 1 : 1;
	fp->h = xmalloc(nwin * sizeof(*fp->h));
	for (size_t w = 0; w < nwin; w++) {
		size_t end = w + FP_W < nk ? w + FP_W : nk, min = w;

		/* The rightmost minimum, as the paper's robust winnowing
		 * picks it: a run of equal hashes gives one fingerprint. */
		for (size_t i = w; i < end; i++)
			if (kh[i] <= kh[min])
				min = i;
		if (min != last)
			fp->h[out++] = kh[min];
		last = min;
	}
	free(kh);
	qsort(fp->h, out, sizeof(*fp->h), cmp_u64);
	for (size_t i = 0; i < out; i++)
		if (!fp->n || fp->h[fp->n - 1] != fp->h[i])
			fp->h[fp->n++] = fp->h[i];
}

static int has(const struct fingerprints *fp, uint64_t h)
{
	return bsearch(&h, fp->h, fp->n, sizeof(h), cmp_u64) != NULL;
}

void fingerprints_minus(struct fingerprints *a, const struct fingerprints *b)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		if (!has(b, a->h[i]))
			a->h[n++] = a->h[i];
	a->n = n;
}

double fingerprints_share(const struct fingerprints *a, const struct fingerprints *b)
{
	size_t common = 0;

	for (size_t i = 0; i < a->n; i++)
		common += has(b, a->h[i]);
	return a->n ? (double)common / (double)a->n : 0.0;
}

void fingerprints_free(struct fingerprints *fp)
{
	free(fp->h);
	fp->h = NULL;
	fp->n = 0;
}
