/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hwrng: the kernel's hardware RNG interface. What the current hwrng is and
 * whether the kernel credits it (rng_current, rng_quality), and a read of
 * /dev/hwrng that cannot hang: a driver blocked in a device (a TPM that stopped
 * answering) holds only a child process, never the boot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hwrng_info {
	char current[64];    /* "" when there is no hwrng ("none") */
	char available[256]; /* rng_available: every registered hwrng */
	long quality;	  /* the kernel's rng_quality, 0..1024; -1 when unknown */
};

/* Reads rng_current and rng_quality; returns 0, or -ENOENT without hw_random. */
int hwrng_info_read(struct hwrng_info *ret);
/* Is the current hwrng the TPM's own (tpm-rng-N)? */
bool hwrng_is_tpm(const struct hwrng_info *info);
/* Does the kernel itself credit what the current hwrng produces? */
bool hwrng_kernel_credits(const struct hwrng_info *info);
/*
 * Does the kernel credit, or may it credit, the TPM's own hwrng? True when the
 * TPM's hwrng is registered and the kernel credits the current hwrng: on 6.2+
 * every hwrng gets quality 1024 by default, and the current one may change.
 */
bool hwrng_kernel_credits_tpm(const struct hwrng_info *info);

/* How many hwrngs are registered (the words of rng_available); 0 without hw_random. */
size_t hwrng_available_count(void);
/*
 * Waits up to @timeout_ms until at least @want hwrngs are registered: a
 * driver just loaded may register its hwrng after its module init returned.
 * Returns the count when it stops.
 */
size_t hwrng_wait_available(size_t want, unsigned timeout_ms);

/*
 * Reads exactly @len bytes from the device at @path within @timeout_ms, in a
 * child process (child.h). Returns 0, -ETIMEDOUT (the reader is killed and
 * abandoned), -EIO for a short read, or -errno from open/read; @buf is wiped
 * on failure.
 */
int hwrng_read(const char *path, void *buf, size_t len, unsigned timeout_ms);
