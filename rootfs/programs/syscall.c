/*
 * syscall: make any system call, by number, with up to six arguments, so
 * that a system call without a lab program of its own can be traced.
 *
 *   syscall NR [ARG...]
 *
 * Each ARG is an integer (decimal, 0x hex, or negative), "s:TEXT" for a
 * pointer to the string TEXT, or "b:N" for a pointer to N zeroed bytes (a
 * buffer for the kernel to fill).  Prints the raw return value: a negative
 * number between -4095 and -1 is -errno.
 *   syscall 39                   getpid()
 *   syscall 63 b:390             uname(buf)
 *   syscall 83 s:/tmp/d 0755     mkdir("/tmp/d", 0755)
 */
#include "lab.h"

/* The `syscall` instruction with six arguments; r10, r8 and r9 have no
 * constraint letter, so they are bound as register variables. */
static __attribute__((noinline))
long lab_syscall(long nr, const long a[6])
{
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "a" (nr), "D" (a[0]), "S" (a[1]), "d" (a[2]),
			    "r" (r10), "r" (r8), "r" (r9)
			  : "rcx", "r11", "memory");
	return ret;
}

static long parse_arg(const char *s)
{
	char *end;
	long v;

	if (!strncmp(s, "s:", 2))
		return (long)(s + 2);
	if (!strncmp(s, "b:", 2)) {
		v = strtol(s + 2, &end, 0);
		if (*end || v < 0)
			goto bad;
		return (long)calloc(1, v ? v : 1);
	}
	v = strtol(s, &end, 0);
	if (*s && !*end)
		return v;
bad:
	fprintf(stderr, "syscall: bad argument '%s' (integer, s:TEXT or b:N)\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	long args[6] = { 0 }, nr, ret;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: syscall NR [ARG...] (at most 6 arguments)\n");
		return 2;
	}
	nr = parse_arg(argv[1]);
	for (int i = 2; i < argc; i++)
		args[i - 2] = parse_arg(argv[i]);
	ret = lab_syscall(nr, args);
	printf("syscall %ld returned %ld\n", nr, ret);
	return 0;
}
