// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strstr for the static (musl) build only: musl's is the Two-Way algorithm
 * (linear time, 1.2 KB of code), and every haystack bootseed and libkmod
 * search is a line of a small file, a module path or a command line, where a
 * plain scan costs nothing. Defined here, it keeps libc.a's strstr.o out of
 * the link. tests/component/test_size.sh checks it against musl's.
 */
#include <string.h>

char *strstr(const char *h, const char *n)
{
	size_t len = strlen(n);

	for (; *h; h++)
		if (strncmp(h, n, len) == 0)
			return (char *)h;
	return len ? NULL : (char *)h;
}
