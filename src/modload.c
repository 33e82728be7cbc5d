// SPDX-License-Identifier: GPL-2.0-or-later
/* modload: picks the RNG drivers, loads them with libkmod, waits for their nodes. */
#include "modload.h"

#include <dirent.h>
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "fileio.h"

#define MODLOAD_POLL_MS		10
#define MODLOAD_TPMRM_GRACE_MS	100
#define MODLOAD_MODALIAS_MAX	512

/*
 * Only drivers from these directories are loaded for a device: they are the ones
 * that register a hwrng or a TPM. Anything else a device asks for is udev's job
 * later, in the real root. Relative to the module tree, as in modules.builtin.
 */
static const char *const rng_dirs[] = {
	"kernel/drivers/char/hw_random/",
	"kernel/drivers/char/tpm/",
};

/*
 * A virtio RNG appears as "virtio:d00000004v..." only once its transport has
 * bound it, and virtio_rng depends on no transport. Without udev nothing would
 * load the transport:
 * - on PCI (virtio_pci: a module on Debian's 6.1, built in on 6.12), the IDs of
 *   a virtio entropy device (transitional 1af4:1005, modern 1af4:1040 + type 4)
 *   ask for the transport and virtio_rng, in this order;
 * - over MMIO (virtio_mmio, a module on Debian's arm64 kernels; the device-tree
 *   "virtio,mmio" nodes of QEMU's virt machine and Firecracker, ACPI LNRO0005),
 *   a slot does not say what is behind it: the transport is loaded (as udev
 *   would, for the disk) and its devices join the virtio bus at once, which the
 *   walk reaches after "acpi" and "platform" (walk_devices), so the RNG among
 *   them is found by its own alias.
 */
static const struct {
	const char *alias; /* a modalias prefix, or with of_compat a DT compatible */
	bool of_compat;
	const char *modules[2];
} transport_rules[] = {
	{ "pci:v00001AF4d00001005", false, { "virtio_pci", "virtio_rng" } },
	{ "pci:v00001AF4d00001044", false, { "virtio_pci", "virtio_rng" } },
	{ "virtio,mmio", true, { "virtio_mmio", NULL } },
	{ "acpi:LNRO0005:", false, { "virtio_mmio", NULL } },
	/* QEMU's fw_cfg, a channel of the host's seed (hostseed.c): x86 ACPI, arm DT */
	{ "acpi:QEMU0002:", false, { "qemu_fw_cfg", NULL } },
	{ "qemu,fw-cfg-mmio", true, { "qemu_fw_cfg", NULL } },
};

static const char *const outcome_names[] = {
	[MODLOAD_LOADED] = "loaded",
	[MODLOAD_ALREADY_LOADED] = "already loaded",
	[MODLOAD_BUILTIN] = "built-in",
	[MODLOAD_BLACKLISTED] = "blacklisted",
	[MODLOAD_NOT_FOUND] = "not found",
	[MODLOAD_FAILED] = "failed",
	[MODLOAD_DRY_RUN] = "dry run",
};

const char *modload_outcome_str(enum modload_outcome o)
{
	if ((size_t)o >= ELEMENTSOF(outcome_names))
		return "unknown";
	return outcome_names[o];
}

struct name_set {
	char (*names)[MODLOAD_NAME_MAX];
	size_t n, cap;
};

struct run {
	const struct modload_opts *o;
	struct kmod_ctx *ctx;
	char builtin_list[PATH_MAX]; /* <modules dir>/modules.builtin */
	struct modload_result *res;
	size_t max, count;
	struct name_set handled;  /* modules that have a result */
	struct name_set inserted; /* modules passed to on_insert (dry-run) */
};

/* Returns 1 if @name was added, 0 if it was there already, -ENOMEM. */
static int name_set_add(struct name_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->names, cap * sizeof(*s->names));
		if (!p)
			return -ENOMEM;
		s->names = p;
		s->cap = cap;
	}
	snprintf(s->names[s->n++], MODLOAD_NAME_MAX, "%s", name);
	return 1;
}

/* Is @path (absolute, or relative to the module tree) inside one of rng_dirs? */
static bool in_rng_dir(const char *path)
{
	for (size_t i = 0; i < ELEMENTSOF(rng_dirs); i++) {
		const char *p = strstr(path, rng_dirs[i]);
		if (p && (p == path || p[-1] == '/'))
			return true;
	}
	return false;
}

