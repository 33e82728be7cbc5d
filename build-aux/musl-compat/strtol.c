// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strtol, strtoul, strtoll and strtoull for the static (musl) build only:
 * musl's share its scanf number scanner (__intscan and the shgetc buffer
 * machinery, 2.2 KB); bootseed and libkmod parse a few short numbers from
 * sysfs, /proc and the command line. The C standard's behaviour: leading
 * blanks, a sign, base 0 (0x / 0 prefixes), 2..36 and 16 with an optional 0x,
 * *end past the last digit used (at the start when there is none), ERANGE
 * and the limit on overflow, EINVAL for no digits or another base (as musl).
 * Defined here, they keep libc.a's strtol.o out of the link;
 * tests/component/test_size.sh checks them against musl's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

static int compat_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'z' ? c - 'a' + 10 : 99;
}

/* The magnitude, at most @lim (then *ret_over), and the sign. */
static unsigned long long compat_scan(const char *s, char **end, int base,
				      unsigned long long lim, bool *ret_neg, bool *ret_over)
{
	const char *p = s;
	unsigned long long v = 0;
	bool any = false;

	*ret_neg = *ret_over = false;
	if (base == 1 || base < 0 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*ret_neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' &&
	    compat_digit((unsigned char)p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (int d; (d = compat_digit((unsigned char)*p)) < base; p++) {
		any = true;
		if (*ret_over || v > (lim - (unsigned)d) / (unsigned)base)
			*ret_over = true;
		else
			v = v * (unsigned)base + (unsigned)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (*ret_over || !any)
		errno = *ret_over ? ERANGE : EINVAL; /* musl's: EINVAL for no digits */
	return any ? v : 0;
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	bool neg, over;
	unsigned long long v = compat_scan(s, end, base, ULLONG_MAX, &neg, &over);
	return over ? ULLONG_MAX : neg ? -v : v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	bool neg, over;
	unsigned long long v = compat_scan(s, end, base, ULONG_MAX, &neg, &over);
	return over ? ULONG_MAX : (unsigned long)(neg ? -v : v);
}

/* A signed value in -@max - 1..@max; past it, the limit and ERANGE. */
static long long compat_signed(const char *s, char **end, int base, long long max)
{
	bool neg, over;
	/* The sign is known only after the scan: scan to the larger limit. */
	unsigned long long v = compat_scan(s, end, base, (unsigned long long)max + 1, &neg, &over);
	if (over || (!neg && v > (unsigned long long)max)) {
		errno = ERANGE;
		return neg ? -max - 1 : max;
	}
	return neg ? (long long)(0 - v) : (long long)v;
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	return compat_signed(s, end, base, LLONG_MAX);
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	return (long)compat_signed(s, end, base, LONG_MAX);
}
