/*
 * What the guest's serial console says about a run: the markers rootfs/init
 * prints ("LABCTL step NAME exit N", "LABCTL scenario done status=N") and
 * the kernel's "Kernel panic - not syncing: ..." line.
 */
#ifndef LABCTL_OUTCOME_H
#define LABCTL_OUTCOME_H

#include <stdbool.h>

struct outcome {
	bool done;           /* "LABCTL scenario done" seen */
	int status;          /* its status= */
	char *failed_step;   /* the first step that exited non-zero, or NULL */
	int failed_status;
	char *panic;         /* the panic line, or NULL */
	char *error;         /* a "LABCTL error: ..." line from init, or NULL */
};

/* Read SERIAL_LOG; -1 with errno when it cannot be read. */
int outcome_read(struct outcome *o, const char *serial_log);
void outcome_free(struct outcome *o);

#endif
