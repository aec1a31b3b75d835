/* QEMU's machine protocol: see qmp.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "qemu/qmp.h"

/* The next line QEMU sent, NUL-terminated in q->buf (valid until the next
 * read); NULL with E when the socket closed or the deadline passed. */
static char *read_line(struct qmp *q, struct error *e)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			*nl = '\0';
			return q->buf;
		}
		if (q->len == sizeof(q->buf) - 1) {
			error_set(e, EXIT_FAIL, "QMP: a reply longer than %zu bytes", q->len);
			return NULL;
		}
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int left = (int)((q->deadline - now()) * 1000);

		if (left <= 0 || poll(&p, 1, left) == 0) {
			error_set(e, EXIT_FAIL, "QMP: no answer from QEMU in time");
			return NULL;
		}
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set(e, EXIT_FAIL, "QMP: QEMU closed its socket%s%s",
				  n < 0 ? ": " : " (it ended)", n < 0 ? strerror(errno) : "");
			return NULL;
		}
		q->len += n;
	}
}

/* Drop the line read_line() returned. */
static void take_line(struct qmp *q)
{
	char *end = memchr(q->buf, '\0', q->len) + 1;

	q->len -= end - q->buf;
	memmove(q->buf, end, q->len);
}

/* The next message that is not an event; NULL with E. */
static json_t *read_reply(struct qmp *q, struct error *e)
{
	json_t *msg;
	char *line;

	while ((line = read_line(q, e))) {
		msg = json_loads(line, 0, NULL);
		take_line(q);
		if (!msg) {
			error_set(e, EXIT_FAIL, "QMP: QEMU sent something not JSON");
			return NULL;
		}
		if (!json_object_get(msg, "event"))
			return msg;
		json_decref(msg);
	}
	return NULL;
}

static int send_msg(struct qmp *q, const char *cmd, json_t *args, int fd, struct error *e)
{
	json_t *msg = json_pack("{s:s}", "execute", cmd);
	char *text, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (args)
		json_object_set_new(msg, "arguments", args);
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	iov = (struct iovec){ .iov_base = text, .iov_len = strlen(text) };
	if (fd >= 0) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	/* a command is far smaller than a socket's buffer: one write */
	n = sendmsg(q->fd, &mh, MSG_NOSIGNAL);
	free(text);
	if (n != (ssize_t)iov.iov_len)
		return error_set(e, EXIT_FAIL, "QMP: cannot send %s: %s", cmd,
				 n < 0 ? strerror(errno) : "short write");
	return 0;
}

static int execute(struct qmp *q, const char *cmd, json_t *args, int fd, json_t **ret,
		   struct error *e)
{
	json_t *reply, *err;
	int rc = 0;

	if (send_msg(q, cmd, args, fd, e) < 0 || !(reply = read_reply(q, e)))
		return -1;
	err = json_object_get(reply, "error");
	if (err)
		rc = error_set(e, EXIT_FAIL, "QMP %s: %s", cmd,
			       json_string_value(json_object_get(err, "desc")) ?
			       json_string_value(json_object_get(err, "desc")) : "failed");
	else if (ret)
		*ret = json_incref(json_object_get(reply, "return"));
	json_decref(reply);
	return rc;
}

int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, struct error *e)
{
	return execute(q, cmd, args, -1, ret, e);
}

int qmp_send_fd(struct qmp *q, const char *name, int fd, struct error *e)
{
	return execute(q, "getfd", json_pack("{s:s}", "fdname", name), fd, NULL, e);
}

int qmp_connect(struct qmp *q, const char *path, const struct child *qemu, double timeout,
		struct error *e)
{
	const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *hello;

	memset(q, 0, sizeof(*q));
	q->deadline = now() + timeout;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return error_set(e, EXIT_ENV, "socket: %s", strerror(errno));
	/* QEMU listens once it has parsed its options: an event, not a time */
	while (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if ((errno != ENOENT && errno != ECONNREFUSED) || child_exited(qemu) ||
		    now() > q->deadline) {
			error_set(e, EXIT_FAIL, "QEMU did not open its QMP socket %s: %s", path,
				  strerror(errno));
			qmp_close(q);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	hello = read_reply(q, e);	/* the greeting: {"QMP": {...}} */
	if (!hello || !json_object_get(hello, "QMP")) {
		if (hello)
			error_set(e, EXIT_FAIL, "QMP: no greeting from QEMU");
		json_decref(hello);
		qmp_close(q);
		return -1;
	}
	json_decref(hello);
	if (qmp_execute(q, "qmp_capabilities", NULL, NULL, e) < 0) {
		qmp_close(q);
		return -1;
	}
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
