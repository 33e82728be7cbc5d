// SPDX-License-Identifier: GPL-2.0-or-later
/* fsinfo: file system kinds, the mount that holds a directory, fstab entries. */
#include "fsinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "paths.h"

/* Magic numbers from <linux/magic.h> and the file systems' own sources. */
static const struct {
	unsigned long magic;
	const char *name;
	enum fs_kind kind;
} fs_table[] = {
	{ 0xEF53, "ext4", FS_PERSISTENT }, /* ext2, ext3 and ext4 share it */
	{ 0x58465342, "xfs", FS_PERSISTENT },
	{ 0x9123683E, "btrfs", FS_PERSISTENT },
	{ 0xF2F52010, "f2fs", FS_PERSISTENT },
	{ 0x3153464a, "jfs", FS_PERSISTENT },
	{ 0x52654973, "reiserfs", FS_PERSISTENT },
	{ 0xca451a4e, "bcachefs", FS_PERSISTENT },
	{ 0x2fc12fc1, "zfs", FS_PERSISTENT },
	{ 0x3434, "nilfs2", FS_PERSISTENT },
	{ 0x01021994, "tmpfs", FS_VOLATILE },
	{ 0x858458f6, "ramfs", FS_VOLATILE },
	{ 0x794c7630, "overlay", FS_VOLATILE },
	{ 0x61756673, "aufs", FS_VOLATILE },
	{ 0x6969, "nfs", FS_NETWORK },
	{ 0xFF534D42, "cifs", FS_NETWORK },
	{ 0xFE534D42, "smb2", FS_NETWORK },
	{ 0x01021997, "9p", FS_NETWORK },
	{ 0x65735546, "fuse", FS_NETWORK }, /* also virtiofs: a process decides */
	{ 0x00c36400, "ceph", FS_NETWORK },
	{ 0x5346414F, "afs", FS_NETWORK },
	{ 0x7461636f, "ocfs2", FS_NETWORK },
	{ 0x01161970, "gfs2", FS_NETWORK },
	{ 0x4d44, "vfat", FS_NO_OWNERS },
	{ 0x2011BAB0, "exfat", FS_NO_OWNERS },
	{ 0x7366746e, "ntfs3", FS_NO_OWNERS },
	{ 0x5346544e, "ntfs", FS_NO_OWNERS },
	{ 0x482b, "hfsplus", FS_NO_OWNERS },
	{ 0x73717368, "squashfs", FS_READ_ONLY },
	{ 0xE0F5E1E2, "erofs", FS_READ_ONLY },
	{ 0x9660, "iso9660", FS_READ_ONLY },
	{ 0x28cd3d45, "cramfs", FS_READ_ONLY },
	{ 0x7275, "romfs", FS_READ_ONLY },
};

enum fs_kind fs_kind_of(unsigned long magic, const char **ret_name)
{
	magic &= 0xffffffffUL; /* f_type is signed on some ABIs */
	for (size_t i = 0; i < ELEMENTSOF(fs_table); i++)
		if (fs_table[i].magic == magic) {
			*ret_name = fs_table[i].name;
			return fs_table[i].kind;
		}
	*ret_name = "?";
	return FS_UNKNOWN;
}

#ifdef BOOTSEED_TEST_HOOKS
/* BOOTSEED_TEST_FS_MAGIC=0x...: the seed directory's file system, as statfs says. */
static bool fs_test_magic(unsigned long *ret)
{
	const char *v = getenv("BOOTSEED_TEST_FS_MAGIC");
	if (!v || !*v)
		return false;
	*ret = strtoul(v, NULL, 0);
	return true;
}
#else
static bool fs_test_magic(unsigned long *ret)
{
	(void)ret;
	return false;
}
#endif

int fs_kind_of_fd(int fd, enum fs_kind *ret_kind, const char **ret_name)
{
	struct statfs sf;
	unsigned long magic;

	if (!fs_test_magic(&magic)) {
		if (fstatfs(fd, &sf) < 0)
			return -errno;
		magic = (unsigned long)sf.f_type;
	}
	*ret_kind = fs_kind_of(magic, ret_name);
	return 0;
}

/* mountinfo and fstab escape blanks and backslashes as \ooo. */
static void fs_unescape(const char *in, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < size; i++) {
		if (in[i] == '\\' && i + 3 < len && in[i + 1] >= '0' && in[i + 1] <= '3' &&
		    in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
			out[n++] = (char)((in[i + 1] - '0') << 6 | (in[i + 2] - '0') << 3 |
					  (in[i + 3] - '0'));
			i += 3;
		} else {
			out[n++] = in[i];
		}
	}
	out[n] = '\0';
}

/* The next blank-separated field of *p, unescaped into @out; false at the end. */
static bool fs_field(const char **p, char *out, size_t size)
{
	const char *s = *p + strspn(*p, " \t");
	size_t len = strcspn(s, " \t\n");
	if (len == 0)
		return false;
	fs_unescape(s, len, out, size);
	*p = s + len;
	return true;
}

/* Is @opt one of the comma-separated words of @opts? */
static bool fs_has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts;; p++) {
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (!p)
			return false;
	}
}

static unsigned long fs_mount_flags(const char *opts)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} flags[] = {
		{ "nosuid", MS_NOSUID },     { "nodev", MS_NODEV },
		{ "noexec", MS_NOEXEC },     { "noatime", MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
		{ "strictatime", MS_STRICTATIME },
	};
	unsigned long f = 0;

	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		if (fs_has_option(opts, flags[i].name))
			f |= flags[i].flag;
	return f;
}

