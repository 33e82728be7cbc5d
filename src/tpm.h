/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm: random bytes from a TPM 2.0 (TPM2_GetRandom) and the boot's TPM binding
 * (a key derived from the owner hierarchy's seed, an NV counter), as commands
 * marshalled here and sent over tpm2-tss's device TCTI, linked directly (no
 * SAPI, no tctildr, no ESYS), so a static build stays small. Owns the choice of
 * device (tpmrm0, then tpm0), the chunking by the TPM's largest digest,
 * retries, strict reply parsing, the time bound (the whole exchange runs in a
 * child process, child.h), and the conversion of TPM and TCTI codes to -errno.
 * Nothing here logs: the caller logs once, from the return value, struct
 * tpm_info and struct tpm_bind.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest digest any TPM 2.0 implements (SHA-512): the first request's size. */
#define TPM_DIGEST_MAX 64

struct tpm_info {
	/* "<dev_dir>/tpmrm0" or "<dev_dir>/tpm0" as used; "" if none could be opened */
	char device[PATH_MAX];
	/* why tpmrm0 was not used ("tpmrm0: absent"), "" if it was */
	char fallback_reason[128];
	/* on failure, what failed, for the caller's log line; "" on success */
	char error[128];
	/* TPM commands sent, counting the probe the device TCTI sends when it opens */
	unsigned commands;
	/* answers TPM_RC_RETRY, TPM_RC_YIELDED or TPM_RC_TESTING that we retried */
	unsigned retries;
	/* bytes asked for per TPM2_GetRandom at the end: 64, or 32/48 once learned */
	unsigned max_digest;
	/* the last TSS2_RC other than success (TPM or tss2 layer), even one that a
	 * retry then got past; 0 if none */
	uint32_t tss2_rc;
};

/*
 * Fills @buf with exactly @len bytes of TPM2_GetRandom output from the TPM
 * under @dev_dir (normally "/dev"): tpmrm0 if it can be opened, else tpm0.
 *
 * Short replies: the first request asks for min(@len, 64). A TPM answers at
 * most its largest digest, so a first answer of exactly 32 or 48 bytes to a
 * larger request is that limit: it becomes the size of every later request.
 * Any other answer shorter (or longer) than asked is a short reply, an error:
 * the call fails with -EIO, nothing partial is returned, and the caller logs
 * it. A TPM that gives less than it said it can is not a source to credit.
 *
 * Time: the whole call takes at most @timeout_ms + 50 ms, whatever the TPM or
 * its kernel driver does. The exchange (open, the probe command the device
 * TCTI sends when it opens the device, the GetRandoms, close) runs in a child
 * process that sends its verdict and the bytes before it closes the device;
 * closing a kernel TPM device with a command in flight waits uninterruptibly
 * for the driver's own timeout, and a child still at work 50 ms after
 * @timeout_ms is killed and abandoned, never waited for (child.h). The device
 * TCTI waits at most 1 s for its probe's answer: with a longer @timeout_ms the
 * result is -ETIMEDOUT then. On a timeout, info->error says what the child was
 * waiting for ("GetRandom: no answer within 1000 ms") and info->commands
 * counts the commands sent until then.
 *
 * Process state: none changed. The child sets TSS2_LOG=all+none unless it is
 * set, so tss2 prints nothing of its own on the console.
 *
 * Returns 0 (at once, touching nothing, for @len 0), or -errno, @buf wiped:
 *   -ENODEV     no TPM device (neither node exists or has a driver)
 *   -EBUSY      tpm0 held by another process, and tpmrm0 absent or unusable
 *   -ETIMEDOUT  the TPM did not answer in time
 *   -EAGAIN     the TPM kept answering "retry" (TPM_RC_RETRY and kin) 10 times
 *   -EIO        TPM error, short or malformed reply, lost connection
 *   -EACCES, -ENOMEM, -EAGAIN (no process for the exchange),
 *   -EINVAL (@buf NULL, @timeout_ms 0, @len over 64 KiB), ...
 * @ret_info is filled in either case and never holds random bytes.
 */
int tpm_get_random(const char *dev_dir, void *buf, size_t len, unsigned timeout_ms,
		   struct tpm_info *ret_info);

/* The size of the per-boot binding key and of the TPM key's public fingerprint. */
#define TPM_BIND_KEY_LEN 32
#define TPM_BIND_ID_LEN	 6

/* What to do after the GetRandoms, in the same session. */
struct tpm_want {
	bool bind;	   /* CreatePrimary + HMAC + FlushContext: the binding key */
	bool counter;	   /* NV_Increment + NV_Read (NV_DefineSpace on first use) */
	uint32_t nv_index; /* the counter's NV index */
};

/* The binding's outcome; filled by tpm_read() whenever it returns 0. */
struct tpm_bind {
	bool key_ok;
	/* HMAC(key, "bootseed bind v1" || counter, 8 bytes BE, or 0 without one) */
	uint8_t key[TPM_BIND_KEY_LEN];
	/* the first bytes of the key object's Name: the same TPM owner seed, the same id */
	uint8_t id[TPM_BIND_ID_LEN];
	bool counter_ok;
	uint64_t counter; /* the counter after this boot's increment */
	bool counter_defined; /* NV_DefineSpace ran: the counter is new */
	char key_why[128];     /* why no key: "CreatePrimary: owner authorization..." */
	char counter_why[128]; /* why no counter value */
};

/*
 * tpm_get_random(), then in the same session (no second device probe) what
 * @want asks for: the counter (NV_Increment; on TPM_RC_HANDLE NV_DefineSpace
 * with owner authorization, then NV_Increment again; NV_Read; NV_ReadPublic
 * only to name a wrong-typed index), then the key (CreatePrimary of a
 * KEYEDHASH HMAC-SHA256 object in the owner hierarchy, HMAC, FlushContext of
 * the object on every path). Every reply is parsed strictly: tag, size field
 * against the bytes received, response code, each TPM2B against what is left,
 * nothing left over.
 *
 * Returns what tpm_get_random() returns for the random bytes. When it returns
 * 0, @ret_bind says what became of the binding (key_why and counter_why say
 * why not); a binding failure never fails the call. The whole exchange stays
 * within @timeout_ms + 50 ms.
 */
int tpm_read(const char *dev_dir, const struct tpm_want *want, void *buf, size_t len,
	     unsigned timeout_ms, struct tpm_info *ret_info, struct tpm_bind *ret_bind);
