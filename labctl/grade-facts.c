/*
 * What the kernel saw, as `labctl trace` reports it (report.json), reduced
 * to the facts the checks need.  The fields read (see ci/SUBMISSION.md):
 *
 *   kernel.version                          "5.10.223"
 *   program.{started, exited, exit_status, detail}
 *   syscall.{nr, orig_ax, user_rip, comm, pid, args[6], ret}
 *   syscall.decoded.{fd_is_socket, sockaddr.{family, addr, port}}
 *   scenario.server_listening
 *   handler                                 "tcp_v4_connect"
 *   backtrace[]                             innermost frame first
 *
 * Numbers are JSON integers or "0x..." strings (addresses do not fit a
 * double); "syscall" is absent or null when the call never happened.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fs.h"
#include "grade.h"
#include "labctl.h"

static bool num(json_t *j, unsigned long *out)
{
	const char *s;
	char *end;

	if (json_is_integer(j)) {
		*out = (unsigned long)json_integer_value(j);
		return true;
	}
	if (!json_is_string(j))
		return false;
	s = json_string_value(j);
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno == ERANGE || end == s || *end) {
		long v = strtol(s, &end, 0);	/* a negative return value */

		if (end == s || *end)
			return false;
		*out = (unsigned long)v;
	}
	return true;
}

static char *str(json_t *j)
{
	return json_is_string(j) ? xstrdup(json_string_value(j)) : NULL;
}

static enum tri tri(json_t *j)
{
	return json_is_boolean(j) ? (json_is_true(j) ? TRI_YES : TRI_NO) : TRI_UNKNOWN;
}

static int family(json_t *j)
{
	unsigned long v;

	if (json_is_string(j) && !strcmp(json_string_value(j), "AF_INET"))
		return AF_INET;
	if (json_is_string(j) && !strcmp(json_string_value(j), "AF_INET6"))
		return AF_INET6;
	if (json_is_string(j) && !strcmp(json_string_value(j), "AF_UNIX"))
		return AF_UNIX;
	return num(j, &v) ? (int)v : -1;
}

static void parse_syscall(struct trace_facts *f, json_t *sc)
{
	json_t *args = json_object_get(sc, "args"), *dec = json_object_get(sc, "decoded");
	json_t *sa = json_object_get(dec, "sockaddr");
	unsigned long v;
	char *comm;

	f->syscall_seen = true;
	if (num(json_object_get(sc, "nr"), &v))
		f->nr = (long)v;
	num(json_object_get(sc, "orig_ax"), &f->orig_ax);
	num(json_object_get(sc, "user_rip"), &f->user_rip);
	comm = str(json_object_get(sc, "comm"));
	if (comm)
		snprintf(f->comm, sizeof(f->comm), "%s", comm);
	free(comm);
	if (num(json_object_get(sc, "pid"), &v))
		f->pid = (int)v;
	for (size_t i = 0; i < 6 && i < json_array_size(args); i++)
		num(json_array_get(args, i), &f->args[i]);
	f->returned = num(json_object_get(sc, "ret"), &v);
	f->ret = (long)v;
	f->fd_is_socket = tri(json_object_get(dec, "fd_is_socket"));
	f->sa_family = sa ? family(json_object_get(sa, "family")) : -1;
	f->sa_addr = str(json_object_get(sa, "addr"));
	if (num(json_object_get(sa, "port"), &v))
		f->sa_port = (int)v;
}

int trace_facts_parse(struct trace_facts *f, const char *text, char **err)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je), *prog, *sc, *bt;
	unsigned long v;

	memset(f, 0, sizeof(*f));
	f->nr = -1;
	f->sa_family = -1;
	f->fd_is_socket = f->server_listening = TRI_UNKNOWN;
	if (!json_is_object(root)) {
		*err = xasprintf("the trace report is not JSON: %s (line %d)", je.text, je.line);
		json_decref(root);
		return -1;
	}
	f->kernel_version = str(json_object_get(json_object_get(root, "kernel"), "version"));
	prog = json_object_get(root, "program");
	f->ran = json_is_true(json_object_get(prog, "started"));
	f->finished = json_is_true(json_object_get(prog, "exited"));
	if (num(json_object_get(prog, "exit_status"), &v))
		f->exit_status = (int)v;
	f->finish_detail = str(json_object_get(prog, "detail"));
	sc = json_object_get(root, "syscall");
	if (json_is_object(sc))
		parse_syscall(f, sc);
	f->server_listening = tri(json_object_get(json_object_get(root, "scenario"),
						  "server_listening"));
	f->handler = str(json_object_get(root, "handler"));
	bt = json_object_get(root, "backtrace");
	f->frames = xcalloc(json_array_size(bt) + 1, sizeof(char *));
	for (size_t i = 0; i < json_array_size(bt); i++) {
		json_t *fr = json_array_get(bt, i);
		char *name = str(json_is_object(fr) ? json_object_get(fr, "function") : fr);

		if (name)
			f->frames[f->nframes++] = name;
	}
	json_decref(root);
	return 0;
}

int trace_facts_load(struct trace_facts *f, const char *path, char **err)
{
	char *text = read_file(path, NULL);
	int rc;

	if (!text) {
		memset(f, 0, sizeof(*f));
		*err = xasprintf("cannot read the trace report %s: %s", path, strerror(errno));
		return -1;
	}
	rc = trace_facts_parse(f, text, err);
	free(text);
	return rc;
}

void trace_facts_free(struct trace_facts *f)
{
	free(f->kernel_version);
	free(f->finish_detail);
	free(f->sa_addr);
	free(f->handler);
	for (size_t i = 0; i < f->nframes; i++)
		free(f->frames[i]);
	free(f->frames);
	memset(f, 0, sizeof(*f));
}
