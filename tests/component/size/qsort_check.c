// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The qsort stand-in (build-aux/musl-compat/qsort.c, renamed compat_qsort)
 * against musl's: random arrays (empty, one element, many duplicates, sorted,
 * reversed) of 12-byte records sorted by a 4-byte key. Both results must hold
 * the same keys in the same order, and the stand-in's must be a permutation of
 * the input. Exit 1 at the first difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void compat_qsort(void *base, size_t n, size_t w, int (*cmp)(const void *, const void *));

struct rec {
	int key, id, pad;
};

static int by_key(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static int by_id(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	static struct rec in[300], a[300], b[300];

	srand(19);
	for (long i = 0; i < n; i++) {
		size_t len = (size_t)rand() % 300, mode = (size_t)rand() % 4;
		int range = 1 + rand() % (mode == 0 ? 5 : 1000);
		for (size_t k = 0; k < len; k++)
			in[k] = (struct rec){mode == 1 ? (int)k : mode == 2 ? -(int)k : rand() % range,
					     (int)k, 0};
		memcpy(a, in, sizeof(in));
		memcpy(b, in, sizeof(in));
		qsort(a, len, sizeof(a[0]), by_key);
		compat_qsort(b, len, sizeof(b[0]), by_key);
		for (size_t k = 0; k < len; k++)
			if (a[k].key != b[k].key) {
				printf("differs: array %ld (%zu elements) at %zu\n", i, len, k);
				return 1;
			}
		compat_qsort(b, len, sizeof(b[0]), by_id); /* back to the input? */
		if (memcmp(b, in, len * sizeof(in[0])) != 0) {
			printf("not a permutation: array %ld (%zu elements)\n", i, len);
			return 1;
		}
	}
	printf("%ld arrays agree\n", n);
	return 0;
}
