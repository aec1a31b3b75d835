/* The commands, one file each (cmd-*.c); main.c holds the table. */
#ifndef LABCTL_COMMANDS_H
#define LABCTL_COMMANDS_H

#include <stdbool.h>

struct command_line;

/*
 * Each command describes its options in a table (parse-options.h) and
 * parses them with parse_command_line().  The return value is labctl's
 * exit code.
 */
int cmd_version(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* die.c: parse C's options; --help prints the help and exits 0, a bad
 * option dies (exit 2).  Returns the index in ARGV of the first operand. */
int parse_command_line(const struct command_line *c, int argc, char **argv);
/* main.c: STATUS, unless standard output could not be written (then one
 * error line and exit 3).  What a command returns to main passes here. */
int finish_stdout(int status);

/*
 * complete.c: `labctl __complete WORD...` for the shells' completion.
 * While completing is set, parse_command_line() completes the command's
 * last word from its table instead of parsing, and exits.
 */
extern bool completing;
_Noreturn void complete_line(const struct command_line *c, int argc, char **argv,
			     const char *const *operand_words);
/* The index of the command word in ARGV (labctl's own options before it),
 * 0 while the last word is still the command's place. */
int complete_command_index(const struct command_line *c, int argc, char **argv);

#endif
