// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The strtol family's stand-ins (build-aux/musl-compat/strtol.c, renamed
 * compat_*) against musl's: random strings of blanks, signs, 0x prefixes,
 * digits and letters (long ones to overflow), every base from -1 to 37.
 * Value, end pointer and errno must agree. Exit 1 at the first difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long compat_strtol(const char *s, char **end, int base);
unsigned long compat_strtoul(const char *s, char **end, int base);
long long compat_strtoll(const char *s, char **end, int base);
unsigned long long compat_strtoull(const char *s, char **end, int base);

#define CHECK(fn, type)                                                              \
	do {                                                                         \
		char *e1, *e2;                                                       \
		errno = 0;                                                           \
		type a = fn(s, &e1, base);                                           \
		int er1 = errno;                                                     \
		errno = 0;                                                           \
		type b = compat_##fn(s, &e2, base);                                  \
		int er2 = errno;                                                     \
		if (a != b || e1 != e2 || er1 != er2) {                              \
			printf("differs: " #fn "(\"%s\", %d): %lld/%td/%d vs %lld/%td/%d\n", \
			       s, base, (long long)a, e1 - s, er1, (long long)b, e2 - s, er2); \
			return 1;                                                    \
		}                                                                    \
	} while (0)

int main(int argc, char **argv)
{
	static const char *const parts[] = {" ", "\t", "+", "-", "0", "0x", "0X", "1", "7",
					    "9", "f", "Z", "z", "x", "99999999999", "ffffffff",
					    "18446744073709551615", "9223372036854775808", "@", "\n"};
	long n = argc > 1 ? atol(argv[1]) : 100000;
	char s[128];

	srand(17);
	for (long i = 0; i < n; i++) {
		int base = rand() % 5 == 0 ? rand() % 39 - 1 : (int[]){0, 10, 16, 8}[rand() % 4];
		s[0] = '\0';
		for (int k = rand() % 6; k >= 0; k--)
			strncat(s, parts[rand() % (sizeof(parts) / sizeof(parts[0]))],
				sizeof(s) - strlen(s) - 1);
		CHECK(strtol, long);
		CHECK(strtoul, unsigned long);
		CHECK(strtoll, long long);
		CHECK(strtoull, unsigned long long);
	}
	printf("%ld strings agree\n", n);
	return 0;
}
