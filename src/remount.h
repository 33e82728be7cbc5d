/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remount: the late initramfs stage's read-write window. The root is mounted
 * read-only there, and a seed is credited only once its removal is durable;
 * when the installed system will mount the root read-write anyway, that needs
 * no more than a few milliseconds of read-write. Whether it may is one
 * decision over a facts struct, with a reason; the caller consumes and
 * credits the seed in between remount_rw_for_seed() and remount_restore().
 */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "fsinfo.h"
#include "report.h"

enum remount_reason {
	REMOUNT_OK,
	REMOUNT_R_DISABLED,
	REMOUNT_R_NO_MOUNT,
	REMOUNT_R_NOT_ROOT,
	REMOUNT_R_FS_TYPE,
	REMOUNT_R_BLOCK_RO,
	REMOUNT_R_FSTAB_RO,
	REMOUNT_R_NO_FSTAB_RO,
	REMOUNT_R_NO_FSCK,
};

struct remount_facts {
	bool enabled;	  /* seed_remount = auto */
	bool mount_found; /* the mount holding the seed directory is known */
	bool is_root;	  /* it is the installed system's root (--root) */
	const char *fstype;
	bool block_ro; /* a read-only or dm-verity block device */
	int fstab;     /* 1: "/" has an fstab entry; 0: none (or no fstab) */
	bool fstab_ro; /* that entry says ro */
	int cmdline_rw; /* without an entry: 1 "rw" on the command line, else ro */
	bool fsck_done; /* the initramfs checked the root before mounting it */
};

/* May the mount be made read-write for the seed? The first rule that fails names why. */
enum remount_reason remount_decide(const struct remount_facts *f);
const char *remount_reason_str(enum remount_reason r);

struct remount {
	struct fs_mount mount;
	unsigned long long start_ms;
};

/*
 * When the seed directory @dfd is on a read-only mount: decides, and if
 * allowed remounts it read-write. Logs once (done or why not) and writes the
 * same into @run->remount. Returns true when the caller must call
 * remount_restore().
 */
bool remount_rw_for_seed(struct remount *rm, int dfd, const struct config *cfg,
			 struct report_run *run);
/* Makes the mount read-only again; logs how long it was read-write, or the failure. */
void remount_restore(struct remount *rm, struct report_run *run);
