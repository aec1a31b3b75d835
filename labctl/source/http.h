/* Downloads over HTTP(S) with libcurl. */
#ifndef LABCTL_HTTP_H
#define LABCTL_HTTP_H

#include "lib/cache.h"
#include "lib/error.h"

/*
 * Download URL (http:// or https:// only, redirects followed) to DEST
 * through DEST.part, hashing it on the way; HAVE gets its SHA-256.  When
 * WANT (hex) is given and differs, or the transfer fails or stops short,
 * the .part is deleted and nothing is left at DEST.  Returns 0, or -1 with
 * E's code:
 *   EXIT_INPUT  SHA-256 mismatch, or the server answered with an HTTP error
 *   EXIT_ENV    the network or the disk failed, or the transfer was cut short
 */
int http_download(char have[SHA256_HEX_LEN + 1], const char *url, const char *dest,
		  const char *want, struct error *e);

#endif
