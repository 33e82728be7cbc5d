/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * health: the tests a device sample (TPM GetRandom, /dev/hwrng, RDSEED/RDRAND)
 * must pass before it may earn any credit: not stuck, not repeating, not a
 * counter, not biased, not a replay of the same source's recent output. The
 * cutoffs are sized for one short sample (32..512 bytes) from a source that
 * holds at least the 4 bits per byte we credit; health.c derives them. Nothing
 * here logs or allocates, and no sample bytes outlive a call: the state keeps
 * only 128-bit fingerprints.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Shorter samples are too short for the tests to mean anything (see health.c). */
#define HEALTH_MIN_LEN 32
/* The cutoffs are sized for at most this much; check longer reads in pieces. */
#define HEALTH_MAX_LEN 512
/* How many recent distinct samples of one source a new sample is compared with. */
#define HEALTH_HISTORY 4
#define HEALTH_FP_SIZE 16

enum health_verdict {
	HEALTH_PASS,
	HEALTH_FAIL_ALL_EQUAL,
	HEALTH_FAIL_REPEATED_BLOCK,
	HEALTH_FAIL_RCT,
	HEALTH_FAIL_APT,
	HEALTH_FAIL_ARITHMETIC,
	HEALTH_FAIL_SAME_AS_PREVIOUS,
	HEALTH_FAIL_TOO_SHORT,
	HEALTH_FAIL_TOO_LONG,
};

/*
 * Per-source memory for one run: keep one per source for as long as the
 * source is read, or a replay of its previous sample goes unnoticed.
 */
struct health_state {
	/* BLAKE2s-128 of the first HEALTH_MIN_LEN bytes of recent samples */
	uint8_t fp[HEALTH_HISTORY][HEALTH_FP_SIZE];
	unsigned n_fp; /* slots in use */
	unsigned next; /* the slot the next fingerprint goes to */
};

void health_init(struct health_state *st);

/*
 * Runs every test on @buf and returns the first that fails, or HEALTH_PASS.
 * Every sample of a testable length is remembered in @st, whatever the verdict.
 */
enum health_verdict health_check(struct health_state *st, const void *buf, size_t len);

/*
 * Only the all-equal and repetition-count tests, for data of any length >=
 * HEALTH_MIN_LEN that is not a device sample (a stored seed). Remembers nothing.
 */
enum health_verdict health_check_stuck(const void *buf, size_t len);

/* What the failure means, for a log line or a report; "unknown" if out of range. */
const char *health_verdict_str(enum health_verdict v);
