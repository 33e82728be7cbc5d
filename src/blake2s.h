/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blake2s: BLAKE2s (RFC 7693), used only to build the next seed file from the
 * old seeds and fresh bytes. The kernel does its own mixing.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BLAKE2S_BLOCK_SIZE 64
#define BLAKE2S_HASH_SIZE  32
#define BLAKE2S_KEY_SIZE   32

struct blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint32_t f[2];
	uint8_t buf[BLAKE2S_BLOCK_SIZE];
	size_t buflen;
	size_t outlen;
};

/* @outlen 1..32, @keylen 0..32 (key may be NULL when keylen is 0). */
void blake2s_init(struct blake2s_state *s, size_t outlen, const void *key, size_t keylen);
void blake2s_update(struct blake2s_state *s, const void *in, size_t inlen);
/* Writes outlen bytes and wipes the state. */
void blake2s_final(struct blake2s_state *s, uint8_t *out);
