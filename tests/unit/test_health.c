// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Health tests: known-bad samples fail under the right name at 32, 64 and 512
 * bytes, each cutoff sits where health.c says it does, and 100,000 samples
 * from getrandom() pass with no false alarm.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/random.h>

#include "health.h"
#include "unit.h"

static const size_t sizes[] = { 32, 64, 512 };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Deterministic filler (splitmix64): a constructed sample is the same on every run. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Random bytes, none equal to @avoid (so a planted value is counted exactly). */
static void fill(uint8_t *p, size_t len, uint64_t seed, int avoid)
{
	rng_state = seed;
	for (size_t i = 0; i < len; i++) {
		do
			p[i] = (uint8_t)rng_next();
		while (p[i] == avoid);
	}
}

static enum health_verdict check_fresh(const uint8_t *p, size_t len)
{
	struct health_state st;

	health_init(&st);
	return health_check(&st, p, len);
}

static void expect(const char *what, const uint8_t *p, size_t len,
		   enum health_verdict want)
{
	enum health_verdict got = check_fresh(p, len);
	if (got != want)
		fprintf(stderr, "  %s, %zu bytes: got \"%s\", want \"%s\"\n", what, len,
			health_verdict_str(got), health_verdict_str(want));
	CHECK(got == want);
}

static void test_length_limits(void)
{
	struct health_state st;
	uint8_t buf[HEALTH_MAX_LEN + 1];

	fill(buf, sizeof(buf), 1, -1);
	health_init(&st);
	CHECK(health_check(&st, NULL, 0) == HEALTH_FAIL_TOO_SHORT);
	CHECK(health_check(&st, buf, 1) == HEALTH_FAIL_TOO_SHORT);
	CHECK(health_check(&st, buf, 16) == HEALTH_FAIL_TOO_SHORT);
	CHECK(health_check(&st, buf, HEALTH_MIN_LEN - 1) == HEALTH_FAIL_TOO_SHORT);
	CHECK(health_check(&st, buf, HEALTH_MAX_LEN + 1) == HEALTH_FAIL_TOO_LONG);
	/* Untested lengths are not remembered: the next sample is not a "repeat". */
	CHECK(st.n_fp == 0);
	CHECK(health_check(&st, buf, HEALTH_MIN_LEN) == HEALTH_PASS);
	CHECK(health_check(&st, buf + 1, HEALTH_MAX_LEN) == HEALTH_PASS);
	CHECK(st.n_fp == 2);
}

static void test_all_equal(void)
{
	static const uint8_t values[] = { 0x00, 0xff, 0x5a };
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t v = 0; v < sizeof(values); v++) {
		memset(buf, values[v], sizeof(buf));
		for (size_t s = 0; s < N_SIZES; s++)
			expect("all equal", buf, sizes[s], HEALTH_FAIL_ALL_EQUAL);
	}
}

static void test_repeating_word(void)
{
	static const uint8_t word[4] = { 0xde, 0xad, 0xbe, 0xef };
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = word[i % 4];
	for (size_t s = 0; s < N_SIZES; s++)
		expect("0xdeadbeef repeated", buf, sizes[s], HEALTH_FAIL_REPEATED_BLOCK);
	/* A 64-bit value, as from a stuck RDRAND64. */
	fill(buf, 8, 2, -1);
	for (size_t i = 8; i < sizeof(buf); i++)
		buf[i] = buf[i % 8];
	for (size_t s = 0; s < N_SIZES; s++)
		expect("8-byte value repeated", buf, sizes[s],
		       HEALTH_FAIL_REPEATED_BLOCK);
}

/*
 * A stuck value in every other word: no long string repeats, the block counts
 * catch it from 48 bytes on. At 32 bytes it passes (4 copies of a 32-bit value,
 * 2 of a 64-bit one, both within what a good source does once in 2^40), which
 * is honest: the other half, 16 fresh bytes, holds the 128 bits we credit.
 */
static void test_stuck_every_other(void)
{
	uint8_t buf[HEALTH_MAX_LEN];

	fill(buf, sizeof(buf), 3, -1);
	for (size_t i = 0; i < sizeof(buf); i += 8)
		memcpy(buf + i, "\x13\x57\x9b\xdf", 4);
	expect("32-bit value every other word", buf, 32, HEALTH_PASS);
	expect("32-bit value every other word", buf, 48, HEALTH_FAIL_REPEATED_BLOCK);
	expect("32-bit value every other word", buf, 64, HEALTH_FAIL_REPEATED_BLOCK);
	expect("32-bit value every other word", buf, 512, HEALTH_FAIL_REPEATED_BLOCK);
	fill(buf, sizeof(buf), 4, -1);
	for (size_t i = 0; i < sizeof(buf); i += 16)
		memcpy(buf + i, "\x13\x57\x9b\xdf\x02\x46\x8a\xce", 8);
	expect("64-bit value every other block", buf, 32, HEALTH_PASS);
	expect("64-bit value every other block", buf, 48, HEALTH_FAIL_REPEATED_BLOCK);
	expect("64-bit value every other block", buf, 64, HEALTH_FAIL_REPEATED_BLOCK);
	expect("64-bit value every other block", buf, 512, HEALTH_FAIL_REPEATED_BLOCK);
}

