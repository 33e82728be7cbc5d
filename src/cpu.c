// SPDX-License-Identifier: GPL-2.0-or-later
/* cpu: RDSEED / RDRAND on x86, with cpuid checks and bounded retries. */
#include "cpu.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

/* Intel's guidance: RDRAND fails only transiently, retry 10 times. RDSEED may
 * run dry under load, so it gets more tries with a pause between them. */
#define CPU_RDRAND_TRIES 10
#define CPU_RDSEED_TRIES 100

static bool cpu_has_rdrand(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_RDRND);
}

static bool cpu_has_rdseed(void)
{
	unsigned a, b, c, d;
	return __get_cpuid_max(0, NULL) >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	       (b & bit_RDSEED);
}

static bool cpu_rdseed64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool cpu_rdrand64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static int cpu_fill(void *buf, size_t len, bool (*insn)(uint64_t *), int tries)
{
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t v;
		int t = 0;
		while (!insn(&v)) {
			if (++t >= tries)
				return -EIO;
			__asm__ volatile("pause");
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
	if (cpu_has_rdseed()) {
		*ret_insn = "rdseed";
		if (cpu_fill(buf, len, cpu_rdseed64, CPU_RDSEED_TRIES) == 0)
			return 0;
	}
	if (cpu_has_rdrand()) {
		*ret_insn = "rdrand";
		return cpu_fill(buf, len, cpu_rdrand64, CPU_RDRAND_TRIES);
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
