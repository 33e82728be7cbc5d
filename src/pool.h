/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pool: the kernel's random pool. Feeding (RNDADDENTROPY, credit may be 0),
 * asking whether the crng is ready, and drawing bytes without ever blocking.
 *
 * A test build (-DBOOTSEED_TEST_HOOKS) can replace the kernel by a stand-in:
 * $BOOTSEED_TEST_POOL names a file that records each feed instead of the ioctl,
 * and $BOOTSEED_TEST_CRNG=ready|notready fixes the crng state.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The largest single feed; sources are far smaller. */
#define POOL_FEED_MAX 4096

/* Mixes @len bytes into the kernel and credits @credit_bits (<= 8 * len). */
int pool_feed(const void *buf, size_t len, unsigned credit_bits, const char *source);
/* 1 ready, 0 not ready, -errno if unknown. Consumes nothing, never blocks. */
int pool_crng_ready(void);
/* entropy_avail in bits, or -errno. */
int pool_entropy_avail(void);
/* The pool size in bits (256 on 5.18+), or -errno. */
int pool_size_bits(void);
/*
 * Fills @buf without blocking. *ret_creditable is true only when the bytes
 * came from an initialized crng (seed rule 3).
 */
int pool_draw(void *buf, size_t len, bool *ret_creditable);
/* Asks a ready crng to reseed now so freshly added data takes effect. */
int pool_reseed(void);
void pool_close(void);

#ifdef BOOTSEED_TEST_HOOKS
/* Forgets what the stand-in pool was credited (a new "boot"). */
void pool_test_reset(void);
#endif
