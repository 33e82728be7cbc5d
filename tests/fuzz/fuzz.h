/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what the config fuzzers share. The log is replaced by a stub that
 * formats every line (so a bad format argument is still read, under ASan) and
 * aborts on a line a hostile input could use to forge or garble kernel log
 * records (a control byte or a non-ASCII byte). After each input, the parsed
 * configuration must still satisfy every rule config.c promises; a violation
 * aborts, and libFuzzer keeps the input as a crash.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

static unsigned fuzz_warnings;

void log_init(const char *kmsg_path, bool verbose)
{
	(void)kmsg_path;
	(void)verbose;
}

void log_set_verbose(bool verbose)
{
	(void)verbose;
}

unsigned log_warnings(void)
{
	return fuzz_warnings;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (prio <= LOG_WARNING)
		fuzz_warnings++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			fprintf(stderr, "fuzz: log line with byte 0x%02x: %s\n",
				(unsigned char)*p, line);
			abort();
		}
}

#define FUZZ_REQUIRE(cond)                                                             \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz: invariant broken: %s\n", #cond);        \
			abort();                                                       \
		}                                                                      \
	} while (0)

static bool fuzz_module_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* Every promise config.c makes about a parsed configuration, whatever the input. */
static inline void fuzz_check_config(const struct config *c)
{
	const char *names[CONFIG_MODULES_MAX];
	char buf[512];

	FUZZ_REQUIRE(c->device_wait_ms <= 5000);
	FUZZ_REQUIRE(c->tpm_bytes >= 32 && c->tpm_bytes <= 512);
	FUZZ_REQUIRE(c->tpm_credit <= 8);
	FUZZ_REQUIRE(c->tpm_timeout_ms >= 10 && c->tpm_timeout_ms <= 10000);
	FUZZ_REQUIRE(c->tpm_bind >= BIND_AUTO && c->tpm_bind <= BIND_OFF);
	FUZZ_REQUIRE(c->tpm_nv_index >= CONFIG_NV_INDEX_MIN &&
		     c->tpm_nv_index <= CONFIG_NV_INDEX_MAX);
	FUZZ_REQUIRE(c->hwrng_bytes >= 32 && c->hwrng_bytes <= 512);
	FUZZ_REQUIRE(c->hwrng_credit <= 8);
	FUZZ_REQUIRE(c->hwrng_timeout_ms >= 10 && c->hwrng_timeout_ms <= 10000);
	FUZZ_REQUIRE(c->cpu_bytes >= 32 && c->cpu_bytes <= 512);
	FUZZ_REQUIRE(c->cpu_credit <= 8);
	FUZZ_REQUIRE(c->lock_timeout_ms <= 10000);

	/* seed_dir: absolute, fits with room for names, no "..", no blanks or controls. */
	size_t len = strnlen(c->seed_dir, sizeof(c->seed_dir));
	FUZZ_REQUIRE(len < sizeof(c->seed_dir) - 64);
	FUZZ_REQUIRE(c->seed_dir[0] == '/');
	for (size_t i = 0; i < len; i++)
		FUZZ_REQUIRE((unsigned char)c->seed_dir[i] > 0x20 && c->seed_dir[i] != 0x7f);
	for (const char *p = c->seed_dir; (p = strstr(p, "..")); p += 2)
		FUZZ_REQUIRE(!(p[-1] == '/' && (p[2] == '/' || p[2] == '\0')));

	/* modules: names of [A-Za-z0-9_-], one blank between, at most 16. */
	len = strnlen(c->modules, sizeof(c->modules));
	FUZZ_REQUIRE(len < sizeof(c->modules));
	for (size_t i = 0; i < len; i++)
		FUZZ_REQUIRE(fuzz_module_char(c->modules[i]) ||
			     (c->modules[i] == ' ' && i > 0 && i + 1 < len &&
			      c->modules[i + 1] != ' '));
	size_t n = config_module_names(c, buf, names);
	FUZZ_REQUIRE(n <= CONFIG_MODULES_MAX);
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(names[i]);
		FUZZ_REQUIRE(w > 0 && w <= 55);
	}
}