/* "major:minor" (no sscanf: it would bring musl's float parser into the binary). */
static bool fs_parse_dev(const char *s, struct fs_mount *m)
{
	char *end;
	unsigned long maj = strtoul(s, &end, 10);
	if (end == s || *end != ':')
		return false;
	const char *p = end + 1;
	unsigned long min = strtoul(p, &end, 10);
	if (end == p || *end != '\0')
		return false;
	m->major = (unsigned)maj;
	m->minor = (unsigned)min;
	return true;
}

/* Parses one mountinfo line; false when it is malformed. */
static bool fs_parse_mountinfo(const char *line, struct fs_mount *m)
{
	char field[256], opts[256];
	const char *p = line;

	memset(m, 0, sizeof(*m));
	if (!fs_field(&p, field, sizeof(field)) || !fs_field(&p, field, sizeof(field)) ||
	    !fs_field(&p, field, sizeof(field)) || !fs_parse_dev(field, m) ||
	    !fs_field(&p, field, sizeof(field)) ||
	    !fs_field(&p, m->mount_point, sizeof(m->mount_point)) ||
	    !fs_field(&p, opts, sizeof(opts)))
		return false;
	m->read_only = fs_has_option(opts, "ro");
	m->mount_flags = fs_mount_flags(opts);
	/* Optional fields up to the lone "-". */
	do {
		if (!fs_field(&p, field, sizeof(field)))
			return false;
	} while (strcmp(field, "-") != 0);
	return fs_field(&p, m->fstype, sizeof(m->fstype)) &&
	       fs_field(&p, m->source, sizeof(m->source));
}

/* Is @mp "/" or a directory prefix of @path? */
static size_t fs_prefix_len(const char *mp, const char *path)
{
	size_t n = strlen(mp);
	if (strcmp(mp, "/") == 0)
		return 1;
	if (strncmp(mp, path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return n;
	return 0;
}

int fs_mount_of(int dfd, struct fs_mount *ret)
{
	char buf[64 * 1024], real[PATH_MAX], link[64];
	size_t best = 0;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dfd);
	ssize_t rl = readlink(link, real, sizeof(real) - 1);
	if (rl <= 0)
		return rl < 0 ? -errno : -ENOENT;
	real[rl] = '\0';
	ssize_t n = read_small_file(AT_FDCWD, paths.mountinfo, buf, sizeof(buf) - 1);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	/*
	 * The longest mount point on the path holds it; of two on the same
	 * point, the later line (mounted over the earlier).
	 */
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct fs_mount m;
		if (!fs_parse_mountinfo(line, &m))
			continue;
		size_t len = fs_prefix_len(m.mount_point, real);
		if (len > 0 && len >= best) {
			best = len;
			*ret = m;
		}
	}
	return best > 0 ? 0 : -ENOENT;
}

int fs_fstab_entry(const char *mount_point, bool *ret_ro)
{
	char buf[64 * 1024], spec[256], file[256], type[64], opts[512], norm[256];
	int fd = root_open("/etc/fstab", O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	ssize_t n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	int found = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *p = line;
		line[strcspn(line, "#")] = '\0';
		if (!fs_field(&p, spec, sizeof(spec)) || !fs_field(&p, file, sizeof(file)) ||
		    !fs_field(&p, type, sizeof(type)))
			continue;
		if (!fs_field(&p, opts, sizeof(opts)))
			strcpy(opts, "defaults");
		if (path_normalize(file, norm, sizeof(norm)) < 0 || strcmp(norm, mount_point) != 0)
			continue;
		/* Like mount(8), the last entry for a mount point wins. */
		*ret_ro = fs_has_option(opts, "ro");
		found = 1;
	}
	return found;
}

/* Calls @fn on each word of the kernel command line until it returns true. */
static bool fs_cmdline_any(bool (*fn)(const char *word, void *ctx), void *ctx)
{
	char buf[4096], word[64];
	ssize_t n = read_small_file(AT_FDCWD, paths.cmdline, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	for (const char *p = buf; fs_field(&p, word, sizeof(word));)
		if (fn(word, ctx))
			return true;
	return false;
}

static bool fs_word_rw(const char *word, void *ctx)
{
	if (strcmp(word, "rw") == 0 || strcmp(word, "ro") == 0)
		*(int *)ctx = word[1] == 'w';
	return false; /* the last one wins: read them all */
}

int fs_cmdline_rw(void)
{
	int rw = -ENOENT;
	fs_cmdline_any(fs_word_rw, &rw);
	return rw;
}

static bool fs_word_is(const char *word, void *ctx)
{
	return strcmp(word, ctx) == 0;
}

bool fs_cmdline_has(const char *word)
{
	return fs_cmdline_any(fs_word_is, (void *)word);
}

bool fs_block_read_only(unsigned major, unsigned minor)
{
	char path[PATH_MAX + 64], v[64];

	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/ro", paths.sysfs, major, minor);
	if (read_line_file(path, v, sizeof(v)) == 0 && strcmp(v, "1") == 0)
		return true;
	/* dm-verity: veritysetup and systemd-veritysetup name their targets so. */
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/dm/uuid", paths.sysfs, major, minor);
	return read_line_file(path, v, sizeof(v)) == 0 && strncmp(v, "CRYPT-VERITY", 12) == 0;
}
