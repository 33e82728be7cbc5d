// SPDX-License-Identifier: GPL-2.0-or-later
/* health: the tests on one device sample, and their cutoffs with the derivation. */
#include "health.h"

#include <stdbool.h>
#include <string.h>

#include "blake2s.h"
#include "fileio.h"

/*
 * Why these cutoffs.
 *
 * A health test can fail a good source, and a false alarm costs a boot its
 * credit from that source (and an operator a scare). So every cutoff is sized
 * against the weakest source that still deserves its credit: bytes that are
 * independent, with min-entropy H = 4 bits (no byte value likelier than 2^-4),
 * which is what we credit by default. A source that good fails each test with
 * probability at most alpha = 2^-40 per sample of up to 512 bytes; all the
 * tests together fail it with probability below 2^-38. A full-entropy source
 * (what a TPM, virtio-rng or RDRAND is meant to be) fails each test with
 * probability at most 2^-88. So a failure means, short of a 2^-38 accident,
 * that the sample holds less than we would credit, or is not random at all.
 *
 * - All equal (the AMD RDRAND all-ones failure, an all-zero buffer): at most
 *   2^(-4*31) for 32 bytes.
 *
 * - Repetition count (SP 800-90B 4.4.1), a stuck stretch: a run of C equal
 *   bytes fails. A run from a given start reaches C with probability at most
 *   2^(-H(C-1)); there are at most 512 = 2^9 starts, so the per-start alpha is
 *   2^-49 and C = 1 + ceil(49 / H) = 1 + 13 = 14 (2^-52 per start, 2^-43 per
 *   sample; 2^-95 for full entropy).
 *
 * - Arithmetic, a counter or a fixed stride (0, 1, 2, ... passes the RCT and the
 *   APT): a run of C = 14 equal successive byte differences (15 bytes in an
 *   arithmetic progression mod 256) fails. Once two bytes fix the step, each
 *   next byte must hit one value, so the bound is that of the RCT: 2^-43. The
 *   same on aligned words of w = 4 and 8 bytes, read little- and big-endian
 *   (counters of either width and byte order; 16-bit counters show up as
 *   32-bit ones): a word holds 4w bits and there are at most 2 * 512 / w
 *   starts, so C = 1 + ceil(-log2(alpha * w / 1024) / 4w):
 *     w = 4: C = 1 + ceil(48 / 16) = 4 steps (5 words), 2^-48 per start, 2^-40;
 *     w = 8: C = 1 + ceil(47 / 32) = 3 steps (4 words), 2^-64 per start, 2^-57.
 *   A step of 0 is a repeat, not a counter: the RCT and the block tests below
 *   catch it under their own name.
 *
 * - Repeated block, a looping or stuck source, two copies of one chunk: the
 *   obvious "no 8-byte block twice" and "no 4-byte word twice" would fail a
 *   good source far too often (birthday bounds: 2^-21 for 64 8-byte blocks at
 *   4 bits per byte, 2^-19 for 128 words even at full entropy). Instead:
 *   - no 16-byte string twice at any two offsets (overlap allowed, so any
 *     pattern with a period up to len - 16 fails, and any copied chunk of 16
 *     bytes or more): C(497, 2) < 2^17 pairs of 2^-64 each, 2^-47;
 *   - no 8-aligned 8-byte block 3 times (a 64-bit value stuck every other
 *     read): C(64, 3) < 2^15.4 triples of 2^-64, 2^-48.6;
 *   - no 4-aligned 32-bit word 6 times (a 32-bit value stuck in every other
 *     word): C(128, 6) < 2^32.4 sextuples of 2^-80, 2^-47.6.
 *
 * - Adaptive proportion (SP 800-90B 4.4.2), a biased source: the whole sample
 *   is the window (W = len, at most the standard's 512 for non-binary data). The
 *   standard counts only the window's first value, which in a single short
 *   window sees a bias only when the first byte happens to be the favoured
 *   value; we count every value and fail when the commonest reaches C. At most
 *   2^H values can have probability 2^-H, and P[Bin(W, p) >= C] / p grows with
 *   p below 2^-H, so the false alarm is at most 2^H * P[Bin(W, 2^-H) >= C]. C
 *   is the smallest value keeping that <= 2^-40, computed exactly (rational
 *   arithmetic) once for W = 32, 64, ..., 512:
 *
 *     for W in range(32, 513, 32):
 *         C = min(c for c in range(W + 1) if 16 * tail(W, c, Fraction(1, 16)) <= 2**-40)
 *     tail(W, c, p) = sum(comb(W, k) * p**k * (1 - p)**(W - k) for k in range(c, W + 1))
 *
 *   A sample uses the entry for the next multiple of 32 at or above its
 *   length: fewer trials only lower the count, so the bound still holds. For
 *   comparison, the standard's 1 + CRITBINOM(512, 2^-4, 1 - 2^-40) is 78; ours
 *   is 81, the price of watching all 256 values.
 *
 * - Same as previous, a replayed or restarted output: the first 32 bytes match
 *   one of the source's last HEALTH_HISTORY distinct samples. 2^-128 per
 *   comparison.
 *
 * Below 32 bytes the tests lose their teeth (0xdeadbeef x 4 and a 32-bit
 * counter of 4 words pass everything at these cutoffs), so a shorter sample is
 * never credited.
 */