static void test_byte_counters(void)
{
	static const struct {
		uint8_t start, step;
	} ctr[] = { { 0, 1 }, { 0x93, 7 }, { 0x40, 0xff } };
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(ctr[c].start + i * ctr[c].step);
		for (size_t s = 0; s < N_SIZES; s++)
			expect("byte counter", buf, sizes[s], HEALTH_FAIL_ARITHMETIC);
	}
}

static void put_le(uint8_t *p, uint64_t v, size_t width)
{
	for (size_t i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be(uint8_t *p, uint64_t v, size_t width)
{
	for (size_t i = 0; i < width; i++)
		p[width - 1 - i] = (uint8_t)(v >> (8 * i));
}

static void test_word_counters(void)
{
	uint8_t buf[HEALTH_MAX_LEN];

	for (uint32_t start = 0; start < 2; start++) {
		uint32_t v0 = start ? 0x9a3f17c2 : 0;
		for (size_t i = 0; i < sizeof(buf) / 4; i++)
			put_le(buf + 4 * i, v0 + i, 4);
		for (size_t s = 0; s < N_SIZES; s++)
			expect("32-bit LE counter", buf, sizes[s],
			       HEALTH_FAIL_ARITHMETIC);
		for (size_t i = 0; i < sizeof(buf) / 4; i++)
			put_be(buf + 4 * i, v0 + 3 * i, 4);
		for (size_t s = 0; s < N_SIZES; s++)
			expect("32-bit BE counter, step 3", buf, sizes[s],
			       HEALTH_FAIL_ARITHMETIC);
	}
	for (size_t i = 0; i < sizeof(buf) / 8; i++)
		put_le(buf + 8 * i, 0x0123456789abcdefULL + i, 8);
	for (size_t s = 0; s < N_SIZES; s++)
		expect("64-bit LE counter", buf, sizes[s], HEALTH_FAIL_ARITHMETIC);
	for (size_t i = 0; i < sizeof(buf) / 8; i++)
		put_be(buf + 8 * i, 0xfedcba9876543210ULL - 5 * i, 8);
	for (size_t s = 0; s < N_SIZES; s++)
		expect("64-bit BE counter, step -5", buf, sizes[s],
		       HEALTH_FAIL_ARITHMETIC);
	/* 16-bit counters step by a constant as 32-bit words. */
	for (size_t i = 0; i < sizeof(buf) / 2; i++)
		put_le(buf + 2 * i, 0x1234 + i, 2);
	for (size_t s = 0; s < N_SIZES; s++)
		expect("16-bit LE counter", buf, sizes[s], HEALTH_FAIL_ARITHMETIC);
	for (size_t i = 0; i < sizeof(buf) / 2; i++)
		put_be(buf + 2 * i, 0xabcd + i, 2);
	for (size_t s = 0; s < N_SIZES; s++)
		expect("16-bit BE counter", buf, sizes[s], HEALTH_FAIL_ARITHMETIC);
}

static void test_two_identical_chunks(void)
{
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t s = 0; s < N_SIZES; s++) {
		size_t half = sizes[s] / 2;
		fill(buf, half, 5 + s, -1);
		memcpy(buf + half, buf, half);
		expect("two identical halves", buf, sizes[s], HEALTH_FAIL_REPEATED_BLOCK);
	}
	/* Not 8-aligned, and only 20 bytes: a copy of 16 bytes or more fails. */
	fill(buf, 64, 8, -1);
	memcpy(buf + 37, buf + 3, 20);
	expect("20-byte chunk copied to an odd offset", buf, 64,
	       HEALTH_FAIL_REPEATED_BLOCK);
	/* 15 bytes is below the cutoff (C(497,2) * 2^-64 is why it is 16). */
	fill(buf, 64, 9, -1);
	memcpy(buf + 40, buf + 3, 15);
	buf[39] = (uint8_t)(buf[2] + 1);
	buf[55] = (uint8_t)(buf[18] + 1);
	expect("15-byte chunk copied", buf, 64, HEALTH_PASS);
}

static void test_same_as_previous(void)
{
	uint8_t a[HEALTH_MAX_LEN], b[HEALTH_MAX_LEN], zero[64] = { 0 };
	struct health_state st, other;

	for (size_t s = 0; s < N_SIZES; s++) {
		fill(a, sizes[s], 10 + s, -1);
		health_init(&st);
		CHECK(health_check(&st, a, sizes[s]) == HEALTH_PASS);
		CHECK(health_check(&st, a, sizes[s]) == HEALTH_FAIL_SAME_AS_PREVIOUS);
	}

	fill(a, sizeof(a), 20, -1);
	health_init(&st);
	CHECK(health_check(&st, a, 64) == HEALTH_PASS);
	/* The state holds a fingerprint, never the sample's bytes. */
	CHECK(memmem(&st, sizeof(st), a, 8) == NULL);
	/* Another source's state has not seen it. */
	health_init(&other);
	CHECK(health_check(&other, a, 64) == HEALTH_PASS);
	/* A restarted stream: same start, any length. */
	fill(b, sizeof(b), 21, -1);
	memcpy(b, a, HEALTH_MIN_LEN);
	CHECK(health_check(&st, b, 512) == HEALTH_FAIL_SAME_AS_PREVIOUS);
	CHECK(health_check(&st, a, HEALTH_MIN_LEN) == HEALTH_FAIL_SAME_AS_PREVIOUS);
	/* Only the start counts, but all of it: one bit off in byte 32 is new. */
	memcpy(b, a, 64);
	b[HEALTH_MIN_LEN - 1] ^= 1;
	CHECK(health_check(&st, b, 64) == HEALTH_PASS);
	/* A failing sample is named by its own failure, and remembered all the same. */
	CHECK(health_check(&st, zero, sizeof(zero)) == HEALTH_FAIL_ALL_EQUAL);
	CHECK(health_check(&st, zero, sizeof(zero)) == HEALTH_FAIL_ALL_EQUAL);
	/* A cycle shorter than the history is caught... */
	fill(b, 64, 22, -1);
	CHECK(health_check(&st, b, 64) == HEALTH_PASS);
	CHECK(health_check(&st, a, 64) == HEALTH_FAIL_SAME_AS_PREVIOUS);
	/* ...one longer than HEALTH_HISTORY is not (documented limit). */
	for (uint64_t i = 0; i < HEALTH_HISTORY; i++) {
		fill(b, 64, 30 + i, -1);
		CHECK(health_check(&st, b, 64) == HEALTH_PASS);
	}
	CHECK(health_check(&st, a, 64) == HEALTH_PASS);
}

/*
 * One bad stretch in otherwise random bytes: a run of HEALTH_RCT_CUTOFF (14)
 * equal bytes fails the RCT, 13 pass. For good data the price is small: a
 * full-entropy 64-byte sample holds such a run with probability below
 * 51 * 2^-104 < 2^-98, a source of exactly 4 bits per byte below 51 * 2^-52 <
 * 2^-46. A sample with 13 stuck bytes still holds more than the 4 bits per byte
 * it would be credited, so letting it pass is honest.
 */
static void test_run_inside_random(void)
{
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t s = 0; s < N_SIZES; s++) {
		size_t len = sizes[s];
		fill(buf, len, 40 + s, 0);
		memset(buf + 8, 0, 16);
		expect("16 zeros inside random", buf, len, HEALTH_FAIL_RCT);

		fill(buf, len, 40 + s, 0);
		memset(buf + 9, 0, 14);
		expect("14 zeros inside random", buf, len, HEALTH_FAIL_RCT);

		fill(buf, len, 40 + s, 0);
		memset(buf + 9, 0, 13);
		expect("13 zeros inside random", buf, len, HEALTH_PASS);

		fill(buf, len, 40 + s, 0);
		memset(buf + len - 14, 0xff, 14);
		expect("14 x 0xff at the end", buf, len, HEALTH_FAIL_RCT);
	}
}

