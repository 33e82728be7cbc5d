// SPDX-License-Identifier: GPL-2.0-or-later
/* The device credit decision as a table, and the CPU source on this host. */
#include <errno.h>
#include <stdint.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP2_RNG
#define HWCAP2_RNG (1 << 16)
#endif
#endif

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpu.h"
#include "fileio.h"
#include "health.h"
#include "hwrng.h"
#include "paths.h"
#include "sources.h"
#include "unit.h"

static struct device_facts good(void)
{
	return (struct device_facts){ .bytes = 64, .bits_per_byte = 4, .health_pass = true };
}

static void test_device_credit_table(void)
{
	char why[200];
	struct device_facts f;

	f = good();
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 256);
	CHECK(strstr(why, "4 bits per byte") != NULL); /* less than it could: says why */

	f = good();
	f.bits_per_byte = 8;
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 512);
	CHECK(why[0] == '\0');

	f = good();
	f.bits_per_byte = 0;
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 0);
	CHECK(strstr(why, "configuration") != NULL);

	f = good();
	f.bits_per_byte = 0;
	f.zero_default = "the kernel credits RDSEED itself";
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 0);
	CHECK(strcmp(why, "the kernel credits RDSEED itself") == 0);

	f = good();
	f.health_pass = false;
	f.health_why = "all bytes equal";
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 0);
	CHECK(strstr(why, "health") && strstr(why, "all bytes equal"));

	/* double count: the kernel credits this hwrng (6.2+ default, virtio on 6.1) */
	f = good();
	f.kernel_credits = true;
	f.kernel_quality = 1024;
	CHECK(device_credit_decide(&f, why, sizeof(why)) == 0);
	CHECK(strstr(why, "quality 1024") && strstr(why, "twice"));

	/* a failed health test wins over everything but a zero configuration */
	f = good();
	f.kernel_credits = true;
	f.health_pass = false;
	f.health_why = "x";
	device_credit_decide(&f, why, sizeof(why));
	CHECK(strstr(why, "health") != NULL);
}

#if defined(__aarch64__)
/* The kernel's word (qemu-aarch64's, under user emulation: its -cpu). */
static bool cpu_host_has_rng(void)
{
	return getauxval(AT_HWCAP2) & HWCAP2_RNG;
}
#else
/* What /proc/cpuinfo says this CPU has. */
static bool cpu_host_has_rng(void)
{
	char info[65536];
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	size_t n = fread(info, 1, sizeof(info) - 1, f);
	fclose(f);
	info[n] = '\0';
	return strstr(info, " rdrand") || strstr(info, " rdseed");
}
#endif

/* The CPU source matches what this CPU has. */
static void test_cpu_on_this_host(void)
{
	uint8_t a[64], b[64];
	const char *insn;

	bool has = cpu_host_has_rng();
	int r = cpu_read(a, sizeof(a), &insn);
	if (!has) {
		CHECK(r == -EOPNOTSUPP);
		return;
	}
	CHECK(r == 0);
#if defined(__aarch64__)
	CHECK(strcmp(insn, "rndrrs") == 0 || strcmp(insn, "rndr") == 0);
#else
	CHECK(strcmp(insn, "rdseed") == 0 || strcmp(insn, "rdrand") == 0);
#endif
	CHECK(cpu_read(b, sizeof(b), &insn) == 0);
	struct health_state hs;
	health_init(&hs);
	CHECK(health_check(&hs, a, sizeof(a)) == HEALTH_PASS);
	CHECK(health_check(&hs, b, sizeof(b)) == HEALTH_PASS);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

static void put_available(const char *dir, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/rng_available.tmp", dir);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	char q[256];
	snprintf(q, sizeof(q), "%s/rng_available", dir);
	rename(p, q);
}

/*
 * A driver that registers its hwrng after its module init returned (the
 * stand-in: a child that adds it to rng_available 150 ms later) is waited
 * for, even with another hwrng (a built-in TPM's) there from the start.
 */
static void test_hwrng_registered_late(void)
{
	char base[] = "/tmp/bootseed-hwrng-XXXXXX", k[64], dir[128], cmd[400];

	CHECK(mkdtemp(base) != NULL);
	snprintf(k, sizeof(k), "%s/k", base);
	snprintf(dir, sizeof(dir), "%s/sys/class/misc/hw_random", k);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && echo tpm-rng-0 > %s/rng_current", dir, dir);
	CHECK(system(cmd) == 0);
	put_available(dir, "tpm-rng-0\n");
	setenv("BOOTSEED_TEST_KROOT", k, 1);
	paths_init("/");
	CHECK(hwrng_available_count() == 1);

	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 150 * 1000000L };
		nanosleep(&ts, NULL);
		put_available(dir, "tpm-rng-0 virtio_rng.0\n");
		_exit(0);
	}
	uint64_t t0 = now_ms();
	size_t n = hwrng_wait_available(2, 2000);
	uint64_t ms = now_ms() - t0;
	waitpid(pid, NULL, 0);
	CHECK(n == 2);
	CHECK(ms >= 140 && ms < 1500);

	/* Nothing registers: the wait ends at its bound. */
	t0 = now_ms();
	CHECK(hwrng_wait_available(3, 200) == 2);
	ms = now_ms() - t0;
	CHECK(ms >= 200 && ms < 1000);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CHECK(system(cmd) == 0);
	unsetenv("BOOTSEED_TEST_KROOT");
	paths_init("/");
}

int main(void)
{
	RUN(test_device_credit_table);
	RUN(test_cpu_on_this_host);
	RUN(test_hwrng_registered_late);
	return unit_done();
}
