// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The late stage's remount decision as a table (each rule, each reason), and
 * the facts it rests on read from real files: fstab entries (rw, ro, absent,
 * defaults, errors=remount-ro), the kernel command line and mountinfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsinfo.h"
#include "paths.h"
#include "remount.h"
#include "unit.h"

static struct remount_facts good(void)
{
	return (struct remount_facts){
		.enabled = true, .mount_found = true, .is_root = true, .fstype = "ext4",
		.block_ro = false, .fstab = 1, .fstab_ro = false, .cmdline_rw = 0,
		.fsck_done = true,
	};
}

struct row {
	const char *what;
	void (*change)(struct remount_facts *f);
	enum remount_reason reason;
};

static void c_none(struct remount_facts *f) { (void)f; }
static void c_off(struct remount_facts *f) { f->enabled = false; }
static void c_nomount(struct remount_facts *f) { f->mount_found = false; }
static void c_notroot(struct remount_facts *f) { f->is_root = false; }
static void c_xfs(struct remount_facts *f) { f->fstype = "xfs"; }
static void c_btrfs(struct remount_facts *f) { f->fstype = "btrfs"; }
static void c_ext2(struct remount_facts *f) { f->fstype = "ext2"; }
static void c_vfat(struct remount_facts *f) { f->fstype = "vfat"; }
static void c_squashfs(struct remount_facts *f) { f->fstype = "squashfs"; }
static void c_overlay(struct remount_facts *f) { f->fstype = "overlay"; }
static void c_nfs(struct remount_facts *f) { f->fstype = "nfs4"; }
static void c_verity(struct remount_facts *f) { f->block_ro = true; }
static void c_fstab_ro(struct remount_facts *f) { f->fstab_ro = true; }
static void c_noentry_ro(struct remount_facts *f) { f->fstab = 0; f->cmdline_rw = 0; }
static void c_noentry_none(struct remount_facts *f) { f->fstab = 0; f->cmdline_rw = -2; }
static void c_noentry_rw(struct remount_facts *f) { f->fstab = 0; f->cmdline_rw = 1; }
static void c_nofstab_file(struct remount_facts *f) { f->fstab = -2; f->cmdline_rw = 0; }
static void c_nofsck(struct remount_facts *f) { f->fsck_done = false; }
static void c_ro_and_nofsck(struct remount_facts *f) { f->fstab_ro = true; f->fsck_done = false; }

static const struct row rows[] = {
	{ "ext4 root, fstab rw, checked", c_none, REMOUNT_OK },
	{ "xfs", c_xfs, REMOUNT_OK },
	{ "btrfs", c_btrfs, REMOUNT_OK },
	{ "seed_remount = no", c_off, REMOUNT_R_DISABLED },
	{ "mount unknown", c_nomount, REMOUNT_R_NO_MOUNT },
	{ "not the root", c_notroot, REMOUNT_R_NOT_ROOT },
	{ "ext2: no journal", c_ext2, REMOUNT_R_FS_TYPE },
	{ "vfat", c_vfat, REMOUNT_R_FS_TYPE },
	{ "squashfs", c_squashfs, REMOUNT_R_FS_TYPE },
	{ "overlay", c_overlay, REMOUNT_R_FS_TYPE },
	{ "nfs4", c_nfs, REMOUNT_R_FS_TYPE },
	{ "read-only or dm-verity device", c_verity, REMOUNT_R_BLOCK_RO },
	{ "fstab says ro", c_fstab_ro, REMOUNT_R_FSTAB_RO },
	{ "no fstab entry, ro on the command line", c_noentry_ro, REMOUNT_R_NO_FSTAB_RO },
	{ "no fstab entry, neither ro nor rw", c_noentry_none, REMOUNT_R_NO_FSTAB_RO },
	{ "no fstab entry, rw on the command line", c_noentry_rw, REMOUNT_OK },
	{ "no fstab at all, ro", c_nofstab_file, REMOUNT_R_NO_FSTAB_RO },
	{ "not checked by fsck", c_nofsck, REMOUNT_R_NO_FSCK },
	{ "fstab ro and unchecked: fstab named first", c_ro_and_nofsck, REMOUNT_R_FSTAB_RO },
};

static void test_decide_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct remount_facts f = good();
		rows[i].change(&f);
		enum remount_reason r = remount_decide(&f);
		if (r != rows[i].reason)
			fprintf(stderr, "  row '%s': got %d, want %d\n", rows[i].what, r,
				rows[i].reason);
		CHECK(r == rows[i].reason);
		CHECK(r == REMOUNT_OK || strlen(remount_reason_str(r)) > 10);
	}
}

static char base[64];

