/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * paths: every file name bootseed uses comes from here.
 *
 * Files of the installed system (seed directory, machine-id, foreign seeds)
 * live under the root given with --root. Kernel interfaces (/proc, /sys, /dev,
 * /run) are always the live ones; a test build (-DBOOTSEED_TEST_HOOKS) may move
 * them under $BOOTSEED_TEST_KROOT so tests can use fakes.
 */
#pragma once

#include <limits.h>
#include <stddef.h>

struct paths {
	char root[PATH_MAX];
	/* kernel side */
	char cmdline[PATH_MAX];
	char entropy_avail[PATH_MAX];
	char poolsize[PATH_MAX];
	char kmsg[PATH_MAX];
	char urandom[PATH_MAX];
	char hwrng_dir[PATH_MAX];
	char hwrng_dev[PATH_MAX];
	char sysfs[PATH_MAX];
	char dev_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	char report[PATH_MAX];
	char seed_written_marker[PATH_MAX];
	char devices_done_marker[PATH_MAX];
	char first_boot_marker[PATH_MAX];
	char systemd_first_boot[PATH_MAX];
	char jitter_done_marker[PATH_MAX];
	char tpm_bind_file[PATH_MAX];	    /* this boot's TPM binding (bind.c) */
	char counter_used_marker[PATH_MAX]; /* the counter value a seed was credited at */
	char mountinfo[PATH_MAX];
	char fsck_root_marker[PATH_MAX];
	char fsck_root_ok[PATH_MAX];
	char hostseed_marker[PATH_MAX];
	char dmi_entries[PATH_MAX];
	char fw_cfg_seed[PATH_MAX];
	char creds_system[PATH_MAX];
	/* installed system side */
	char systemd_seed[PATH_MAX];
	char seedrng_dir[PATH_MAX];
};

extern struct paths paths;

#define BOOTSEED_DEFAULT_SEED_DIR "/var/lib/bootseed"
#define BOOTSEED_DEFAULT_CONFIG	  "/etc/bootseed.conf"

/* Fills the global table; @root may be NULL for "/". -ENAMETOOLONG on overflow. */
int paths_init(const char *root);
/*
 * Opens (creating /run/bootseed and the file if need be) one of our files
 * under /run for writing, with O_CREAT|O_CLOEXEC|O_NOFOLLOW and @flags.
 * Returns the descriptor or -errno.
 */
int paths_run_open(const char *path, int flags);
/* Joins root and an absolute path of the installed system into @out. */
int path_under_root(char *out, size_t size, const char *abs);
/*
 * Opens the directory that holds @abs (a path of the installed system) under
 * the root, O_RDONLY|O_DIRECTORY, and copies the last component to @last.
 * Symlinks on the way resolve inside the root (openat2 RESOLVE_IN_ROOT, Linux
 * 5.6+), never against the initramfs; without openat2 a symlink on the way is
 * refused (-ELOOP) under a root other than "/". The caller opens @last itself,
 * with O_NOFOLLOW. Returns the descriptor or -errno.
 */
int root_open_parent(const char *abs, char *last, size_t size);
/* root_open_parent, then @last with @flags|O_NOFOLLOW|O_CLOEXEC. */
int root_open(const char *abs, int flags);
