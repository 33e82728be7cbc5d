// SPDX-License-Identifier: GPL-2.0-or-later
/* blake2s: a straight implementation of RFC 7693, section 3. */
#include "blake2s.h"

#include <string.h>

static const uint32_t blake2s_iv[8] = {
	0x6A09E667UL, 0xBB67AE85UL, 0x3C6EF372UL, 0xA54FF53AUL,
	0x510E527FUL, 0x9B05688CUL, 0x1F83D9ABUL, 0x5BE0CD19UL,
};

static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static uint32_t ror32(uint32_t w, unsigned c)
{
	return (w >> c) | (w << (32 - c));
}

static uint32_t load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void blake2s_compress(struct blake2s_state *s, const uint8_t *block, uint32_t inc)
{
	uint32_t m[16], v[16];

	s->t[0] += inc;
	if (s->t[0] < inc)
		s->t[1]++;
	for (int i = 0; i < 16; i++)
		m[i] = load32_le(block + 4 * i);
	memcpy(v, s->h, sizeof(s->h));
	memcpy(v + 8, blake2s_iv, sizeof(blake2s_iv));
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	v[14] ^= s->f[0];
	v[15] ^= s->f[1];

#define G(r, i, a, b, c, d)                                        \
	do {                                                       \
		a += b + m[blake2s_sigma[r][2 * i]];               \
		d = ror32(d ^ a, 16);                              \
		c += d;                                            \
		b = ror32(b ^ c, 12);                              \
		a += b + m[blake2s_sigma[r][2 * i + 1]];           \
		d = ror32(d ^ a, 8);                               \
		c += d;                                            \
		b = ror32(b ^ c, 7);                               \
	} while (0)

	for (int r = 0; r < 10; r++) {
		G(r, 0, v[0], v[4], v[8], v[12]);
		G(r, 1, v[1], v[5], v[9], v[13]);
		G(r, 2, v[2], v[6], v[10], v[14]);
		G(r, 3, v[3], v[7], v[11], v[15]);
		G(r, 4, v[0], v[5], v[10], v[15]);
		G(r, 5, v[1], v[6], v[11], v[12]);
		G(r, 6, v[2], v[7], v[8], v[13]);
		G(r, 7, v[3], v[4], v[9], v[14]);
	}
#undef G

	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	explicit_bzero(m, sizeof(m));
	explicit_bzero(v, sizeof(v));
}

void blake2s_init(struct blake2s_state *s, size_t outlen, const void *key, size_t keylen)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h, blake2s_iv, sizeof(s->h));
	s->h[0] ^= 0x01010000UL ^ ((uint32_t)keylen << 8) ^ (uint32_t)outlen;
	s->outlen = outlen;
	if (keylen > 0) {
		uint8_t block[BLAKE2S_BLOCK_SIZE] = { 0 };
		memcpy(block, key, keylen);
		blake2s_update(s, block, BLAKE2S_BLOCK_SIZE);
		explicit_bzero(block, sizeof(block));
	}
}

void blake2s_update(struct blake2s_state *s, const void *in, size_t inlen)
{
	const uint8_t *p = in;

	while (inlen > 0) {
		/* The last block is compressed in final(), with the final flag set. */
		if (s->buflen == BLAKE2S_BLOCK_SIZE) {
			blake2s_compress(s, s->buf, BLAKE2S_BLOCK_SIZE);
			s->buflen = 0;
		}
		size_t n = BLAKE2S_BLOCK_SIZE - s->buflen;
		if (n > inlen)
			n = inlen;
		memcpy(s->buf + s->buflen, p, n);
		s->buflen += n;
		p += n;
		inlen -= n;
	}
}

void blake2s_final(struct blake2s_state *s, uint8_t *out)
{
	uint8_t full[BLAKE2S_HASH_SIZE];

	s->f[0] = 0xFFFFFFFFUL;
	memset(s->buf + s->buflen, 0, BLAKE2S_BLOCK_SIZE - s->buflen);
	blake2s_compress(s, s->buf, (uint32_t)s->buflen);
	for (int i = 0; i < 8; i++) {
		full[4 * i] = (uint8_t)s->h[i];
		full[4 * i + 1] = (uint8_t)(s->h[i] >> 8);
		full[4 * i + 2] = (uint8_t)(s->h[i] >> 16);
		full[4 * i + 3] = (uint8_t)(s->h[i] >> 24);
	}
	memcpy(out, full, s->outlen);
	explicit_bzero(full, sizeof(full));
	explicit_bzero(s, sizeof(*s));
}