static void put(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int fstab_says(const char *fstab, bool *ro)
{
	put("root/etc/fstab", fstab);
	*ro = false;
	return fs_fstab_entry("/", ro);
}

static void test_fstab(void)
{
	char cmd[160];
	bool ro;

	strcpy(base, "/tmp/bootseed-remount-XXXXXX");
	CHECK(mkdtemp(base) != NULL);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/root/etc %s/k/proc", base, base);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/root", base);
	paths_init(cmd);

	CHECK(fs_fstab_entry("/", &ro) == -ENOENT); /* no fstab */
	CHECK(fstab_says("UUID=1 / ext4 defaults 0 1\n", &ro) == 1 && !ro);
	CHECK(fstab_says("UUID=1 / ext4 errors=remount-ro 0 1\n", &ro) == 1 && !ro);
	CHECK(fstab_says("UUID=1 / ext4 ro,noatime 0 1\n", &ro) == 1 && ro);
	CHECK(fstab_says("UUID=1 / ext4 noatime,ro 0 1\n", &ro) == 1 && ro);
	CHECK(fstab_says("/dev/sda1\t/\text4\trw\n", &ro) == 1 && !ro);
	CHECK(fstab_says("/dev/sda1 / ext4\n", &ro) == 1 && !ro); /* no options: defaults */
	CHECK(fstab_says("# / ro\nUUID=1 /var ext4 ro 0 2\n", &ro) == 0);
	CHECK(fstab_says("UUID=1 //  ext4 ro 0 1\n", &ro) == 1 && ro); /* "//" is "/" */
	CHECK(fstab_says("UUID=1 / ext4 ro 0 1\nUUID=2 / ext4 rw 0 1\n", &ro) == 1 && !ro);
	CHECK(fstab_says("UUID=1 /srv/a\\040b ext4 ro 0 2\n", &ro) == 0);
	CHECK(fstab_says("UUID=1 / ext4 rox 0 1\n", &ro) == 1 && !ro); /* a word, not a prefix */

	/* The kernel command line: the last of ro and rw wins. */
	put("k/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda ro quiet\n");
	char k[128];
	snprintf(k, sizeof(k), "%s/k", base);
	setenv("BOOTSEED_TEST_KROOT", k, 1);
	snprintf(cmd, sizeof(cmd), "%s/root", base);
	paths_init(cmd);
	CHECK(fs_cmdline_rw() == 0);
	put("k/proc/cmdline", "ro root=/dev/sda rw\n");
	CHECK(fs_cmdline_rw() == 1);
	put("k/proc/cmdline", "root=/dev/sda rootflags=ro\n");
	CHECK(fs_cmdline_rw() == -ENOENT);
	CHECK(!fs_cmdline_has("fsck.mode=skip"));
	put("k/proc/cmdline", "root=/dev/sda fsck.mode=skip\n");
	CHECK(fs_cmdline_has("fsck.mode=skip"));

	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CHECK(system(cmd) == 0);
}

/* mountinfo: the longest mount point on the path, the later of two on one point. */
static void test_mountinfo(void)
{
	char cmd[200], k[128], dir[160];
	struct fs_mount m;

	strcpy(base, "/tmp/bootseed-remount-XXXXXX");
	CHECK(mkdtemp(base) != NULL);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/k/proc/self %s/sysroot/var/lib/bootseed", base,
		 base);
	CHECK(system(cmd) == 0);
	snprintf(k, sizeof(k), "%s/k", base);
	setenv("BOOTSEED_TEST_KROOT", k, 1);
	paths_init("/");
	char mi[1024];
	snprintf(mi, sizeof(mi),
		 "22 1 0:21 / / rw,relatime - rootfs rootfs rw\n"
		 "30 22 8:0 / %s/sysroot ro,nosuid,relatime shared:1 - ext4 /dev/sda ro\n"
		 "31 22 8:0 / %s/sysroot ro,noatime shared:1 master:2 - ext4 /dev/sda ro\n"
		 "32 22 0:40 / %s/sysroot/var\\040x rw - tmpfs tmpfs rw\n"
		 "garbage line\n",
		 base, base, base);
	put("k/proc/self/mountinfo", mi);
	snprintf(dir, sizeof(dir), "%s/sysroot/var/lib/bootseed", base);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(fs_mount_of(dfd, &m) == 0);
	snprintf(dir, sizeof(dir), "%s/sysroot", base);
	CHECK(strcmp(m.mount_point, dir) == 0);
	CHECK(strcmp(m.fstype, "ext4") == 0 && m.read_only);
	CHECK(m.major == 8 && m.minor == 0);
	CHECK(m.mount_flags & MS_NOATIME); /* the later line: noatime, not nosuid */
	CHECK(!(m.mount_flags & MS_NOSUID));
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	RUN(test_decide_table);
	RUN(test_fstab);
	RUN(test_mountinfo);
	return unit_done();
}
