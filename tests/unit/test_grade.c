/* Grading: the manifest, the trace facts, the rubric and every check,
 * over hand-made inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/grade/grade-guest.h"
#include "../../labctl/grade/grade.h"
#include "../../labctl/lib/error.h"
#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/qemu/console.h"
#include "helpers.h"

static const char good_ini[] =
	"[student]\nid = 20231042\n[lab]\nsources = lab.c net.h\n";

static void test_manifest_ok(void **state)
{
	struct manifest m;
	char *err = NULL;

	assert_int_equal(manifest_parse(&m, good_ini, &err), 0);
	assert_string_equal(m.student_id, "20231042");
	assert_int_equal(m.nsources, 2);
	assert_string_equal(m.sources[1], "net.h");
	assert_string_equal(m.report, "REPORT.md");
	assert_string_equal(m.program, "lab");
	assert_int_equal(m.syscall_nr, -1);
	assert_int_equal(syscall_from_id(m.student_id), 42);
	manifest_free(&m);
}

/* Each garbage manifest is refused with a message naming what is wrong. */
static void test_manifest_garbage(void **state)
{
	static const struct { const char *ini, *says; } bad[] = {
		{ "[student]\nid = 20231042\n", "sources is missing" },
		{ "[lab]\nsources = a.c\n", "id is missing" },
		{ "[student]\nid = abc\n[lab]\nsources = a.c\n", "two digits" },
		{ "[student]\nid = 1; rm -rf /\n[lab]\nsources = a.c\n", "id =" },
		{ "[student]\nid = x42\n[lab]\nsources = ../../etc/passwd.c\n", "relative path" },
		{ "[student]\nid = x42\n[lab]\nsources = /etc/shadow.c\n", "relative path" },
		{ "[student]\nid = x42\n[lab]\nsources = a.o\n", "not a .c" },
		{ "[student]\nid = x42\n[lab]\nsources = a.c\nsyscall = 99999\n", "0-999" },
		{ "[student]\nid = x42\n[lab]\nsources = a.c\nsyscall = Con nect\n", "neither" },
		{ "[student]\nid = x42\n[lab]\nsources = a.c\nreport = ../r.md\n", "relative path" },
		{ "[student]\nid = x42\n[lab]\nsources = a.c\nprogram = a/b\n", "program =" },
		{ "[student]\nid = x42\n[lab]\nsources = a.c\nflags = -O3\n", "unknown setting" },
		{ "\x01\x02garbage\n", "line 1" },
		{ "", "id is missing" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct manifest m;
		char *err = NULL;

		assert_int_equal(manifest_parse(&m, bad[i].ini, &err), -1);
		assert_non_null(err);
		if (!strstr(err, bad[i].says))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, bad[i].says);
		free(err);
	}
}

static void test_paths(void **state)
{
	assert_true(submission_path_ok("src/lab.c"));
	assert_false(submission_path_ok("src/../lab.c"));
	assert_false(submission_path_ok("./lab.c"));
	assert_false(submission_path_ok("a//b.c"));
	assert_false(submission_path_ok("/lab.c"));
	assert_false(submission_path_ok(""));
	assert_false(submission_path_ok("lab c.c"));
}

/* The course rule; the kernel's table itself is test_syscalls.c's. */
static void test_syscall_from_id(void **state)
{
	assert_int_equal(syscall_from_id("20231042"), 42);
	assert_int_equal(syscall_from_id("7"), -1);
	assert_int_equal(syscall_from_id("s-2023-01"), 1);
}

/* A labctl-trace/1 capture as `labctl trace` writes it (gdb/SCHEMA.md),
 * trimmed to the keys grading reads, and the guest's console. */
static const char report_json[] =
	"{\"schema\":\"labctl-trace/1\",\"ok\":true,"
	"\"setup\":{\"kernel\":{\"release\":\"5.10.223\"},\"syscall\":{\"name\":\"connect\",\"nr\":42},"
	" \"program\":{\"exe\":\"lab\",\"function\":\"main\"}},"
	"\"filter\":{\"stops\":2,\"rejected\":1,\"rejected_sample\":[{\"exe\":\"tcp_server\","
	" \"pid\":20,\"pc\":\"0x401666\",\"rax\":\"0x2a\",\"reason\":\"another executable\"}]},"
	"\"user\":{\"task\":{\"addr\":\"0xffff888000390000\",\"pid\":57,\"comm\":\"lab\",\"exe\":\"lab\"},"
	" \"pc\":\"0x401666\",\"insn\":\"syscall\",\"next_pc\":\"0x401668\",\"regs\":{\"rax\":\"0x2a\"},"
	" \"args\":{\"raw\":[\"0x3\",\"0x7ffc0000\",\"0x10\",\"0x0\",\"0x0\",\"0x0\"],\"fd\":3,"
	"  \"addrlen\":16,\"sockaddr\":{\"family\":2,\"family_name\":\"AF_INET\","
	"  \"address\":\"127.0.0.1\",\"port\":1234}}},"
	"\"pt_regs\":{\"fields\":[{\"offset\":120,\"field\":\"orig_ax\",\"value\":\"0x2a\"},"
	" {\"offset\":128,\"field\":\"ip\",\"value\":\"0x401668\"}]},"
	"\"dispatch\":{\"hits\":["
	" {\"what\":\"handler\",\"at\":{\"symbol\":\"__x64_sys_connect\"},\"backtrace\":["
	"  {\"function\":\"__x64_sys_connect\"},{\"function\":\"do_syscall_64\"}]},"
	" {\"what\":\"ops_method\",\"at\":{\"symbol\":\"inet_stream_connect\"},\"backtrace\":["
	"  {\"function\":\"inet_stream_connect\"},{\"function\":\"__sys_connect\"}]},"
	" {\"what\":\"proto_method\",\"at\":{\"symbol\":\"tcp_v4_connect\"},\"backtrace\":["
	"  {\"function\":\"tcp_v4_connect\"},{\"function\":\"__inet_stream_connect\"},"
	"  {\"function\":\"inet_stream_connect\"},{\"function\":\"__sys_connect\"},"
	"  {\"function\":\"__x64_sys_connect\"},{\"function\":\"__x64_sys_connect\"},"
	"  {\"function\":\"do_syscall_64\"}]}],"
	" \"socket\":{\"fd\":3,\"family\":2,\"ops\":{\"symbol\":\"inet_stream_ops\"}}},"
	"\"return\":{\"regs_ax\":\"0x0\",\"regs_ax_signed\":0}}";

