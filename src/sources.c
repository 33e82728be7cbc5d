// SPDX-License-Identifier: GPL-2.0-or-later
/* sources: the table of sources and the load sequence over it. */
#include "sources.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "bootseed.h"
#include "cpu.h"
#include "fileio.h"
#include "health.h"
#include "hostseed.h"
#include "hwrng.h"
#include "jitter.h"
#include "log.h"
#include "modload.h"
#include "paths.h"
#include "seedfile.h"
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

/*
 * Freshly loaded drivers register their devices asynchronously. An hwrng
 * driver is waited for until its hwrng is in rng_available (one more per
 * driver loaded): a device node that is there already (a built-in TPM's) says
 * nothing about it, and an hwrng registered after the read would be missed.
 * Other drivers (a TPM's bus) until a TPM or hwrng node exists.
 */
static void sources_wait_devices(const struct modload_result *res, size_t n, size_t hw_before,
				 unsigned timeout_ms)
{
	size_t hw_loaded = 0, other = 0;
	uint64_t t0 = now_ms();

	for (size_t i = 0; i < n; i++) {
		if (res[i].outcome != MODLOAD_LOADED || res[i].firmware)
			continue;
		res[i].hwrng ? hw_loaded++ : other++;
	}
	if (hw_loaded > 0) {
		size_t have = hwrng_wait_available(hw_before + hw_loaded, timeout_ms);
		log_info("devices: %zu of %zu new hwrng%s registered after %llu ms",
			 have > hw_before ? have - hw_before : 0,
			 hw_loaded, hw_loaded == 1 ? "" : "s", (unsigned long long)(now_ms() - t0));
	}
	if (other > 0) {
		uint64_t spent = now_ms() - t0;
		unsigned left = spent >= timeout_ms ? 0 : timeout_ms - (unsigned)spent;
		int found = modload_wait_devices(paths.dev_dir, paths.hwrng_dir, left);
		log_info("devices: %s after %llu ms",
			 found ? "RNG device present" : "no RNG device appeared",
			 (unsigned long long)(now_ms() - t0));
	}
}

static int sources_modules(struct source_ctx *c)
{
	struct mix *m = c->m;
	const struct config *cfg = c->cfg;
	struct modload_result res[32];
	char namebuf[512];
	const char *names[CONFIG_MODULES_MAX];
	int bits = 0, loaded = 0;

	struct modload_opts o = {
		.sysfs_dir = paths.sysfs,
		.extra = names,
		.n_extra = config_module_names(cfg, namebuf, names),
	};
	size_t hw_before = hwrng_available_count();
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
	c->read_ok = bits == 0;
	mix_timing_sample(m);
	if (loaded > 0 && cfg->device_wait_ms > 0)
		sources_wait_devices(res, n < (int)ELEMENTSOF(res) ? (size_t)n : ELEMENTSOF(res),
				     hw_before, (unsigned)cfg->device_wait_ms);
	return bits;
}

/* The hwrng as the kernel has it now; on error, none (never credited). */
static void sources_hwrng_info(struct hwrng_info *hw)
{
	if (hwrng_info_read(hw) < 0) {
		memset(hw, 0, sizeof(*hw));
		hw->quality = -1;
	}
}

/*
 * Keeps this boot's TPM binding for later stages and, when the TPM was read
 * (@why NULL), says in one line what became of the key and the counter.
 */
static void sources_tpm_bind(const struct config *cfg, const struct tpm_bind *b, const char *why)
{
	char ctr[160], key_s[200];

	int r = bind_set(b, why);
	if (r < 0)
		log_warn("tpm: cannot record the binding in %s: %s; later stages of this boot "
			 "will not credit a bound seed", paths.tpm_bind_file, strerror(-r));
	if (why)
		return; /* no TPM, or it failed: its own line said so; the report says why */
	const struct tpm_bind *t = &bind_get()->t;
	bool key = cfg->tpm_bind == BIND_OFF || t->key_ok;
	bool counter = !cfg->tpm_counter || t->counter_ok;
	if (!cfg->tpm_counter)
		snprintf(ctr, sizeof(ctr), "off");
	else if (t->counter_ok)
		snprintf(ctr, sizeof(ctr), "0x%lx at %llu%s", cfg->tpm_nv_index,
			 (unsigned long long)t->counter, t->counter_defined ? " (new)" : "");
	else
		snprintf(ctr, sizeof(ctr), "0x%lx: %.120s: no seed credited", cfg->tpm_nv_index,
			 t->counter_why);
	if (key)
		snprintf(key_s, sizeof(key_s), "%s", t->key_ok ? "to this TPM" : "off");
	else
		snprintf(key_s, sizeof(key_s), "failed (%.120s): %s", t->key_why,
			 cfg->tpm_bind == BIND_REQUIRE ? "no seed credited (require)"
						       : "seeds credited unbound (auto)");
	/* One line: a fallback (auto) or a refusal (require) and its reason. */
	log_msg(key && counter ? LOG_NOTICE : LOG_WARNING, "tpm: binding %s; counter %s", key_s,
		ctr);
}