/*
 * 15 bytes in arithmetic progression fail, 14 pass; 5 32-bit words fail, 4
 * pass; 4 64-bit words fail, 3 pass.
 */
static void test_progression_inside_random(void)
{
	uint8_t buf[64];

	for (size_t n = 14; n <= 15; n++) {
		fill(buf, sizeof(buf), 50, -1);
		for (size_t i = 0; i < n; i++)
			buf[20 + i] = (uint8_t)(0x31 + 3 * i);
		buf[19] = 0x31 - 5; /* the step in differs, */
		buf[20 + n] = (uint8_t)(0x31 + 3 * n + 9); /* and so does the step out */
		expect(n == 15 ? "15-byte progression" : "14-byte progression", buf,
		       sizeof(buf), n == 15 ? HEALTH_FAIL_ARITHMETIC : HEALTH_PASS);
	}
	for (size_t n = 4; n <= 5; n++) {
		fill(buf, sizeof(buf), 51, -1);
		for (size_t i = 0; i < n; i++)
			put_le(buf + 16 + 4 * i, 0x8badf00dU + 0x01010101U * i, 4);
		expect(n == 5 ? "5-word progression" : "4-word progression", buf,
		       sizeof(buf), n == 5 ? HEALTH_FAIL_ARITHMETIC : HEALTH_PASS);
	}
	for (size_t n = 3; n <= 4; n++) {
		fill(buf, sizeof(buf), 52, -1);
		for (size_t i = 0; i < n; i++)
			put_be(buf + 16 + 8 * i, 0x0badc0ffee15900dULL + 0x1111 * i, 8);
		expect(n == 4 ? "4 u64 in progression" : "3 u64 in progression", buf,
		       sizeof(buf), n == 4 ? HEALTH_FAIL_ARITHMETIC : HEALTH_PASS);
	}
}

