// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfprintf_check N: build-aux/musl-compat/vfprintf.c (linked in as
 * compat_vfprintf) against musl's own vfprintf (through vsnprintf), built with
 * musl-gcc: fixed formats as bootseed, libkmod and tpm2-tss use them, then N
 * random single-conversion formats (flags, width and precision given or by *,
 * every length modifier, d i o u x X c s p m n %%, literal text, output longer
 * than the stand-in's 256-byte buffer) with edge-case and random arguments.
 * Output, return value and errno must be the same; the float and wide
 * conversions must be refused (-1, EINVAL). Prints the first differences and
 * "N compared, N differ"; exit 1 on any.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int compat_vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap);
static int compat_fprintf(FILE *f, const char *fmt, ...);

static long compared, differ;
static char got[1 << 16];

/* The stand-in's output goes to a FILE, as in the binary: one on got[]. */
static FILE *got_open(void)
{
	FILE *f = fmemopen(got, sizeof(got), "w");

	if (!f) {
		perror("fmemopen");
		exit(2);
	}
	return f;
}

/* Closes @f; the length written (got[] holds the bytes). */
static size_t got_close(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	fclose(f);
	return n < 0 ? 0 : (size_t)n;
}

static void report(const char *fmt, const char *ref, int rr, int re, const char *got, int cr,
		   int ce)
{
	if (++differ <= 20)
		fprintf(stderr, "differ: fmt \"%s\": musl %d/%d \"%.80s\", stand-in %d/%d \"%.80s\"\n",
			fmt, rr, re, rr >= 0 ? ref : "", cr, ce, cr >= 0 ? got : "");
}

static int check(const char *fmt, ...)
{
	static char ref[1 << 16];
	size_t glen;
	va_list a, b;
	int rr, re, cr, ce, e0 = errno; /* what %m prints */

	va_start(a, fmt);
	va_copy(b, a);
	rr = vsnprintf(ref, sizeof(ref), fmt, a);
	re = errno;
	FILE *f = got_open();
	errno = e0;
	cr = compat_vfprintf(f, fmt, b);
	ce = errno;
	glen = got_close(f);
	va_end(a);
	va_end(b);
	compared++;
	if (rr != cr || (rr < 0 && re != ce) ||
	    (rr >= 0 && ((size_t)rr >= sizeof(ref) || glen != (size_t)rr ||
			 memcmp(ref, got, glen) != 0)))
		report(fmt, ref, rr, re, got, cr, ce);
	return rr;
}

/* Must be refused: -1, EINVAL, and nothing of the conversion written. */
static void refused(const char *fmt, ...)
{
	va_list ap;
	FILE *f = got_open();

	va_start(ap, fmt);
	errno = 0;
	int r = compat_vfprintf(f, fmt, ap);
	int e = errno;
	va_end(ap);
	size_t glen = got_close(f);
	compared++;
	if (r != -1 || e != EINVAL) {
		if (++differ <= 20)
			fprintf(stderr, "not refused: \"%s\": %d/%d \"%.*s\"\n", fmt, r, e,
				(int)glen, got);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 7, 8, 9, 10, 15, 16, 99, 100, 255, 256, 32767, 32768, 65535, 65536,
		INT_MAX, (uint64_t)INT_MIN, UINT_MAX, (uint64_t)-1, (uint64_t)-2,
		(uint64_t)LLONG_MIN, LLONG_MAX, (uint64_t)-128, (uint64_t)-129,
	};
	switch (rnd() % 3) {
	case 0: return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	case 1: return rnd() % 1000;
	default: return rnd() >> (rnd() % 64);
	}
}

static char longstr[600];
static const char *string(void)
{
	static const char *const s[] = { "", "a", "bootseed", "hello, world", "%d %s",
					 "tpm: 64 bytes", longstr, NULL };
	return s[rnd() % (sizeof(s) / sizeof(s[0]))];
}

static int number(int lo, int hi)
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

enum kind { K_INT, K_LONG, K_LLONG, K_SIZE, K_PTRDIFF, K_IMAX, K_PTR, K_STR, K_NONE };

/* Calls check() with the width/precision ints the format's stars ask for. */
#define CALL(shape, w, p, ...)                                                         \
	do {                                                                           \
		switch (shape) {                                                       \
		case 0: check(fmt, __VA_ARGS__); break;                                \
		case 1: check(fmt, w, __VA_ARGS__); break;                             \
		case 2: check(fmt, p, __VA_ARGS__); break;                             \
		default: check(fmt, w, p, __VA_ARGS__); break;                         \
		}                                                                      \
	} while (0)

