// SPDX-License-Identifier: GPL-2.0-or-later
/* BLAKE2s against RFC 7693: the "abc" example (appendix B) and the self-test (E). */
#include "blake2s.h"
#include "unit.h"

static void blake2s_oneshot(uint8_t *out, size_t outlen, const void *key, size_t keylen,
			    const void *in, size_t inlen)
{
	struct blake2s_state s;

	blake2s_init(&s, outlen, key, keylen);
	blake2s_update(&s, in, inlen);
	blake2s_final(&s, out);
}

static void test_rfc7693_abc(void)
{
	static const uint8_t want[32] = {
		0x50, 0x8C, 0x5E, 0x8C, 0x32, 0x7C, 0x14, 0xE2, 0xE1, 0xA7, 0x2B,
		0xA3, 0x4E, 0xEB, 0x45, 0x2F, 0x37, 0x45, 0x8B, 0x20, 0x9E, 0xD6,
		0x3A, 0x29, 0x4D, 0x99, 0x9B, 0x4C, 0x86, 0x67, 0x59, 0x82,
	};
	uint8_t out[32];

	blake2s_oneshot(out, 32, NULL, 0, "abc", 3);
	CHECK(memcmp(out, want, 32) == 0);
}

/* RFC 7693 appendix E: deterministic inputs, many lengths, keyed and not. */
static void selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xDEAD4BAD * seed, b = 1;

	for (size_t i = 0; i < len; i++) {
		uint32_t t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static void test_rfc7693_selftest(void)
{
	static const uint8_t want[32] = {
		0x6A, 0x41, 0x1F, 0x08, 0xCE, 0x25, 0xAD, 0xCD, 0xFB, 0x02, 0xAB,
		0xA6, 0x41, 0x45, 0x1C, 0xEC, 0x53, 0xC5, 0x98, 0xB2, 0x4F, 0x4F,
		0xC7, 0x87, 0xFB, 0xDC, 0x88, 0x79, 0x7F, 0x4C, 0x1D, 0xFE,
	};
	static const size_t md_len[4] = { 16, 20, 28, 32 };
	static const size_t in_len[6] = { 0, 3, 64, 65, 255, 1024 };
	uint8_t in[1024], md[32], key[32], out[32];
	struct blake2s_state ctx;

	blake2s_init(&ctx, 32, NULL, 0);
	for (size_t i = 0; i < 4; i++) {
		size_t outlen = md_len[i];
		for (size_t j = 0; j < 6; j++) {
			size_t inlen = in_len[j];
			selftest_seq(in, inlen, (uint32_t)inlen);
			blake2s_oneshot(md, outlen, NULL, 0, in, inlen);
			blake2s_update(&ctx, md, outlen);
			selftest_seq(key, outlen, (uint32_t)outlen);
			blake2s_oneshot(md, outlen, key, outlen, in, inlen);
			blake2s_update(&ctx, md, outlen);
		}
	}
	blake2s_final(&ctx, out);
	CHECK(memcmp(out, want, 32) == 0);
}

/* Feeding in pieces must equal feeding at once (block boundary handling). */
static void test_incremental(void)
{
	uint8_t in[300], a[32], b[32];
	struct blake2s_state s;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	blake2s_oneshot(a, 32, NULL, 0, in, sizeof(in));
	blake2s_init(&s, 32, NULL, 0);
	blake2s_update(&s, in, 1);
	blake2s_update(&s, in + 1, 63);
	blake2s_update(&s, in + 64, 64);
	blake2s_update(&s, in + 128, 172);
	blake2s_final(&s, b);
	CHECK(memcmp(a, b, 32) == 0);
}

int main(void)
{
	RUN(test_rfc7693_abc);
	RUN(test_rfc7693_selftest);
	RUN(test_incremental);
	return unit_done();
}
