/*
 * cmdline.c: a tiny parser for the kernel command line. Words are separated by spaces; a word is
 * either "key=value" or a bare flag. It uses no string library functions, because in lab 1 those
 * are the student's exercise and may not work yet.
 */
#include "cmdline.h"

/*
 * Find the first word that is "key=..." (want_value) or exactly "key" (!want_value). Returns the
 * value after '=' (or the word's end for a flag) and its length in *rest_len; NULL if none.
 */
static const char *find_word(const char *cmdline, const char *key, size_t *rest_len,
			     bool want_value)
{
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		const char *end = p;

		const char *k = key;
		const char *q = w;
		while (*k && q < end && *q == *k) {
			q++;
			k++;
		}
		if (*k)
			continue; /* the word does not start with key */
		if (want_value && q < end && *q == '=') {
			*rest_len = (size_t)(end - q - 1);
			return q + 1;
		}
		if (!want_value && q == end) {
			*rest_len = 0;
			return q;
		}
	}
	return NULL;
}

const char *cmdline_value(const char *cmdline, const char *key, size_t *len)
{
	return find_word(cmdline, key, len, true);
}

bool cmdline_flag(const char *cmdline, const char *word)
{
	size_t n;

	return find_word(cmdline, word, &n, false) != NULL;
}
