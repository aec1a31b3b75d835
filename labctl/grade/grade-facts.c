/*
 * What the guest showed, reduced to the facts the checks need.
 *
 * The trace: `labctl trace`'s report.json, schema labctl-trace/1
 * (gdb/SCHEMA.md).  The fields read:
 *
 *   schema, ok, error
 *   setup.kernel.release                    "5.10.223"
 *   setup.syscall.nr, setup.program.exe
 *   filter.rejected_sample[].{exe, rax, reason}
 *   user.task.{pid, comm, exe}, user.args.raw[6]
 *   user.args.sockaddr.{family, address, port}
 *   pt_regs.fields[].{field, value}         orig_ax, ip
 *   dispatch.pt_regs.fields[]               orig_ax, as the handler reads it
 *   dispatch.hits[].{what, at.symbol, backtrace[].function}
 *   dispatch.socket                         null, {..., error} or the socket
 *   return.regs_ax_signed
 *
 * Addresses and register values are "0x..." strings; counts and the
 * syscall number are JSON numbers.
 *
 * The run: how grade_run said it ended on the guest's console,
 * as console.c read it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade/grade.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/lang.h"
#include "lib/strvec.h"
#include "qemu/console.h"
#include "trace/capture.h"

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
		long v = strtol(s, &end, 0);	/* a negative value */

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

static json_t *path(json_t *j, const char *a, const char *b, const char *c)
{
	j = json_object_get(j, a);
	if (b)
		j = json_object_get(j, b);
	if (c)
		j = json_object_get(j, c);
	return j;
}

void trace_facts_init(struct trace_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->nr = -1;
	f->other_nr = -1;
	f->waiting_in = -1;
	f->sa_family = -1;
	f->fd_is_socket = f->server_listening = TRI_UNKNOWN;
}

/* pt_regs.fields[]: the value of FIELD. */
static bool pt_regs_field(json_t *regs, const char *field, unsigned long *out)
{
	json_t *fields = json_object_get(regs, "fields"), *fl;
	size_t i;

	json_array_foreach(fields, i, fl) {
		json_t *name = json_object_get(fl, "field");

		if (json_is_string(name) && !strcmp(json_string_value(name), field))
			return num(json_object_get(fl, "value"), out);
	}
	return false;
}

static void parse_user(struct trace_facts *f, json_t *root)
{
	json_t *user = json_object_get(root, "user"), *task = json_object_get(user, "task");
	json_t *raw = path(user, "args", "raw", NULL), *sa = path(user, "args", "sockaddr", NULL);
	unsigned long v;
	char *comm;

	if (!json_is_object(task))
		return;
	f->syscall_seen = true;
	comm = str(json_object_get(task, "comm"));
	if (comm)
		snprintf(f->comm, sizeof(f->comm), "%s", comm);
	free(comm);
	f->exe = str(json_object_get(task, "exe"));
	if (num(json_object_get(task, "pid"), &v))
		f->pid = (int)v;
	for (size_t i = 0; i < 6 && i < json_array_size(raw); i++)
		num(json_array_get(raw, i), &f->args[i]);
	/*
	 * The saved registers: orig_ax as the handler reads it (6.x's int
	 * $0x80 entry pushes -1 there; do_int80_emulation moves the number in)
	 * and the return address ip.
	 */
	if (!pt_regs_field(path(root, "dispatch", "pt_regs", NULL), "orig_ax", &f->orig_ax) &&
	    !pt_regs_field(json_object_get(root, "pt_regs"), "orig_ax", &f->orig_ax))
		num(path(user, "regs", "rax", NULL), &f->orig_ax);
	if (!pt_regs_field(json_object_get(root, "pt_regs"), "ip", &f->user_rip))
		num(json_object_get(user, "next_pc"), &f->user_rip);
	f->call_function = str(path(root, "setup", "program", "function"));
	if (json_is_object(sa)) {
		if (num(json_object_get(sa, "family"), &v))
			f->sa_family = (int)v;
		f->sa_addr = str(json_object_get(sa, "address"));
		if (num(json_object_get(sa, "port"), &v))
			f->sa_port = (int)v;
	}
}

static void add_frame(struct trace_facts *f, const char *name)
{
	for (size_t i = 0; i < f->nframes; i++)
		if (!strcmp(f->frames[i], name))
			return;
	f->frames = xrealloc(f->frames, (f->nframes + 1) * sizeof(char *));
	f->frames[f->nframes++] = xstrdup(name);
}

/* The deepest hit: the protocol's method, else the proto_ops method, else
 * the syscall's handler (hits come in the order the CPU reached them). */
static void parse_dispatch(struct trace_facts *f, json_t *root)
{
	static const char *const depth[] = { "proto_method", "ops_method", "handler" };
	json_t *hits = path(root, "dispatch", "hits", NULL), *sock = path(root, "dispatch", "socket", NULL);
	json_t *deepest = NULL, *h, *fr;
	size_t i;

	if (json_is_object(sock))
		f->fd_is_socket = json_object_get(sock, "error") ? TRI_NO : TRI_YES;
	f->syscall_handler = str(path(json_array_get(hits, 0), "at", "symbol", NULL));
	for (size_t d = 0; d < 3 && !deepest; d++)
		json_array_foreach(hits, i, h) {
			json_t *what = json_object_get(h, "what");

			if (json_is_string(what) && !strcmp(json_string_value(what), depth[d]))
				deepest = h;
		}
	if (!deepest)
		return;
	f->handler = str(path(deepest, "at", "symbol", NULL));
	json_array_foreach(json_object_get(deepest, "backtrace"), i, fr) {
		json_t *fn = json_object_get(fr, "function");

		if (json_is_string(fn) && *json_string_value(fn))
			add_frame(f, json_string_value(fn));
	}
}

