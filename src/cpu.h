/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu: bytes from the CPU's RNG instructions: on x86 RDSEED (a conditioned
 * entropy source) or else RDRAND, cpuid-checked; on arm64 RNDRRS (reseeded
 * for every read) or else RNDR, when the kernel reports FEAT_RNG (HWCAP2_RNG).
 * A CPU without them is a plain "not supported", never an illegal instruction.
 */
#pragma once

#include <stddef.h>

/* The instructions, for log lines: what the kernel trusts with random.trust_cpu. */
#if defined(__aarch64__)
#define CPU_RNG_INSNS "RNDRRS/RNDR"
#else
#define CPU_RNG_INSNS "RDSEED/RDRAND"
#endif

/*
 * Fills @buf with @len bytes; *ret_insn names the instruction used ("rdseed",
 * "rdrand", "rndrrs", "rndr"). Returns 0, -EOPNOTSUPP when the CPU has neither,
 * or -EIO when the instruction kept reporting failure (bounded retries).
 */
int cpu_read(void *buf, size_t len, const char **ret_insn);
