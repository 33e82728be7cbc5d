/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu: bytes from the CPU's RNG instructions, RDSEED (a conditioned entropy
 * source) or else RDRAND, on x86; cpuid-checked, so a CPU without them is a
 * plain "not supported", never an illegal instruction.
 */
#pragma once

#include <stddef.h>

/*
 * Fills @buf with @len bytes; *ret_insn names the instruction used ("rdseed",
 * "rdrand"). Returns 0, -EOPNOTSUPP when the CPU has neither, or -EIO when the
 * instruction kept reporting failure (bounded retries).
 */
int cpu_read(void *buf, size_t len, const char **ret_insn);
