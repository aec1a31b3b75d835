/*
 * The language of what labctl says to students (grade's verdicts): the
 * catalogue gdb/labctl's reports use, gdb/labctl/report/lang/CODE.json,
 * from each English message to its translation.  English is the source's
 * own text and needs no file.
 */
#ifndef LABCTL_LANG_H
#define LABCTL_LANG_H

#include "lib/error.h"

/* The languages: English and each catalogue of gdb/labctl/report/lang
 * (tests/py/test_lang.py checks they agree), NULL-terminated: the words
 * of the commands' --lang. */
extern const char *const lang_codes[];
/* $LABCTL_LANG, for want of --lang: NULL when unset; -1 with E (EXIT_USAGE)
 * when it names no language. */
int lang_from_env(const char **code, struct error *e);
/* Speak CODE ("en", "zh", ...) from now on; -1 with E (EXIT_USAGE for a
 * language with no catalogue, EXIT_INTERNAL for a catalogue that does not
 * parse). */
int lang_use(const char *code, struct error *e);
/* MSG in the language in use: its translation, or MSG itself.  A format
 * stays checked against its arguments (format_arg). */
const char *lang_text(const char *msg) __attribute__((format_arg(1)));
/* A message to translate: L_("It compiles."); N_() marks one kept in a
 * table and translated with L_() where it is shown. */
#define L_(msg) lang_text(msg)
#define N_(msg) msg

#endif
