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
#include "fsinfo.h"
#include "mix.h"

#define SEED_MIN_LEN 32
#define SEED_MAX_LEN 512
/* A seed drawn from the crng cannot hold more than its 256-bit key. */
#define SEED_CREDIT_MAX_BITS 256

#define SEED_NAME_CREDIT    "seed.credit"
#define SEED_NAME_NO_CREDIT "seed.no-credit"

/*
 * A seed file is a header, then the seed bytes. The header binds the seed to
 * the machine that wrote it (a hash of its machine-id); a file without one (an
 * older bootseed's) is all seed and judged by the other rules.
 *   0  "bootseed"   magic
 *   8  1            format version
 *   9  flags        SEED_HDR_F_MACHINE: bytes 16..31 hold the machine hash
 *                   SEED_HDR_F_COUNTER: bytes 32..39 hold the TPM counter value
 *                   SEED_HDR_F_TPM: bytes 10..15 hold the TPM key's id
 *  10  the id (the first bytes of the Name) of the TPM key the boot that wrote
 *      it was bound to, or zero (6)
 *  16  BLAKE2s-128("bootseed machine-id v1" || machine-id), or zero
 *  32  the TPM counter's value in the boot that wrote it (8, big-endian), or zero
 * A bootseed that knows only SEED_HDR_F_MACHINE reads these files as before.
 */
#define SEED_HDR_LEN	   40
#define SEED_HDR_MAGIC	   "bootseed"
#define SEED_HDR_VERSION   1
#define SEED_HDR_F_MACHINE 0x01
#define SEED_HDR_F_COUNTER 0x02
#define SEED_HDR_F_TPM	   0x04
#define SEED_TPM_ID	   6
#define SEED_MACHINE_HASH  16
#define SEED_FILE_MAX	   (SEED_HDR_LEN + SEED_MAX_LEN)

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
	SEED_R_FS_VOLATILE,
	SEED_R_FS_NETWORK,
	SEED_R_FS_NO_OWNERS,
	SEED_R_FS_READ_ONLY,
	SEED_R_FS_UNKNOWN,
	SEED_R_STUCK,
	SEED_R_FORMAT,
	SEED_R_OTHER_MACHINE,
	SEED_R_NO_MACHINE,
	SEED_R_UNBOUND,
	SEED_R_OTHER_TPM,
	SEED_R_COUNTER_UNKNOWN,
	SEED_R_COUNTER_NONE,
	SEED_R_COUNTER_STALE,
	SEED_R_COUNTER_USED,
	SEED_R_COUNTER_MARK,
};

/* Whose machine-id the seed was written under, against this boot's. */
enum seed_machine {
	SEED_MACHINE_UNBOUND, /* no header: an older bootseed's seed */
	SEED_MACHINE_SAME,
	SEED_MACHINE_OTHER,   /* another machine-id: a copied disk or a re-identified clone */
	SEED_MACHINE_NONE,    /* written while the machine had no ID (a first boot) */
};

/* What became of the old seed, decided by the write sequence, not by an errno. */
enum seed_consume {
	SEED_CONSUMED,		 /* replaced or removed, and the directory fsynced */
	SEED_CONSUME_READ_ONLY,	 /* the directory is read-only here: left for a later stage */
	SEED_CONSUME_FAILED,	 /* a write, rename, unlink or fsync failed: consume_error */
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
	size_t len;		/* seed bytes read (without the header) */
	bool bad_format;	/* a header of a format this bootseed does not know */
	enum fs_kind fs;	/* the seed directory's file system */
	bool stuck;		/* the seed bytes fail the all-equal or run-length test */
	enum seed_machine machine;
	bool written_this_boot; /* bootseed wrote a seed earlier in this boot */
	enum seed_consume consumed;
	int consume_error;	/* with SEED_CONSUME_FAILED: -errno */
	/* the TPM binding and counter (tpm_bind, tpm_counter; bind.h) */
	int bind_mode;		/* enum config_bind */
	bool bound;		/* this boot has a binding key */
	bool other_tpm;		/* the seed names another TPM key than this boot's */
	bool counter_on;	/* tpm_counter = yes */
	bool counter_known;	/* this boot's counter value is known */
	uint64_t counter_now;
	bool seed_counter;	/* the seed records the counter value it was written at */
	uint64_t counter_seed;
	bool counter_used;	/* a stage of this boot credited a seed at counter_now */
	bool counter_mark_failed; /* that could not be recorded before this credit */
};

/* Returns the bits to credit and why; see the comments in seedfile.c. */
unsigned seed_credit_decide(const struct seed_facts *f, enum seed_reason *ret_reason);
const char *seed_reason_str(enum seed_reason r);

/* Seed length for the next seed: poolsize/8 clamped to 32..512 (seedrng's rule). */
size_t seed_next_len(int poolsize_bits);

/*
 * Reads the installed system's /etc/machine-id into @id (NUL-terminated, no
 * newline). *ret_transient tells whether it is a mount point: systemd mounts a
 * generated, transient ID over an empty or uninitialized file. -errno if
 * unreadable.
 */
int seed_machine_id(char *id, size_t size, bool *ret_transient);

/*
 * Is this the first boot of an image: machine-id missing, empty,
 * "uninitialized" or a transient ID mounted over the file, or an earlier stage
 * of this boot (or systemd) said so? With @remember, leaves the /run marker.
 */
bool seed_first_boot(bool remember);

struct seed_run_opts {
	bool load;	 /* old seeds go to the kernel, credited where the rules allow */
	bool first_boot;
	bool may_remount; /* the late initramfs stage: a read-only root may be remounted */
};

/* The seed stage of "load" or of "save" (hash only). Returns exit bits. */
int seed_run(struct mix *m, const struct config *cfg, const struct seed_run_opts *o);

/* Facts about a seed file for "status", without consuming it. */
int seed_inspect(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st);
/*
 * Opens the seed directory @abs (a path of the installed system) under the
 * root, O_NOFOLLOW, creating it (0700, parent fsynced) with @create. Sets
 * *ret_private when it is root's and closed to group and others.
 */
int seed_dir_open(const char *abs, bool create, bool *ret_private);

/* Mixes systemd's and seedrng's seeds without credit; never consumes them. */
void seed_mix_foreign(struct mix *m);

/*
 * Shared with hostseed.c: seed_open() opens a regular file under @dfd without
 * following links and fills the file facts of @f; seed_dir_lock() takes the
 * seed directory's lock within @timeout_ms; seed_write_tmp() writes @tmp
 * (0400) completely and fsyncs it, removing it again on failure.
 */
int seed_open(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st);
int seed_dir_lock(int dfd, unsigned long timeout_ms);
int seed_write_tmp(int dfd, const char *tmp, const uint8_t *data, size_t len);

/* Did bootseed write a seed into this (open) seed directory earlier this boot? */
bool seed_written_this_boot(int dfd);