#define HEALTH_RCT_CUTOFF	  14 /* equal bytes, or equal byte steps, in a row */
#define HEALTH_WORD32_STEP_CUTOFF 4  /* equal 32-bit word steps in a row */
#define HEALTH_WORD64_STEP_CUTOFF 3  /* equal 64-bit word steps in a row */
#define HEALTH_REPEAT_LEN	  16 /* a string this long may not occur twice */
#define HEALTH_BLOCK8_MAX	  2  /* times one aligned 8-byte block may occur */
#define HEALTH_WORD4_MAX	  5  /* times one aligned 32-bit word may occur */
#define HEALTH_APT_STEP		  32

/* APT cutoffs for W = 32, 64, ..., 512 (see above). */
static const uint8_t health_apt_cutoff[HEALTH_MAX_LEN / HEALTH_APT_STEP] = {
	18, 25, 31, 36, 40, 44, 48, 52, 56, 60, 64, 67, 71, 74, 77, 81,
};

static const char health_fp_label[] = "bootseed health v1";

#define HEALTH_STR_(x) #x
#define HEALTH_STR(x)  HEALTH_STR_(x)

static const char *const health_verdicts[] = {
	[HEALTH_PASS] = "pass",
	[HEALTH_FAIL_ALL_EQUAL] = "all bytes equal: a stuck source (all zeros, all ones)",
	[HEALTH_FAIL_REPEATED_BLOCK] = "a block repeats within the sample: a looping or "
				       "stuck source",
	[HEALTH_FAIL_RCT] = "a run of " HEALTH_STR(HEALTH_RCT_CUTOFF) " or more equal "
			    "bytes (repetition count test): the source stuck for a "
			    "stretch",
	[HEALTH_FAIL_APT] = "one byte value far too frequent (adaptive proportion "
			    "test): a biased source",
	[HEALTH_FAIL_ARITHMETIC] = "bytes or 32/64-bit words step by a constant: a "
				   "counter, not noise",
	[HEALTH_FAIL_SAME_AS_PREVIOUS] = "starts like one of this source's last "
					 "samples: replayed or restarted output",
	[HEALTH_FAIL_TOO_SHORT] = "shorter than " HEALTH_STR(HEALTH_MIN_LEN) " bytes: "
				  "too short to test",
	[HEALTH_FAIL_TOO_LONG] = "longer than " HEALTH_STR(HEALTH_MAX_LEN) " bytes: "
				 "the tests are sized for shorter samples",
};

const char *health_verdict_str(enum health_verdict v)
{
	if ((size_t)v >= ELEMENTSOF(health_verdicts) || !health_verdicts[v])
		return "unknown";
	return health_verdicts[v];
}

void health_init(struct health_state *st)
{
	memset(st, 0, sizeof(*st));
}

static bool health_all_equal(const uint8_t *p, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (p[i] != p[0])
			return false;
	return true;
}

