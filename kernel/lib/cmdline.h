/*
 * cmdline.h: reading options from the kernel command line, a string of space-separated words
 * such as "token=1f2e3d4c5b6a7988 run=lab1.* hold".
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Find "key=value" in cmdline. Returns a pointer to the value (not NUL-terminated) and stores
 * its length in *len, or returns NULL when the key is absent.
 */
const char *cmdline_value(const char *cmdline, const char *key, size_t *len);

/* True when cmdline contains the bare word (for example "hold"). */
bool cmdline_flag(const char *cmdline, const char *word);

#endif /* CMDLINE_H */
