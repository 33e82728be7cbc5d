/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tpm: random bytes from a TPM 2.0 (TPM2_GetRandom) through the tpm2-tss SAPI
 * and the device TCTI, linked directly (no tctildr, no dlopen, no ESYS), so a
 * static build stays possible. Owns the choice of device (tpmrm0, then tpm0),
 * the chunking by the TPM's largest digest, retries, the time bound (the whole
 * exchange runs in a child process, child.h), and the conversion of TSS2_RC to
 * -errno. Nothing here logs: the caller logs once, from the return value and
 * struct tpm_info.
 */
#pragma once

#include <limits.h>
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
