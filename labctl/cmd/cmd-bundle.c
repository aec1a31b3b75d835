/*
 * labctl bundle export|import: a built kernel carried to another machine
 * (a CI job that grades with the kernel another job built), as one archive
 * (kbuild/bundle.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "kbuild/bundle.h"
#include "kbuild/kernel.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "source/http.h"
#include "source/versions.h"

static const char usage[] =
	"usage: labctl bundle export [--kernel VERSION] [--json] FILE\n"
	"       labctl bundle import [--json] FILE|URL\n"
	"\n"
	"export writes the built kernel (vmlinux, its config, the source files a\n"
	"trace reads) to FILE, one archive with relative paths; import checks such\n"
	"a FILE (or one downloaded from an http(s) URL) against its manifest and\n"
	"makes it the cache's kernel of its series, as if built here.  Prints the\n"
	"archive (export) or the kernel's directory.\n";

/* FILE, or the bundle at the http(s) URL downloaded into the cache, to
 * import then remove (*TEMP). */
static char *local_bundle(const char *arg, char **temp)
{
	char have[SHA256_HEX_LEN + 1], *name;
	struct error e;

	*temp = NULL;
	if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
		return xstrdup(arg);
	name = xasprintf("bundle.%d.tar.zst", (int)getpid());
	*temp = cache_path("downloads", name, &e);
	free(name);
	if (!*temp || http_download(have, arg, *temp, NULL, &e) < 0)
		die_error(&e);
	note("downloaded %s (sha256 %s)", arg, have);
	return xstrdup(*temp);
}

static void print_result(const struct bundle_info *b, const char *path, bool json)
{
	json_t *j;

	if (!json) {
		printf("%s\n", path);
		return;
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "path", path, "key", b->key,
		      "version", b->version, "files", (json_int_t)b->files,
		      "bytes", (json_int_t)b->bytes, "existed", b->existed);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(j);
}

int cmd_bundle(int argc, char **argv)
{
	const char *version = NULL;
	bool json = false;
	const struct option_def options[] = {
		KERNEL_OPTION(&version),
		OPT_FLAG(0, "json", &json, "print the bundle's key, version, files and size as JSON"),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options } };
	struct bundle_info b;
	struct kernel k;
	struct error e;
	const char *verb;
	char *dir, *path, *temp;
	int rc, i = parse_command_line(&cl, argc, argv);

	if (i >= argc)
		die(EXIT_USAGE, "bundle: export or import?");
	verb = argv[i++];
	if (strcmp(verb, "export") && strcmp(verb, "import"))
		die(EXIT_USAGE, "bundle: '%s' is neither export nor import", verb);
	if (i != argc - 1)
		die(EXIT_USAGE, "bundle %s: one FILE", verb);
	if (!strcmp(verb, "export")) {
		if (kernel_load(&k, version, &e) < 0 || bundle_export(&k, argv[i], &b, &e) < 0)
			die_error(&e);
		note("%s: Linux %s (%s), %zu files, %.0f MiB uncompressed", argv[i], b.version,
		     b.key, b.files, b.bytes / 1048576.0);
		print_result(&b, argv[i], json);
		kernel_free(&k);
	} else {
		if (version)
			die(EXIT_USAGE, "bundle import: the bundle says which kernel it is (no --kernel)");
		path = local_bundle(argv[i], &temp);
		rc = bundle_import(path, &b, &e);
		if (temp)
			unlink(temp);
		free_all(path, temp);
		if (rc < 0)
			die_error(&e);
		dir = xasprintf("%s/kernels/%s", cache_root(), b.key);
		note("%s Linux %s (%s): %zu files checked%s", b.existed ? "kept" : "imported",
		     b.version, b.key, b.files, b.existed ? ", the cache had it already" : "");
		print_result(&b, dir, json);
		free(dir);
	}
	bundle_info_free(&b);
	return EXIT_OK;
}
