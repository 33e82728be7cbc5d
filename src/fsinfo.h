/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fsinfo: what kind of file system a seed lives on, which mount holds it, and
 * what the installed system's fstab says about that mount. The seed credit
 * rules and the late stage's read-write remount decide from these facts; this
 * file only gathers them and never logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Kinds, by what they mean for a seed's credit (the order is not significant). */
enum fs_kind {
	FS_PERSISTENT, /* local, persistent, POSIX owners and modes: ext4, xfs, btrfs, ... */
	FS_VOLATILE,   /* gone or reset at the next boot: tmpfs, ramfs, overlay, aufs */
	FS_NETWORK,    /* the server decides what it holds: NFS, CIFS, 9p, FUSE, ceph */
	FS_NO_OWNERS,  /* owner and mode come from mount options: vfat, exfat, ntfs */
	FS_READ_ONLY,  /* read-only media: squashfs, erofs, iso9660, cramfs */
	FS_UNKNOWN,    /* a magic number not in the table */
};

/* Classifies a statfs f_type; *ret_name gets the file system's name ("?" if unknown). */
enum fs_kind fs_kind_of(unsigned long magic, const char **ret_name);
/* fs_kind_of on the file system holding @fd (an fstatfs). -errno on failure. */
int fs_kind_of_fd(int fd, enum fs_kind *ret_kind, const char **ret_name);

/* One line of /proc/self/mountinfo, as far as bootseed needs it. */
struct fs_mount {
	char mount_point[256]; /* unescaped, in this mount namespace */
	char fstype[32];
	char source[128];
	unsigned major, minor;
	bool read_only;	 /* the mount's own "ro" */
	unsigned long mount_flags; /* MS_NOSUID|MS_NODEV|... of the mount, to keep on remount */
};

/*
 * Finds the mount that holds the open directory @dfd: the mountinfo line with
 * the longest mount point on @dfd's path (the later of two on one point).
 * -ENOENT if none matches.
 */
int fs_mount_of(int dfd, struct fs_mount *ret);

/*
 * Reads the installed system's /etc/fstab (under the root) and looks for the
 * entry of @mount_point (a path of the installed system). Returns 1 and sets
 * *ret_ro (the options name "ro") if found, 0 if there is no such entry,
 * -errno if fstab cannot be read (-ENOENT: no fstab).
 */
int fs_fstab_entry(const char *mount_point, bool *ret_ro);

/* The kernel command line's last "ro" or "rw" word: 1 rw, 0 ro, -ENOENT neither. */
int fs_cmdline_rw(void);
/* Is @word a word of the kernel command line? */
bool fs_cmdline_has(const char *word);

/* Is the block device @major:@minor read-only, or a dm-verity target? */
bool fs_block_read_only(unsigned major, unsigned minor);
