// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checks build-aux/musl-compat/fnmatch.c (built with -Dfnmatch=compat_fnmatch)
 * against the C library's fnmatch (musl: the one it replaces): every "pattern<TAB>string" line on stdin with flags
 * 0 (what libkmod passes), then random patterns and strings over a small
 * alphabet with every flag combination. Prints each difference (at most 20)
 * and "N compared, N differ"; exits 1 on any difference.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int compat_fnmatch(const char *pat, const char *str, int flags);

static unsigned long compared, differ;

static void check(const char *pat, const char *str, int flags)
{
	int want = fnmatch(pat, str, flags) == 0, got = compat_fnmatch(pat, str, flags) == 0;

	compared++;
	if (want != got && differ++ < 20)
		printf("differ: pattern '%s' string '%s' flags %#x: libc %d, compat %d\n", pat,
		       str, flags, want, got);
}

static unsigned rnd(void)
{
	static unsigned long long x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned)(x >> 32);
}

static void random_text(char *buf, size_t max, const char *alphabet)
{
	size_t n = rnd() % max, k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		buf[i] = alphabet[rnd() % k];
	buf[n] = '\0';
}

int main(int argc, char **argv)
{
	static const int flag_sets[] = {
		0, FNM_NOESCAPE, FNM_PATHNAME, FNM_PERIOD, FNM_PATHNAME | FNM_PERIOD,
		FNM_CASEFOLD, FNM_CASEFOLD | FNM_PATHNAME | FNM_NOESCAPE,
	};
	static const char *const fixed[][2] = {
		{ "[[:alpha:]]*", "x1" }, { "[[:digit:]x]", "7" }, { "[]a]", "]" },
		{ "[!]a]", "b" }, { "[a-]", "-" }, { "[", "[" }, { "a[b", "a[b" },
		{ "\\*", "*" }, { "[\\]]", "]" }, { "*.ko", ".ko" }, { "a/*", "a/.b" },
		{ "[A-Z]", "q" }, { "[[:upper:]]", "q" }, { "*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	};
	char line[4096], pat[32], str[32];
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;

	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\n")] = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		check(line, tab + 1, 0);
	}
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
			check(fixed[i][0], fixed[i][1], flag_sets[f]);
	for (unsigned long i = 0; i < n; i++) {
		random_text(pat, 12, "ab*?[]!^-\\/.Az:=");
		random_text(str, 10, "ab/.-Az]^[\\");
		for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
			check(pat, str, flag_sets[f]);
	}
	printf("%lu compared, %lu differ\n", compared, differ);
	return differ != 0;
}
