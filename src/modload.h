/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modload: loads the RNG drivers this machine needs, with libkmod. It owns the
 * choice of modules (present devices whose driver lives under
 * drivers/char/hw_random or drivers/char/tpm, plus the configured list), the
 * conversion of libkmod's results into plain outcomes, and the bounded wait for
 * the RNG device nodes. Nothing here logs: the caller logs one line per result.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum modload_outcome {
	MODLOAD_LOADED,
	MODLOAD_ALREADY_LOADED,
	MODLOAD_BUILTIN,
	MODLOAD_BLACKLISTED,
	MODLOAD_NOT_FOUND,
	MODLOAD_FAILED,
	MODLOAD_DRY_RUN, /* would have been loaded */
};

#define MODLOAD_NAME_MAX 64
#define MODLOAD_VIA_MAX	 96

struct modload_result {
	char name[MODLOAD_NAME_MAX]; /* the module; for NOT_FOUND, the name asked for */
	enum modload_outcome outcome;
	int error;		   /* -errno when FAILED, else 0 */
	char via[MODLOAD_VIA_MAX]; /* the device's modalias, or "config" */
	bool hwrng;		   /* a driver under drivers/char/hw_random: registers an hwrng */
	bool firmware;		   /* under drivers/firmware (qemu_fw_cfg): no RNG node to wait for */
};

struct modload_opts {
	/* "/sys"; NULL: do not look at devices, load only the configured list. */
	const char *sysfs_dir;
	/* NULL: /lib/modules/$(uname -r). */
	const char *modules_dir;
	/* modprobe.d directories, NULL-terminated; NULL: libkmod's defaults. */
	const char *const *config_dirs;
	/* The configured list (`modules =`): names or aliases, from any directory. */
	const char *const *extra;
	size_t n_extra;
	bool dry_run;
	/*
	 * Called before each module is inserted (dependencies first; each module once
	 * per call, also in dry-run). @install_cmd: a modprobe.d "install" command runs
	 * instead. @options: from modprobe.d and the kernel command line, "" if none.
	 */
	void (*on_insert)(const char *name, bool install_cmd, const char *options,
			  void *data);
	void *data;
};

/*
 * Loads the RNG drivers of present devices and the configured list, each module
 * once, dependencies in order, blacklists and kernel command line options
 * honoured. Fills up to @max results (devices first, in sysfs order, then the
 * configured list) and returns how many modules it handled, which may exceed
 * @max (the rest were handled but not recorded). Returns -errno if nothing could
 * be tried: -ENOENT when there is no module tree, -ENOMEM when libkmod cannot
 * start, or the error opening <sysfs_dir>/bus.
 */
int modload_rng_drivers(const struct modload_opts *o, struct modload_result *res,
			size_t max);

const char *modload_outcome_str(enum modload_outcome o);

#define MODLOAD_DEV_TPMRM0 1
#define MODLOAD_DEV_TPM0   2
#define MODLOAD_DEV_HWRNG  4

/*
 * The bitmask of the nodes present now: tpmrm0, tpm0 and hwrng under @dev_dir
 * (hwrng only once @hwrng_dir/rng_current names an RNG, unless @hwrng_dir is NULL).
 */
int modload_present_devices(const char *dev_dir, const char *hwrng_dir);

/*
 * Waits up to @timeout_ms for tpmrm0, tpm0 or hwrng under @dev_dir (hwrng only
 * once @hwrng_dir/rng_current names an RNG, unless @hwrng_dir is NULL). Returns the
 * bitmask of the nodes present when it stops (as soon as one exists; after tpm0,
 * up to a short grace for tpmrm0), or 0 on timeout. Never blocks longer than
 * @timeout_ms plus one poll interval.
 */
int modload_wait_devices(const char *dev_dir, const char *hwrng_dir, unsigned timeout_ms);