/* Plants @count zeros, evenly spread so they form no run, among nonzero bytes. */
static void plant_zeros(uint8_t *p, size_t len, size_t count, uint64_t seed)
{
	fill(p, len, seed, 0);
	for (size_t k = 0; k < count; k++)
		p[k * len / count] = 0;
}

/* The APT fires exactly at the table's cutoff (18 at 32 bytes, 25 at 64, 81 at 512). */
static void test_apt_cutoffs(void)
{
	static const struct {
		size_t len, cutoff;
	} rows[] = { { 32, 18 }, { 33, 25 }, { 64, 25 }, { 512, 81 } };
	uint8_t buf[HEALTH_MAX_LEN];

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		plant_zeros(buf, rows[r].len, rows[r].cutoff - 1, 60 + r);
		expect("one value below the APT cutoff", buf, rows[r].len, HEALTH_PASS);
		plant_zeros(buf, rows[r].len, rows[r].cutoff, 60 + r);
		expect("one value at the APT cutoff", buf, rows[r].len, HEALTH_FAIL_APT);
	}
}

static void test_verdict_strings(void)
{
	for (int v = HEALTH_PASS; v <= HEALTH_FAIL_TOO_LONG; v++) {
		const char *s = health_verdict_str((enum health_verdict)v);
		CHECK(s && strcmp(s, "unknown") != 0);
		CHECK(v == HEALTH_PASS || strlen(s) > 20);
		for (int w = HEALTH_PASS; w < v; w++)
			CHECK(strcmp(s, health_verdict_str((enum health_verdict)w)) != 0);
	}
	CHECK(strcmp(health_verdict_str((enum health_verdict)(HEALTH_FAIL_TOO_LONG + 1)),
		     "unknown") == 0);
	CHECK(strcmp(health_verdict_str((enum health_verdict)-1), "unknown") == 0);
}

static int get_random(void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * The false-alarm rate of all tests together is below 2^-38 per sample for a
 * source of 4 bits per byte, far lower for getrandom(): any alarm here is a bug.
 * One state per size, as one source would have.
 */
static void test_getrandom_no_false_alarms(void)
{
	static const struct {
		size_t len, n;
	} runs[] = { { 32, 49000 }, { 64, 49000 }, { 512, 2000 } };
	static uint8_t buf[1 << 16];
	unsigned by_verdict[HEALTH_FAIL_TOO_LONG + 1] = { 0 };
	unsigned total = 0, alarms = 0;

	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct health_state st;
		size_t per_buf = sizeof(buf) / runs[r].len, used = per_buf;
		health_init(&st);
		for (size_t i = 0; i < runs[r].n; i++, used++) {
			if (used == per_buf) {
				if (get_random(buf, sizeof(buf)) < 0)
					SKIP("getrandom() failed");
				used = 0;
			}
			const uint8_t *p = buf + used * runs[r].len;
			enum health_verdict v = health_check(&st, p, runs[r].len);
			by_verdict[v]++;
			alarms += v != HEALTH_PASS;
			total++;
		}
	}
	if (alarms) {
		fprintf(stderr, "  %u false alarms in %u getrandom() samples:\n", alarms,
			total);
		for (int v = HEALTH_FAIL_ALL_EQUAL; v <= HEALTH_FAIL_TOO_LONG; v++)
			if (by_verdict[v])
				fprintf(stderr, "    %u x %s\n", by_verdict[v],
					health_verdict_str((enum health_verdict)v));
	}
	CHECK(total == 100000);
	CHECK(alarms == 0);
}

int main(void)
{
	RUN(test_length_limits);
	RUN(test_all_equal);
	RUN(test_repeating_word);
	RUN(test_stuck_every_other);
	RUN(test_byte_counters);
	RUN(test_word_counters);
	RUN(test_two_identical_chunks);
	RUN(test_same_as_previous);
	RUN(test_run_inside_random);
	RUN(test_progression_inside_random);
	RUN(test_apt_cutoffs);
	RUN(test_verdict_strings);
	RUN(test_getrandom_no_false_alarms);
	return unit_done();
}
