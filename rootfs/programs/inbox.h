/*
 * The inbox of a guest restored from its saved state (labctl/qemu/snapshot.h),
 * shared by rootfs/programs/inbox.c, which holds it, and labctl, which has
 * GDB fill it: an anonymous mapping at a fixed address of the inbox
 * process, every page present before the guest is saved.
 */
#ifndef LAB_INBOX_H
#define LAB_INBOX_H

#define LAB_INBOX_ADDR 0x100000000000UL  /* 16 TiB: far from a static program's */
#define LAB_INBOX_SIZE (8UL << 20)       /* a grade's two programs are ~2 MiB */

/* FNV-1a, 64 bits: what the line says the archive's bytes hash to. */
static inline unsigned long long lab_inbox_hash(const unsigned char *p, unsigned long n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#endif
