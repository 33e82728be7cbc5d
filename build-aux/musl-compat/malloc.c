// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * malloc for the static (musl) build only. musl's mallocng costs 8.5 KiB of the
 * 112 KiB budget; bootseed is one short-lived, single-threaded process whose
 * allocations (libkmod's config, lists and lookups; a few buffers) stay below
 * a few hundred KiB. This allocator is enough for that and small: power-of-two
 * size classes from 16 bytes to 64 KiB with one free list each, carved from
 * 256 KiB mmap'ed arenas; anything larger is its own mapping, unmapped on
 * free. Freed blocks are reused, never returned to the kernel. musl supports
 * replacing malloc in a static link (it then leaves its own out); every
 * function of the malloc family is defined here so none of musl's is pulled in.
 * Not thread-safe, and not async-signal-safe: bootseed has no threads, and its
 * only signal handler (tpm.c's SIGALRM) allocates nothing.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN	    16
#define HDR	    ALIGN /* keeps the payload 16-byte aligned */
#define MIN_SHIFT   4	  /* 16-byte blocks */
#define NCLASS	    13	  /* up to 64 KiB blocks */
#define ARENA_SIZE  (256u << 10)
#define LARGE	    ((size_t)1 << (sizeof(size_t) * 8 - 1))

/* The header in front of each payload: the block size (with LARGE: a mapping). */
struct hdr {
	size_t size;
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[NCLASS];
static char *arena_pos, *arena_end;

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int size_class(size_t block)
{
	int k = 0;

	while (((size_t)1 << (k + MIN_SHIFT)) < block)
		k++;
	return k;
}

static void *large_alloc(size_t n)
{
	size_t len = (n + HDR + 4095) & ~(size_t)4095;
	struct hdr *h;

	if (len < n) {
		errno = ENOMEM;
		return NULL;
	}
	h = map(len);
	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->size = len | LARGE;
	return (char *)h + HDR;
}

/*
 * Not named malloc: GCC turns malloc followed by memset into a call to calloc,
 * which here would call itself.
 */
static void *alloc(size_t n)
{
	size_t block;
	struct hdr *h;
	int k;

	if (n > ((size_t)1 << (NCLASS - 1 + MIN_SHIFT)) - HDR)
		return large_alloc(n);
	k = size_class(n + HDR);
	block = (size_t)1 << (k + MIN_SHIFT);
	if (free_lists[k]) {
		h = (struct hdr *)free_lists[k];
		free_lists[k] = free_lists[k]->next;
	} else {
		if ((size_t)(arena_end - arena_pos) < block) {
			/* The rest of the old arena is left unused. */
			arena_pos = map(ARENA_SIZE);
			if (!arena_pos) {
				arena_end = NULL;
				errno = ENOMEM;
				return NULL;
			}
			arena_end = arena_pos + ARENA_SIZE;
		}
		h = (struct hdr *)arena_pos;
		arena_pos += block;
	}
	h->size = block;
	return (char *)h + HDR;
}

void *malloc(size_t n)
{
	return alloc(n);
}

void free(void *p)
{
	struct hdr *h;
	struct free_block *b;

	if (!p)
		return;
	h = (struct hdr *)((char *)p - HDR);
	if (h->size & LARGE) {
		munmap(h, h->size & ~LARGE);
		return;
	}
	b = (struct free_block *)h;
	int k = size_class(h->size);
	b->next = free_lists[k];
	free_lists[k] = b;
}

/* Usable bytes of a block. */
size_t malloc_usable_size(void *p)
{
	return p ? (((struct hdr *)((char *)p - HDR))->size & ~LARGE) - HDR : 0;
}

void *calloc(size_t n, size_t m)
{
	void *p;

	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc(n * m);
	if (p)
		memset(p, 0, n * m);
	return p;
}

void *realloc(void *p, size_t n)
{
	size_t have = malloc_usable_size(p);
	void *q;

	if (p && n <= have)
		return p;
	q = alloc(n);
	if (q && p) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}

/* Blocks are 16-byte aligned; larger alignments are not needed here. */
void *aligned_alloc(size_t align, size_t n)
{
	if (align > ALIGN || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return malloc(n);
}

int posix_memalign(void **ret, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || align > ALIGN || (align & (align - 1)))
		return EINVAL;
	p = malloc(n);
	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}
