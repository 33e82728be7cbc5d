// SPDX-License-Identifier: GPL-2.0-or-later
/* sources: RNG driver loading and the TPM, hwrng and CPU samples. */
#include "sources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bootseed.h"
#include "cpu.h"
#include "fileio.h"
#include "health.h"
#include "hwrng.h"
#include "log.h"
#include "modload.h"
#include "paths.h"
#include "tpm.h"

#define SOURCES_SAMPLE_MAX 512

/*
 * Every rule names what it guards against:
 * - a configured credit of 0: the operator's (or the default's) word;
 * - a failed health test: a stuck or broken source looks like data;
 * - the kernel crediting the same device already: a double count.
 */
unsigned device_credit_decide(const struct device_facts *f, char *reason, size_t size)
{
	reason[0] = '\0';
	if (f->bits_per_byte == 0) {
		snprintf(reason, size, "%s", f->zero_default ? f->zero_default
							     : "credit set to 0 by configuration");
		return 0;
	}
	if (!f->health_pass) {
		snprintf(reason, size, "failed the health tests (%s): mixed, never credited",
			 f->health_why ? f->health_why : "unknown");
		return 0;
	}
	if (f->kernel_credits) {
		snprintf(reason, size,
			 "the kernel already credits this device (hwrng quality %ld): "
			 "crediting it here would count it twice",
			 f->kernel_quality);
		return 0;
	}
	unsigned bits = (unsigned)(f->bytes * f->bits_per_byte);
	if (f->bits_per_byte < 8)
		snprintf(reason, size, "credited at %u bits per byte by configuration",
			 f->bits_per_byte);
	return bits;
}

/*
 * One health memory for every device sample of the run: a TPM and an hwrng (or
 * the CPU) handing out the same bytes is as suspect as one source repeating.
 */
static struct health_state sources_health;

/* Health-tests a sample, decides its credit and mixes it. */
static void sources_mix_sample(struct mix *m, const char *name, const void *buf, size_t len,
			       struct device_facts *f, const char *detail)
{
	char reason[REPORT_REASON_MAX];

	enum health_verdict v = health_check(&sources_health, buf, len);
	f->bytes = len;
	f->health_pass = v == HEALTH_PASS;
	f->health_why = health_verdict_str(v);
	unsigned bits = device_credit_decide(f, reason, sizeof(reason));
	mix_source(m, name, buf, len, bits, f->health_pass ? "pass" : "fail", reason);
	if (detail && *detail)
		mix_detail(m, detail);
}

static int sources_modules(struct mix *m, const struct config *cfg)
{
	struct modload_result res[32];
	char namebuf[512];
	const char *names[CONFIG_MODULES_MAX];
	int bits = 0, loaded = 0;

	struct modload_opts o = {
		.sysfs_dir = paths.sysfs,
		.extra = names,
		.n_extra = config_module_names(cfg, namebuf, names),
	};
	int n = modload_rng_drivers(&o, res, ELEMENTSOF(res));
	if (n == -ENOENT) {
		/* A kernel without modules, or an initramfs without a module tree. */
		log_info("modules: no module tree for this kernel, nothing to load");
		return 0;
	}
	if (n < 0) {
		log_err("modules: cannot load RNG drivers: %s, going on without",
			strerror(-n));
		return EXIT_MODULES;
	}
	for (int i = 0; i < n && (size_t)i < ELEMENTSOF(res); i++) {
		const struct modload_result *r = &res[i];
		if (r->outcome == MODLOAD_FAILED) {
			log_err("module %s: failed to load (for %s): %s", r->name, r->via,
				strerror(-r->error));
			bits |= EXIT_MODULES;
		} else if (r->outcome == MODLOAD_NOT_FOUND) {
			log_warn("module %s: not found (for %s), ignoring", r->name, r->via);
		} else {
			log_info("module %s: %s (for %s)", r->name, modload_outcome_str(r->outcome),
				 r->via);
		}
		loaded += r->outcome == MODLOAD_LOADED;
	}
	if (n == 0)
		log_info("modules: no RNG device needs a driver module");
	mix_timing_sample(m);
	/* Freshly loaded drivers register their devices asynchronously. */
	if (loaded > 0 && cfg->device_wait_ms > 0) {
		uint64_t t0 = now_ms();
		int found = modload_wait_devices(paths.dev_dir, paths.hwrng_dir,
						 (unsigned)cfg->device_wait_ms);
		log_info("devices: %s after %llu ms",
			 found ? "RNG device present" : "no RNG device appeared",
			 (unsigned long long)(now_ms() - t0));
	}
	return bits;
}