/* The TPM through tpm.c; its credit by device_credit_decide. */
static int sources_tpm(struct source_ctx *c)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	struct tpm_info info;
	struct tpm_bind b;
	char detail[96];
	const struct config *cfg = c->cfg;
	struct tpm_want want = {
		.bind = cfg->tpm_bind != BIND_OFF,
		.counter = cfg->tpm_counter,
		.nv_index = (uint32_t)cfg->tpm_nv_index,
	};
	bool binding = want.bind || want.counter;

	if (c->tpm_tried)
		return 0;
	c->tpm_tried = true;
	sources_hwrng_info(&c->hw);
	size_t len = cfg->tpm_bytes;
	uint64_t t0 = now_ms();
	int r = tpm_read(paths.dev_dir, &want, buf, len, (unsigned)cfg->tpm_timeout_ms, &info,
			 &b);
	unsigned tpm_ms = (unsigned)(now_ms() - t0);
	if (info.fallback_reason[0] && info.device[0])
		log_info("tpm: using %s (%s)", info.device, info.fallback_reason);
	if (r == -ENODEV) {
		log_info("tpm: no TPM device");
		if (binding)
			sources_tpm_bind(cfg, &b, "no TPM device");
		return 0;
	}
	if (r < 0) {
		c->tpm_failed = true;
		c->tpm_error = r;
		log_err("tpm: %s (%s, %u commands%s%s), going on without the TPM",
			info.error[0] ? info.error : strerror(-r),
			info.device[0] ? info.device : "no device", info.commands,
			info.fallback_reason[0] ? "; " : "", info.fallback_reason);
		if (binding)
			sources_tpm_bind(cfg, &b, info.error[0] ? info.error : strerror(-r));
		return EXIT_DEVICES;
	}
	c->tpm_read = c->read_ok = true;
	if (binding)
		sources_tpm_bind(cfg, &b, NULL);
	explicit_bzero(&b, sizeof(b));
	/* commands and tpm_ms: the bench's TPM cost per boot (bench/parse.py). */
	snprintf(detail, sizeof(detail), "device=%.48s commands=%u retries=%u tpm_ms=%u",
		 info.device, info.commands, info.retries, tpm_ms);
	struct device_facts f = {
		.bits_per_byte = (unsigned)cfg->tpm_credit,
		.kernel_credits = hwrng_kernel_credits_tpm(&c->hw),
		.kernel_quality = c->hw.quality,
	};
	sources_mix_sample(c->m, "tpm", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * A TPM whose node is there already (Debian builds tpm_tis and tpm_crb into the
 * kernel) is read before the driver walk, which looks up every device's
 * modalias: tens of ms under emulation that the crng need not wait for. Its
 * credit depends on the hwrng as it is now; a driver loaded later can only
 * take the hwrng from the TPM, and so never makes that credit a double count.
 */
static int sources_tpm_present(struct source_ctx *c)
{
	if (!(modload_present_devices(paths.dev_dir, NULL) &
	      (MODLOAD_DEV_TPMRM0 | MODLOAD_DEV_TPM0)))
		return 0;
	return sources_tpm(c);
}

static int sources_hwrng(struct source_ctx *c)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	char detail[96];

	/* Read after the drivers loaded: a new hwrng may have become current. */
	sources_hwrng_info(&c->hw);
	const struct hwrng_info *hw = &c->hw;
	if (!hw->current[0]) {
		log_info("hwrng: none");
		return 0;
	}
	if (hwrng_is_tpm(hw) && c->tpm_read) {
		log_info("hwrng: the current hwrng is the TPM (%s), already read as the tpm "
			 "source: not read twice",
			 hw->current);
		return 0;
	}
	if (hwrng_is_tpm(hw) && c->tpm_failed) {
		/* A reader would queue one more command to a TPM that did not answer. */
		log_warn("hwrng: the current hwrng is the TPM (%s), which failed (%s): not "
			 "read (a stuck TPM would hold this read too)",
			 hw->current, strerror(-c->tpm_error));
		return 0;
	}
	size_t len = c->cfg->hwrng_bytes;
	int r = hwrng_read(paths.hwrng_dev, buf, len, (unsigned)c->cfg->hwrng_timeout_ms);
	if (r < 0) {
		log_err("hwrng: cannot read %s (%s): %s, going on without it", paths.hwrng_dev,
			hw->current, strerror(-r));
		return EXIT_DEVICES;
	}
	c->read_ok = true;
	snprintf(detail, sizeof(detail), "rng=%.48s quality=%ld", hw->current, hw->quality);
	struct device_facts f = {
		.bits_per_byte = (unsigned)c->cfg->hwrng_credit,
		.kernel_credits = hwrng_kernel_credits(hw),
		.kernel_quality = hw->quality,
	};
	sources_mix_sample(c->m, "hwrng", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int sources_cpu(struct source_ctx *c)
{
	uint8_t buf[SOURCES_SAMPLE_MAX];
	const char *insn;
	char detail[32];

	size_t len = c->cfg->cpu_bytes;
	int r = cpu_read(buf, len, &insn);
	if (r == -EOPNOTSUPP) {
		log_info("cpu: no " CPU_RNG_INSNS);
		return 0;
	}
	if (r < 0) {
		log_err("cpu: %s kept failing, going on without it", insn);
		return EXIT_DEVICES;
	}
	c->read_ok = true;
	snprintf(detail, sizeof(detail), "insn=%s", insn);
	struct device_facts f = {
		.bits_per_byte = (unsigned)c->cfg->cpu_credit,
		.zero_default = "the kernel credits " CPU_RNG_INSNS " itself when "
				"random.trust_cpu is on: not counted twice",
	};
	sources_mix_sample(c->m, "cpu", buf, len, &f, detail);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* machine-id is no secret, but it tells clones of one image apart once set. */
static int sources_machine_id(struct source_ctx *c)
{
	char id[64];
	bool transient;

	if (seed_machine_id(id, sizeof(id), &transient) == 0 && id[0])
		mix_source(c->m, "machine-id", id, strlen(id), 0, "n/a",
			   "not secret: mixed only to tell machines apart");
	return 0;
}

static int sources_foreign(struct source_ctx *c)
{
	seed_mix_foreign(c->m);
	return 0;
}

/* The seed file: seedfile.c, its credit by seed_credit_decide. */
static int sources_seed(struct source_ctx *c)
{
	struct seed_run_opts o = {
		.load = true,
		.first_boot = seed_first_boot(true),
		.may_remount = c->stage == SOURCE_LATE,
	};
	return seed_run(c->m, c->cfg, &o);
}

/*
 * The host's seed (hostseed.c): read and mixed in the early stage (credited
 * there only with host_seed_fresh); the late stage and "all" read it again,
 * record its fingerprint in the seed directory and credit it once.
 */
static int sources_host_seed(struct source_ctx *c)
{
	struct hostseed_run_opts o = {
		.late = c->stage & SOURCE_LATE,
		.may_remount = c->stage == SOURCE_LATE,
		.credentials = c->stage == (SOURCE_EARLY | SOURCE_LATE),
	};
	return hostseed_run(c->m, c->cfg, &o);
}

static int sources_jitter(struct source_ctx *c)
{
	return jitter_run(c->m, c->cfg, c->stage == SOURCE_LATE);
}

/*
 * The sources, in the order a load runs them. A new source is a row and a file:
 * its function reads, decides its credit with one decision function that
 * returns a reason (device_credit_decide, seed_credit_decide; the kernel's
 * own for kernel-jitter), and mixes. The stages say where it runs ("all"
 * runs both); device rows are read once per boot: a stage records them in
 * /run/bootseed/devices-done, and a later "all" run skips them; the last
 * column is the configuration's on/off key. A TPM present from the start is
 * read before the driver walk; the second tpm row reads one the walk brought.
 */
#define ROW_ALWAYS ((size_t)-1)
#define ROW_IF(key) offsetof(struct config, key)

static const struct source source_table[] = {
	{ "tpm", SOURCE_EARLY, true, ROW_IF(tpm), sources_tpm_present },
	{ "modules", SOURCE_EARLY, true, ROW_IF(load_modules), sources_modules },
	{ "tpm", SOURCE_EARLY, true, ROW_IF(tpm), sources_tpm },
	{ "hwrng", SOURCE_EARLY, true, ROW_IF(hwrng), sources_hwrng },
	{ "cpu", SOURCE_EARLY, true, ROW_IF(cpu), sources_cpu },
	{ "host-seed", SOURCE_EARLY | SOURCE_LATE, false, ROW_IF(host_seed), sources_host_seed },
	{ "machine-id", SOURCE_LATE, false, ROW_ALWAYS, sources_machine_id },
	{ "foreign", SOURCE_LATE, false, ROW_IF(seed_foreign), sources_foreign },
	{ "seed", SOURCE_LATE, false, ROW_ALWAYS, sources_seed },
	/* Last: only what nothing else made ready waits for the kernel. */
	{ "kernel-jitter", SOURCE_LATE, false, ROW_ALWAYS, sources_jitter },
};

/* Is @name a word of the blank-separated list @list? */
static bool sources_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The row's on/off key of the configuration, if it has one. */
static bool sources_enabled(const struct source *s, const struct config *cfg)
{
	return s->enabled == ROW_ALWAYS || *(const bool *)((const char *)cfg + s->enabled);
}

int sources_load(struct source_ctx *c)
{
	int bits = 0;

	health_init(&sources_health);
	sources_hwrng_info(&c->hw);
	for (size_t i = 0; i < ELEMENTSOF(source_table); i++) {
		const struct source *s = &source_table[i];
		if (!(s->stages & c->stage) || !sources_enabled(s, c->cfg))
			continue;
		if (s->device && sources_listed(c->done_earlier, s->name))
			continue;
		c->read_ok = false;
		bits |= s->run(c);
		if (s->device && c->read_ok && !sources_listed(c->done_now, s->name)) {
			size_t n = strlen(c->done_now);
			snprintf(c->done_now + n, sizeof(c->done_now) - n, "%s%s", n ? " " : "",
				 s->name);
		}
		mix_timing_sample(c->m);
	}
	return bits;
}
