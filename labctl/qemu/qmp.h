/*
 * QEMU's machine protocol (QMP), as far as saving and restoring the lab
 * guest needs it: JSON objects, one per line, on a Unix socket; the
 * greeting, `qmp_capabilities`, then commands answered by "return" or
 * "error", with asynchronous "event"s between, which are skipped.
 */
#ifndef LABCTL_QMP_H
#define LABCTL_QMP_H

#include <jansson.h>

#include "lib/error.h"
#include "lib/proc.h"

struct qmp {
	int fd;
	char buf[65536];        /* what was read and not yet taken as a line */
	size_t len;
	double deadline;        /* monotonic seconds (now()) no read waits past */
};

/* Connect to the QMP socket PATH of QEMU, just started as child QEMU,
 * waiting for it to listen, and enter command mode; no read of Q waits past
 * TIMEOUT seconds from now.  -1 with E (EXIT_FAIL: QEMU ended first). */
int qmp_connect(struct qmp *q, const char *path, const struct child *qemu, double timeout,
		struct error *e);
/* Run CMD with ARGS (taken; NULL for none).  0 with *RET (when RET is not
 * NULL) a new reference to its "return"; -1 with E holding QEMU's "error"
 * (EXIT_FAIL) or why there was no answer. */
int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, struct error *e);
/* Give QEMU the file descriptor FD under NAME (`getfd`, with FD sent along
 * the socket), for a "fd:NAME" migration URI.  -1 with E. */
int qmp_send_fd(struct qmp *q, const char *name, int fd, struct error *e);
void qmp_close(struct qmp *q);

#endif
