/*
 * Scenarios: scenarios/NAME.ini says which lab programs the guest runs, in
 * which order, with which arguments, and which one the trace follows.
 *
 *   [scenario]
 *   name = connect                  ; must match the file name
 *   description = TCP client connects to a TCP server on 127.0.0.1
 *   syscall = connect               ; the system call the traced step makes
 *   traced = client                 ; the step whose syscall is traced
 *   function = lab_connect          ; where in its program the syscall
 *                                   ; (or int $0x80) instruction is
 *
 *   [step server]                   ; steps run in file order
 *   program = tcp_server            ; a program in rootfs/programs (NAME32: i386)
 *   background = yes                ; keep running; init waits until it is ready
 *
 *   [step client]
 *   program = tcp_client
 *   args = --direct                 ; whitespace-separated
 *   cmdline_args = yes              ; labctl.args=A,B,... on the kernel
 *                                   ; command line replaces args
 *
 * Errors name FILE:LINE.
 */
#ifndef LABCTL_SCENARIO_H
#define LABCTL_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "rootfs/programs.h"

struct scenario_step {
	char *name;          /* [step NAME] */
	char *program;       /* program = */
	char **args;         /* args =, split; NULL-terminated */
	bool background;     /* background = yes */
	bool cmdline_args;   /* cmdline_args = yes */
	int line;            /* of the [step] header */
	int program_line;    /* of program = */
};

struct scenario {
	char *path;
	char *name;
	char *description;
	char *syscall;       /* "connect", "bind", "socketcall", ... */
	char *traced;        /* name of the traced step */
	char *function;      /* the function of the traced program that makes it */
	struct scenario_step *steps;
	size_t nsteps;
};

/* Parse and check PATH.  With PROGRAMS, every program must be one of them.
 * -1 with E (EXIT_INPUT, "FILE:LINE: ...") on bad input. */
int scenario_load(struct scenario *s, const char *path, const struct programs *programs,
		  struct error *e);
/* datadir's scenarios/NAME.ini; -1 with E (EXIT_INPUT) naming the known ones. */
int scenario_find(struct scenario *s, const char *name, const struct programs *programs,
		  struct error *e);
void scenario_free(struct scenario *s);
/* Is there a datadir's scenarios/NAME.ini? */
bool scenario_exists(const char *name);
/* The step the trace follows. */
const struct scenario_step *scenario_traced(const struct scenario *s);
/* The scenario as shell commands for rootfs/init (caller frees). */
char *scenario_script(const struct scenario *s);
/* The kernel command line words that make rootfs/init run scenario NAME,
 * with ARGS (A,B,... or NULL) for its cmdline_args step (caller frees). */
char *scenario_cmdline(const char *name, const char *args);
/* Every scenarios/NAME.ini in datadir, sorted (NULL-terminated, caller
 * frees each and the array). */
char **scenario_names(struct error *e);

#endif
