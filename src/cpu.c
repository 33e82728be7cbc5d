// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpu: the CPU's RNG instructions with bounded retries: RDSEED / RDRAND on x86
 * (cpuid-checked), RNDRRS / RNDR on arm64 (FEAT_RNG, from the kernel's hwcaps).
 * Only the instructions of the architecture built for are compiled in.
 */
#include "cpu.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

/* Intel's guidance: RDRAND fails only transiently, retry 10 times. RDSEED may
 * run dry under load, so it gets more tries with a pause between them. */
#define CPU_SEED_TRIES 100
#define CPU_RAND_TRIES 10
#define CPU_SEED_INSN  "rdseed"
#define CPU_RAND_INSN  "rdrand"

static bool cpu_has_rand(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_RDRND);
}

static bool cpu_has_seed(void)
{
	unsigned a, b, c, d;
	return __get_cpuid_max(0, NULL) >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	       (b & bit_RDSEED);
}

static bool cpu_seed64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool cpu_rand64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static void cpu_relax(void)
{
	__asm__ volatile("pause");
}

#elif defined(__aarch64__)
#include <sys/auxv.h>

#ifndef HWCAP2_RNG
#define HWCAP2_RNG (1 << 16)
#endif

/*
 * Arm: RNDR/RNDRS "return an error if the random number cannot be generated
 * in a reasonable period of time" (NZCV = 0b0100). RNDRRS reseeds from the
 * entropy source for every read, the RDSEED of arm64, and may run dry, so it
 * gets more tries; RNDR is a DRBG output, the RDRAND of arm64.
 */
#define CPU_SEED_TRIES 100
#define CPU_RAND_TRIES 10
#define CPU_SEED_INSN  "rndrrs"
#define CPU_RAND_INSN  "rndr"

/* The kernel sets HWCAP2_RNG only when every CPU has FEAT_RNG. */
static bool cpu_has_rng(void)
{
	return (getauxval(AT_HWCAP2) & HWCAP2_RNG) != 0;
}

static bool cpu_has_seed(void)
{
	return cpu_has_rng();
}

static bool cpu_has_rand(void)
{
	return cpu_has_rng();
}

/* By encoding (s3_3_c2_c4_*), so no assembler flag (+rng) is needed. */
static bool cpu_seed64(uint64_t *v)
{
	uint64_t ok;
	__asm__ volatile("mrs %0, s3_3_c2_c4_1\n\tcset %1, ne"
			 : "=r"(*v), "=r"(ok)
			 :
			 : "cc");
	return ok;
}

static bool cpu_rand64(uint64_t *v)
{
	uint64_t ok;
	__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne"
			 : "=r"(*v), "=r"(ok)
			 :
			 : "cc");
	return ok;
}

static void cpu_relax(void)
{
	__asm__ volatile("yield");
}

#endif

#if defined(CPU_SEED_INSN)
static int cpu_fill(void *buf, size_t len, bool (*insn)(uint64_t *), int tries)
{
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t v;
		int t = 0;
		while (!insn(&v)) {
			if (++t >= tries)
				return -EIO;
			cpu_relax();
		}
		size_t n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		explicit_bzero(&v, sizeof(v));
		p += n;
		len -= n;
	}
	return 0;
}

int cpu_read(void *buf, size_t len, const char **ret_insn)
{
	if (cpu_has_seed()) {
		*ret_insn = CPU_SEED_INSN;
		if (cpu_fill(buf, len, cpu_seed64, CPU_SEED_TRIES) == 0)
			return 0;
	}
	if (cpu_has_rand()) {
		*ret_insn = CPU_RAND_INSN;
		return cpu_fill(buf, len, cpu_rand64, CPU_RAND_TRIES);
	}
	*ret_insn = "none";
	return -EOPNOTSUPP;
}

#else

int cpu_read(void *buf, size_t len, const char **ret_insn)
{
	(void)buf;
	(void)len;
	*ret_insn = "none";
	return -EOPNOTSUPP;
}

#endif