static void random_case(void)
{
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char convs[] = "diouxXcspm%n";
	char fmt[128], *q = fmt;
	int shape = 0, w = number(-300, 300), p = number(-5, 300);
	char conv = convs[rnd() % (sizeof(convs) - 1)];
	const char *len = "";
	enum kind k;

	if (rnd() % 2)
		q += sprintf(q, "%s", rnd() % 2 ? "x=" : "text with 50%% ");
	*q++ = '%';
	for (int i = number(0, 3); i > 0; i--)
		*q++ = "-+ #0'"[rnd() % 6];
	switch (rnd() % 3) {
	case 0: break;
	case 1: q += sprintf(q, "%d", number(0, 300)); break;
	default: *q++ = '*'; shape |= 1; break;
	}
	switch (rnd() % 4) {
	case 0: break;
	case 1: q += sprintf(q, ".%d", number(0, 300)); break;
	case 2: *q++ = '.'; break;
	default: q += sprintf(q, ".*"); shape |= 2; break;
	}
	if (strchr("diouxXn", conv))
		len = lens[rnd() % 8];
	q += sprintf(q, "%s%c", len, conv);
	if (rnd() % 2)
		q += sprintf(q, "|%s", rnd() % 2 ? "end" : "");
	*q = '\0';

	if (conv == 'p')
		k = K_PTR;
	else if (conv == 's')
		k = K_STR;
	else if (conv == 'm' || conv == '%')
		k = K_NONE;
	else if (conv == 'c' || !strcmp(len, "") || !strcmp(len, "h") || !strcmp(len, "hh"))
		k = K_INT;
	else if (!strcmp(len, "l"))
		k = K_LONG;
	else if (!strcmp(len, "ll"))
		k = K_LLONG;
	else if (!strcmp(len, "z"))
		k = K_SIZE;
	else if (!strcmp(len, "t"))
		k = K_PTRDIFF;
	else
		k = K_IMAX;

	uint64_t v = value();
	if (conv == 'n') {
		/* Both write the count; the value each wrote is compared too. */
		long long n1 = -1, n2 = -1;
		char ref[1 << 12];
		if (shape)
			return;
		snprintf(ref, sizeof(ref), fmt, &n1);
		FILE *f = got_open();
		int cr = compat_fprintf(f, fmt, &n2);
		got_close(f);
		compared++;
		if (n1 != n2 || cr < 0)
			report(fmt, ref, (int)n1, 0, "", (int)n2, 0);
		return;
	}
	if (conv == 'm')
		errno = (int)(rnd() % 140);
	switch (k) {
	case K_INT: CALL(shape, w, p, (int)v); break;
	case K_LONG: CALL(shape, w, p, (long)v); break;
	case K_LLONG: CALL(shape, w, p, (long long)v); break;
	case K_SIZE: CALL(shape, w, p, (size_t)v); break;
	case K_PTRDIFF: CALL(shape, w, p, (ptrdiff_t)v); break;
	case K_IMAX: CALL(shape, w, p, (intmax_t)v); break;
	case K_PTR: CALL(shape, w, p, (void *)(uintptr_t)v); break;
	case K_STR: CALL(shape, w, p, string()); break;
	case K_NONE: CALL(shape, w, p, 0); break;
	}
}

static int compat_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = compat_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;

	memset(longstr, 'L', sizeof(longstr) - 1);
	/* The shapes of the real callers. */
	check("bootseed: %s: %zu bytes, credited %u bits%s%s\n", "tpm", (size_t)64, 256u, ": ",
	      "reason");
	check("%s/%s", "/lib/modules/6.1.0-57-arm64", "modules.builtin");
	check("\"%s\":%llu,\"maxrss_kb\":%ld,", "cpu_us", 1234ULL, -5L);
	check("%02x%02x%02x", 0, 0xab, 0x100);
	check("%.*s|%-12s|%12s|%*d|%-*d|", 3, "abcdef", "left", "right", 6, 42, 6, 42);
	check("%5.3d %05d %-05d %+d % d %+ d", 7, -7, 7, 7, 7, 7);
	check("%#o %#x %#X %#o %#x", 8u, 255u, 255u, 0u, 0u);
	check("%p %p", (void *)0, (void *)(uintptr_t)0x7ffd1234);
	check("%.0d|%.0x|%#.0o|%.d", 0, 0u, 0u, 0);
	check("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	check("%jd %ju %zd %zu %td", INTMAX_MIN, UINTMAX_MAX, (size_t)-1, (size_t)-1,
	      (ptrdiff_t)-1);
	check("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	check("%c%c%c", 'a', 0, 255);
	check("%s", (char *)NULL);
	check("%2$s %1$d %2$s", 5, "pos");
	check("%1$*2$d|%1$-*3$d|", 42, 8, -9);
	check("%3$.*2$s", 0, 2, "abcdef");
	check("100%% %%d %s%%", "done");
	errno = ENOENT;
	check("%m");
	check("%s", longstr);
	check("%300d|%-300s|%.300d", 1, "x", 2);
	check("%2147483647d%2147483647d", 1, 2);
	check("%2147483648d", 1);
	check("%.2147483648d", 1);
	check("%1$d %3$d", 1, 2, 3);
	/* Not "%1$d %d": mixing leaves musl reading an unset argument (UB). */
	check("%y", 1);
	check("%", 1);
	check("%ll", 1);
	check("%hc", 1);
	refused("%f", 1.5);
	refused("%e|%g|%a|%E|%F|%G|%A", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
	refused("%Lf", (long double)1);
	refused("x %10.3f", 2.0);
	refused("%lc", 'a');
	refused("%ls", L"wide");
	refused("%C", 'a');
	refused("%S", L"wide");

	for (long i = 0; i < n; i++)
		random_case();
	printf("%ld compared, %ld differ\n", compared, differ);
	return differ != 0;
}
