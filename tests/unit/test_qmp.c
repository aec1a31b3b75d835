/*
 * QEMU's machine protocol (qemu/qmp.c) against a fake QEMU: a child that
 * listens on the socket, greets, and answers from a script, with events
 * between the answers, an error, a file descriptor passed along, and an
 * end without an answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../labctl/lib/fs.h"
#include "../../labctl/lib/labctl.h"
#include "../../labctl/lib/proc.h"
#include "../../labctl/qemu/qmp.h"

static char dir[] = "/tmp/labctl-test-qmp.XXXXXX";
static char *sock, *log_path;

/* The fake QEMU: a line read, a line (or two) written, as QEMU would. */
static int fake_qemu(void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c, got_fd = 0;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
	    (c = accept(l, NULL, NULL)) < 0)
		return 1;
	dprintf(c, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
	while ((n = recvmsg(c, &mh, 0)) > 0) {
		buf[n] = '\0';
		if (CMSG_FIRSTHDR(&mh) && CMSG_FIRSTHDR(&mh)->cmsg_type == SCM_RIGHTS)
			got_fd = 1;
		if (strstr(buf, "\"qmp_capabilities\""))
			dprintf(c, "{\"return\": {}}\r\n");
		else if (strstr(buf, "\"query-status\""))
			dprintf(c, "{\"event\": \"RESUME\", \"timestamp\": {}}\r\n"
				   "{\"return\": {\"status\": \"paused\", \"running\": false}}\r\n");
		else if (strstr(buf, "\"stop\""))
			dprintf(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\r\n");
		else if (strstr(buf, "\"getfd\""))
			dprintf(c, got_fd && strstr(buf, "\"state\"") ? "{\"return\": {}}\r\n"
				   : "{\"error\": {\"desc\": \"no fd\"}}\r\n");
		else if (strstr(buf, "\"quit\""))
			return 0;	/* ends without an answer, as QEMU dying */
		mh.msg_controllen = sizeof(ctl);
	}
	return 0;
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	sock = xasprintf("%s/qmp.sock", dir);
	log_path = xasprintf("%s/fake.log", dir);
	return 0;
}

static int teardown(void **state)
{
	remove_tree(dir);
	free(sock);
	free(log_path);
	return 0;
}

static void test_session(void **state)
{
	struct child qemu = { .name = "fake-qemu", .fn = fake_qemu, .log = log_path, .timeout = 20 };
	struct qmp q;
	struct error e;
	json_t *r = NULL;
	int fd;

	assert_int_equal(child_start(&qemu, &e), 0);
	assert_int_equal(qmp_connect(&q, sock, &qemu, 10, &e), 0);
	/* an event before the answer is skipped */
	assert_int_equal(qmp_execute(&q, "query-status", NULL, &r, &e), 0);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "paused");
	json_decref(r);
	/* QEMU's error is the message */
	assert_int_equal(qmp_execute(&q, "stop", NULL, NULL, &e), -1);
	assert_int_equal(e.code, EXIT_FAIL);
	assert_string_equal(e.msg, "QMP stop: no");
	/* a descriptor goes along with getfd */
	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(qmp_send_fd(&q, "state", fd, &e), 0);
	close(fd);
	/* no answer: QEMU ended */
	assert_int_equal(qmp_execute(&q, "quit", NULL, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "QEMU closed its socket"));
	qmp_close(&q);
	child_wait(&qemu);
	assert_int_equal(child_result(&qemu), 0);
}

/* A QEMU that ended before it listened is told at once, not at the time limit. */
static int no_qemu(void *arg)
{
	return 1;
}

static void test_ended_before_listening(void **state)
{
	struct child qemu = { .name = "fake-qemu", .fn = no_qemu, .log = log_path, .timeout = 20 };
	struct qmp q;
	struct error e;
	double t0 = now();

	unlink(sock);
	assert_int_equal(child_start(&qemu, &e), 0);
	assert_int_equal(qmp_connect(&q, sock, &qemu, 10, &e), -1);
	assert_true(now() - t0 < 5);
	assert_non_null(strstr(e.msg, "QEMU did not open its QMP socket"));
	child_wait(&qemu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_ended_before_listening),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
