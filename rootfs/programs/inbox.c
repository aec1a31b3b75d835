/*
 * inbox: how a guest restored from its saved state (labctl/qemu/snapshot.h)
 * receives its scenario, and files that were not in its image.
 *
 * rootfs/init runs it, under labctl.wait=ttyS1, in place of reading its
 * kernel command line.  It maps its inbox (inbox.h), every page present,
 * opens ttyS1 (opening the UART clears its FIFO: before the line can come),
 * says "LABCTL waiting" on the console, and reads one line: there the guest
 * is saved.  Once it is restored, labctl writes the line, and GDB, before
 * the guest runs again, may write an archive into the inbox (the lab-inbox
 * command, gdb/labctl/inbox.py); the line then says so with
 * labctl.inbox=SIZE:HASH.  inbox checks the bytes against the hash, writes
 * them to /run/inbox.cpio for init to unpack, and prints the line on
 * standard output for init.  Exit 1, said on the console, when the archive
 * is not what the line says.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inbox.h"

int main(void)
{
	unsigned char *box = mmap((void *)LAB_INBOX_ADDR, LAB_INBOX_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	static char line[4096];
	unsigned long size;
	unsigned long long hash;
	const char *in;
	ssize_t n;
	int tty, out;

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
	in = strstr(line, "labctl.inbox=");
	if (in) {
		if (sscanf(in, "labctl.inbox=%lu:%llx", &size, &hash) != 2 || size > LAB_INBOX_SIZE) {
			fputs("LABCTL error: inbox: a bad labctl.inbox=\n", stderr);
			return 1;
		}
		if (lab_inbox_hash(box, size) != hash) {
			fprintf(stderr, "LABCTL error: inbox: %lu bytes that do not hash to %llx\n",
				size, hash);
			return 1;
		}
		out = open("/run/inbox.cpio", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (out < 0 || write(out, box, size) != (ssize_t)size || close(out) < 0) {
			perror("LABCTL error: inbox: /run/inbox.cpio");
			return 1;
		}
	}
	fputs(line, stdout);
	return 0;
}
