// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qsort for the static (musl) build only: musl's is smoothsort (2.1 KB);
 * what libkmod sorts (a directory's few configuration files, a module's
 * dependencies) is tens of elements. A heapsort: O(n log n) in every case,
 * no recursion, no allocation; like any qsort, not stable. Defined here, it
 * keeps libc.a's qsort.o out of the link; tests/component/test_size.sh checks
 * it against musl's.
 */
#include <stdlib.h>

typedef int (*compat_cmp)(const void *, const void *);

static void compat_swap(char *a, char *b, size_t w)
{
	while (w--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Moves element @i down the heap of the first @n elements. */
static void compat_sift(char *b, size_t i, size_t n, size_t w, compat_cmp cmp)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && cmp(b + c * w, b + (c + 1) * w) < 0)
			c++;
		if (cmp(b + i * w, b + c * w) >= 0)
			return;
		compat_swap(b + i * w, b + c * w, w);
	}
}

void qsort(void *base, size_t n, size_t w, compat_cmp cmp)
{
	char *b = base;

	if (n < 2 || w == 0)
		return;
	for (size_t i = n / 2; i-- > 0;)
		compat_sift(b, i, n, w, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		compat_swap(b, b + end * w, w);
		compat_sift(b, 0, end, w, cmp);
	}
}