/* A stop of the program's own syscall instruction with another number. */
static void parse_filter(struct trace_facts *f, json_t *root)
{
	json_t *r;
	size_t i;

	/* The filter judges the executable first: a stop rejected for its
	 * number was the program's own (setup, which names the program, is
	 * only written once the call is seen). */
	json_array_foreach(path(root, "filter", "rejected_sample", NULL), i, r) {
		const char *why = json_string_value(json_object_get(r, "reason"));
		unsigned long rax;

		if (why && strstr(why, "number") && num(json_object_get(r, "rax"), &rax)) {
			f->other_nr = (long)rax;
			return;
		}
	}
}

/* A call that did not come back to the instruction after it (gdb/SCHEMA.md,
 * end): the task exited, a signal's handler ran first (the call's value
 * is in the frame the kernel wrote), or another program runs (execve). */
static void parse_end(struct trace_facts *f, json_t *end, unsigned long *ret)
{
	json_t *sig = path(end, "frame_replaced", "signal", NULL);
	const char *how = json_string_value(json_object_get(end, "how"));
	unsigned long v;

	if (!how)
		return;
	if (!strcmp(how, "exit")) {
		f->call_ended_task = true;
		if (num(json_object_get(end, "status"), &v))
			f->call_exit_status = (int)v;
		f->exit_signal = str(json_object_get(end, "signal_name"));
	} else if (json_is_object(sig)) {
		f->returned = num(json_object_get(sig, "saved_ax_signed"), ret) ||
			      num(json_object_get(sig, "saved_ax"), ret);
		f->signal_name = str(json_object_get(sig, "name"));
	} else {
		f->new_exe = str(json_object_get(end, "exe"));
	}
}

int trace_facts_parse(struct trace_facts *f, const char *text, char **err)
{
	struct error e;
	json_t *root = capture_parse(text, strlen(text), "the trace report", &e), *schema;
	unsigned long v;

	if (!root) {
		*err = xstrdup(e.msg);
		return -1;
	}
	schema = json_object_get(root, "schema");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), TRACE_SCHEMA)) {
		*err = xasprintf("the trace report's schema is %s%s%s, not %s: this labctl "
				 "cannot grade on it", json_is_string(schema) ? "'" : "",
				 json_is_string(schema) ? json_string_value(schema) : "missing",
				 json_is_string(schema) ? "'" : "", TRACE_SCHEMA);
		json_decref(root);
		return -1;
	}
	f->capture_ok = json_is_true(json_object_get(root, "ok"));
	if (!f->capture_ok && !f->trace_error)
		f->trace_error = str(json_object_get(root, "error"));
	free(f->kernel_version);
	f->kernel_version = str(path(root, "setup", "kernel", "release"));
	if (num(path(root, "setup", "syscall", "nr"), &v))
		f->nr = (long)v;
	parse_filter(f, root);
	parse_user(f, root);
	parse_dispatch(f, root);
	v = 0;
	f->returned = num(path(root, "return", "regs_ax_signed", NULL), &v) ||
		      num(path(root, "return", "regs_ax", NULL), &v);
	parse_end(f, json_object_get(root, "end"), &v);
	f->ret = (long)v;
	json_decref(root);
	return 0;
}

int trace_facts_load(struct trace_facts *f, const char *file, char **err)
{
	char *text = read_file(file, NULL);
	int rc;

	if (!text) {
		*err = xasprintf("cannot read the trace report %s: %s", file, strerror(errno));
		return -1;
	}
	rc = trace_facts_parse(f, text, err);
	free(text);
	return rc;
}

static void set_detail(struct trace_facts *f, char *detail)
{
	free(f->finish_detail);
	f->finish_detail = detail;
}

bool trace_facts_console(struct trace_facts *f, const struct console *c, const char *label)
{
	const struct console_run *r = console_run(c, label);

	free(f->output);
	f->output = r && r->output ? xstrdup(r->output) : NULL;
	if (!r)
		return false;
	switch (r->end) {
	case RUN_EXIT:
		f->ran = f->finished = true;
		f->exit_status = r->value;
		break;
	case RUN_SIGNAL:
		f->ran = true;
		set_detail(f, xasprintf(L_("it was killed by signal %d (%s)"), r->value,
					strsignal(r->value)));
		break;
	case RUN_TIMEOUT:
		f->ran = true;
		set_detail(f, xasprintf(L_("it was still running after %s s and was stopped"),
					r->timeout));
		f->waiting_in = r->waiting_in;
		break;
	case RUN_CANNOT_RUN:
		set_detail(f, xstrdup(L_("the guest could not execute it")));
		break;
	case RUN_UNENDED:
		if (r->started && !f->ran && !f->finish_detail)
			set_detail(f, xstrdup(L_("the guest stopped before it ended")));
		break;
	}
	if (r->printed > 8192 && f->finish_detail)
		set_detail(f, xasprintf(L_("%s; it printed %lu bytes"), f->finish_detail, r->printed));
	return r->started;
}

void trace_facts_free(struct trace_facts *f)
{
	free_all(f->kernel_version, f->finish_detail, f->output, f->trace_error, f->exe,
		 f->sa_addr, f->server, f->syscall_handler, f->call_function, f->signal_name,
		 f->exit_signal, f->new_exe, f->waiting_name, f->handler);
	strv_free_n(f->frames, f->nframes);
	trace_facts_init(f);
}