static const char console[] =
	"LABCTL scenario labctl-grade start\r\nserver: listening on 127.0.0.1:1234\r\n"
	"LABCTL grade run start\r\n| connect returned 0\r\n| LABCTL grade run signal 9\r\n"
	"LABCTL grade run output 19\r\nLABCTL grade run exit 0\r\n"
	"LABCTL grade traced start\r\n";

/* The run LABEL of the console TEXT into F, as grade_guest() reads it. */
static bool facts_console(struct trace_facts *f, const char *text, const char *label)
{
	struct console c;
	bool started;

	console_parse(&c, text);
	started = trace_facts_console(f, &c, label);
	console_free(&c);
	return started;
}

/* A report read from the source tree (the tests run from its top). */
static char *load(const char *path)
{
	char *text = read_file(path, NULL);

	if (!text)
		fail_msg("cannot read %s (run from the source tree)", path);
	return text;
}

static void test_facts(void **state)
{
	struct trace_facts f;
	char *err = NULL;

	trace_facts_init(&f);
	assert_int_equal(trace_facts_parse(&f, report_json, &err), 0);
	assert_true(f.capture_ok && f.syscall_seen && f.returned);
	assert_false(f.ran);		/* that is the console's */
	assert_string_equal(f.kernel_version, "5.10.223");
	assert_int_equal(f.nr, 42);
	assert_int_equal(f.orig_ax, 42);
	assert_int_equal(f.user_rip, 0x401668);
	assert_string_equal(f.comm, "lab");
	assert_string_equal(f.exe, "lab");
	assert_int_equal(f.pid, 57);
	assert_int_equal(f.args[0], 3);
	assert_int_equal(f.args[2], 16);
	assert_int_equal(f.ret, 0);
	assert_int_equal(f.fd_is_socket, TRI_YES);
	assert_int_equal(f.sa_family, 2);
	assert_string_equal(f.sa_addr, "127.0.0.1");
	assert_int_equal(f.sa_port, 1234);
	assert_int_equal(f.other_nr, -1);	/* the rejected stop was another exe */
	assert_string_equal(f.syscall_handler, "__x64_sys_connect");
	assert_string_equal(f.handler, "tcp_v4_connect");
	assert_int_equal(f.nframes, 6);		/* __x64_sys_connect once */
	assert_string_equal(f.frames[1], "__inet_stream_connect");
	assert_string_equal(f.frames[5], "do_syscall_64");

	/* The run: its end, and its output (a line of which that
	 * looks like a marker is output, not an end). */
	assert_true(facts_console(&f, console, "run"));
	assert_true(f.ran && f.finished);
	assert_int_equal(f.exit_status, 0);
	assert_null(f.finish_detail);
	assert_string_equal(f.output, "connect returned 0\nLABCTL grade run signal 9\n");
	trace_facts_free(&f);

	assert_true(facts_console(&f, "LABCTL grade run start\nLABCTL grade run output 9999999\n"
					"LABCTL grade run timeout 10\n", "run"));
	assert_true(f.ran && !f.finished);
	assert_non_null(strstr(f.finish_detail, "still running after 10 s"));
	assert_non_null(strstr(f.finish_detail, "printed 9999999 bytes"));
	trace_facts_free(&f);
	assert_true(facts_console(&f, "LABCTL grade run start\nLABCTL grade run signal 11\n", "run"));
	assert_true(f.ran && !f.finished);
	assert_non_null(strstr(f.finish_detail, "signal 11"));
	trace_facts_free(&f);
	assert_false(facts_console(&f, "LABCTL grade traced start\n", "run"));
	assert_false(f.ran);
	assert_false(facts_console(&f, NULL, "run"));
	trace_facts_free(&f);

	/* A capture that ended before the call: the program's own syscall
	 * instruction ran with another number. */
	assert_int_equal(trace_facts_parse(&f, "{\"schema\":\"labctl-trace/1\",\"ok\":false,"
		"\"error\":\"the guest ended\",\"setup\":{\"program\":{\"exe\":\"lab\"}},"
		"\"filter\":{\"rejected_sample\":[{\"exe\":\"tcp_server\",\"rax\":\"0x29\","
		"\"reason\":\"another executable\"},{\"exe\":\"lab\",\"rax\":\"0x29\","
		"\"reason\":\"another system call number\"}]}}", &err), 0);
	assert_false(f.capture_ok || f.syscall_seen || f.returned);
	assert_string_equal(f.trace_error, "the guest ended");
	assert_int_equal(f.other_nr, 41);
	trace_facts_free(&f);

	/* Refused: another schema, none, not JSON. */
	assert_int_equal(trace_facts_parse(&f, "{\"schema\":\"labctl-trace/2\",\"ok\":true}", &err), -1);
	assert_non_null(strstr(err, "'labctl-trace/2', not labctl-trace/1"));
	free(err);
	assert_int_equal(trace_facts_parse(&f, "{\"program\":{\"started\":true}}", &err), -1);
	assert_non_null(strstr(err, "schema is missing"));
	free(err);
	assert_int_equal(trace_facts_parse(&f, "not json", &err), -1);
	assert_non_null(strstr(err, "not JSON"));
	free(err);
	trace_facts_free(&f);
}

/* A complete, passing set of inputs; each test breaks one thing. */
struct fixture {
	struct manifest m;
	struct compile_result cr;
	struct elf_info elf;
	struct func_range funcs[2];
	struct trace_facts f;
	struct rubric r;
	struct grade_input in;
	struct check_result res[NCHECKS];
	char *report;              /* written apart from the example */
};

static int fixture_setup(void **state)
{
	struct fixture *x = xcalloc(1, sizeof(*x));
	char *err = NULL;

	assert_int_equal(manifest_parse(&x->m, good_ini, &err), 0);
	trace_facts_init(&x->f);
	assert_int_equal(trace_facts_parse(&x->f, report_json, &err), 0);
	assert_true(facts_console(&x->f, console, "run"));
	x->f.server_listening = TRI_YES;	/* as grade_guest() finds it */
	x->f.server = xstrdup("127.0.0.1:1234");
	x->cr.ok = true;
	x->funcs[0] = (struct func_range){ "main", 0x401615, 0x4016b0 };
	x->funcs[1] = (struct func_range){ "helper", 0x401500, 0x401615 };
	x->elf = (struct elf_info){ .is_elf = true, .is_static = true, .funcs = x->funcs, .nfuncs = 2 };
	rubric_defaults(&x->r);
	x->report = load("tests/e2e/fixtures/grade/REPORT-en.md");
	x->in = (struct grade_input){ .m = &x->m, .nr = 42, .syscall_name = "connect",
		.compiled = &x->cr, .elf = &x->elf, .facts = &x->f, .report_text = x->report };
	*state = x;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *x = *state;

	manifest_free(&x->m);
	trace_facts_free(&x->f);
	free(x->r.name);
	check_result_free(x->res);
	free(x->report);
	free(x);
	return 0;
}

