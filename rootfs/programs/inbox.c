/*
 * inbox: how a guest restored from its saved state (labctl/qemu/snapshot.h)
 * receives its scenario, its clock, its randomness, and files that were not
 * in its image.
 *
 * rootfs/init runs it, under labctl.wait=ttyS1, in place of reading its
 * kernel command line.  It maps its inbox (inbox.h), every page present,
 * opens ttyS1 (opening the UART clears its FIFO: before the line can come),
 * says "LABCTL waiting" on the console, and reads one line: there the guest
 * is saved.  Once it is restored, labctl writes the line, and GDB, before
 * the guest runs again, may write an archive into the inbox
 * (gdb/labctl/inbox.py).  From the line's words:
 *
 *   labctl.time=SECONDS     the wall clock, set (the save's is stale)
 *   labctl.seed=HEX         written to /dev/urandom (the save's pool is shared)
 *   labctl.inbox=SIZE:HASH  the archive: checked against the hash, then
 *                           unpacked over / (a newc cpio of directories and
 *                           regular files, as labctl writes them)
 *
 * It prints the line on standard output for init.  All of it in this one
 * process, started before the save: after the restore the scenario's
 * programs are the first processes to start, as in a booted guest.  Exit
 * 1, said on the console, when something is not what the line says.
 *
 *   inbox PROGRAM ARGS...
 *
 * waits the same way in the place of a scenario's step (init's
 * labctl.hold=STEP: the guest saved once more, with the steps before it
 * run), then, the line taken, becomes PROGRAM (execv): the step's
 * program starts after the restore, in the pid, with the file descriptors,
 * it would have had, on a clock and a random pool the line just set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "inbox.h"

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int fail(const char *what)
{
	fprintf(stderr, "LABCTL error: inbox: %s\n", what);
	return -1;
}

/* The newc header's field at OFF (8 hex digits). */
static unsigned long field(const unsigned char *h, int off)
{
	char hex[9];

	memcpy(hex, h + off, 8);
	hex[8] = '\0';
	return strtoul(hex, NULL, 16);
}

/* Unpack the newc archive BOX[0, SIZE) over /: directories and regular files. */
static int unpack(const unsigned char *box, unsigned long size)
{
	unsigned long at = 0, mode, len, namesize;
	const char *name;
	int fd;

	for (;;) {
		if (at + 110 > size || memcmp(box + at, "070701", 6))
			return fail("not a newc archive");
		mode = field(box + at, 14);
		len = field(box + at, 54);
		namesize = field(box + at, 94);
		name = (const char *)box + at + 110;
		if (at + 110 + namesize > size || !namesize || name[namesize - 1])
			return fail("a name past the archive's end");
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (strstr(name, ".."))
			return fail("a name with ..");
		at = (at + 110 + namesize + 3) & ~3UL;
		if (at + len > size)
			return fail("a file past the archive's end");
		if (S_ISDIR(mode)) {
			if (mkdir(name, mode & 07777) < 0 && !is_dir(name))
				return fail(name);
		} else if (S_ISREG(mode)) {
			fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
			if (fd < 0 || write(fd, box + at, len) != (ssize_t)len ||
			    fchmod(fd, mode & 07777) < 0 || close(fd) < 0)
				return fail(name);
		} else {
			return fail("neither a directory nor a regular file");
		}
		at = (at + len + 3) & ~3UL;
	}
}

/* The words labctl.time=, labctl.seed=, labctl.inbox= of LINE, done. */
static int take(char *line, const unsigned char *box)
{
	unsigned long size;
	unsigned long long hash;
	long long secs;
	struct timeval tv = { 0 };
	const char *w;
	int fd;

	if ((w = strstr(line, "labctl.time=")) && sscanf(w, "labctl.time=%lld", &secs) == 1) {
		tv.tv_sec = secs;
		if (settimeofday(&tv, NULL) < 0)
			return fail("settimeofday");
	}
	if ((w = strstr(line, "labctl.seed="))) {
		w += strlen("labctl.seed=");
		fd = open("/dev/urandom", O_WRONLY);
		if (fd < 0 || write(fd, w, strcspn(w, " \n")) < 0 || close(fd) < 0)
			return fail("/dev/urandom");
	}
	if (!(w = strstr(line, "labctl.inbox=")))
		return 0;
	if (chdir("/") < 0)
		return fail("chdir /");
	if (sscanf(w, "labctl.inbox=%lu:%llx", &size, &hash) != 2 || size > LAB_INBOX_SIZE)
		return fail("a bad labctl.inbox=");
	if (lab_inbox_hash(box, size) != hash)
		return fail("the archive does not hash to what labctl.inbox= says");
	return unpack(box, size);
}

int main(int argc, char **argv)
{
	unsigned char *box = mmap((void *)LAB_INBOX_ADDR, LAB_INBOX_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	static char line[4096];
	ssize_t n;
	int tty;

	if (box == MAP_FAILED) {
		perror("LABCTL error: inbox: mmap");
		return 1;
	}
	/* present and private, so that GDB writes into pages the save holds */
	for (unsigned long i = 0; i < LAB_INBOX_SIZE; i += 4096)
		box[i] = 0;
	tty = open("/dev/ttyS1", O_RDONLY);
	if (tty < 0) {
		perror("LABCTL error: inbox: /dev/ttyS1");
		return 1;
	}
	fputs("LABCTL waiting\n", stderr);
	/* the tty is canonical: one read, one line */
	n = read(tty, line, sizeof(line) - 1);
	if (n <= 0 || line[n - 1] != '\n') {
		fputs("LABCTL error: inbox: no whole line on ttyS1\n", stderr);
		return 1;
	}
	line[n] = '\0';
	if (take(line, box) < 0)
		return 1;
	if (argc > 1) {
		close(tty);
		execv(argv[1], argv + 1);
		fprintf(stderr, "LABCTL error: inbox: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	fputs(line, stdout);
	return 0;
}
