// SPDX-License-Identifier: GPL-2.0-or-later
/* main: the command line, and the load and save runs end to end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bind.h"
#include "bootseed.h"
#include "config.h"
#include "fileio.h"
#include "hostseed.h"
#include "log.h"
#include "mix.h"
#include "paths.h"
#include "pool.h"
#include "report.h"
#include "seedfile.h"
#include "sources.h"
#include "status.h"

/*
 * load runs in stages (DESIGN.md, "Where it runs"): early in the initramfs the
 * devices, late the seed file under the root, and "all" both; in the real root
 * the devices only if no earlier stage of this boot read them.
 */
enum stage { STAGE_ALL, STAGE_EARLY, STAGE_LATE };
static const char *const stage_names[] = { "all", "early", "late" };

struct opts {
	const char *command;
	const char *stage;
	const char *root;
	const char *seed_dir;
	const char *config;
	bool verbose;
	bool json;
	bool fw_cfg;	    /* host-seed: raw bytes for -fw_cfg, not an OEM string */
	const char *output; /* host-seed -o FILE */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bootseed load   [--stage early|late|all] [--root DIR] [--seed-dir DIR]\n"
		   "                       [--config FILE] [-v]\n"
		   "       bootseed save   [--root DIR] [--seed-dir DIR] [--config FILE] [-v]\n"
		   "       bootseed status [--root DIR] [--seed-dir DIR] [--config FILE] [--json]\n"
		   "       bootseed host-seed [--smbios|--fw-cfg] -o FILE   (on the VM host)\n"
		   "See bootseed(8).\n");
}

/*
 * The options: "--name VALUE", "--name=VALUE", and -v, -h, -o FILE alone;
 * the one other word is the command. A table and a loop, not getopt_long:
 * that and getopt cost 2.8 KB of the static binary's budget.
 */
static const struct {
	const char *name;
	char key;
	bool arg;
} opt_table[] = {
	{ "root", 'r', true },	    { "stage", 'S', true },	 { "seed-dir", 's', true },
	{ "config", 'c', true },    { "verbose", 'v', false },	 { "json", 'j', false },
	{ "smbios", 'm', false },   { "fw-cfg", 'f', false },	 { "output", 'o', true },
	{ "help", 'h', false },	    { "version", 'V', false },
};

/* The option @a names, or -1; *ret_val points at an "=VALUE" part. */
static int opt_find(const char *a, const char **ret_val)
{
	*ret_val = NULL;
	for (size_t i = 0; i < ELEMENTSOF(opt_table); i++) {
		size_t n = strlen(opt_table[i].name);
		if (a[1] != '-') {
			if (a[1] == opt_table[i].key && !a[2] && strchr("vho", a[1]))
				return (int)i;
		} else if (strncmp(a + 2, opt_table[i].name, n) == 0 &&
			   (!a[2 + n] || (a[2 + n] == '=' && opt_table[i].arg))) {
			*ret_val = a[2 + n] ? a + 3 + n : NULL;
			return (int)i;
		}
	}
	return -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (a[0] != '-' || !a[1]) {
			if (o->command)
				return -EINVAL;
			o->command = a;
			continue;
		}
		int k = opt_find(a, &v);
		if (k < 0) {
			fprintf(stderr, "bootseed: unknown option '%s'\n", a);
			return -EINVAL;
		}
		if (opt_table[k].arg && !v && (v = argv[++i]) == NULL)
			return -EINVAL;
		switch (opt_table[k].key) {
		case 'r':
			o->root = v;
			break;
		case 'S':
			o->stage = v;
			break;
		case 's':
			o->seed_dir = v;
			break;
		case 'c':
			o->config = v;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'm':
		case 'f':
			o->fw_cfg = opt_table[k].key == 'f';
			break;
		case 'o':
			o->output = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("bootseed %s\n", BOOTSEED_VERSION);
			exit(0);
		}
	}
	return o->command ? 0 : -EINVAL;
}