static struct check_result *run(struct fixture *x)
{
	check_result_free(x->res);
	grade_checks(&x->in, &x->r, x->res);
	return x->res;
}

static void assert_says(const struct check_result *c, bool passed, const char *text)
{
	if (c->passed != passed || !strstr(c->message, text))
		fail_msg("%s: '%s' does not say '%s'", passed ? "passed" : "failed", c->message, text);
}

static void test_all_pass(void **state)
{
	struct check_result *res = run(*state);

	for (int i = 0; i < NCHECKS; i++)
		assert_says(&res[i], true, "");
	assert_int_equal(res[CHECK_SYSCALL].points, 20);
	assert_says(&res[CHECK_INLINE], true, "main()");
}

static void test_not_compiled(void **state)
{
	struct fixture *x = *state;

	x->cr = (struct compile_result){ .why = "lab.c:1: error: expected ';'" };
	x->in.elf = NULL;
	x->in.facts = NULL;
	assert_says(&run(x)[CHECK_STATIC], false, "expected ';'");
	assert_says(&x->res[CHECK_RUNS], false, "no static program");
	assert_int_equal(x->res[CHECK_STATIC].points, 0);
}

static void test_dynamic(void **state)
{
	struct fixture *x = *state;

	x->elf.is_static = false;
	assert_says(&run(x)[CHECK_STATIC], false, "dynamically");
}

static void test_loops_forever(void **state)
{
	struct fixture *x = *state;

	x->f.finished = false;
	x->f.finish_detail = xstrdup("it was still running after 10 s and was stopped");
	assert_says(&run(x)[CHECK_RUNS], false, "did not finish by itself (it was still running");
}

/* Stopped while blocked in a call: the message names it. */
static void test_waits_forever(void **state)
{
	struct fixture *x = *state;

	x->f.finished = false;
	x->f.finish_detail = xstrdup("it was still running after 10 s and was stopped");
	x->f.waiting_in = 34;
	x->f.waiting_name = xstrdup("pause");
	assert_says(&run(x)[CHECK_RUNS], false, "waiting in system call 34 (pause)");
}

/* The traced run of that program: the time limit's SIGKILL ended it in
 * the call, which is no death of the program's own. */
static void test_killed_waiting(void **state)
{
	struct fixture *x = *state;

	x->f.finished = false;
	x->f.waiting_in = x->in.nr;
	x->f.call_ended_task = true;
	x->f.exit_signal = xstrdup("SIGKILL");
	assert_says(&run(x)[CHECK_ARGS], false, "still waiting in it when the time limit killed it");
	x->f.waiting_in = -1;
	assert_says(&run(x)[CHECK_ARGS], false, "died in");
}

static void test_never_calls(void **state)
{
	struct fixture *x = *state;

	x->f.syscall_seen = false;
	x->f.trace_error = xstrdup("it exited with status 0 without making it");
	assert_says(&run(x)[CHECK_SYSCALL], false, "never made system call 42 (connect): the kernel "
		    "never entered entry_SYSCALL_64 for it from your program (it exited with status 0");
	assert_says(&x->res[CHECK_INLINE], false, "Not checked");
	assert_says(&x->res[CHECK_ARGS], false, "Not checked");
}

static void test_wrong_number(void **state)
{
	struct fixture *x = *state;

	x->f.orig_ax = 41;
	assert_says(&run(x)[CHECK_SYSCALL], false, "number 41");
	/* As the trace sees it: the filter rejected the program's own stop. */
	x->f.syscall_seen = false;
	x->f.other_nr = 41;
	assert_says(&run(x)[CHECK_SYSCALL], false, "rax = 41, but your system call is 42");
	assert_says(&x->res[CHECK_INLINE], false, "Not checked");
}

static void test_wrong_task(void **state)
{
	struct fixture *x = *state;

	strcpy(x->f.comm, "sh");
	assert_says(&run(x)[CHECK_SYSCALL], false, "made by 'sh'");
	strcpy(x->f.comm, "lab");
	free(x->f.exe);
	x->f.exe = xstrdup("tcp_client");
	assert_says(&run(x)[CHECK_SYSCALL], false, "made by 'tcp_client'");
}

static void test_libc_wrapper(void **state)
{
	struct fixture *x = *state;

	x->f.user_rip = 0x43a930;
	free(x->f.call_function);
	x->f.call_function = xstrdup("__libc_connect");
	assert_says(&run(x)[CHECK_INLINE], false, "from 0x43a92e in __libc_connect(), which is not "
		    "a function of your own source files");
	/* The instruction is the 2 bytes before the saved rip: an end-of-function
	 * syscall still belongs to its function. */
	x->f.user_rip = 0x401615 + 1;
	assert_says(&run(x)[CHECK_INLINE], true, "helper()");
}

static void test_bad_args(void **state)
{
	struct fixture *x = *state;

	x->f.fd_is_socket = TRI_NO;
	assert_says(&run(x)[CHECK_ARGS], false, "not a socket");
	x->f.fd_is_socket = TRI_YES;
	x->f.sa_family = 1;
	assert_says(&run(x)[CHECK_ARGS], false, "not an AF_INET");
	x->f.sa_family = 2;
	x->f.ret = -111;
	assert_says(&run(x)[CHECK_ARGS], false, "returned -111 although the scenario's server was "
		    "listening on 127.0.0.1:1234");
	x->f.sa_family = -1;		/* not decoded: not held against the student */
	assert_says(&run(x)[CHECK_ARGS], false, "returned -111");
	x->f.sa_family = 2;
	x->f.server_listening = TRI_NO;
	assert_says(&run(x)[CHECK_ARGS], true, "returned -111");
	x->f.returned = false;
	assert_says(&run(x)[CHECK_ARGS], false, "never returned");
}