static bool health_rct_fails(const uint8_t *p, size_t len)
{
	size_t run = 1;

	for (size_t i = 1; i < len; i++) {
		run = p[i] == p[i - 1] ? run + 1 : 1;
		if (run >= HEALTH_RCT_CUTOFF)
			return true;
	}
	return false;
}

/* A run of HEALTH_RCT_CUTOFF equal, nonzero steps between successive bytes. */
static bool health_byte_steps_fail(const uint8_t *p, size_t len)
{
	uint8_t prev = 0;
	size_t run = 0;

	for (size_t i = 1; i < len; i++) {
		uint8_t d = (uint8_t)(p[i] - p[i - 1]);
		run = d == prev ? run + 1 : 1;
		prev = d;
		if (d != 0 && run >= HEALTH_RCT_CUTOFF)
			return true;
	}
	return false;
}

/* A @width-byte word at @p, as an unsigned integer in the given byte order. */
static uint64_t health_load(const uint8_t *p, size_t width, bool big_endian)
{
	uint64_t v = 0;

	for (size_t i = 0; i < width; i++)
		v |= (uint64_t)p[big_endian ? width - 1 - i : i] << (8 * i);
	return v;
}

/* The same on aligned @width-byte words (4 or 8), steps taken mod 2^(8 * width). */
static bool health_word_steps_fail(const uint8_t *p, size_t len, size_t width,
				   bool big_endian, size_t cutoff)
{
	uint64_t mask = width < 8 ? (UINT64_C(1) << (8 * width)) - 1 : UINT64_MAX;
	uint64_t prev = 0;
	size_t run = 0;

	for (size_t i = width; i + width <= len; i += width) {
		uint64_t d = (health_load(p + i, width, big_endian) -
			      health_load(p + i - width, width, big_endian)) & mask;
		run = d == prev ? run + 1 : 1;
		prev = d;
		if (d != 0 && run >= cutoff)
			return true;
	}
	return false;
}

static bool health_arithmetic(const uint8_t *p, size_t len)
{
	if (health_byte_steps_fail(p, len))
		return true;
	for (int be = 0; be <= 1; be++) {
		if (health_word_steps_fail(p, len, 4, be, HEALTH_WORD32_STEP_CUTOFF) ||
		    health_word_steps_fail(p, len, 8, be, HEALTH_WORD64_STEP_CUTOFF))
			return true;
	}
	return false;
}

/*
 * Does some HEALTH_REPEAT_LEN-byte string occur at two offsets? Any such string
 * holds a whole 8-aligned block, so it is enough to look for each aligned block
 * at every later offset and see how far the match reaches on both sides. The
 * reach is capped, so a periodic sample costs no more than a random one.
 */
static bool health_repeated_string(const uint8_t *p, size_t len)
{
	for (size_t a = 0; a + 8 <= len; a += 8) {
		for (size_t b = a + 1; b + 8 <= len; b++) {
			if (memcmp(p + a, p + b, 8) != 0)
				continue;
			size_t n = 8;
			for (size_t k = 1; k <= a && n < HEALTH_REPEAT_LEN; k++, n++)
				if (p[a - k] != p[b - k])
					break;
			for (size_t k = 8; b + k < len && n < HEALTH_REPEAT_LEN; k++, n++)
				if (p[a + k] != p[b + k])
					break;
			if (n >= HEALTH_REPEAT_LEN)
				return true;
		}
	}
	return false;
}

/* Does one aligned @size-byte block occur more than @max times? */
static bool health_block_count_exceeds(const uint8_t *p, size_t len, size_t size,
				       unsigned max)
{
	size_t n = len / size;

	for (size_t i = 0; i + max < n; i++) {
		unsigned seen = 1;
		for (size_t j = i + 1; j < n; j++) {
			if (memcmp(p + i * size, p + j * size, size) == 0 && ++seen > max)
				return true;
		}
	}
	return false;
}

static bool health_repeated_block(const uint8_t *p, size_t len)
{
	return health_repeated_string(p, len) ||
	       health_block_count_exceeds(p, len, 8, HEALTH_BLOCK8_MAX) ||
	       health_block_count_exceeds(p, len, 4, HEALTH_WORD4_MAX);
}

