// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The strstr stand-in (build-aux/musl-compat/strstr.c, renamed compat_strstr)
 * against musl's strstr: random haystacks and needles over small alphabets
 * (so that matches, near matches and overlaps are common), empty strings
 * included. Exit 1 at the first difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *compat_strstr(const char *h, const char *n);

static void fill(char *s, size_t len, int alpha)
{
	for (size_t i = 0; i < len; i++)
		s[i] = (char)('a' + rand() % alpha);
	s[len] = '\0';
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char h[80], nd[20];

	srand(13);
	for (long i = 0; i < n; i++) {
		int alpha = 1 + rand() % 3;
		fill(h, (size_t)(rand() % 70), alpha);
		if (rand() % 4 == 0 && h[0]) { /* a needle cut from the haystack */
			size_t a = (size_t)rand() % strlen(h), l = (size_t)rand() % 12;
			snprintf(nd, sizeof(nd), "%.*s", (int)l, h + a);
		} else {
			fill(nd, (size_t)(rand() % 8), alpha);
		}
		if (strstr(h, nd) != compat_strstr(h, nd)) {
			printf("differs: strstr(\"%s\", \"%s\")\n", h, nd);
			return 1;
		}
	}
	printf("%ld searches agree\n", n);
	return 0;
}
