// SPDX-License-Identifier: GPL-2.0-or-later
/* remount: whether and how the late stage makes the root read-write briefly. */
#include "remount.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "testhook.h"

static const char *const remount_reasons[] = {
	[REMOUNT_OK] = "",
	[REMOUNT_R_DISABLED] = "seed_remount = no in the configuration",
	[REMOUNT_R_NO_MOUNT] = "the mount holding the seed directory is not in mountinfo",
	[REMOUNT_R_NOT_ROOT] = "the seed directory is not on the installed system's root, the "
			       "only file system the initramfs checks",
	[REMOUNT_R_FS_TYPE] = "not a journaled local file system (ext3, ext4, xfs, btrfs)",
	[REMOUNT_R_BLOCK_RO] = "its block device is read-only or dm-verity",
	[REMOUNT_R_FSTAB_RO] = "the installed system's fstab mounts it read-only",
	[REMOUNT_R_NO_FSTAB_RO] = "no fstab entry for / and no rw on the kernel command line: "
				  "the installed system keeps it read-only",
	[REMOUNT_R_NO_FSCK] = "the initramfs did not check it with fsck",
};

const char *remount_reason_str(enum remount_reason r)
{
	if ((size_t)r >= ELEMENTSOF(remount_reasons))
		return "unknown";
	return remount_reasons[r];
}

/*
 * Every rule keeps a file system from being written that the installed system
 * would not write itself, or that nobody checked: a read-only root by choice
 * (fstab, dm-verity, read-only media) stays untouched; a file system without a
 * journal could be left half-written by a power cut in those milliseconds;
 * one not checked by fsck may hold errors that writing makes worse.
 * Hibernation needs no rule: initramfs-tools (local-premount/resume) and
 * dracut (the resume module, before sysroot.mount) resume before the root is
 * mounted, so once it is, no image is being resumed.
 */
enum remount_reason remount_decide(const struct remount_facts *f)
{
	static const char *const journaled[] = { "ext3", "ext4", "xfs", "btrfs" };
	bool fs_ok = false;

	if (!f->enabled)
		return REMOUNT_R_DISABLED;
	if (!f->mount_found)
		return REMOUNT_R_NO_MOUNT;
	if (!f->is_root)
		return REMOUNT_R_NOT_ROOT;
	for (size_t i = 0; i < ELEMENTSOF(journaled); i++)
		fs_ok |= f->fstype && strcmp(f->fstype, journaled[i]) == 0;
	if (!fs_ok)
		return REMOUNT_R_FS_TYPE;
	if (f->block_ro)
		return REMOUNT_R_BLOCK_RO;
	if (f->fstab == 1 && f->fstab_ro)
		return REMOUNT_R_FSTAB_RO;
	if (f->fstab != 1 && f->cmdline_rw != 1)
		return REMOUNT_R_NO_FSTAB_RO;
	if (!f->fsck_done)
		return REMOUNT_R_NO_FSCK;
	return REMOUNT_OK;
}

static bool remount_is_root(const char *mount_point)
{
	char root[PATH_MAX];
	return path_normalize(paths.root, root, sizeof(root)) == 0 &&
	       strcmp(root, mount_point) == 0;
}

/*
 * Did the initramfs check the root? initramfs-tools writes its stamp only
 * after fsck said clean (or corrected). systemd-fsck-root.service in dracut's
 * systemd initrd also succeeds when it did not check: fsck.mode=skip, or no
 * fsck.<type> in the image; the module's drop-in marks only that it ran, and
 * those two are checked here.
 */
static bool remount_fsck_done(const char *fstype)
{
	char helper[64];

	if (access(paths.fsck_root_marker, F_OK) == 0)
		return true;
	if (access(paths.fsck_root_ok, F_OK) != 0 || fs_cmdline_has("fsck.mode=skip") ||
	    fs_cmdline_has("fastboot"))
		return false;
	snprintf(helper, sizeof(helper), "/usr/sbin/fsck.%s", fstype);
	if (access(helper, X_OK) == 0)
		return true;
	snprintf(helper, sizeof(helper), "/sbin/fsck.%s", fstype);
	return access(helper, X_OK) == 0;
}

static void remount_gather(int dfd, const struct config *cfg, struct remount_facts *f,
			   struct fs_mount *m)
{
	memset(f, 0, sizeof(*f));
	f->enabled = cfg->seed_remount;
	f->mount_found = fs_mount_of(dfd, m) == 0;
	if (!f->mount_found)
		return;
	f->is_root = remount_is_root(m->mount_point);
	f->fstype = m->fstype;
	f->block_ro = fs_block_read_only(m->major, m->minor);
	f->fstab = fs_fstab_entry("/", &f->fstab_ro);
	f->cmdline_rw = fs_cmdline_rw();
	f->fsck_done = remount_fsck_done(m->fstype);
}

__attribute__((format(printf, 2, 3))) static void remount_say(struct report_run *run,
								const char *fmt, ...)
{
	va_list ap;

	if (!run)
		return;
	va_start(ap, fmt);
	vsnprintf(run->remount, sizeof(run->remount), fmt, ap);
	va_end(ap);
}

bool remount_rw_for_seed(struct remount *rm, int dfd, const struct config *cfg,
			 struct report_run *run)
{
	struct remount_facts f;
	struct statvfs sv;

	if (fstatvfs(dfd, &sv) < 0 || !(sv.f_flag & ST_RDONLY))
		return false; /* writable already: nothing to do */
	remount_gather(dfd, cfg, &f, &rm->mount);
	enum remount_reason why = remount_decide(&f);
	if (why != REMOUNT_OK) {
		log_info("seed: not remounting %s read-write: %s; the seed is mixed only",
			 f.mount_found ? rm->mount.mount_point : "its file system",
			 remount_reason_str(why));
		remount_say(run, "not remounted: %s", remount_reason_str(why));
		return false;
	}
	rm->start_ms = now_ms();
	int r = test_fault("remount");
	if (r == 0 && mount(NULL, rm->mount.mount_point, NULL, MS_REMOUNT | rm->mount.mount_flags,
			    NULL) < 0)
		r = -errno;
	if (r < 0) {
		log_warn("seed: cannot remount %s read-write: %s; the seed is mixed only, "
			 "ignoring", rm->mount.mount_point, strerror(-r));
		remount_say(run, "remount failed: %s", strerror(-r));
		return false;
	}
	log_info("seed: remounted %s (%s) read-write to consume and credit the seed: fstab "
		 "mounts it read-write and the initramfs checked it",
		 rm->mount.mount_point, rm->mount.fstype);
	return true;
}

void remount_restore(struct remount *rm, struct report_run *run)
{
	/* The kernel syncs the file system and marks it clean on the way to ro. */
	int r = mount(NULL, rm->mount.mount_point, NULL,
		      MS_REMOUNT | MS_RDONLY | rm->mount.mount_flags, NULL);
	unsigned long long ms = now_ms() - rm->start_ms;
	if (r < 0) {
		r = -errno;
		log_err("seed: cannot remount %s read-only again: %s; it stays read-write "
			"until the installed system mounts it", rm->mount.mount_point,
			strerror(-r));
		remount_say(run, "remounted read-write; back to read-only failed: %s",
			    strerror(-r));
		return;
	}
	log_info("seed: %s read-only again after %llu ms", rm->mount.mount_point, ms);
	remount_say(run, "remounted read-write for %llu ms, then read-only", ms);
}