/* The lab's call is NR (NAME), and the traced program made it. */
static void lab_syscall(struct fixture *x, int nr, const char *name)
{
	x->in.nr = nr;
	x->in.syscall_name = name;
	x->f.orig_ax = nr;
}

static void test_other_syscall(void **state)
{
	struct fixture *x = *state;

	lab_syscall(x, 1, "write");
	x->f.ret = -9;
	assert_says(&run(x)[CHECK_ARGS], false, "write returned the error -9");
	x->f.ret = 5;
	assert_says(&run(x)[CHECK_ARGS], true, "write returned 5");
	/* The connect checks go by the syscall's name, not by number 42. */
	x->in.nr = 42;
	x->f.orig_ax = 42;
	x->f.args[2] = 3;
	assert_says(&run(x)[CHECK_ARGS], true, "write returned 5");
	x->in.syscall_name = "connect";
	assert_says(&run(x)[CHECK_ARGS], false, "address length (third argument) is 3");
}

/* Calls that do not come back to the instruction after them: the task
 * ended in the call, a signal's handler ran first, another program runs. */
static void test_call_ends(void **state)
{
	struct fixture *x = *state;

	lab_syscall(x, 60, "exit");
	x->f.returned = false;
	x->f.call_ended_task = true;
	x->f.call_exit_status = 3;
	assert_says(&run(x)[CHECK_ARGS], true, "exit ended your program with status 3 in do_exit");
	x->f.exit_signal = xstrdup("SIGSEGV");
	assert_says(&run(x)[CHECK_ARGS], false, "died in exit (killed by SIGSEGV)");
	/* a call that is not meant to end the task */
	free(x->f.exit_signal);
	x->f.exit_signal = NULL;
	lab_syscall(x, 34, "pause");
	assert_says(&run(x)[CHECK_ARGS], false, "died in pause");
	/* pause woken by SIGALRM: -EINTR is its success */
	x->f.call_ended_task = false;
	x->f.returned = true;
	x->f.ret = -4;
	x->f.signal_name = xstrdup("SIGALRM");
	assert_says(&run(x)[CHECK_ARGS], true, "pause was interrupted by SIGALRM");
	/* another error with a signal is still an error */
	x->f.ret = -14;
	assert_says(&run(x)[CHECK_ARGS], false, "pause returned the error -14");
	x->f.returned = false;
	x->f.new_exe = xstrdup("busybox");
	x->in.syscall_name = "execve";
	assert_says(&run(x)[CHECK_ARGS], true, "execve replaced your program: busybox ran next");
}
/* Seven sentences of 14 words, no name in them: prose enough for the
 * default rubric, naming nothing. */
#define FILLER_LINE " This sentence is here only to make the report long enough for the check."
static const char filler[] = FILLER_LINE FILLER_LINE FILLER_LINE FILLER_LINE FILLER_LINE
			     FILLER_LINE FILLER_LINE;

static void test_report(void **state)
{
	struct fixture *x = *state;
	char *thin;

	x->in.report_text = NULL;
	assert_says(&run(x)[CHECK_REPORT], false, "no written report: add REPORT.md");
	x->in.report_text = "short";
	assert_says(&run(x)[CHECK_REPORT], false, "too short");
	/* Long enough, but names neither the handler nor enough frames:
	 * "tcp_v4_connectx" is not "tcp_v4_connect". */
	thin = xasprintf("I saw tcp_v4_connectx and do_syscall_64.%s", filler);
	x->in.report_text = thin;
	run(x);
	assert_says(&x->res[CHECK_REPORT], false, "the handler tcp_v4_connect");
	assert_says(&x->res[CHECK_REPORT], false, "names 1; not named: tcp_v4_connect "
		    "__inet_stream_connect inet_stream_connect __sys_connect __x64_sys_connect)");
	/* A handler name longer than any fixed buffer (the message used to be
	 * built with unchecked snprintf into 1 KiB: ASan's build catches it). */
	{
		char *handler = xasprintf("h%03000d", 0), *want = xasprintf("the handler %s; at least", handler);
		char *saved = x->f.handler;

		x->f.handler = handler;
		run(x);
		assert_says(&x->res[CHECK_REPORT], false, want);
		x->f.handler = saved;
		free(want);
		free(handler);
	}
	free(thin);
}

/* A source listed twice is one source (it used to be compiled twice, and
 * the clash of its objects cost every point). */
static void test_manifest_duplicate_source(void **state)
{
	struct manifest m;
	char *err = NULL;

	assert_int_equal(manifest_parse(&m, "[student]\nid = 20231042\n[lab]\n"
					"sources = lab.c net.h lab.c\nsources = net.h lab.c\n",
					&err), 0);
	assert_int_equal(m.nsources, 2);
	assert_string_equal(m.sources[0], "lab.c");
	assert_string_equal(m.sources[1], "net.h");
	manifest_free(&m);
}

/* A report that pushes the submission past GRADE_MAX_TOTAL is there, and
 * too large: the report check says so (it used to say there was none). */
static void test_report_too_large(void **state)
{
	char dir[] = "/tmp/labctl-test-sub.XXXXXX", *path, *big, *err = NULL;
	static const char ini[] = "[student]\nid = 20231042\n[lab]\nsources = a.h b.h c.h d.h lab.c\n";
	static const char *const names[] = { "a.h", "b.h", "c.h", "d.h", "lab.c", "REPORT.md" };
	struct submission s;
	struct check_result res[NCHECKS];
	struct rubric r;
	size_t size = 250 * 1000;

	assert_non_null(mkdtemp(dir));
	big = xmalloc(size);
	memset(big, '/', size);
	path = xasprintf("%s/labctl.ini", dir);
	assert_int_equal(write_file_atomic(path, ini, strlen(ini)), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		free(path);
		path = xasprintf("%s/%s", dir, names[i]);
		/* 4 x 250 kB of headers, a small lab.c: the report is the straw */
		assert_int_equal(write_file_atomic(path, big, i < 4 || i == 5 ? size : 10), 0);
	}
	assert_int_equal(submission_load(&s, dir, NULL, dir, &err), 0);
	assert_null(s.report_text);
	assert_non_null(s.report_error);
	if (!strstr(s.report_error, "REPORT.md is too large"))
		fail_msg("'%s' does not say REPORT.md is too large", s.report_error);

	rubric_defaults(&r);
	grade_checks(&(struct grade_input){ .m = &s.m, .nr = 42, .syscall_name = "connect",
					    .report_error = s.report_error }, &r, res);
	assert_says(&res[CHECK_REPORT], false, "REPORT.md is too large (250000 bytes");
	assert_int_equal(res[CHECK_REPORT].points, 0);
	check_result_free(res);
	submission_free(&s);
	free(r.name);
	free(big);
	free(path);
	remove_scratch(dir);
}