/* Does the file "dir/virtio-rng.ko[.xz]" hold module "virtio_rng"? */
static bool file_is_module(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; name[i] && base[i]; i++) {
		char c = base[i] == '-' ? '_' : base[i];
		if (c != name[i])
			return false;
	}
	return name[i] == '\0' && strncmp(base + i, ".ko", 3) == 0;
}

/*
 * Built-in modules have no path in libkmod, only a line in modules.builtin
 * ("kernel/drivers/char/tpm/tpm_tis.ko"): without it a built-in NIC driver
 * matched by an alias would be taken for an RNG driver.
 */
static bool builtin_in_rng_dir(const char *builtin_list, const char *name)
{
	char line[PATH_MAX];
	bool found = false;
	FILE *f = fopen(builtin_list, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = file_is_module(line, name) && in_rng_dir(line);
	}
	fclose(f);
	return found;
}

static bool is_rng_driver(struct run *r, struct kmod_module *m)
{
	const char *path = kmod_module_get_path(m);

	if (path)
		return in_rng_dir(path);
	return builtin_in_rng_dir(r->builtin_list, kmod_module_get_name(m));
}

/* libkmod's print_action has no user data: the one run in progress is kept here. */
static struct run *current_run;

static void print_action(struct kmod_module *m, bool install_cmd, const char *options)
{
	struct run *r = current_run;
	const char *name = kmod_module_get_name(m);

	/*
	 * A dry run loads nothing, so libkmod lists a shared dependency (virtio_ring)
	 * again for every module that needs it; a real run inserts it once.
	 */
	if (r->o->dry_run && name_set_add(&r->inserted, name) == 0)
		return;
	r->o->on_insert(name, install_cmd, options ? options : "", r->o->data);
}

/* Loads @m with its dependencies; the libkmod result becomes an outcome here. */
static enum modload_outcome load_one(struct run *r, struct kmod_module *m, int *ret_err)
{
	unsigned flags = KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_FAIL_ON_LOADED;
	const char *path;
	int state, err;

	state = kmod_module_get_initstate(m);
	if (state == KMOD_MODULE_BUILTIN)
		return MODLOAD_BUILTIN;
	/*
	 * COMING: someone (udev) is loading it right now, or /sys/module has a
	 * directory for a built-in module our tree does not list. Either way it is
	 * in the kernel, and inserting it again would only fail with EEXIST.
	 */
	if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING)
		return MODLOAD_ALREADY_LOADED;
	/*
	 * Checked here because the kernel also returns ENOENT, for an unknown
	 * symbol: that is a failure, not a missing module.
	 */
	path = kmod_module_get_path(m);
	if (!path || !path_exists(path))
		return MODLOAD_NOT_FOUND;

	if (r->o->dry_run)
		flags |= KMOD_PROBE_DRY_RUN;
	/* No run_install callback: libkmod runs modprobe.d "install" lines itself. */
	err = kmod_module_probe_insert_module(m, flags, NULL, NULL, NULL,
					      r->o->on_insert ? print_action : NULL);
	if (err > 0) /* libkmod returns the blacklist flag that stopped it */
		return MODLOAD_BLACKLISTED;
	if (err == -EEXIST) /* loaded between our check and the insert */
		return MODLOAD_ALREADY_LOADED;
	if (err < 0) {
		*ret_err = err;
		return MODLOAD_FAILED;
	}
	return r->o->dry_run ? MODLOAD_DRY_RUN : MODLOAD_LOADED;
}

static void record(struct run *r, const char *name, const char *via,
		   enum modload_outcome oc, int err, bool hwrng, bool firmware)
{
	if (r->count < r->max) {
		struct modload_result *res = &r->res[r->count];

		snprintf(res->name, sizeof(res->name), "%s", name);
		snprintf(res->via, sizeof(res->via), "%s", via);
		res->outcome = oc;
		res->error = oc == MODLOAD_FAILED ? err : 0;
		res->hwrng = hwrng;
		res->firmware = firmware;
	}
	r->count++;
}

/* Loads @m unless this run handled it already; 0 or -ENOMEM. */
static int handle_module(struct run *r, struct kmod_module *m, const char *via)
{
	const char *name = kmod_module_get_name(m);
	int err = 0, added = name_set_add(&r->handled, name);

	if (added <= 0)
		return added;
	enum modload_outcome oc = load_one(r, m, &err);
	const char *path = kmod_module_get_path(m);
	record(r, name, via, oc, err, path && strstr(path, "/drivers/char/hw_random/"),
	       path && strstr(path, "/drivers/firmware/"));
	return 0;
}

/*
 * Looks up @what (name or alias) and hands the modules to handle_module, only
 * the RNG drivers if @rng_only. Returns how many modules matched or -errno.
 */
