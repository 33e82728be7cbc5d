// SPDX-License-Identifier: GPL-2.0-or-later
/* paths: the one table of file names, with the root prefix applied. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct paths paths;

static int path_join(char *out, size_t size, const char *a, const char *b)
{
	/* "/" + "/etc/x" must be "/etc/x", not "//etc/x". */
	size_t alen = strlen(a);
	while (alen > 0 && a[alen - 1] == '/')
		alen--;
	int n = snprintf(out, size, "%.*s%s", (int)alen, a, b);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int path_under_root(char *out, size_t size, const char *abs)
{
	return path_join(out, size, paths.root, abs);
}

static const char *paths_kernel_root(void)
{
#ifdef BOOTSEED_TEST_HOOKS
	const char *k = getenv("BOOTSEED_TEST_KROOT");
	if (k && *k)
		return k;
#endif
	return "";
}

int paths_init(const char *root)
{
	const char *k = paths_kernel_root();
	struct {
		char *dst;
		const char *base;
		const char *rel;
	} table[] = {
		{ paths.cmdline, k, "/proc/cmdline" },
		{ paths.entropy_avail, k, "/proc/sys/kernel/random/entropy_avail" },
		{ paths.poolsize, k, "/proc/sys/kernel/random/poolsize" },
		{ paths.kmsg, k, "/dev/kmsg" },
		{ paths.urandom, k, "/dev/urandom" },
		{ paths.hwrng_dir, k, "/sys/class/misc/hw_random" },
		{ paths.hwrng_dev, k, "/dev/hwrng" },
		{ paths.sysfs, k, "/sys" },
		{ paths.dev_dir, k, "/dev" },
		{ paths.run_dir, k, "/run/bootseed" },
		{ paths.report, k, "/run/bootseed/report.json" },
		{ paths.seed_written_marker, k, "/run/bootseed/seed-written" },
		{ paths.devices_done_marker, k, "/run/bootseed/devices-done" },
		{ paths.first_boot_marker, k, "/run/bootseed/first-boot" },
		{ paths.systemd_first_boot, k, "/run/systemd/first-boot" },
		{ paths.machine_id, paths.root, "/etc/machine-id" },
		{ paths.systemd_seed, paths.root, "/var/lib/systemd/random-seed" },
		{ paths.seedrng_dir, paths.root, "/var/lib/seedrng" },
	};

	if (!root || !*root)
		root = "/";
	if (root[0] != '/')
		return -EINVAL;
	if (strlen(root) >= sizeof(paths.root))
		return -ENAMETOOLONG;
	strcpy(paths.root, root);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int r = path_join(table[i].dst, PATH_MAX, table[i].base, table[i].rel);
		if (r < 0)
			return r;
	}
	return 0;
}

int paths_run_open(const char *path, int flags)
{
	if (mkdir(paths.run_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0644);
	return fd < 0 ? -errno : fd;
}
