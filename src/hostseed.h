/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostseed: a seed the VM's host hands over at start, following systemd's
 * credential conventions: SMBIOS type 11 OEM strings
 * ("io.systemd.credential.binary:bootseed.seed=BASE64" or the text form),
 * QEMU fw_cfg (opt/io.systemd.credentials/bootseed.seed), and in the real root
 * the credentials systemd imported. It owns the parsers, the credit decision,
 * the list of consumed seeds' fingerprints in the seed directory, the
 * confidential-VM check, and the host side ("bootseed host-seed").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "mix.h"

#define HOSTSEED_MIN	    32
#define HOSTSEED_MAX	    4096
#define HOSTSEED_MAX_BITS   256
#define HOSTSEED_FP_LEN	    16
#define HOSTSEED_LIST_MAX   16
#define HOSTSEED_LIST_NAME  "host-seeds"
#define HOSTSEED_LIST_MAGIC "bshost01"
#define HOSTSEED_CRED	    "bootseed.seed"
#define HOSTSEED_FW_CFG	    "opt/io.systemd.credentials/" HOSTSEED_CRED
#define HOSTSEED_OEM_BIN    "io.systemd.credential.binary:" HOSTSEED_CRED "="
#define HOSTSEED_OEM_TEXT   "io.systemd.credential:" HOSTSEED_CRED "="

/* A parser's verdict: found, none there, or why the input is no seed. */
enum hostseed_parse {
	HOSTSEED_FOUND,
	HOSTSEED_NONE,
	HOSTSEED_P_TRUNCATED, /* an SMBIOS entry cut short (no double NUL) */
	HOSTSEED_P_BASE64,    /* bad base64: a character, padding or length */
	HOSTSEED_P_NO_EQ,     /* "...:bootseed.seed" without "=" */
	HOSTSEED_P_SIZE,      /* fw_cfg: raw does not hold what size says */
	HOSTSEED_P_IO,	      /* could not be read */
};
const char *hostseed_parse_str(enum hostseed_parse p);

struct hostseed_buf {
	uint8_t data[HOSTSEED_MAX];
	size_t len;	/* bytes in data (at most HOSTSEED_MAX) */
	bool oversized; /* the host gave more than HOSTSEED_MAX: data holds the first part */
	bool text;	/* the text form: a value, not binary */
	unsigned more;	/* further bootseed.seed credentials ignored */
};

/*
 * Strict base64 (RFC 4648, with padding, no blanks): -EINVAL on any other
 * character, bad padding or length; -E2BIG if it decodes to more than @max.
 * Returns the decoded length.
 */
int hostseed_base64_decode(const char *in, size_t len, uint8_t *out, size_t max);
/* Encodes @len bytes; @out must hold 4 * ((len + 2) / 3) + 1. */
void hostseed_base64_encode(const uint8_t *in, size_t len, char *out);

/*
 * One /sys/firmware/dmi/entries/11-N/raw: 4-byte header (type 11, length,
 * handle), the string count, then NUL-terminated strings ending in a double
 * NUL. Finds the bootseed.seed credential among the OEM strings.
 */
enum hostseed_parse hostseed_parse_smbios(const uint8_t *raw, size_t len, struct hostseed_buf *b);
/* fw_cfg: @size_text is the "size" file, @raw what "raw" gave (up to max + 1). */
enum hostseed_parse hostseed_parse_fw_cfg(const char *size_text, const uint8_t *raw, size_t len,
					  struct hostseed_buf *b);

/* The confidential-VM check: CPUID leaves as the CPU (or a test) answers them. */
typedef void (*hostseed_cpuid_fn)(uint32_t leaf, uint32_t sub, uint32_t r[4]);
/* "AMD SEV", "Intel TDX", or NULL for none (systemd's rules). */
const char *hostseed_confidential(hostseed_cpuid_fn cpuid);
/* The CPU's own CPUID (zeros off x86); in a test build $BOOTSEED_TEST_CPUID instead. */
void hostseed_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);

enum hostseed_reason {
	HOSTSEED_CREDITED,
	HOSTSEED_R_DISABLED,
	HOSTSEED_R_SHORT,
	HOSTSEED_R_LONG,
	HOSTSEED_R_HEALTH,
	HOSTSEED_R_CONFIDENTIAL,
	HOSTSEED_R_THIS_BOOT,
	HOSTSEED_R_EARLY,
	HOSTSEED_R_LIST,
	HOSTSEED_R_NOT_FRESH,
	HOSTSEED_R_READ_ONLY,
	HOSTSEED_R_NOT_RECORDED,
};

enum hostseed_record { HOSTSEED_RECORDED, HOSTSEED_RECORD_RO, HOSTSEED_RECORD_FAILED };

/* Everything the credit decision looks at. */
struct hostseed_facts {
	size_t len;
	bool oversized;
	bool text;		  /* the text form: credited at 4 bits per byte (hex) */
	bool credit_enabled;	  /* host_seed_credit = yes */
	bool health_pass;
	bool confidential;	  /* SEV or TDX guest: the host is the adversary */
	bool credited_this_boot;  /* an earlier stage of this boot credited this seed */
	bool fresh_by_config;	  /* host_seed_fresh = yes */
	bool have_list;		  /* this stage can read and write the fingerprint list */
	bool list_untrusted;	  /* corrupt, unreadable, or not root's 0600 file */
	bool seen;		  /* its fingerprint is in the list: consumed before */
	enum hostseed_record recorded;
};

/* Returns the bits to credit; *ret_reason says why it is less. Table-tested. */
unsigned hostseed_credit_decide(const struct hostseed_facts *f, enum hostseed_reason *ret_reason);
const char *hostseed_reason_str(enum hostseed_reason r);

/* The fingerprint list (in the open seed directory @dfd). */
struct hostseed_list {
	uint8_t fp[HOSTSEED_LIST_MAX][HOSTSEED_FP_LEN];
	size_t n;
};
/* 0 (missing is an empty list), -EBADMSG corrupt, -EPERM not root's 0600, or -errno. */
int hostseed_list_read(int dfd, struct hostseed_list *l);
bool hostseed_list_has(const struct hostseed_list *l, const uint8_t fp[HOSTSEED_FP_LEN]);
/* Appends @fp (dropping the oldest when full) and writes the list durably. */
int hostseed_list_add(int dfd, struct hostseed_list *l, const uint8_t fp[HOSTSEED_FP_LEN]);
void hostseed_fingerprint(const uint8_t *seed, size_t len, uint8_t fp[HOSTSEED_FP_LEN]);

struct hostseed_run_opts {
	bool late;	  /* this stage may read the list and credit (late, all) */
	bool may_remount; /* the late initramfs stage */
	bool credentials; /* the real root: systemd's imported credentials too */
};
/* The host-seed source of "load". Returns exit bits. */
int hostseed_run(struct mix *m, const struct config *cfg, const struct hostseed_run_opts *o);

/* "bootseed host-seed": a fresh seed in @path, in the form of the channel. */
int hostseed_make(const char *path, bool fw_cfg, size_t bytes);
