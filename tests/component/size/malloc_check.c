// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exercises build-aux/musl-compat/malloc.c (linked in place of musl's malloc,
 * as in the shipped binary): random malloc, calloc, realloc and free of 0 to
 * 300 KiB, each block filled with a pattern of its own and checked before it
 * is resized or freed, alignment checked, calloc zeroed. Prints "ok N
 * operations" or the first problem and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static unsigned char *blk[SLOTS];
static size_t len[SLOTS];

static unsigned rnd(void)
{
	static unsigned long long x = 0x2545f4914f6cdd1dULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned)(x >> 32);
}

static size_t rnd_size(void)
{
	switch (rnd() % 8) {
	case 0: return 0;
	case 1: return rnd() % (300 << 10); /* large: its own mapping */
	case 2: return rnd() % 70000;       /* around the biggest class */
	default: return rnd() % 600;
	}
}

static int check(int i, const char *when)
{
	for (size_t k = 0; k < len[i]; k++)
		if (blk[i][k] != (unsigned char)(i + k)) {
			printf("slot %d (%zu bytes): byte %zu changed, %s\n", i, len[i], k, when);
			return 1;
		}
	return 0;
}

static void fill(int i, size_t from)
{
	for (size_t k = from; k < len[i]; k++)
		blk[i][k] = (unsigned char)(i + k);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;

	for (unsigned long op = 0; op < n; op++) {
		int i = (int)(rnd() % SLOTS);
		size_t sz = rnd_size();

		if (blk[i] && check(i, "before reuse"))
			return 1;
		if (!blk[i] && rnd() % 3 == 0) {
			blk[i] = calloc(1, sz);
			if (!blk[i])
				return printf("calloc(%zu) failed\n", sz), 1;
			for (size_t k = 0; k < sz; k++)
				if (blk[i][k])
					return printf("calloc(%zu): byte %zu not zero\n", sz, k), 1;
			len[i] = sz;
			fill(i, 0);
		} else if (!blk[i]) {
			blk[i] = malloc(sz);
			if (!blk[i])
				return printf("malloc(%zu) failed\n", sz), 1;
			len[i] = sz;
			fill(i, 0);
		} else if (rnd() % 2) {
			unsigned char *p = realloc(blk[i], sz ? sz : 1);
			if (!p)
				return printf("realloc(%zu) failed\n", sz), 1;
			blk[i] = p;
			if (sz < len[i])
				len[i] = sz;
			if (check(i, "after realloc"))
				return 1;
			len[i] = sz;
			fill(i, 0);
		} else {
			free(blk[i]);
			blk[i] = NULL;
			len[i] = 0;
		}
		if (blk[i] && (uintptr_t)blk[i] % 16)
			return printf("%p: not 16-byte aligned\n", (void *)blk[i]), 1;
	}
	for (int i = 0; i < SLOTS; i++)
		if (blk[i] && check(i, "at the end"))
			return 1;
	printf("ok %lu operations\n", n);
	return 0;
}
