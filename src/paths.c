// SPDX-License-Identifier: GPL-2.0-or-later
/* paths: the one table of file names, with the root prefix applied. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"

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
		{ paths.jitter_done_marker, k, "/run/bootseed/jitter-done" },
		{ paths.tpm_bind_file, k, "/run/bootseed/tpm-bind" },
		{ paths.counter_used_marker, k, "/run/bootseed/counter-used" },
		{ paths.mountinfo, k, "/proc/self/mountinfo" },
		/* initramfs-tools' stamp of a clean root fsck (Debian's systemd honours it) */
		{ paths.fsck_root_marker, k, "/run/initramfs/fsck-root" },
		/* left by the dracut module's drop-in for systemd-fsck-root.service */
		{ paths.fsck_root_ok, k, "/run/bootseed/fsck-root" },
		{ paths.hostseed_marker, k, "/run/bootseed/host-seed" },
		{ paths.dmi_entries, k, "/sys/firmware/dmi/entries" },
		{ paths.fw_cfg_seed, k,
		  "/sys/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/bootseed.seed" },
		{ paths.creds_system, k, "/run/credentials/@system" },
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

#ifndef RESOLVE_IN_ROOT
struct paths_open_how {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT	      0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The same walk without openat2: no symlink is followed on the way. */
static int root_walk_nofollow(int rootfd, const char *rel)
{
	char comp[NAME_MAX + 1];
	int fd = dup(rootfd);

	if (fd < 0)
		return -errno;
	for (const char *p = rel; *p;) {
		size_t len = strcspn(p, "/");
		if (len > NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(fd);
		if (next < 0)
			return err == ENOTDIR ? -ELOOP : -err;
		fd = next;
		p += len;
		p += *p == '/';
	}
	return fd;
}

int root_open_parent(const char *abs, char *last, size_t size)
{
	char norm[PATH_MAX];
	int r = path_normalize(abs, norm, sizeof(norm));
	if (r < 0)
		return r;
	char *slash = strrchr(norm, '/');
	if (slash[1] == '\0')
		return -EINVAL; /* "/" has no parent */
	if (strlen(slash + 1) >= size)
		return -ENAMETOOLONG;
	strcpy(last, slash + 1);
	*slash = '\0';
	const char *rel = norm[0] ? norm + 1 : ".";

	int rootfd = open(paths.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	struct paths_open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == E2BIG)) {
		/* Before 5.6. Under "/" an ordinary lookup cannot leave the root. */
		if (strcmp(paths.root, "/") == 0 || strcmp(rel, ".") == 0) {
			fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			fd = fd < 0 ? -errno : fd;
		} else {
			fd = root_walk_nofollow(rootfd, rel);
		}
	} else if (fd < 0) {
		fd = -errno;
	}
	close(rootfd);
	return fd;
}

int root_open(const char *abs, int flags)
{
	char last[NAME_MAX + 1];
	int dfd = root_open_parent(abs, last, sizeof(last));
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, last, flags | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 ? -errno : fd;
	close(dfd);
	return r;
}
