// SPDX-License-Identifier: GPL-2.0-or-later
/* mix: feed a source to the kernel and the next-seed hash, log and record it. */
#include "mix.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bootseed.h"
#include "fileio.h"
#include "log.h"
#include "pool.h"

static const char mix_label[] = "bootseed next seed v1";

void mix_init(struct mix *m, struct report_run *run, bool feed_kernel)
{
	memset(m, 0, sizeof(*m));
	m->run = run;
	m->feed_kernel = feed_kernel;
	blake2s_init(&m->hash, BLAKE2S_HASH_SIZE, NULL, 0);
	blake2s_update(&m->hash, mix_label, sizeof(mix_label));
}

void mix_hash(struct mix *m, const void *buf, size_t len)
{
	uint64_t n = len;

	/* Length-prefixed, so two inputs can never be confused with one. */
	blake2s_update(&m->hash, &n, sizeof(n));
	blake2s_update(&m->hash, buf, len);
}

unsigned mix_source(struct mix *m, const char *name, const void *buf, size_t len,
		    unsigned credit_bits, const char *health, const char *reason)
{
	char why[REPORT_REASON_MAX];

	mix_hash(m, buf, len);
	snprintf(why, sizeof(why), "%s", reason ? reason : "");
	if (m->feed_kernel && len > 0) {
		int r = pool_feed(buf, len, credit_bits, name);
		if (r < 0) {
			snprintf(why, sizeof(why), "the kernel refused the data: %s",
				 strerror(-r));
			credit_bits = 0;
			m->exit_bits |= EXIT_POOL;
		}
	}
	m->credited_bits += credit_bits;
	/* The kernel says "crng init done" within the credit that makes it ready. */
	if (credit_bits > 0 && m->run && m->run->crng_before == 0 && m->run->crng_ready_ms < 0 &&
	    pool_crng_ready() == 1)
		m->run->crng_ready_ms = (int64_t)(now_ms() - m->run->start_ms);
	if (why[0])
		log_info("%s: %zu bytes, credited %u bits: %s", name, len, credit_bits, why);
	else
		log_info("%s: %zu bytes, credited %u bits", name, len, credit_bits);
	if (m->run && !report_add(m->run, name, len, credit_bits, health, why))
		log_warn("report: too many sources, %s not recorded, ignoring", name);
	return credit_bits;
}

void mix_detail(struct mix *m, const char *detail)
{
	if (m->run && m->run->n_sources > 0)
		snprintf(m->run->sources[m->run->n_sources - 1].detail,
			 sizeof(m->run->sources[0].detail), "%s", detail);
}

void mix_timing_sample(struct mix *m)
{
	static const int clocks[] = { CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_REALTIME };

	for (size_t i = 0; i < ELEMENTSOF(clocks) && m->n_timing < MIX_TIMING_MAX; i++)
		m->timing[m->n_timing++] = clock_ns(clocks[i]);
}

void mix_timing_flush(struct mix *m)
{
	if (m->n_timing == 0)
		return;
	mix_source(m, "timing", m->timing, m->n_timing * sizeof(m->timing[0]), 0, "n/a",
		   "clock readings are guessable: mixed, never credited");
	m->n_timing = 0;
}
