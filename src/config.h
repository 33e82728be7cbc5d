/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config: /etc/bootseed.conf ("key = value", '#' comments), then the
 * bootseed.<key>=<value> words of the kernel command line, which win.
 * Unknown keys and bad values are logged once each and ignored: a bad
 * configuration never stops a boot.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MODULES_MAX 16

/* tpm_bind: bind the credited seed value to the TPM where usable, always, never. */
enum config_bind { BIND_AUTO, BIND_REQUIRE, BIND_OFF };
/*
 * The counter's default NV index: in the owner range of the TCG registry of
 * reserved handles (0x01800000-0x01BFFFFF), away from systemd's assignment
 * (0x01800400-0x018005FF), tpm2-tools' first-free scan (from 0x01000000, the
 * TPM manufacturer's range) and the TCG's EK and platform ranges (0x01C00000+),
 * the Linux community's range (0x01D10200-0x01D105FF). bootseed.conf(5).
 */
#define CONFIG_NV_INDEX_DEFAULT 0x01b5eed0UL
#define CONFIG_NV_INDEX_MIN	0x01000000UL
#define CONFIG_NV_INDEX_MAX	0x01ffffffUL

struct config {
	bool enable;
	/* hardware sources */
	bool load_modules;
	char modules[512]; /* validated "name name ..." */
	unsigned long device_wait_ms;
	bool tpm;
	unsigned long tpm_bytes, tpm_credit, tpm_timeout_ms;
	int tpm_bind;		      /* enum config_bind */
	bool tpm_counter;	      /* the NV rollback counter (opt-in) */
	unsigned long tpm_nv_index;   /* its NV index */
	bool hwrng;
	unsigned long hwrng_bytes, hwrng_credit, hwrng_timeout_ms;
	bool cpu;
	unsigned long cpu_bytes, cpu_credit;
	/* seed files */
	char seed_dir[PATH_MAX];
	bool seed_credit;
	bool seed_foreign;
	unsigned long lock_timeout_ms;
	bool seed_remount;		  /* late stage: remount a read-only root rw to consume */
	unsigned long jitter_timeout_ms;  /* bound on waiting for the kernel's jitter; 0 off */
	bool host_seed, host_seed_credit; /* the host's seed: read; credit it once */
	bool host_seed_fresh;		  /* the host gives a new one at every start */
	bool verbose;
};

/* Longest config line accepted; longer lines are reported and skipped. */
#define CONFIG_LINE_MAX 1024
/* Config files and command lines larger than this are read only this far. */
#define CONFIG_FILE_MAX (64 * 1024)

void config_defaults(struct config *c);
/*
 * Applies one key/value pair; @origin names where it came from for the log
 * ("/etc/bootseed.conf:3", "kernel command line"). Returns 0 or -errno (and
 * has logged why).
 */
int config_set(struct config *c, const char *key, const char *value, const char *origin);
/* Parses a config file's contents (may contain anything, including NULs). */
void config_parse_file_buffer(struct config *c, const char *buf, size_t len,
			      const char *origin);
/* Parses a kernel command line (may contain anything, including NULs). */
void config_parse_cmdline(struct config *c, const char *buf, size_t len);
/* Splits the validated `modules` value into @names; returns the count. */
size_t config_module_names(const struct config *c, char buf[512],
			   const char *names[CONFIG_MODULES_MAX]);
/* Reads @path (missing is fine) and parses it. */
int config_load_file(struct config *c, const char *path);
/* Reads the kernel command line at @path and parses it. */
int config_load_cmdline(struct config *c, const char *path);
