/*
 * A built kernel, as `labctl build` leaves it in the cache:
 *
 *   CACHE/kernels/KEY/            KEY = sha256(source, config inputs, compiler)
 *       vmlinux                   with DWARF and a GDB index
 *       bzImage
 *       config                    the final .config
 *       System.map
 *       source -> the source tree (entry_64.S, syscall_64.tbl, ...)
 *       obj    -> the object directory (scripts/gdb/, vmlinux-gdb.py)
 *       kernel.json               version, key, inputs (see build.c)
 *       labctl-bundle.json        an imported kernel's (bundle.h): source and obj
 *                                 are directories, and the manifest says where
 *                                 they were when it was built
 *       gdb-memo.json             what GDB learnt slowly of vmlinux, kept by
 *                                 trace (gdb/labctl/memo.py)
 *   CACHE/kernels/current -> KEY  the last one built
 *   CACHE/kernels/X.Y -> KEY      the last one built of Linux X.Y (6.1 for
 *                                 6.1.192), for --kernel X.Y
 *
 * boot, trace and grade read a kernel only through kernel_load().
 */
#ifndef LABCTL_KERNEL_H
#define LABCTL_KERNEL_H

struct kernel {
	char *dir;       /* CACHE/kernels/KEY */
	char *vmlinux;
	char *bzimage;
	char *config;
	char *source;    /* the source tree (resolved) */
	char *obj;       /* the object directory (resolved) */
	char *version;   /* "5.10.223", from kernel.json */
	/* An imported kernel's (bundle.h): where SOURCE and OBJ were on the
	 * machine that built it, which vmlinux's DWARF names; else NULL. */
	char *built_source, *built_obj;
	/* How QEMU boots it, from its config: vmlinux through its PVH entry
	 * when CONFIG_PVH (the lab's), else bzImage (defconfig); with
	 * pti=on when built with CONFIG_PAGE_TABLE_ISOLATION, since QEMU's
	 * emulated CPU does not report Meltdown and the kernel would leave it
	 * off (the reference write-ups' defconfig kernels isolated). */
	const char *boot_image;
	int pti;
};

struct error;

/* Load the kernel last built of VERSION ("6.1", versions.h), or the last
 * built when VERSION is NULL.  -1 with E (EXIT_ENV, "run 'labctl build'
 * first") when there is none or it is incomplete; K is then empty. */
int kernel_load(struct kernel *k, const char *version, struct error *e);
void kernel_free(struct kernel *k);
/* Point CACHE/kernels/current and CACHE/kernels/X.Y (of VERSION) at KEY. */
int kernel_set_current(const char *key, const char *version, struct error *e);
/* *VALUE: CONFIG_NAME's in the kernel's config ("y", "64", "\"str\""), or
 * NULL when unset (caller frees); -1 with E when the config is unreadable. */
int kernel_config_value(const struct kernel *k, const char *name, char **value, struct error *e);

#endif
