// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modload_probe: drives src/modload.c for tests/component/test_modload.sh.
 *
 *   modload_probe rng [--sysfs DIR] [--moddir DIR] [--config-dir DIR]... [--dry-run]
 *                     [--extra NAME]... [--max N]
 *       prints "insert NAME [install] OPTIONS" per module libkmod would insert, in
 *       order, then "result NAME|OUTCOME|VIA|ERROR" per module and "count N", or
 *       "error -ERRNO".
 *   modload_probe wait DEVDIR TIMEOUT_MS
 *       prints "mask N elapsed_ms M".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "modload.h"

#define MAX_ARGS 32

static void on_insert(const char *name, bool install_cmd, const char *options, void *data)
{
	printf("insert %s%s%s%s\n", name, install_cmd ? " install" : "",
	       *options ? " " : "", options);
}

static int cmd_rng(int argc, char **argv)
{
	const char *extra[MAX_ARGS], *config[MAX_ARGS + 1];
	size_t n_extra = 0, n_config = 0;
	struct modload_opts o = { .on_insert = on_insert };
	struct modload_result res[64];
	size_t max = ELEMENTSOF(res);

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--dry-run") == 0) {
			o.dry_run = true;
			continue;
		}
		if (!v || n_extra == MAX_ARGS || n_config == MAX_ARGS) {
			fprintf(stderr, "modload_probe: bad argument %s\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--sysfs") == 0)
			o.sysfs_dir = v;
		else if (strcmp(a, "--moddir") == 0)
			o.modules_dir = v;
		else if (strcmp(a, "--config-dir") == 0)
			config[n_config++] = v;
		else if (strcmp(a, "--extra") == 0)
			extra[n_extra++] = v;
		else if (strcmp(a, "--max") == 0 && strtoul(v, NULL, 10) <= max)
			max = strtoul(v, NULL, 10);
		else {
			fprintf(stderr, "modload_probe: unknown option %s\n", a);
			return 2;
		}
	}
	config[n_config] = NULL;
	if (n_config)
		o.config_dirs = config;
	o.extra = extra;
	o.n_extra = n_extra;

	int n = modload_rng_drivers(&o, res, max);
	if (n < 0) {
		printf("error %d\n", n);
		return 1;
	}
	for (int i = 0; i < n && i < (int)max; i++)
		printf("result %s|%s|%s|%d\n", res[i].name,
		       modload_outcome_str(res[i].outcome), res[i].via, res[i].error);
	printf("count %d\n", n);
	return 0;
}

static int cmd_wait(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	uint64_t start = now_ms();
	int mask = modload_wait_devices(argv[0], NULL, (unsigned)strtoul(argv[1], NULL, 10));
	printf("mask %d elapsed_ms %llu\n", mask, (unsigned long long)(now_ms() - start));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "rng") == 0)
		return cmd_rng(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "wait") == 0)
		return cmd_wait(argc - 2, argv + 2);
	fprintf(stderr, "usage: modload_probe rng [options] | wait DEVDIR TIMEOUT_MS\n");
	return 2;
}
