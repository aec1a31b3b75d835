/*
 * The one reader of the captures GDB writes (gdb/SCHEMA.md: labctl-trace/1,
 * labctl-timeline/1).  A capture that does not parse is labctl's own bug
 * (its writer, gdb/labctl/capture.py, must not write what this reads
 * badly): EXIT_INTERNAL, naming the file and the key, the file kept.
 */
#ifndef LABCTL_CAPTURE_H
#define LABCTL_CAPTURE_H

#include <jansson.h>
#include <stddef.h>

struct error;

json_t *capture_read(const char *path, struct error *e);
/* TEXT (LEN bytes) read from PATH, which names it in errors. */
json_t *capture_parse(const char *text, size_t len, const char *path, struct error *e);
/* The key whose value is at byte POS of TEXT, or NULL: for error messages. */
char *capture_key_at(const char *text, size_t pos);

#endif