static int handle_lookup(struct run *r, const char *what, const char *via, bool rng_only)
{
	struct kmod_list *list = NULL, *l;
	int n = 0, err;

	err = kmod_module_new_from_lookup(r->ctx, what, &list);
	if (err < 0)
		return err;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);

		if (!rng_only || is_rng_driver(r, m)) {
			err = handle_module(r, m, via);
			n++;
		}
		kmod_module_unref(m);
		if (err < 0)
			break;
	}
	kmod_module_unref_list(list);
	return err < 0 ? err : n;
}

/*
 * Does the device-tree modalias @alias ("of:N<name>T<type>C<compat>C<compat>...")
 * list @compat among its compatibles?
 */
static bool of_alias_has_compat(const char *alias, const char *compat)
{
	size_t len = strlen(compat);
	const char *p;

	if (strncmp(alias, "of:N", 4) != 0)
		return false;
	for (p = strchr(alias, 'C'); p; p = strchr(p + 1, 'C'))
		if (strncmp(p + 1, compat, len) == 0 &&
		    (p[1 + len] == '\0' || p[1 + len] == 'C'))
			return true;
	return false;
}

static bool transport_rule_matches(size_t i, const char *alias)
{
	const char *a = transport_rules[i].alias;

	if (transport_rules[i].of_compat)
		return of_alias_has_compat(alias, a);
	return strncmp(alias, a, strlen(a)) == 0;
}

static int handle_alias(struct run *r, const char *alias)
{
	int err;

	for (size_t i = 0; i < ELEMENTSOF(transport_rules); i++) {
		if (!transport_rule_matches(i, alias))
			continue;
		for (size_t j = 0; j < ELEMENTSOF(transport_rules[i].modules); j++) {
			const char *name = transport_rules[i].modules[j];

			if (!name)
				break;
			err = handle_lookup(r, name, alias, false);
			if (err == -ENOMEM)
				return err;
		}
	}
	err = handle_lookup(r, alias, alias, true);
	/* Other lookup errors concern this one device: the others still count. */
	return err == -ENOMEM ? err : 0;
}

