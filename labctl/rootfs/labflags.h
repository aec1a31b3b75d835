/*
 * The compiler flags of every lab program: the ones rootfs/ builds and the
 * ones `labctl grade` compiles a student's program with.  Static, so the
 * program runs in the initramfs without a libc; frame pointers and -g, so
 * GDB's backtraces and the grader's symbol lookups see the student's code.
 */
#ifndef LABCTL_LABFLAGS_H
#define LABCTL_LABFLAGS_H

#define LAB_CFLAGS "-static", "-O1", "-g", "-fno-omit-frame-pointer", "-Wall"

#endif
