/* The commands, one file each (cmd-*.c); main.c holds the table. */
#ifndef LABCTL_COMMANDS_H
#define LABCTL_COMMANDS_H

/*
 * Each command parses its own options with getopt_long; "--help" prints its
 * usage on stdout and returns 0.  The return value is labctl's exit code.
 */
int cmd_version(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif
