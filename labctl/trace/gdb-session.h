/*
 * A paused lab guest and a GDB driving it: what `labctl trace` and
 * `labctl trace --timeline` share.  QEMU starts with -S and its gdbstub on
 * a Unix socket in the run directory; GDB runs `gdb -batch -nx` with
 * auto-load off, loads vmlinux (before `target remote`: its architecture
 * sizes the 'g' packet) and the gdb/ package, then one of its commands
 * (lab-trace, lab-timeline) with a PARAMS.json.  The command writes its
 * capture as JSON to a file named in the params (gdb/SCHEMA.md); GDB's text
 * is never parsed, only its "labctl-phase: NAME" progress lines, to name the
 * phase a timeout interrupted.
 */
#ifndef LABCTL_GDB_SESSION_H
#define LABCTL_GDB_SESSION_H

#include <jansson.h>
#include <stdbool.h>

#include "kbuild/kernel.h"
#include "lib/error.h"

struct gdb_run;
struct gdb_server;

struct gdb_session {
	const struct kernel *kernel;
	const char *initrd;
	const char *append;     /* kernel command line words (the scenario) */
	const char *run_dir;    /* gdb.sock, gdb.log, serial.log, qemu.log */
	bool kvm;
	double timeout;         /* seconds, for GDB; QEMU gets 5 more */
	const char *command;    /* "lab-trace" */
	const char *params;     /* its PARAMS.json */
	const char *capture;    /* the JSON file the command writes */
	bool restore;           /* start the guest from its saved state (snapshot.h),
	                         * saved first when need be, APPEND then given to
	                         * its init on ttyS1; a cold boot when none can be */
	const char *saved_initrd; /* restored: the saved guest's image, the lab's
	                         * (NULL: INITRD); with INBOX, INITRD is it with
	                         * INBOX appended, written if the guest boots and
	                         * it is not there yet (grade's is not) */
	const char *inbox;      /* restored: the archive GDB writes into its inbox, or NULL */
	const char *hold;       /* restored: the scenario's step the guest is saved at
	                         * too (snapshot_hold), its earlier steps run once for
	                         * all traces, INBOX then given to the inbox in the
	                         * step's place (the scenario must be the image's: an
	                         * inbox's would come too late); NULL: none */
	const struct gdb_server *server; /* a GDB that serves the run (NULL, or
	                         * gone: one of its own is started) */
	bool interactive;       /* GDB on the user's terminal, the command run first
	                         * (lab-stop), then its prompt: no time limit but
	                         * TIMEOUT's for QEMU's start, no capture required */
};

/*
 * A GDB kept for many runs, one after the other (a grading batch's worker):
 * vmlinux and the package loaded once, a run's job then written to it
 * (gdb/labctl/serve.py), nothing of a run left for the next.  Its requests'
 * FIFO and its log are in DIR.  NULL with E.
 */
struct gdb_server *gdb_server_start(const struct kernel *k, const char *dir, struct error *e);
/* Is it there to serve (not killed at a run's time limit)?  NULL is not. */
bool gdb_server_alive(const struct gdb_server *v);
/* Killed, reaped and freed; NULL is none. */
void gdb_server_stop(struct gdb_server *v);
/* The GDB command that puts labctl's Python package (DATADIR/gdb) on GDB's
 * path, before `python import labctl.register`; caller frees. */
char *gdb_session_package_path(void);
/*
 * GDB started ahead of its guest, for S (of which it reads the kernel, the
 * run directory, the command and its params path, the time limit and
 * whether it is interactive): it loads vmlinux and labctl's package while
 * labctl prepares the rest, then waits for gdb_session_run().  NULL with E.
 */
struct gdb_run *gdb_session_start(const struct gdb_session *s, struct error *e);
/* A GDB started ahead that will not run after all (the preparation
 * failed): killed, reaped and freed.  NULL is none. */
void gdb_session_abandon(struct gdb_run *g);
/*
 * Boot, run the command in G (started ahead for S, or NULL: started here),
 * kill and reap QEMU and GDB (interactive: when the user quits GDB); G is
 * freed.  -1 with E:
 * EXIT_TIMEOUT (naming the phase), or EXIT_FAIL when no capture was
 * written; otherwise the capture's own verdict is for gdb_capture_check().
 */
int gdb_session_run(const struct gdb_session *s, struct gdb_run *g, struct error *e);
/* The capture's verdict: 0 when it says "ok", else -1 with E holding its
 * error (then DETAIL(root, DATA)'s words, when DETAIL gives some) and the
 * exit code of its error_kind (input, env, timeout).  Either way *WARNINGS
 * (when WARNINGS is not NULL) is a new reference to its "warnings" array of
 * strings, or NULL when it has none. */
int gdb_capture_check(const char *capture, const char *run_dir, json_t **warnings,
		      char *(*detail)(json_t *root, const void *data), const void *data,
		      struct error *e);

#endif