static int handle_bus(struct run *r, const char *bus)
{
	char dir[PATH_MAX], path[PATH_MAX], alias[MODLOAD_MODALIAS_MAX];
	struct dirent **devs;
	int n, err = 0;

	if (snprintf(dir, sizeof(dir), "%s/bus/%s/devices", r->o->sysfs_dir, bus) >=
	    (int)sizeof(dir))
		return 0;
	n = scandir(dir, &devs, NULL, alphasort);
	if (n < 0) /* a bus without devices/ is no error: it has no devices */
		return 0;
	for (int i = 0; i < n; i++) {
		/* No modalias (or gone since the scan): no driver to find for it. */
		if (err == 0 && devs[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s/modalias", dir, devs[i]->d_name) <
			    (int)sizeof(path) &&
		    read_line_file(path, alias, sizeof(alias)) == 0 && alias[0])
			err = handle_alias(r, alias);
		free(devs[i]);
	}
	free(devs);
	return err;
}

/*
 * /sys/bus/<bus>/devices/<dev>/modalias covers every device a driver can bind
 * to, and is bounded, unlike a walk of /sys/devices. Sorted, so the order of
 * loading and of the results is the same on every boot, and the virtio bus
 * comes after the buses of its transports (acpi, pci, platform). A bus that
 * a transport registered during the walk (virtio, where its core is a module)
 * is walked last.
 */
static int walk_devices(struct run *r)
{
	char dir[PATH_MAX];
	struct dirent **buses;
	bool saw_virtio = false;
	int n, err = 0;

	if (snprintf(dir, sizeof(dir), "%s/bus", r->o->sysfs_dir) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	n = scandir(dir, &buses, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		if (err == 0 && buses[i]->d_name[0] != '.')
			err = handle_bus(r, buses[i]->d_name);
		saw_virtio = saw_virtio || strcmp(buses[i]->d_name, "virtio") == 0;
		free(buses[i]);
	}
	free(buses);
	if (err == 0 && !saw_virtio)
		err = handle_bus(r, "virtio");
	return err;
}

static int handle_extra(struct run *r, const char *name)
{
	int n = handle_lookup(r, name, "config", false);

	if (n == -ENOMEM)
		return n;
	if (n > 0)
		return 0;
	/* Not in the tree (n == 0), or the lookup itself failed (n < 0). */
	int added = name_set_add(&r->handled, name);
	if (added < 0)
		return added;
	if (added)
		record(r, name, "config", n == 0 ? MODLOAD_NOT_FOUND : MODLOAD_FAILED, n, false,
		       false);
	return 0;
}

static int modules_dir(const struct modload_opts *o, char *buf, size_t size)
{
	struct utsname u;
	struct stat st;
	int n;

	if (o->modules_dir) {
		n = snprintf(buf, size, "%s", o->modules_dir);
	} else {
		if (uname(&u) < 0)
			return -errno;
		n = snprintf(buf, size, "/lib/modules/%s", u.release);
	}
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (stat(buf, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* libkmod would print its own errors to stderr; the outcomes carry them instead. */
static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
}

int modload_rng_drivers(const struct modload_opts *o, struct modload_result *res,
			size_t max)
{
	struct run r = { .o = o, .res = res, .max = max };
	char dir[PATH_MAX];
	int err;

	err = modules_dir(o, dir, sizeof(dir));
	if (err < 0)
		return err;
	if (snprintf(r.builtin_list, sizeof(r.builtin_list), "%s/modules.builtin", dir) >=
	    (int)sizeof(r.builtin_list))
		return -ENAMETOOLONG;
	/* libkmod reads /proc/cmdline itself: modprobe.blacklist= and module.option=. */
	r.ctx = kmod_new(dir, o->config_dirs);
	if (!r.ctx)
		return -ENOMEM;
	kmod_set_log_fn(r.ctx, kmod_quiet, NULL);
	/* Only a speed-up (indexes mapped once): without it each lookup opens them. */
	(void)kmod_load_resources(r.ctx);

	current_run = &r;
	if (o->sysfs_dir)
		err = walk_devices(&r);
	for (size_t i = 0; err == 0 && i < o->n_extra; i++)
		err = handle_extra(&r, o->extra[i]);
	current_run = NULL;

	free(r.handled.names);
	free(r.inserted.names);
	kmod_unref(r.ctx);
	return err < 0 ? err : (int)r.count;
}

/* /dev/hwrng exists as soon as rng-core is in the kernel, even with no RNG
 * behind it: with @hwrng_dir, it counts only once an RNG is current. */
static bool hwrng_current(const char *hwrng_dir)
{
	char path[PATH_MAX], cur[64];

	if (!hwrng_dir)
		return true;
	if (snprintf(path, sizeof(path), "%s/rng_current", hwrng_dir) >= (int)sizeof(path) ||
	    read_line_file(path, cur, sizeof(cur)) < 0)
		return false;
	return cur[0] && strcmp(cur, "none") != 0;
}

int modload_present_devices(const char *dev_dir, const char *hwrng_dir)
{
	static const struct {
		const char *name;
		int bit;
	} nodes[] = {
		{ "tpmrm0", MODLOAD_DEV_TPMRM0 },
		{ "tpm0", MODLOAD_DEV_TPM0 },
		{ "hwrng", MODLOAD_DEV_HWRNG },
	};
	char path[PATH_MAX];
	int mask = 0;

	for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
		if (snprintf(path, sizeof(path), "%s/%s", dev_dir, nodes[i].name) <
			    (int)sizeof(path) &&
		    path_exists(path))
			mask |= nodes[i].bit;
	if ((mask & MODLOAD_DEV_HWRNG) && !hwrng_current(hwrng_dir))
		mask &= ~MODLOAD_DEV_HWRNG;
	return mask;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL); /* woken early by a signal: the caller polls again */
}

int modload_wait_devices(const char *dev_dir, const char *hwrng_dir, unsigned timeout_ms)
{
	uint64_t now = now_ms(), deadline = now + timeout_ms, grace_end = 0;

	for (;;) {
		int mask = modload_present_devices(dev_dir, hwrng_dir);
		uint64_t until = deadline;

		/*
		 * One TPM probe makes tpm0 and then tpmrm0, which devtmpfs creates one
		 * after the other: returning on tpm0 alone would make the caller fall
		 * back to tpm0 for nothing. A TPM 1.2 (no tpmrm0) costs the grace.
		 */
		if ((mask & MODLOAD_DEV_TPM0) && !(mask & MODLOAD_DEV_TPMRM0)) {
			if (!grace_end)
				grace_end = now + MODLOAD_TPMRM_GRACE_MS;
			if (grace_end < until)
				until = grace_end;
		} else if (mask) {
			return mask;
		}
		if (now >= until)
			return mask;
		sleep_ms(until - now < MODLOAD_POLL_MS ? until - now : MODLOAD_POLL_MS);
		now = now_ms();
	}
}