/* The course's reports, as report_sources_course() reads them for grading. */
static void course_reports(struct report_source v[2])
{
	v[0] = (struct report_source){ "ci/example-submission/REPORT.md", "ci/example-submission",
		load("ci/example-submission/REPORT.md"), false };
	v[1] = (struct report_source){ "ci/starter/REPORT.md", "ci/starter",
		load("ci/starter/REPORT.md"), true };
}

/*
 * Copies: the example verbatim, and with its sections moved and words
 * renamed; the starter handed in as it is; another student's report in the
 * same batch.  Reports written apart, in English and Chinese, pass.
 */
static void test_report_copied(void **state)
{
	struct fixture *x = *state;
	struct report_source v[3];
	char *ex, *zh, *moved, *edited, *peer, *mixed;
	const char *ret, *path, *entry;

	course_reports(v);
	ex = v[0].text;
	x->in.others = v;
	x->in.nothers = 2;
	assert_says(&run(x)[CHECK_REPORT], true, "names the handler tcp_v4_connect");
	zh = load("tests/e2e/fixtures/grade/REPORT-zh.md");
	x->in.report_text = zh;
	assert_says(&run(x)[CHECK_REPORT], true, "names the handler tcp_v4_connect");

	x->in.report_text = ex;
	assert_says(&run(x)[CHECK_REPORT], false,
		    "REPORT.md copies 100% of ci/example-submission/REPORT.md (at most 40%");
	assert_int_equal(x->res[CHECK_REPORT].points, 0);
	/* Sections in another order, words renamed throughout. */
	ret = strstr(ex, "## Return");
	path = strstr(ex, "## The path");
	entry = strstr(ex, "## Entry");
	moved = xasprintf("%s\n%.*s\n%.*s\n%.*s", ret, (int)(ret - path), path,
			  (int)(path - entry), entry, (int)(entry - ex), ex);
	edited = xstrdup(moved);
	for (char *p = edited; (p = strstr(p, "my_connect")); p++)
		memcpy(p, "mine_conn_", 10);
	for (char *p = edited; (p = strstr(p, "kernel")); p++)
		memcpy(p, "system", 6);
	for (char *p = edited; (p = strstr(p, "calls")); p++)
		memcpy(p, "jumps", 5);
	x->in.report_text = moved;
	assert_says(&run(x)[CHECK_REPORT], false, "of ci/example-submission/REPORT.md");
	x->in.report_text = edited;
	run(x);
	assert_says(&x->res[CHECK_REPORT], false, "of ci/example-submission/REPORT.md");
	assert_says(&x->res[CHECK_REPORT], false, "write the report in your own words");

	x->in.report_text = v[1].text;
	assert_says(&run(x)[CHECK_REPORT], false, "copies 100% of ci/starter/REPORT.md");

	/* In a batch: another student's report, reordered. */
	v[2] = (struct report_source){ "the report of subs/bob (student 20231142)", "subs/bob",
				       x->report, false };
	x->in.nothers = 3;
	path = strstr(x->report, "When the CPU");
	assert_non_null(path);
	peer = xasprintf("%s\n\n%.*s", path, (int)(path - x->report), x->report);
	x->in.report_text = peer;
	assert_says(&run(x)[CHECK_REPORT], false, "% of the report of subs/bob (student 20231142)");
	/* The starter's prompts kept above one's own words are no copy of
	 * another student who kept them too. */
	mixed = xasprintf("%s\n%s", v[1].text, zh);
	x->in.report_text = mixed;
	v[2].text = xasprintf("%s\n%s", v[1].text, x->report);
	assert_says(&run(x)[CHECK_REPORT], true, "names the handler");
	free(v[2].text);
	free(mixed);
	free(peer);
	free(edited);
	free(moved);
	free(zh);
	free(v[0].text);
	free(v[1].text);
}

/* A list of names is not prose; the example's few paragraphs are. */
static void test_report_prose(void **state)
{
	struct fixture *x = *state;
	static const char list[] =
		"# Report\n\n## Functions\n\n- entry_SYSCALL_64\n- do_syscall_64\n- __x64_sys_connect\n"
		"- __sys_connect\n- inet_stream_connect\n- __inet_stream_connect\n- tcp_v4_connect\n\n"
		"## Backtrace\n\n    tcp_v4_connect\n    __inet_stream_connect\n    inet_stream_connect\n"
		"    __sys_connect\n    __x64_sys_connect\n    do_syscall_64\n";
	/* Words, but no sentence: a list of phrases. */
	static const char phrases[] =
		"# connect\n\n- entry_SYSCALL_64: the entry point of every system call made with syscall\n"
		"- do_syscall_64: the dispatcher in C that reads the table\n"
		"- __x64_sys_connect: the handler from the table, via the macros\n"
		"- __sys_connect: finds the socket from the file descriptor\n"
		"- inet_stream_connect and __inet_stream_connect: the stream socket's method\n"
		"- tcp_v4_connect: the protocol handler, which sends the SYN segment\n";
	/* Names dressed as sentences: only "calls" is a word in each. */
	static const char names[] =
		"entry_SYSCALL_64 calls do_syscall_64. do_syscall_64 calls __x64_sys_connect. "
		"__x64_sys_connect calls __sys_connect. __sys_connect calls inet_stream_connect. "
		"inet_stream_connect calls __inet_stream_connect. `__inet_stream_connect calls it`. "
		"__inet_stream_connect calls tcp_v4_connect.\n";
	char *ex = load("ci/example-submission/REPORT.md");

	x->in.report_text = list;
	assert_says(&run(x)[CHECK_REPORT], false,
		    "not prose enough: 0 words in 0 sentences besides the names of functions and "
		    "code (at least 60 words in 3 sentences expected)");
	x->in.report_text = phrases;
	assert_says(&run(x)[CHECK_REPORT], false, "0 words in 0 sentences");
	x->in.report_text = names;
	assert_says(&run(x)[CHECK_REPORT], false, "0 words in 0 sentences");
	x->in.report_text = ex;
	assert_says(&run(x)[CHECK_REPORT], true, "names the handler tcp_v4_connect");
	/* The threshold is the rubric's. */
	x->r.report_min_prose_words = 1000;
	assert_says(&run(x)[CHECK_REPORT], false, "at least 1000 words in 3 sentences");
	free(ex);
}

