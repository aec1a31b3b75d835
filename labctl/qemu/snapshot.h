/*
 * The lab guest saved once booted, restored for each trace.
 *
 * Booting the guest is most of a trace's time, and every boot of a given
 * kernel and image is the same up to the point where init reads its
 * scenario.  So that point is where the guest is saved: booted with
 * `labctl.wait=ttyS1`, rootfs/init mounts what it mounts and runs
 * /lab/inbox (rootfs/programs/inbox.c), which maps its inbox, says "LABCTL
 * waiting" on the console and blocks reading a line from the guest's second
 * serial port (ttyS1, a Unix socket here).  labctl then stops the guest and
 * has QEMU migrate its whole state into a file, once, under the cache:
 *
 *   CACHE/snapshots/KEY.state   KEY = sha256(QEMU's argv for the guest,
 *                               the QEMU binary's identity, the image's)
 *
 * A trace starts QEMU with the same argv, `-incoming defer` and -S, hands
 * it the file through QMP and waits until it is loaded: the guest is
 * paused where it was saved, GDB attaches as to a cold one.  The line init
 * waits for is written at once (the guest reads it when it runs): the
 * scenario's words as a cold boot has them on the kernel command line, with
 * the wall clock (labctl.time=, set with date) and 32 random bytes
 * (labctl.seed=, written to /dev/urandom), so that no two restored guests
 * share a clock or a random pool.  Their pids are those of a cold boot plus
 * the few processes init runs before it waits.  Files a cold boot would
 * have in an archive appended to the image (the user's own program, a
 * submission) are written by GDB into the inbox before the guest runs
 * (gdb/labctl/inbox.py), and labctl.inbox=SIZE:HASH tells init to unpack them.
 *
 * A trace of a lab scenario restores a later point still (snapshot_hold):
 * the guest restored from that state, told its scenario and the traced step
 * (labctl.hold=), runs the steps before it and waits again, a second inbox
 * in the step's place, and is saved there too, once.  Restored there, that
 * inbox takes the clock and the seed and execs the step's program.
 *
 * A state that does not load (another QEMU, a corrupt file) is thrown away
 * and saved again, once, with one message; one that cannot be saved (disk
 * full) leaves the trace to a cold boot, and the reason is named.
 */
#ifndef LABCTL_SNAPSHOT_H
#define LABCTL_SNAPSHOT_H

#include "lib/error.h"
#include "lib/proc.h"
#include "qemu/qemu.h"

/* The kernel command line word that makes init wait for its scenario. */
#define SNAPSHOT_APPEND "labctl.wait=ttyS1"

/* Where the saved state of the guest Q describes lives (caller frees);
 * NULL with E when the cache cannot hold it. */
char *snapshot_path(const struct qemu_opts *q, struct error *e);
/* The path of the saved state of the guest Q describes (Q->append must be
 * SNAPSHOT_APPEND), saved now if there is none (booting it, a second or
 * so); caller frees.  NULL when there is none and none could be saved: that
 * is noted, with why, and the guest is to be booted cold. */
char *snapshot_ensure(const struct qemu_opts *q, struct error *e);
/*
 * A guest saved once more, later: restored from BASE (a saved state),
 * given WORDS (a scenario's, and labctl.hold=STEP), run until the inbox
 * waiting in STEP's place says so (rootfs/init), and saved there, the
 * scenario's earlier steps run (a server listening).  A trace of STEP
 * restored there starts from its program's exec.  Keyed by BASE and WORDS.
 */
struct snapshot_hold {
	const char *base;
	const char *words;
	const char *step;
};

/* The path of H's saved state, saved now if there is none (a restore and
 * the steps before H's, about a second); caller frees.  NULL when there is
 * none and none could be saved: noted, with why, and the guest is to be
 * restored from H's base. */
char *snapshot_ensure_held(const struct qemu_opts *q, const struct snapshot_hold *h,
			   struct error *e);
/* Where a held state STATE keeps the console of its earlier steps (what
 * its servers said: "server: listening on ..."), which a guest restored
 * from it printed before the save; caller frees. */
char *snapshot_console(const char *state);
/* The word that tells a restored guest's init what GDB wrote into its
 * inbox (rootfs/programs/inbox.h, gdb/labctl/inbox.py): ARCHIVE's size and
 * hash, "labctl.inbox=SIZE:HASH" (caller frees); NULL with E when ARCHIVE
 * cannot be read or is larger than the inbox. */
char *snapshot_inbox_word(const char *archive, struct error *e);
/*
 * Start the guest Q describes (paused, with its gdbstub: Q's run_dir,
 * gdb_socket, timeout) from the state in PATH (H's, or the booted one's
 * when H is NULL) and give its init WORDS (the scenario, as on a cold
 * kernel command line; none to a held one, but the clock and the seed).
 * A state QEMU cannot load is saved again, once.  0: QEMU runs as child
 * QEMU, paused where it was saved, and *CHANNEL is the open ttyS1 socket,
 * to close once QEMU is gone.  -1 with E.
 */
int snapshot_restore(const struct qemu_opts *q, const char *path, const struct snapshot_hold *h,
		     const char *words, struct child *qemu, int *channel, struct error *e);
/* Remove the sockets a restored (or saved) guest had in RUN_DIR, once its
 * QEMU is gone: a run directory keeps files, not dead endpoints (an
 * artifact upload copies it). */
void snapshot_sockets_remove(const char *run_dir);

#endif