/* Returns exit bits; *ret_read tells whether the TPM was read successfully. */
static int sources_tpm(struct mix *m, const struct config *cfg,
		       const struct hwrng_info *hw, bool *ret_read)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	struct tpm_info info;
	char detail[96];

	*ret_read = false;
	size_t len = cfg->tpm_bytes;
	int r = tpm_get_random(paths.dev_dir, buf, len, (unsigned)cfg->tpm_timeout_ms, &info);
	if (info.fallback_reason[0] && info.device[0])
		log_info("tpm: using %s (%s)", info.device, info.fallback_reason);
	if (r == -ENODEV) {
		log_info("tpm: no TPM device");
		return 0;
	}
	if (r < 0) {
		log_err("tpm: %s (%s, %u commands%s%s), going on without the TPM",
			info.error[0] ? info.error : strerror(-r),
			info.device[0] ? info.device : "no device", info.commands,
			info.fallback_reason[0] ? "; " : "", info.fallback_reason);
		return EXIT_DEVICES;
	}
	*ret_read = true;
	snprintf(detail, sizeof(detail), "device=%.48s commands=%u retries=%u", info.device,
		 info.commands, info.retries);
	struct device_facts f = {
		.bits_per_byte = (unsigned)cfg->tpm_credit,
		.kernel_credits = hwrng_kernel_credits_tpm(hw),
		.kernel_quality = hw->quality,
	};
	sources_mix_sample(m, "tpm", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int sources_hwrng(struct mix *m, const struct config *cfg, const struct hwrng_info *hw,
			 bool tpm_read)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	char detail[96];

	if (!hw->current[0]) {
		log_info("hwrng: none");
		return 0;
	}
	if (hwrng_is_tpm(hw) && tpm_read) {
		log_info("hwrng: the current hwrng is the TPM (%s), already read as the tpm "
			 "source: not read twice",
			 hw->current);
		return 0;
	}
	size_t len = cfg->hwrng_bytes;
	int r = hwrng_read(paths.hwrng_dev, buf, len, (unsigned)cfg->hwrng_timeout_ms);
	if (r < 0) {
		log_err("hwrng: cannot read %s (%s): %s, going on without it", paths.hwrng_dev,
			hw->current, strerror(-r));
		return EXIT_DEVICES;
	}
	snprintf(detail, sizeof(detail), "rng=%.48s quality=%ld", hw->current, hw->quality);
	struct device_facts f = {
		.bits_per_byte = (unsigned)cfg->hwrng_credit,
		.kernel_credits = hwrng_kernel_credits(hw),
		.kernel_quality = hw->quality,
	};
	sources_mix_sample(m, "hwrng", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int sources_cpu(struct mix *m, const struct config *cfg)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	const char *insn;
	char detail[32];

	size_t len = cfg->cpu_bytes;
	int r = cpu_read(buf, len, &insn);
	if (r == -EOPNOTSUPP) {
		log_info("cpu: no " CPU_RNG_INSNS);
		return 0;
	}
	if (r < 0) {
		log_err("cpu: %s kept failing, going on without it", insn);
		return EXIT_DEVICES;
	}
	snprintf(detail, sizeof(detail), "insn=%s", insn);
	struct device_facts f = {
		.bits_per_byte = (unsigned)cfg->cpu_credit,
		.zero_default = "the kernel credits " CPU_RNG_INSNS " itself when "
				"random.trust_cpu is on: not counted twice",
	};
	sources_mix_sample(m, "cpu", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* The hwrng as the kernel has it now; on error, none (never credited). */
static void sources_hwrng_info(struct hwrng_info *hw)
{
	if (hwrng_info_read(hw) < 0) {
		memset(hw, 0, sizeof(*hw));
		hw->quality = -1;
	}
}

int sources_run(struct mix *m, const struct config *cfg)
{
	struct hwrng_info hw;
	bool tpm_read = false, tpm_tried = false;
	int bits = 0;

	health_init(&sources_health);
	/*
	 * A TPM whose node is there already (Debian builds tpm_tis and tpm_crb
	 * into the kernel) is read before the driver walk, which looks up every
	 * device's modalias: tens of ms under emulation that the crng need not
	 * wait for. Its credit depends on the hwrng as it is now; a driver
	 * loaded later can only take the hwrng from the TPM, and so never makes
	 * that credit a double count.
	 */
	if (cfg->tpm && (modload_present_devices(paths.dev_dir, NULL) &
			 (MODLOAD_DEV_TPMRM0 | MODLOAD_DEV_TPM0))) {
		sources_hwrng_info(&hw);
		bits |= sources_tpm(m, cfg, &hw, &tpm_read);
		tpm_tried = true;
		mix_timing_sample(m);
	}
	if (cfg->load_modules)
		bits |= sources_modules(m, cfg);
	/* Read after the drivers loaded: a new hwrng may have become current. */
	sources_hwrng_info(&hw);
	if (cfg->tpm && !tpm_tried)
		bits |= sources_tpm(m, cfg, &hw, &tpm_read);
	mix_timing_sample(m);
	if (cfg->hwrng)
		bits |= sources_hwrng(m, cfg, &hw, tpm_read);
	mix_timing_sample(m);
	if (cfg->cpu)
		bits |= sources_cpu(m, cfg);
	mix_timing_sample(m);
	return bits;
}