/*
 * One function, five spellings: a backtrace that shows only __do_sys_getpid
 * (the others inlined) is named by a report that says __x64_sys_getpid, as
 * the table does, or sys_getpid, as the source does.
 */
static void test_report_aliases(void **state)
{
	struct fixture *x = *state;
	static const char *const frames[] = { "__do_sys_getpid", "do_syscall_64", "entry_SYSCALL_64" };
	static const char *const two[] = { "__x64_sys_getpid", "__do_sys_getpid", "do_syscall_64" };
	static const char *const spellings[] = {
		"__x64_sys_getpid", "__ia32_sys_getpid", "__se_sys_getpid", "__do_sys_getpid", "sys_getpid",
	};
	char **saved = x->f.frames, *handler = x->f.handler, *text;
	size_t n = x->f.nframes;

	x->f.frames = (char **)frames;
	x->f.nframes = 3;
	x->f.handler = "__x64_sys_getpid";
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		text = xasprintf("The kernel enters entry_SYSCALL_64, and do_syscall_64 runs %s.%s",
				 spellings[i], filler);
		x->in.report_text = text;
		run(x);
		if (!x->res[CHECK_REPORT].passed)
			fail_msg("%s: %s", spellings[i], x->res[CHECK_REPORT].message);
		assert_says(&x->res[CHECK_REPORT], true, "and 3 backtrace frames");
		free(text);
	}
	/* __sys_getpid is another function, not a spelling of sys_getpid. */
	text = xasprintf("The kernel enters entry_SYSCALL_64, and do_syscall_64 runs __sys_getpid.%s",
			 filler);
	x->in.report_text = text;
	assert_says(&run(x)[CHECK_REPORT], false,
		    "the handler __x64_sys_getpid; at least 3 frames of the backtrace (it names 2; "
		    "not named: __do_sys_getpid)");
	free(text);
	/* Two spellings in one backtrace are one function, named once. */
	x->f.frames = (char **)two;
	text = xasprintf("The handler __x64_sys_getpid, the body __do_sys_getpid.%s", filler);
	x->in.report_text = text;
	assert_says(&run(x)[CHECK_REPORT], false, "at least 2 frames of the backtrace (it names 1; "
		    "not named: do_syscall_64)");
	free(text);
	x->f.frames = saved;
	x->f.nframes = n;
	x->f.handler = handler;
}

static void test_rubric(void **state)
{
	char path[] = "/tmp/labctl-test-rubric.XXXXXX";
	int fd = mkstemp(path);
	struct rubric r;
	char *err = NULL;
	static const char text[] = "[rubric]\nname = mine\n[points]\nstatic = 5\nreport = 0\n"
				   "[report]\nmin_frames = 2\nmin_prose_words = 30\nmin_sentences = 2\n"
				   "max_copied_percent = 60\n";

	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(rubric_load(&r, path, &err), 0);
	assert_string_equal(r.name, "mine");
	assert_int_equal(r.points[CHECK_STATIC], 5);
	assert_int_equal(r.points[CHECK_REPORT], 0);
	assert_int_equal(r.points[CHECK_SYSCALL], 20);
	assert_int_equal(r.report_min_frames, 2);
	assert_int_equal(r.report_min_prose_words, 30);
	assert_int_equal(r.report_min_sentences, 2);
	assert_int_equal(r.report_max_copied_percent, 60);
	free(r.name);
	assert_int_equal(write_file_atomic(path, "[points]\nstatic = lots\n", 23), 0);
	assert_int_equal(rubric_load(&r, path, &err), -1);
	assert_non_null(strstr(err, "static = lots"));
	free(err);
	free(r.name);
	unlink(path);
	assert_int_equal(rubric_load(&r, path, &err), -1);
	free(err);
	free(r.name);
}

/* Whose fault: every outcome of a grading run, as grade_blame() decides. */
static void test_blame(void **state)
{
	struct trace_facts f;

	trace_facts_init(&f);
	/* A complete trace of the call: nobody's. */
	f.capture_ok = f.syscall_seen = true;
	assert_int_equal(grade_blame(true, 0, &f, true), BLAME_NONE);
	/* The trace exited 0 but its capture lacks the call: the grader's. */
	f.syscall_seen = false;
	assert_int_equal(grade_blame(true, 0, &f, true), BLAME_GRADER);
	/* The guest ended before the call, after the traced run started. */
	f.capture_ok = false;
	assert_int_equal(grade_blame(true, EXIT_FAIL, &f, true), BLAME_ENDED_WITHOUT_CALL);
	/* ... before it started: QEMU or the kernel broke. */
	assert_int_equal(grade_blame(true, EXIT_FAIL, &f, false), BLAME_GRADER);
	/* A time-out while the program ran (either run): the student's. */
	assert_int_equal(grade_blame(true, EXIT_TIMEOUT, &f, true), BLAME_NO_CALL_IN_TIME);
	f.ran = true;
	assert_int_equal(grade_blame(true, EXIT_TIMEOUT, &f, false), BLAME_NO_CALL_IN_TIME);
	f.ran = false;
	assert_int_equal(grade_blame(true, EXIT_TIMEOUT, &f, false), BLAME_GRADER);
	/* The machine's failures are never the student's. */
	for (int code = EXIT_USAGE; code <= EXIT_INPUT; code++)
		assert_int_equal(grade_blame(true, code, &f, true), BLAME_GRADER);
	assert_int_equal(grade_blame(true, EXIT_INTERNAL, &f, true), BLAME_GRADER);
	/* Nothing to trace: the program only runs. */
	f.ran = true;
	for (int code = 0; code <= EXIT_TIMEOUT; code += EXIT_TIMEOUT)
		assert_int_equal(grade_blame(false, code, &f, false), BLAME_NO_SYSCALL_INSN);
	assert_int_equal(grade_blame(false, EXIT_FAIL, &f, false), BLAME_NO_SYSCALL_INSN);
	assert_int_equal(grade_blame(false, EXIT_ENV, &f, false), BLAME_GRADER);
	f.ran = false;
	assert_int_equal(grade_blame(false, 0, &f, false), BLAME_GRADER);
	trace_facts_free(&f);
}

