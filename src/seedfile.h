/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seedfile: the seed directory and the life cycle of seed files: read, decide
 * credit, consume durably, write the next seed atomically. The five seed rules
 * of DESIGN.md are implemented here and nowhere else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "config.h"
#include "mix.h"

#define SEED_MIN_LEN 32
#define SEED_MAX_LEN 512
/* A seed drawn from the crng cannot hold more than its 256-bit key. */
#define SEED_CREDIT_MAX_BITS 256

#define SEED_NAME_CREDIT    "seed.credit"
#define SEED_NAME_NO_CREDIT "seed.no-credit"

enum seed_reason {
	SEED_CREDITED,
	SEED_R_NO_CREDIT_FILE,
	SEED_R_DISABLED,
	SEED_R_FIRST_BOOT,
	SEED_R_NOT_REGULAR,
	SEED_R_NOT_ROOT,
	SEED_R_NOT_PRIVATE,
	SEED_R_LINKS,
	SEED_R_DIR_NOT_PRIVATE,
	SEED_R_EMPTY,
	SEED_R_TRUNCATED,
	SEED_R_OVERSIZED,
	SEED_R_OWN_OUTPUT,
	SEED_R_READ_ONLY,
	SEED_R_NOT_CONSUMED,
};

/* Everything the credit decision looks at, gathered before it is made. */
struct seed_facts {
	bool creditable_name;	/* the file is seed.credit */
	bool credit_enabled;	/* seed_credit = yes */
	bool first_boot;	/* machine-id missing, empty or "uninitialized" */
	bool regular;		/* a regular file (opened with O_NOFOLLOW) */
	bool owner_root;
	bool mode_private;	/* no group or other permission bits */
	bool single_link;
	bool dir_private;	/* seed directory root-owned, not group/other-writable */
	bool oversized;		/* larger than SEED_MAX_LEN */
	size_t len;		/* bytes read */
	bool written_this_boot; /* bootseed wrote a seed earlier in this boot */
	int consume_error;	/* 0: unlinked and directory fsynced; else -errno */
};

/* Returns the bits to credit and why; see the comments in seedfile.c. */
unsigned seed_credit_decide(const struct seed_facts *f, enum seed_reason *ret_reason);
const char *seed_reason_str(enum seed_reason r);

/* Seed length for the next seed: poolsize/8 clamped to 32..512 (seedrng's rule). */
size_t seed_next_len(int poolsize_bits);

/* Is this the first boot of an image (machine-id missing/empty/uninitialized)? */
bool seed_first_boot(const char *machine_id_path, bool remember);

/*
 * The seed stage of "load" (@load true: old seeds go to the kernel, credited
 * where the rules allow) or of "save" (hash only). Returns exit bits.
 */
int seed_run(struct mix *m, const struct config *cfg, bool load, bool first_boot);

/* Facts about a seed file for "status", without consuming it. */
int seed_inspect(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st);

/* Mixes systemd's and seedrng's seeds without credit; never consumes them. */
void seed_mix_foreign(struct mix *m);

/* Did bootseed write a seed into this (open) seed directory earlier this boot? */
bool seed_written_this_boot(int dfd);