static bool health_apt_fails(const uint8_t *p, size_t len)
{
	unsigned cutoff = health_apt_cutoff[(len - 1) / HEALTH_APT_STEP];
	uint16_t count[256] = { 0 };
	bool fail = false;

	for (size_t i = 0; i < len && !fail; i++)
		fail = ++count[p[i]] >= cutoff;
	/* The histogram says something about secret bytes. */
	explicit_bzero(count, sizeof(count));
	return fail;
}

/*
 * The tests on the sample alone, most specific first, so that the verdict
 * names the failure best: a counter is "arithmetic" before it is "biased".
 */
static enum health_verdict health_sample_verdict(const uint8_t *p, size_t len)
{
	if (health_all_equal(p, len))
		return HEALTH_FAIL_ALL_EQUAL;
	if (health_rct_fails(p, len))
		return HEALTH_FAIL_RCT;
	if (health_arithmetic(p, len))
		return HEALTH_FAIL_ARITHMETIC;
	if (health_repeated_block(p, len))
		return HEALTH_FAIL_REPEATED_BLOCK;
	if (health_apt_fails(p, len))
		return HEALTH_FAIL_APT;
	return HEALTH_PASS;
}

/*
 * A fingerprint of the first HEALTH_MIN_LEN bytes, not of the whole sample: a
 * source that restarts its stream on every read gives samples that begin
 * alike even when their lengths differ. A hash, not a copy, so that no sample
 * bytes stay in memory after the call.
 */
static void health_fingerprint(const uint8_t *p, uint8_t out[HEALTH_FP_SIZE])
{
	struct blake2s_state s;

	blake2s_init(&s, HEALTH_FP_SIZE, NULL, 0);
	blake2s_update(&s, health_fp_label, sizeof(health_fp_label));
	blake2s_update(&s, p, HEALTH_MIN_LEN);
	blake2s_final(&s, out); /* wipes s */
}

static bool health_seen(const struct health_state *st, const uint8_t fp[HEALTH_FP_SIZE])
{
	for (unsigned i = 0; i < st->n_fp && i < HEALTH_HISTORY; i++)
		if (memcmp(st->fp[i], fp, HEALTH_FP_SIZE) == 0)
			return true;
	return false;
}

static void health_remember(struct health_state *st, const uint8_t fp[HEALTH_FP_SIZE])
{
	memcpy(st->fp[st->next % HEALTH_HISTORY], fp, HEALTH_FP_SIZE);
	st->next = (st->next + 1) % HEALTH_HISTORY;
	if (st->n_fp < HEALTH_HISTORY)
		st->n_fp++;
}

enum health_verdict health_check(struct health_state *st, const void *buf, size_t len)
{
	uint8_t fp[HEALTH_FP_SIZE];

	if (len < HEALTH_MIN_LEN)
		return HEALTH_FAIL_TOO_SHORT;
	if (len > HEALTH_MAX_LEN)
		return HEALTH_FAIL_TOO_LONG;

	enum health_verdict v = health_sample_verdict(buf, len);
	health_fingerprint(buf, fp);
	/*
	 * Replay guard: a stuck DRBG or a cached buffer returns the same bytes again.
	 * A repeat is not stored twice, so the history holds distinct samples.
	 */
	bool seen = health_seen(st, fp);
	if (!seen)
		health_remember(st, fp);
	explicit_bzero(fp, sizeof(fp));
	if (v == HEALTH_PASS && seen)
		return HEALTH_FAIL_SAME_AS_PREVIOUS;
	return v;
}

/*
 * A stored seed is a hash output and passes anything; these two catch what a
 * disk does to it instead: a block of zeros (a cache that lied about a flush)
 * or of one repeated byte (a corrupted sector).
 */
enum health_verdict health_check_stuck(const void *buf, size_t len)
{
	if (len < HEALTH_MIN_LEN)
		return HEALTH_FAIL_TOO_SHORT;
	if (health_all_equal(buf, len))
		return HEALTH_FAIL_ALL_EQUAL;
	if (health_rct_fails(buf, len))
		return HEALTH_FAIL_RCT;
	return HEALTH_PASS;
}
