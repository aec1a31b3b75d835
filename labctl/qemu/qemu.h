/*
 * Starting the lab's guest.  One recipe for boot, trace and grade:
 * QEMU's microvm machine loading vmlinux through its PVH entry (no firmware,
 * no decompression; bzImage for a kernel without it, kernel.h), a serial
 * console captured to a file, no network device,
 * `nokaslr`, and panic=-1/reboot=t with -no-reboot so that a panicking or
 * powering-off guest ends QEMU instead of hanging it.
 */
#ifndef LABCTL_QEMU_H
#define LABCTL_QEMU_H

#include <stdbool.h>

#include "kbuild/kernel.h"
#include "lib/error.h"
#include "lib/proc.h"

struct qemu_opts {
	const struct kernel *kernel;
	const char *initrd;     /* or NULL: none (the kernel panics: no init) */
	const char *append;     /* extra kernel command line, or NULL */
	const char *run_dir;    /* serial.log and qemu.log go here */
	bool paused;            /* -S: wait for a debugger before the first instruction */
	const char *gdb_socket; /* gdbstub on this Unix socket, or NULL */
	int gdb_port;           /* gdbstub on 127.0.0.1:PORT, or 0 */
	bool kvm;               /* -accel kvm instead of TCG */
	bool echo;              /* copy the serial console to stderr as it comes */
	double timeout;         /* seconds for the whole run */
	int memory_mb;          /* 0: default */
	const char *qmp_socket; /* QMP on this Unix socket (qmp.h), or NULL */
	const char *channel_socket; /* a second serial port, the guest's ttyS1, on
	                         * this Unix socket: a saved guest's init reads its
	                         * scenario there (snapshot.h); or NULL */
	bool incoming;          /* -incoming defer: a saved state comes through QMP */
};

/* Start QEMU as child C (name "qemu"); the serial console goes to
 * RUN_DIR/serial.log, QEMU's own messages to RUN_DIR/qemu.log.  After
 * child_wait(), free c->argv with strv_free() and c->log with free().
 * -1 with E when QEMU cannot be started (nothing to free then). */
int qemu_start(const struct qemu_opts *o, struct child *c, struct error *e);
/* The argv qemu_start() runs (NULL-terminated, caller frees the array and
 * its strings with strv_free(), strvec.h). */
char **qemu_argv(const struct qemu_opts *o);
/* Wait until the gdbstub of the QEMU started as C accepts connections (its
 * socket exists, or its port is taken): an event, not a time, since a loaded
 * host may take long to load vmlinux; TIMEOUT > 0 is the run's own bound.
 * 0 when it does, -1 when QEMU exited or the time ran out. */
int qemu_wait_gdbstub(const struct qemu_opts *o, const struct child *c, double timeout);
/* Is 127.0.0.1:PORT free to listen on? */
bool port_free(int port);

#endif
