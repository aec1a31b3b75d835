/* Downloads with libcurl: see http.h. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "version.h"
#include "source/http.h"

struct sink {
	int fd;
	int err;		/* errno of a failed write */
	struct hasher *h;
	curl_off_t bytes;
};

static size_t on_data(char *buf, size_t size, size_t nmemb, void *data)
{
	struct sink *s = data;
	size_t n = size * nmemb;

	for (size_t done = 0; done < n;) {
		ssize_t w = write(s->fd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->err = errno;
			return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
		}
		done += w;
	}
	hasher_add(s->h, buf, n);
	s->bytes += n;
	return n;
}

static CURL *easy_for(const char *url, struct sink *s, char *errbuf, struct error *e)
{
	static bool inited;
	CURL *curl;

	if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		error_set(e, EXIT_ENV, "cannot initialise libcurl");
		return NULL;
	}
	inited = true;
	curl = curl_easy_init();
	if (!curl) {
		error_set(e, EXIT_ENV, "cannot initialise libcurl");
		return NULL;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 KB/s for a minute) is a failed one. */
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "labctl/" LABCTL_VERSION);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	return curl;
}

/* E for a failed transfer; -1. */
static int transfer_failure(CURL *curl, CURLcode rc, const struct sink *s,
			    const char *url, const char *errbuf, struct error *e)
{
	long status = 0;
	curl_off_t length = -1;

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
	if (rc == CURLE_WRITE_ERROR && s->err == ENOSPC)
		return error_set(e, EXIT_ENV, "no space left on the device downloading %s; "
				 "nothing kept", url);
	if (rc == CURLE_WRITE_ERROR)
		return error_set(e, EXIT_ENV, "cannot write the download of %s: %s; nothing kept",
				 url, strerror(s->err));
	if (rc == CURLE_HTTP_RETURNED_ERROR)
		return error_set(e, EXIT_INPUT, "cannot download %s: HTTP status %ld", url, status);
	if (rc == CURLE_PARTIAL_FILE)
		return error_set(e, EXIT_ENV, "download of %s interrupted after %lld of %lld bytes; "
				 "nothing kept", url, (long long)s->bytes, (long long)length);
	return error_set(e, EXIT_ENV, "cannot download %s: %s; nothing kept", url,
			 *errbuf ? errbuf : curl_easy_strerror(rc));
}

int http_download(char have[SHA256_HEX_LEN + 1], const char *url, const char *dest,
		  const char *want, struct error *e)
{
	char *part = xasprintf("%s.part", dest), errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { 0 };
	double t0 = now();
	CURL *curl;
	CURLcode rc;
	int ret = 0;

	s.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s.fd < 0) {
		error_set(e, EXIT_ENV, "cannot create %s: %m", part);
		free(part);
		return -1;
	}
	curl = easy_for(url, &s, errbuf, e);
	if (!curl) {
		close(s.fd);
		unlink(part);
		free(part);
		return -1;
	}
	s.h = hasher_new();
	note("downloading %s", url);
	rc = curl_easy_perform(curl);
	if (close(s.fd) < 0 && rc == CURLE_OK) {
		s.err = errno;
		rc = CURLE_WRITE_ERROR;
	}
	hasher_hex(s.h, have);
	if (rc != CURLE_OK)
		ret = transfer_failure(curl, rc, &s, url, errbuf, e);
	else if (want && strcasecmp(want, have))
		ret = error_set(e, EXIT_INPUT, "SHA-256 mismatch for %s: expected %s, got %s; "
				"the download was deleted", url, want, have);
	else if (rename(part, dest) < 0)
		ret = error_set(e, EXIT_ENV, "cannot rename %s: %s", part, strerror(errno));
	if (ret)
		unlink(part);
	else
		note("downloaded %.1f MB in %.1f s", s.bytes / 1e6, now() - t0);
	curl_easy_cleanup(curl);
	free(part);
	return ret;
}