/* grade.json, written by grade_write() and read back by grade_read(). */
static void test_grade_record(void **state)
{
	char dir[] = "/tmp/labctl-test-grade.XXXXXX", *path;
	struct submission s = { .origin = "sub", .commit = "abc123",
				.m = { .student_id = "20231042" } };
	struct rubric r;
	struct grade g = { .status = GRADE_INVALID, .why = "labctl.ini: no sources", .sub = &s,
			   .rubric = &r, .nr = -1, .score = 3, .max = 100 };
	struct grade_record rec;
	struct error e = { 0 };
	static const char bogus[] = "{\"status\": \"great\", \"score\": 9}";

	rubric_defaults(&r);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(grade_write(&g, dir), 0);
	assert_int_equal(grade_read(&rec, dir, &e), 0);
	assert_int_equal(rec.status, GRADE_INVALID);
	assert_int_equal(rec.score, 3);
	assert_int_equal(rec.max, 100);
	assert_string_equal(rec.student_id, "20231042");
	assert_string_equal(rec.commit, "abc123");
	grade_record_free(&rec);

	/* Not a grade, then none at all: an error record, and why. */
	path = xasprintf("%s/grade.json", dir);
	assert_int_equal(write_file_atomic(path, bogus, strlen(bogus)), 0);
	assert_int_equal(grade_read(&rec, dir, &e), -1);
	assert_int_equal(rec.status, GRADE_ERROR);
	assert_int_equal(rec.score, 0);
	assert_string_equal(rec.student_id, "");
	assert_non_null(strstr(e.msg, "no grade status"));
	grade_record_free(&rec);
	unlink(path);
	assert_int_equal(grade_read(&rec, dir, &e), -1);
	assert_int_equal(e.code, EXIT_ENV);
	assert_int_equal(rec.status, GRADE_ERROR);
	grade_record_free(&rec);
	free(r.name);
	free(path);
	remove_scratch(dir);
}

/* utf8_clean() on what a compiler's log may hold: a NUL (from a quoted
 * source line) no longer ends the text, and each bad byte is one U+FFFD. */
static void test_utf8_clean(void **state)
{
	static const char log[] = "lab.c:1: warning: null character(s) ignored\n  x\0y\n"
				  "lab.c:2: error: caf\xe9 \xe2\x82 \xe2\x82\xac \xf0\x9f\x98\x80 \xc0\xaf";
	char *clean = utf8_clean(log, sizeof(log) - 1);

	assert_string_equal(clean, "lab.c:1: warning: null character(s) ignored\n  x\xef\xbf\xbdy\n"
			    "lab.c:2: error: caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd \xe2\x82\xac "
			    "\xf0\x9f\x98\x80 \xef\xbf\xbd\xef\xbf\xbd");
	free(clean);
	clean = utf8_clean("", 0);
	assert_string_equal(clean, "");
	free(clean);
}

/*
 * The outputs on every byte a student can produce, read back by python3's
 * json and xml.etree (not by jansson, which wrote them): each must parse,
 * hold every check, and keep what is readable of each message.  CHECK is
 * the script's assertions on g (grade.json), r (results.json) and x
 * (junit.xml's root).
 */
static void assert_outputs(const struct grade *g, const char *check)
{
	char dir[] = "/tmp/labctl-test-grade.XXXXXX", *script, *path, *cmd;
	static const char prologue[] =
		"import json, sys, xml.etree.ElementTree as E\n"
		"d = sys.argv[1]\n"
		"g = json.loads(open(d + '/grade.json', 'rb').read().decode('utf-8'))\n"
		"r = json.loads(open(d + '/results.json', 'rb').read().decode('utf-8'))\n"
		"x = E.parse(d + '/junit.xml').getroot()\n";

	assert_non_null(mkdtemp(dir));
	assert_int_equal(grade_write(g, dir), 0);
	script = xasprintf("%s%s", prologue, check);
	path = xasprintf("%s/check.py", dir);
	assert_int_equal(write_file_atomic(path, script, strlen(script)), 0);
	cmd = xasprintf("python3 %s %s", path, dir);
	if (system(cmd) != 0)
		fail_msg("the outputs in %s fail %s", dir, path);
	free(cmd);
	remove_scratch(dir);
	free(path);
	free(script);
}

/* Messages quoting what a student wrote: a compiler error on a 0xff byte,
 * a truncated and an overlong sequence, a UTF-16 surrogate, control
 * characters, U+FFFF (valid UTF-8, not XML), and a Latin-1 student id. */
static void test_outputs_hostile_bytes(void **state)
{
	static const char *const msgs[NCHECKS] = {
		"did not compile: lab.c:3:1: error: stray '\\377' in program: \xff\xfe",
		"it printed \"caf\xe9\" then \xc3",
		"overlong \xc0\xaf and surrogate \xed\xa0\x80 and too high \xf4\x90\x80\x80",
		"bell \a, escape \x1b[31m, vertical tab \v, form feed \f, DEL \x7f",
		"not XML: \xef\xbf\xbf and \xef\xbf\xbe, <tag> & \"quotes\" 'too'",
		"two\nlines\tand a tab\r",
	};
	struct submission s = { .origin = "sub\xff", .m = { .student_id = "Jos\xe9" } };
	struct rubric r;
	struct grade g = { .status = GRADE_FAILED, .sub = &s, .rubric = &r, .nr = 42,
			   .syscall_name = "connect", .have_checks = true, .max = 100 };

	rubric_defaults(&r);
	for (int i = 0; i < NCHECKS; i++)
		g.res[i] = (struct check_result){ .message = (char *)msgs[i], .max = 10 };
	assert_outputs(&g,
		"keys = ['static', 'runs', 'syscall', 'inline', 'args', 'report']\n"
		"assert [c['id'] for c in g['checks']] == keys, g['checks']\n"
		"assert len(r['tests']) == 6 and len(x.findall('testcase')) == 6\n"
		"assert [t.get('name') for t in x.findall('testcase')] == keys\n"
		"fails = [t.find('failure').get('message') for t in x.findall('testcase')]\n"
		"for c, t, f in zip(g['checks'], r['tests'], fails):\n"
		"    assert c['message'] == t['output'], (c, t)\n"
		"for i in (0, 1, 2):\n"
		"    assert '\\ufffd' in g['checks'][i]['message'], g['checks'][i]\n"
		"for i in range(5):\n"
		"    assert '\\ufffd' in fails[i], fails[i]\n"
		"assert g['checks'][0]['message'].startswith('did not compile: lab.c:3:1: error:')\n"
		"assert fails[0].startswith('did not compile: lab.c:3:1: error:')\n"
		"assert 'caf\\ufffd' in g['checks'][1]['message']\n"
		"assert '\\x1b[31m' in g['checks'][3]['message'], 'JSON escapes controls'\n"
		"assert '\\x1b' not in fails[3] and '[31m' in fails[3], 'XML has none'\n"
		"assert '<tag> & \"quotes\" \\'too\\'' in fails[4]\n"
		"assert '\\uffff' not in fails[4] and '\\ufffe' not in fails[4]\n"
		"assert fails[5] == 'two\\nlines\\tand a tab\\r', repr(fails[5])\n"
		"assert g['submission']['student_id'] == 'Jos\\ufffd', g['submission']\n"
		"assert g['submission']['origin'] == 'sub\\ufffd'\n"
		"assert g['syscall'] == {'nr': 42, 'name': 'connect'}\n");
	free(r.name);
}

