/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bind: this boot's TPM binding (tpm_bind, tpm_counter). The early stage's TPM
 * session (tpm.c) yields a per-boot key K and the counter's value; they are
 * kept for the later stages of the same boot in /run/bootseed/tpm-bind (0600,
 * replaced atomically), and in memory for the rest of the same process. A
 * seed bound to them is credited as BLAKE2s-256 keyed with K over
 * ("bootseed bound seed v1" || counter || BLAKE2s(seed)): a copy of the disk
 * is worthless without this TPM. Nothing here logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpm.h"

struct bind_state {
	bool recorded;	   /* a TPM row of this boot left its outcome */
	struct tpm_bind t; /* key_ok, counter_ok and why not */
};

/*
 * Records this boot's binding (@t) in memory and in /run. @why, when not
 * NULL, replaces both reasons (the TPM could not be read at all). 0 or -errno
 * (the file; the memory copy is kept either way).
 */
int bind_set(const struct tpm_bind *t, const char *why);

/* This boot's binding: this process's, else the file an earlier stage left. */
const struct bind_state *bind_get(void);

/* The value credited for @seed under @b (which must have key_ok). */
void bind_seed_value(const struct bind_state *b, const void *seed, size_t len,
		     uint8_t out[32]);

/* Did a stage of this boot credit a seed at counter value @counter already? */
bool bind_counter_used(uint64_t counter);
/* Says so, before the credit. 0 or -errno. */
int bind_mark_counter_used(uint64_t counter);

/* Wipes the key from memory. */
void bind_forget(void);