/* The config file, then the kernel command line, then our own options. */
static int load_config(const struct opts *o, struct config *cfg)
{
	config_defaults(cfg);
	config_load_file(cfg, o->config ? o->config : BOOTSEED_DEFAULT_CONFIG);
	config_load_cmdline(cfg, paths.cmdline);
	if (o->seed_dir && config_set(cfg, "seed_dir", o->seed_dir, "--seed-dir") < 0)
		return -EINVAL;
	if (o->verbose)
		cfg->verbose = true;
	log_set_verbose(cfg->verbose);
	return 0;
}

static void run_begin(struct report_run *run, const char *command, const struct config *cfg)
{
	memset(run, 0, sizeof(*run));
	run->command = command;
	run->root = paths.root;
	run->seed_dir = cfg->seed_dir;
	run->boottime_ms = clock_ns(CLOCK_BOOTTIME) / 1000000ULL;
	run->start_ms = now_ms();
	run->crng_ready_ms = -1;
	run->entropy_before = pool_entropy_avail();
	run->crng_before = pool_crng_ready();
}

/*
 * Our own peak RSS. getrusage's ru_maxrss is no use here: execve keeps the
 * peak of the process before it (the forked copy of systemd or the shell).
 */
static long peak_rss_kb(void)
{
	char buf[2048];
	ssize_t n = read_small_file(AT_FDCWD, "/proc/self/status", buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nVmHWM:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

static int run_end(struct report_run *run, struct mix *m, uint64_t start_ms, int bits)
{
	bits |= m->exit_bits;
	run->credited_bits = m->credited_bits;
	run->entropy_after = pool_entropy_avail();
	run->crng_after = pool_crng_ready();
	run->elapsed_ms = now_ms() - start_ms;
	/* For bench/: what the run cost beyond waiting for devices, and its peak memory. */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		run->cpu_us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
			      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	run->maxrss_kb = peak_rss_kb();
	run->exit_status = bits;
	int r = report_append(run);
	if (r < 0) {
		log_err("cannot write %s: %s", paths.report, strerror(-r));
		bits |= EXIT_REPORT;
	}
	return bits;
}

static const char *tristate(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

static int parse_stage(const char *name)
{
	if (!name)
		return STAGE_ALL;
	for (size_t i = 0; i < sizeof(stage_names) / sizeof(stage_names[0]); i++)
		if (strcmp(name, stage_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/* /run lives from the initramfs to shutdown, so this is "this boot". */
static void devices_done_read(char *buf, size_t size)
{
	ssize_t n = read_small_file(AT_FDCWD, paths.devices_done_marker, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	for (char *p = buf; (p = strchr(p, '\n'));)
		*p = ' ';
}

/* Adds the devices this run read, so that a later "all" of this boot skips them. */
static void devices_done_write(const char *now)
{
	char line[160];

	if (!*now)
		return; /* nothing read: a later stage may try again (a busy TPM) */
	int n = snprintf(line, sizeof(line), "%s\n", now);
	int fd = paths_run_open(paths.devices_done_marker, O_APPEND);
	int r = fd < 0 ? fd : write_full(fd, line, (size_t)n);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_warn("cannot create %s: %s; a later stage may read the devices again",
			 paths.devices_done_marker, strerror(-r));
}

static int cmd_load(const struct config *cfg, enum stage stage)
{
	static const unsigned stage_bits[] = {
		[STAGE_ALL] = SOURCE_EARLY | SOURCE_LATE,
		[STAGE_EARLY] = SOURCE_EARLY,
		[STAGE_LATE] = SOURCE_LATE,
	};
	struct report_run *run = calloc(1, sizeof(*run));
	struct mix m;
	uint64_t start = now_ms();

	if (!run)
		return EXIT_REPORT;
	run_begin(run, "load", cfg);
	run->stage = stage_names[stage];
	mix_init(&m, run, true);
	mix_timing_sample(&m);
	struct source_ctx c = { .m = &m, .cfg = cfg, .stage = stage_bits[stage] };
	/* Only "all" (the real root) leaves out what an earlier stage read. */
	if (stage == STAGE_ALL)
		devices_done_read(c.done_earlier, sizeof(c.done_earlier));
	if (c.done_earlier[0])
		log_info("load: an earlier stage of this boot read the devices (%s: %s): "
			 "not read again", paths.devices_done_marker, c.done_earlier);
	int bits = sources_load(&c);
	devices_done_write(c.done_now);
	mix_timing_flush(&m);

	/* A ready crng otherwise waits up to a minute before using what we added. */
	if (m.credited_bits > 0 && pool_crng_ready() == 1)
		(void)pool_reseed();
	bits = run_end(run, &m, start, bits);
	log_info("load: credited %u bits in %llu ms (stage %s); crng ready %s -> %s, "
		 "entropy_avail %d -> %d; exit status %d",
		 m.credited_bits, (unsigned long long)run->elapsed_ms, run->stage,
		 tristate(run->crng_before), tristate(run->crng_after), run->entropy_before,
		 run->entropy_after, bits);
	free(run);
	return bits;
}

static int cmd_save(const struct config *cfg)
{
	struct report_run *run = calloc(1, sizeof(*run));
	struct mix m;
	uint64_t start = now_ms();

	if (!run)
		return EXIT_REPORT;
	run_begin(run, "save", cfg);
	mix_init(&m, run, false);
	mix_timing_sample(&m);
	struct seed_run_opts o = { .load = false, .first_boot = seed_first_boot(true) };
	int bits = seed_run(&m, cfg, &o);
	bits = run_end(run, &m, start, bits);
	log_info("save: %s in %llu ms; exit status %d",
		 run->new_seed[0] ? "next seed written" : "no seed written",
		 (unsigned long long)run->elapsed_ms, bits);
	free(run);
	return bits;
}

/* On the VM host: a fresh seed for the next start, and the QEMU argument for it. */
static int cmd_host_seed(const struct opts *o)
{
	if (!o->output) {
		usage(stderr);
		return EXIT_USAGE;
	}
	int r = hostseed_make(o->output, o->fw_cfg, 64);
	if (r < 0) {
		fprintf(stderr, "bootseed: host-seed: cannot write %s: %s\n", o->output,
			r == -EAGAIN ? "the crng is not ready yet" : strerror(-r));
		return EXIT_SEED_WRITE;
	}
	if (o->fw_cfg)
		printf("-fw_cfg name=" HOSTSEED_FW_CFG ",file=%s\n", o->output);
	else
		printf("-smbios type=11,path=%s\n", o->output);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct config cfg;
	int r;

	int stage;
	if (parse_opts(argc, argv, &o) < 0 || (stage = parse_stage(o.stage)) < 0 ||
	    (o.stage && strcmp(o.command, "load") != 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	r = paths_init(o.root);
	if (r < 0) {
		fprintf(stderr, "bootseed: bad --root '%s': %s\n", o.root, strerror(-r));
		return EXIT_USAGE;
	}
	/* host-seed runs on the host; status only looks: neither writes to kmsg. */
	if (strcmp(o.command, "host-seed") == 0)
		return cmd_host_seed(&o);
	log_init(strcmp(o.command, "status") == 0 ? "" : paths.kmsg, o.verbose);
	if (load_config(&o, &cfg) < 0)
		return EXIT_USAGE;

	if (strcmp(o.command, "status") == 0)
		r = status_show(&cfg, o.json);
	else if (!cfg.enable) {
		log_info("%s: disabled (bootseed=0 or enable = no), doing nothing", o.command);
		r = 0;
	} else if (strcmp(o.command, "load") == 0)
		r = cmd_load(&cfg, (enum stage)stage);
	else if (strcmp(o.command, "save") == 0)
		r = cmd_save(&cfg);
	else {
		usage(stderr);
		r = EXIT_USAGE;
	}
	bind_forget(); /* this boot's binding key */
	pool_close();
	return r;
}