/* An invalid submission quoting a Latin-1 id, and an id in JSON's way. */
static void test_outputs_invalid_latin1(void **state)
{
	struct submission s = { .origin = "sub" };
	struct rubric r;
	struct grade g = { .status = GRADE_INVALID, .sub = &s, .rubric = &r, .nr = -1,
			   .why = "labctl.ini: id = Jos\xe9 \x01: use 1-32 letters", .max = 100 };

	rubric_defaults(&r);
	assert_outputs(&g,
		"assert g['status'] == 'invalid' and g['checks'] == []\n"
		"assert g['why'] == 'labctl.ini: id = Jos\\ufffd \\x01: use 1-32 letters', g['why']\n"
		"assert r['output'] == g['why'] and r['score'] == 0\n"
		"e = x.find('testcase/error').get('message')\n"
		"assert e.startswith('labctl.ini: id = Jos\\ufffd ') and e.endswith(': use 1-32 letters')\n");
	free(r.name);
}

/* A grader error: the TA's reason (with the grader's paths) in grade.json
 * and junit.xml; the student reads that the grader failed and that the
 * submission will be regraded, and no path. */
static void test_outputs_grader_error(void **state)
{
	struct submission s = { .origin = "sub", .m = { .student_id = "20231042" } };
	struct rubric r;
	struct grade g = { .status = GRADE_ERROR, .sub = &s, .rubric = &r, .nr = -1, .max = 100,
			   .why = "the trace exited with status 3 (logs in /root/.cache/labctl/runs/x)" };

	rubric_defaults(&r);
	assert_outputs(&g,
		"assert g['status'] == 'error' and g['why'].endswith('/runs/x)')\n"
		"assert '/root' in x.find('testcase/error').get('message')\n"
		"o = r['output']\n"
		"assert 'grader' in o and 'regraded' in o and 'not' in o, o\n"
		"assert '/' not in o and 'trace' not in o and 'status 3' not in o, o\n");
	free(r.name);
	assert_int_equal(grade_exit_code(GRADE_ERROR), EXIT_ENV);
}

/* bwrap's own words, as it printed them in a debian:12 docker container
 * (docker's defaults; then with seccomp=unconfined alone), and on hosts
 * whose kernel switches refuse user namespaces. */
static const char bwrap_no_userns[] =
	"bwrap: No permissions to create new namespace, likely because the kernel does not "
	"allow non-privileged user namespaces. See <https://deb.li/bubblewrap> or "
	"<file:///usr/share/doc/bubblewrap/README.Debian.gz>.\n";
static const char bwrap_no_proc[] =
	"bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n";

static void test_sandbox_hint(void **state)
{
	const struct sandbox_host docker = { .container = true, .userns_clone = -1,
					     .max_userns = 96367, .apparmor_restrict = -1 };
	const struct sandbox_host host = { .container = false, .userns_clone = -1,
					   .max_userns = 96367, .apparmor_restrict = -1 };
	struct sandbox_host h;
	const char *hint;

	hint = sandbox_hint(bwrap_no_userns, &docker);
	assert_non_null(hint);
	assert_non_null(strstr(hint, "this container refuses user namespaces"));
	assert_non_null(strstr(hint, "--security-opt seccomp=unconfined"));
	assert_non_null(strstr(hint, "systempaths=unconfined"));
	hint = sandbox_hint(bwrap_no_proc, &docker);
	assert_non_null(hint);
	assert_non_null(strstr(hint, "hides parts of /proc"));
	/* the host's switches name the cause, in or out of a container */
	h = docker;
	h.userns_clone = 0;
	assert_non_null(strstr(sandbox_hint(bwrap_no_userns, &h),
			       "kernel.unprivileged_userns_clone=1"));
	h = host;
	h.max_userns = 0;
	assert_non_null(strstr(sandbox_hint(bwrap_no_userns, &h), "user.max_user_namespaces"));
	h = host;
	h.apparmor_restrict = 1;
	assert_non_null(strstr(sandbox_hint(bwrap_no_userns, &h), "AppArmor"));
	/* nothing known: no guess */
	assert_null(sandbox_hint(bwrap_no_userns, &host));
	assert_null(sandbox_hint(bwrap_no_proc, &host));
	assert_null(sandbox_hint("bwrap: execvp true: No such file or directory\n", &docker));
	assert_null(sandbox_hint(NULL, &docker));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_ok),
		cmocka_unit_test(test_manifest_garbage),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_manifest_duplicate_source),
		cmocka_unit_test(test_report_too_large),
		cmocka_unit_test(test_syscall_from_id),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_rubric),
		cmocka_unit_test(test_grade_record),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_outputs_hostile_bytes),
		cmocka_unit_test(test_outputs_invalid_latin1),
		cmocka_unit_test(test_outputs_grader_error),
		cmocka_unit_test(test_blame),
		cmocka_unit_test(test_sandbox_hint),
#define F(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)
		F(test_all_pass), F(test_not_compiled), F(test_dynamic), F(test_loops_forever), F(test_waits_forever), F(test_killed_waiting),
		F(test_never_calls), F(test_wrong_number), F(test_wrong_task),
		F(test_libc_wrapper), F(test_bad_args), F(test_other_syscall), F(test_call_ends), F(test_report),
		F(test_report_copied), F(test_report_prose), F(test_report_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
