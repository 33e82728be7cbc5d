/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mix: where every source's bytes go. mix_source() hands them to the kernel
 * with their credit, folds them into the hash that becomes the next seed, logs
 * the source's one line and records it in the report. Timing samples are
 * collected here and fed once, never credited.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blake2s.h"
#include "report.h"

#define MIX_TIMING_MAX 48

struct mix {
	struct blake2s_state hash; /* everything seen; becomes the next seed's tail */
	struct report_run *run;
	bool feed_kernel; /* false for "save": hash only */
	unsigned credited_bits;
	int exit_bits;
	uint64_t timing[MIX_TIMING_MAX];
	size_t n_timing;
};

void mix_init(struct mix *m, struct report_run *run, bool feed_kernel);
/* Folds bytes into the next-seed hash only. */
void mix_hash(struct mix *m, const void *buf, size_t len);
/*
 * Feeds one source. @credit_bits is what the caller decided; @reason says why
 * it is less than the source could give (NULL or "" when it is not). Returns
 * the bits actually credited (0 if the kernel refused the feed).
 */
unsigned mix_source(struct mix *m, const char *name, const void *buf, size_t len,
		    unsigned credit_bits, const char *health, const char *reason);
/* Adds a detail to the report record of the source mixed last. */
void mix_detail(struct mix *m, const char *detail);
/* Takes a high-resolution clock sample (never credited: an observer may guess it). */
void mix_timing_sample(struct mix *m);
/* Feeds the collected timing samples as the "timing" source. */
void mix_timing_flush(struct mix *m);
