// SPDX-License-Identifier: GPL-2.0-or-later
/* seedfile: seed directory, credit decision, consume and write the next seed. */
#include "seedfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "bind.h"
#include "bootseed.h"
#include "fileio.h"
#include "health.h"
#include "log.h"
#include "paths.h"
#include "pool.h"
#include "remount.h"
#include "testhook.h"

#define SEED_TMP	".seed.new"
#define SEED_TMP_LATE	".seed.new2"
#define SEED_LOCK_POLL_MS 10

#ifdef BOOTSEED_TEST_HOOKS
/* Two writes, so that a crash can land between them (a torn temp file). */
#define SEED_TEST_FIRST_WRITE(len) ((len) / 2)
#else
#define SEED_TEST_FIRST_WRITE(len) (len)
#endif

static const char *const seed_reasons[] = {
	[SEED_CREDITED] = "",
	[SEED_R_NO_CREDIT_FILE] = "a seed.no-credit file was drawn before the crng was ready",
	[SEED_R_DISABLED] = "seed_credit = no in the configuration",
	[SEED_R_FIRST_BOOT] = "first boot (machine-id missing, empty or uninitialized): a seed "
			      "in a fresh image may be a copy from a golden image",
	[SEED_R_NOT_REGULAR] = "not a regular file",
	[SEED_R_NOT_ROOT] = "not owned by root: someone else may know its contents",
	[SEED_R_NOT_PRIVATE] = "readable or writable by group or others: its contents may be known",
	[SEED_R_LINKS] = "has more than one hard link: another name may hold a copy",
	[SEED_R_DIR_NOT_PRIVATE] = "the seed directory is not root's or is open to group or "
				   "others: the file may have been planted or read",
	[SEED_R_EMPTY] = "empty: nothing to credit",
	[SEED_R_TRUNCATED] = "shorter than 32 bytes: truncated, not a seed bootseed wrote",
	[SEED_R_OVERSIZED] = "larger than 512 bytes: not a seed bootseed wrote",
	[SEED_R_OWN_OUTPUT] = "written earlier in this boot from the pool itself: crediting it "
			      "would count the same entropy twice",
	[SEED_R_READ_ONLY] = "the seed directory is read-only: mixed without credit and left for "
			     "the next stage to consume and credit",
	[SEED_R_NOT_CONSUMED] = "could not be durably removed, so crediting it could be replayed",
	[SEED_R_FS_VOLATILE] = "on a volatile file system (tmpfs, overlay): consuming it does not "
			       "outlive this boot, so the next boot would find and credit it again",
	[SEED_R_FS_NETWORK] = "on a network or FUSE file system: a server or process decides "
			      "what it holds, and the seed crossed the network",
	[SEED_R_FS_NO_OWNERS] = "on a file system without POSIX owners (vfat, exfat, ntfs): its "
				"owner and mode come from mount options, not from who wrote it",
	[SEED_R_FS_READ_ONLY] = "on read-only media (squashfs, erofs, iso9660): every boot of it "
				"holds the same seed",
	[SEED_R_FS_UNKNOWN] = "on a file system bootseed does not know to be local and persistent",
	[SEED_R_STUCK] = "its bytes are all equal or repeat in a long run: a lost write or a "
			 "corrupted block, not a seed",
	[SEED_R_FORMAT] = "its header names a format this bootseed does not know",
	[SEED_R_OTHER_MACHINE] = "written under another machine-id: a copied disk or a clone",
	[SEED_R_NO_MACHINE] = "written while the machine had no machine-id (a first boot or an "
			      "image build), so not this machine's own",
	[SEED_R_UNBOUND] = "tpm_bind = require, and no TPM binding",
	[SEED_R_OTHER_TPM] = "written under another TPM key: a cleared TPM or a copied disk",
	[SEED_R_COUNTER_UNKNOWN] = "no TPM counter value this boot: a rollback cannot be ruled out",
	[SEED_R_COUNTER_NONE] = "the seed records no TPM counter value",
	[SEED_R_COUNTER_STALE] = "the TPM counter is not one past the seed's", /* + numbers */
	[SEED_R_COUNTER_USED] = "already credited at this TPM counter value this boot",
	[SEED_R_COUNTER_MARK] = "cannot mark the TPM counter value used: a later stage could "
				"credit it again",
};

const char *seed_reason_str(enum seed_reason r)
{
	if ((size_t)r >= ELEMENTSOF(seed_reasons))
		return "unknown";
	return seed_reasons[r];
}

static enum seed_reason seed_fs_reason(enum fs_kind k)
{
	switch (k) {
	case FS_PERSISTENT:
		return SEED_CREDITED;
	case FS_VOLATILE:
		return SEED_R_FS_VOLATILE;
	case FS_NETWORK:
		return SEED_R_FS_NETWORK;
	case FS_NO_OWNERS:
		return SEED_R_FS_NO_OWNERS;
	case FS_READ_ONLY:
		return SEED_R_FS_READ_ONLY;
	case FS_UNKNOWN:
		break;
	}
	return SEED_R_FS_UNKNOWN;
}

/*
 * The credit decision. The first rule that fails names the reason; every rule
 * guards against an attack or an accident:
 * - the file's own properties: something else wrote it or can read it
 *   (planted or known seed), or it is not a whole seed we wrote;
 * - seed.no-credit: drawn from an uninitialized crng (seed rule 3);
 * - contents: all-equal or long runs are a lost write or a bad block;
 * - the file system: consuming a seed on tmpfs or an overlay does not last
 *   (replay at every boot), a network file system's server says what is in
 *   it, vfat has no owners, read-only media cannot consume;
 * - first boot: the file came with the image, so every clone has it (rule 2);
 * - another machine-id (or none) at write time: a copied disk or a clone
 *   whose machine-id was emptied (golden image);
 * - written this boot: it is the pool's own output (double count);
 * - tpm_bind = require without a binding: the operator's word that a copy of
 *   the disk must be worthless;
 * - another TPM key: a cleared TPM or a disk copied to another machine;
 * - with the counter: the seed must have been written in the boot just before
 *   this one (the counter one past its record): anything else is a rolled-back
 *   disk, a seed a crashed boot consumed already, or a copy; and only once per
 *   boot (the counter stays at its value all boot);
 * - without the counter, not durably consumed: a crash or a read-only root
 *   would let the same seed be credited again (replay, rule 1). With the
 *   counter, its increment was the durable consumption.
 */
unsigned seed_credit_decide(const struct seed_facts *f, enum seed_reason *ret_reason)
{
	enum seed_reason r = SEED_CREDITED;

	if (!f->regular)
		r = SEED_R_NOT_REGULAR;
	else if (!f->owner_root)
		r = SEED_R_NOT_ROOT;
	else if (!f->mode_private)
		r = SEED_R_NOT_PRIVATE;
	else if (!f->single_link)
		r = SEED_R_LINKS;
	else if (!f->dir_private)
		r = SEED_R_DIR_NOT_PRIVATE;
	else if (f->len == 0)
		r = SEED_R_EMPTY;
	else if (f->oversized)
		r = SEED_R_OVERSIZED;
	else if (f->bad_format)
		r = SEED_R_FORMAT;
	else if (f->len < SEED_MIN_LEN)
		r = SEED_R_TRUNCATED;
	else if (f->stuck)
		r = SEED_R_STUCK;
	else if (!f->creditable_name)
		r = SEED_R_NO_CREDIT_FILE;
	else if (!f->credit_enabled)
		r = SEED_R_DISABLED;
	else if (f->fs != FS_PERSISTENT)
		r = seed_fs_reason(f->fs);
	else if (f->first_boot)
		r = SEED_R_FIRST_BOOT;
	else if (f->machine == SEED_MACHINE_OTHER)
		r = SEED_R_OTHER_MACHINE;
	else if (f->machine == SEED_MACHINE_NONE)
		r = SEED_R_NO_MACHINE;
	else if (f->written_this_boot)
		r = SEED_R_OWN_OUTPUT;
	else if (f->bind_mode == BIND_REQUIRE && !f->bound)
		r = SEED_R_UNBOUND;
	else if (f->bound && f->other_tpm)
		r = SEED_R_OTHER_TPM;
	else if (f->counter_on && !f->counter_known)
		r = SEED_R_COUNTER_UNKNOWN;
	else if (f->counter_on && !f->seed_counter)
		r = SEED_R_COUNTER_NONE;
	else if (f->counter_on &&
		 (f->counter_seed == UINT64_MAX || f->counter_now != f->counter_seed + 1))
		r = SEED_R_COUNTER_STALE;
	else if (f->counter_on && f->counter_used)
		r = SEED_R_COUNTER_USED;
	else if (f->counter_on && f->counter_mark_failed)
		r = SEED_R_COUNTER_MARK;
	else if (!f->counter_on && f->consumed == SEED_CONSUME_READ_ONLY)
		r = SEED_R_READ_ONLY;
	else if (!f->counter_on && f->consumed != SEED_CONSUMED)
		r = SEED_R_NOT_CONSUMED;

	*ret_reason = r;
	if (r != SEED_CREDITED)
		return 0;
	return f->len * 8 < SEED_CREDIT_MAX_BITS ? (unsigned)f->len * 8 : SEED_CREDIT_MAX_BITS;
}

size_t seed_next_len(int poolsize_bits)
{
	if (poolsize_bits < 0)
		poolsize_bits = 256;
	size_t len = (size_t)poolsize_bits / 8;
	return len < SEED_MIN_LEN ? SEED_MIN_LEN : len > SEED_MAX_LEN ? SEED_MAX_LEN : len;
}

/* The mount ID of an open file (statx, 5.8+), or 0 when the kernel cannot say. */
static uint64_t seed_mnt_id(int fd)
{
#ifdef STATX_MNT_ID
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID))
		return stx.stx_mnt_id;
#else
	(void)fd;
#endif
	return 0;
}

/*
 * A file is a mount point when it lives on another mount than its directory:
 * another device, or (for a bind mount from the same file system) another
 * mount ID.
 */
static bool seed_is_mount_point(int dfd, int fd)
{
	struct stat d, f;

	if (fstat(dfd, &d) < 0 || fstat(fd, &f) < 0)
		return false;
	if (d.st_dev != f.st_dev)
		return true;
	uint64_t a = seed_mnt_id(dfd), b = seed_mnt_id(fd);
	return a && b && a != b;
}

int seed_machine_id(char *id, size_t size, bool *ret_transient)
{
	char last[16];

	*ret_transient = false;
	int dfd = root_open_parent("/etc/machine-id", last, sizeof(last));
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		close(dfd);
		return r;
	}
	*ret_transient = seed_is_mount_point(dfd, fd);
	ssize_t n = read_full(fd, id, size - 1);
	close(fd);
	close(dfd);
	if (n < 0)
		return (int)n;
	id[n] = '\0';
	id[strcspn(id, "\n")] = '\0';
	return 0;
}

/*
 * A first boot shows in /etc/machine-id only until systemd, in the real root,
 * mounts a transient ID over it (first boot, or an emptied file: the image
 * pipelines' way); systemd says so in /run/systemd/first-boot only for the
 * former, so a mounted machine-id counts as a first boot by itself. An earlier
 * bootseed stage that saw it leaves /run/bootseed/first-boot (when @remember),
 * so a later stage of the same boot still knows.
 */
bool seed_first_boot(bool remember)
{
	char id[64];
	bool transient;

	if (access(paths.first_boot_marker, F_OK) == 0 ||
	    access(paths.systemd_first_boot, F_OK) == 0)
		return true;
	if (seed_machine_id(id, sizeof(id), &transient) >= 0 && id[0] != '\0' &&
	    strcmp(id, "uninitialized") != 0 && !transient)
		return false;
	if (remember) {
		int fd = paths_run_open(paths.first_boot_marker, 0);
		if (fd < 0)
			log_warn("cannot create %s: %s; a later stage of this boot may not "
				 "know it is a first boot",
				 paths.first_boot_marker, strerror(-fd));
		else
			close(fd);
	}
	return true;
}

/*
 * The machine hash that binds a seed to this machine; false when there is no
 * machine-id to bind to (missing, empty, uninitialized, or transient).
 */
static bool seed_machine_hash(uint8_t out[SEED_MACHINE_HASH])
{
	static const char label[] = "bootseed machine-id v1";
	struct blake2s_state h;
	char id[64];
	bool transient;

	if (seed_machine_id(id, sizeof(id), &transient) < 0 || id[0] == '\0' ||
	    strcmp(id, "uninitialized") == 0 || transient)
		return false;
	blake2s_init(&h, SEED_MACHINE_HASH, NULL, 0);
	blake2s_update(&h, label, sizeof(label));
	blake2s_update(&h, id, strlen(id));
	blake2s_final(&h, out);
	return true;
}

struct seed_old {
	const char *name;
	bool present; /* a regular file was read */
	int error;    /* why it was not read: -ENOENT, -ELOOP, ... */
	uint8_t file[SEED_FILE_MAX];
	const uint8_t *data; /* the seed bytes in @file, after the header if any */
	uint8_t machine[SEED_MACHINE_HASH];
	uint8_t tpm_id[SEED_TPM_ID];
	uint8_t flags;
	bool has_header;
	struct seed_facts f;
};

static void seed_facts_from_stat(struct seed_facts *f, const struct stat *st)
{
	f->regular = S_ISREG(st->st_mode);
	f->owner_root = st->st_uid == 0;
	f->mode_private = (st->st_mode & 077) == 0;
	f->single_link = st->st_nlink == 1;
	f->oversized = st->st_size > SEED_FILE_MAX;
}

/*
 * Looks before opening (a device node or FIFO under a seed's name is never
 * opened) and opens with O_NOFOLLOW|O_NONBLOCK, then checks it is the same file.
 */
int seed_open(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st)
{
	struct stat pre, st;

	if (fstatat(dfd, name, &pre, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(pre.st_mode))
		return -ELOOP;
	if (!S_ISREG(pre.st_mode))
		return -EBADFD;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != pre.st_dev || st.st_ino != pre.st_ino ||
	    !S_ISREG(st.st_mode)) {
		close(fd);
		return -EAGAIN; /* swapped under us */
	}
	seed_facts_from_stat(f, &st);
	if (ret_st)
		*ret_st = st;
	return fd;
}


static const char *seed_open_error_str(int error)
{
	switch (error) {
	case -ELOOP:
		return "is a symlink: not followed";
	case -EBADFD:
		return "is not a regular file (directory, FIFO, device or socket): not opened";
	case -EAGAIN:
		return "was replaced while being opened";
	default:
		return strerror(-error);
	}
}

/* Splits a file into header and seed bytes; a file without the magic is all seed. */
static void seed_parse(struct seed_old *o, size_t n)
{
	o->data = o->file;
	o->f.len = n;
	if (n < SEED_HDR_LEN || memcmp(o->file, SEED_HDR_MAGIC, 8) != 0) {
		o->f.oversized |= n > SEED_MAX_LEN;
		o->f.len = n > SEED_MAX_LEN ? SEED_MAX_LEN : n;
		o->f.machine = SEED_MACHINE_UNBOUND;
		return;
	}
	o->has_header = true;
	o->f.bad_format = o->file[8] != SEED_HDR_VERSION;
	o->flags = o->file[9];
	memcpy(o->machine, o->file + 16, SEED_MACHINE_HASH);
	memcpy(o->tpm_id, o->file + 10, SEED_TPM_ID);
	o->f.seed_counter = o->flags & SEED_HDR_F_COUNTER;
	for (int i = 32; i < 40 && o->f.seed_counter; i++)
		o->f.counter_seed = o->f.counter_seed << 8 | o->file[i];
	o->data = o->file + SEED_HDR_LEN;
	o->f.len = n - SEED_HDR_LEN;
}

static void seed_read_old(int dfd, struct seed_old *o, struct stat *ret_st)
{
	int fd = seed_open(dfd, o->name, &o->f, ret_st);
	if (fd < 0) {
		o->error = fd;
		return;
	}
	ssize_t n = read_full(fd, o->file, sizeof(o->file));
	close(fd);
	if (n < 0) {
		o->error = (int)n;
		return;
	}
	seed_parse(o, (size_t)n);
	o->f.stuck = o->f.len >= SEED_MIN_LEN &&
		     health_check_stuck(o->data, o->f.len) != HEALTH_PASS;
	o->present = true;
}

/* The old seed's machine binding against this boot's machine hash (@have). */
static enum seed_machine seed_machine_of(const struct seed_old *o, bool have,
					 const uint8_t now[SEED_MACHINE_HASH])
{
	if (!o->has_header)
		return SEED_MACHINE_UNBOUND;
	if (!(o->flags & SEED_HDR_F_MACHINE))
		return SEED_MACHINE_NONE;
	if (!have || memcmp(o->machine, now, SEED_MACHINE_HASH) != 0)
		return SEED_MACHINE_OTHER;
	return SEED_MACHINE_SAME;
}

int seed_inspect(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st)
{
	struct seed_old o = { .name = name };
	uint8_t machine[SEED_MACHINE_HASH];
	const char *fs_name;

	seed_read_old(dfd, &o, ret_st);
	if (!o.present)
		return o.error;
	bool have = seed_machine_hash(machine);
	o.f.machine = seed_machine_of(&o, have, machine);
	if (fs_kind_of_fd(dfd, &o.f.fs, &fs_name) < 0)
		o.f.fs = FS_UNKNOWN;
	*f = o.f;
	explicit_bzero(&o, sizeof(o));
	return 0;
}

int seed_dir_open(const char *abs, bool create, bool *ret_private)
{
	char last[NAME_MAX + 1];
	struct stat st;

	int pfd = root_open_parent(abs, last, sizeof(last));
	if (pfd < 0)
		return pfd;
	int dfd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && create) {
		if (mkdirat(pfd, last, 0700) < 0 && errno != EEXIST) {
			int r = -errno;
			close(pfd);
			return r;
		}
		/* The new directory's name must reach the disk before a seed in it does. */
		(void)fsync(pfd);
		dfd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	int r = dfd < 0 ? -errno : 0;
	if (dfd < 0 && (errno == ENOTDIR || errno == ELOOP) &&
	    fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		r = -ELOOP; /* O_NOFOLLOW: a symlinked seed directory is not followed */
	close(pfd);
	if (r < 0)
		return r;
	if (fstat(dfd, &st) < 0) {
		r = -errno;
		close(dfd);
		return r;
	}
	/* Closed to group and others, as DESIGN.md says: 077, not only 022. */
	*ret_private = st.st_uid == 0 && (st.st_mode & 077) == 0;
	return dfd;
}

/* flock with a bound: another bootseed holding the lock must not hang the boot. */
int seed_dir_lock(int dfd, unsigned long timeout_ms)
{
	const struct timespec poll = { 0, SEED_LOCK_POLL_MS * 1000000L };
	uint64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (flock(dfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&poll, NULL);
	}
}

/* Temp file (0400) → write all → fsync → close; removed again on any failure. */
int seed_write_tmp(int dfd, const char *tmp, const uint8_t *data, size_t len)
{
	size_t first = SEED_TEST_FIRST_WRITE(len);

	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT && errno != EROFS)
		return -errno; /* a stale temp from a crash that we cannot clear */
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0)
		return -errno;
	test_point("tmp-open");
	int r = test_fault("write");
	if (r == 0)
		r = write_full(fd, data, first);
	if (r == 0 && first < len) {
		test_point("tmp-partial");
		r = write_full(fd, data + first, len - first);
	}
	if (r == 0) {
		test_point("tmp-written");
		r = test_fault("fsync-tmp");
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dfd, tmp, 0);
	else
		test_point("tmp-synced");
	return r;
}

/*
 * The next seed file: the header (bound to @machine, or to no machine when
 * NULL), then fresh bytes with the tail replaced by the hash of all seen
 * (seed rule 4). @file holds SEED_HDR_LEN + @len bytes.
 */
static int seed_make_next(struct mix *m, uint8_t *file, size_t len, const uint8_t *machine,
			  bool *ret_creditable)
{
	struct blake2s_state h = m->hash;
	uint64_t clocks[2] = { clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_BOOTTIME) };
	uint8_t *out = file + SEED_HDR_LEN;
	const struct bind_state *b = bind_get();

	memset(file, 0, SEED_HDR_LEN);
	memcpy(file, SEED_HDR_MAGIC, 8);
	file[8] = SEED_HDR_VERSION;
	if (machine) {
		file[9] = SEED_HDR_F_MACHINE;
		memcpy(file + 16, machine, SEED_MACHINE_HASH);
	}
	/* This boot's counter value and TPM key: the next boot checks both. */
	if (b->recorded && b->t.counter_ok) {
		file[9] |= SEED_HDR_F_COUNTER;
		for (int i = 0; i < 8; i++)
			file[32 + i] = (uint8_t)(b->t.counter >> (56 - 8 * i));
	}
	if (b->recorded && b->t.key_ok) {
		file[9] |= SEED_HDR_F_TPM;
		memcpy(file + 10, b->t.id, SEED_TPM_ID);
	}
	int r = pool_draw(out, len, ret_creditable);
	if (r < 0) {
		explicit_bzero(&h, sizeof(h));
		return r;
	}
	blake2s_update(&h, clocks, sizeof(clocks));
	blake2s_update(&h, out, len);
	blake2s_final(&h, out + len - BLAKE2S_HASH_SIZE);
	/* The next seed also feeds later hashes in this run. */
	mix_hash(m, out, len);
	return 0;
}

/*
 * The marker lists the seed directories (device and inode) that got a new seed
 * in this boot; /run survives the switch to the real root, and a directory keeps
 * its identity across mounts. A seed directory that an earlier stage did not
 * write (say, one inside the initramfs itself) is not affected.
 */
static void seed_mark_written(int dfd)
{
	struct stat st;
	char line[64];
	int r, fd = -1;

	if (fstat(dfd, &st) < 0)
		r = -errno;
	else
		r = fd = paths_run_open(paths.seed_written_marker, O_APPEND);
	if (fd >= 0) {
		int n = snprintf(line, sizeof(line), "%llu %llu\n",
				 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
		r = write_full(fd, line, (size_t)n);
		close(fd);
	}
	/* Without it, a later stage could credit the seed this boot just drew. */
	if (r < 0)
		log_warn("cannot record the new seed in %s: %s; a later stage of this boot "
			 "may credit it", paths.seed_written_marker, strerror(-r));
}

bool seed_written_this_boot(int dfd)
{
	char buf[4096], line[64];
	struct stat st;

	if (fstat(dfd, &st) < 0)
		return false;
	ssize_t n = read_small_file(AT_FDCWD, paths.seed_written_marker, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(line, sizeof(line), "%llu %llu\n", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	for (char *p = buf; (p = strstr(p, line)); p++)
		if (p == buf || p[-1] == '\n')
			return true;
	return false;
}

/* The reason as the log and the report say it, with its numbers and causes. */
static void seed_reason_text(const struct seed_old *o, enum seed_reason why, const char *fs_name,
			     char *reason, size_t size)
{
	const struct bind_state *b = bind_get();
	const char *bwhy = !b->recorded		? "the TPM was not read"
			   : why == SEED_R_UNBOUND ? b->t.key_why
						   : b->t.counter_why;

	if (why == SEED_R_NOT_CONSUMED)
		snprintf(reason, size, "%s (%s)", seed_reason_str(why),
			 strerror(-o->f.consume_error));
	else if (why >= SEED_R_FS_VOLATILE && why <= SEED_R_FS_UNKNOWN)
		snprintf(reason, size, "%s: %s", fs_name, seed_reason_str(why));
	else if (why == SEED_R_COUNTER_STALE)
		snprintf(reason, size,
			 "the TPM counter is at %llu, the seed was written at %llu: a rolled-back "
			 "disk or a consumed seed",
			 (unsigned long long)o->f.counter_now, (unsigned long long)o->f.counter_seed);
	else if (why == SEED_R_UNBOUND || why == SEED_R_COUNTER_UNKNOWN)
		snprintf(reason, size, "%s: %.100s", seed_reason_str(why), bwhy);
	else
		snprintf(reason, size, "%s", seed_reason_str(why));
}

/*
 * Feeds an old seed with its credit. With the counter, the counter value is
 * marked used before the credit (a later stage of this boot must not credit
 * the same seed again). With a binding key, the seed bytes are mixed without
 * credit and what is credited is their bound value, which only this TPM can
 * make (a copy of the disk is worthless).
 */
static void seed_feed_old(struct mix *m, struct seed_old *o, const char *fs_name)
{
	const struct bind_state *b = bind_get();
	enum seed_reason why;
	char reason[REPORT_REASON_MAX], detail[96];
	uint8_t v[BLAKE2S_HASH_SIZE];

	unsigned credit = seed_credit_decide(&o->f, &why);
	if (credit > 0 && o->f.counter_on && bind_mark_counter_used(o->f.counter_now) < 0) {
		o->f.counter_mark_failed = true;
		credit = seed_credit_decide(&o->f, &why);
	}
	seed_reason_text(o, why, fs_name, reason, sizeof(reason));
	snprintf(detail, sizeof(detail), "bind=%.80s counter=%lld",
		 o->f.bound			   ? "tpm"
		 : o->f.bind_mode == BIND_OFF	   ? "off"
		 : b->recorded && b->t.key_why[0] ? b->t.key_why
						   : "none",
		 o->f.counter_known ? (long long)o->f.counter_now : -1LL);
	if (credit == 0 || !o->f.bound) {
		mix_source(m, o->name, o->data, o->f.len, credit, "n/a", reason);
		mix_detail(m, detail);
		return;
	}
	/* Only seed.credit is ever credited. */
	mix_source(m, "seed.credit (raw)", o->data, o->f.len, 0, "n/a",
		   "its TPM-bound value is credited");
	bind_seed_value(b, o->data, o->f.len, v);
	mix_source(m, o->name, v, sizeof(v), credit, "n/a", reason);
	mix_detail(m, detail);
	explicit_bzero(v, sizeof(v));
}

static void seed_report_unreadable(struct mix *m, bool load, struct seed_old *o)
{
	if (o->error == -ENOENT)
		return;
	log_warn("%s: %s, ignoring", o->name, seed_open_error_str(o->error));
	if (load && m->run)
		report_add(m->run, o->name, 0, 0, "n/a", seed_open_error_str(o->error));
	m->exit_bits |= EXIT_SEED_READ;
}

static void seed_set_consumed(struct seed_old *o, int r)
{
	if (o->f.consumed != SEED_CONSUMED)
		return; /* the first failure names it */
	o->f.consumed = r == -EROFS ? SEED_CONSUME_READ_ONLY : SEED_CONSUME_FAILED;
	o->f.consume_error = r;
}

/*
 * Puts the durable temp file in place as @name, then removes every other old
 * seed, then one fsync of the directory makes both durable. The rename replaces
 * an old seed of the same name in one step, so a crash at any point leaves the
 * old seed or the complete new one under a seed name, never neither (nothing
 * lost), and an old seed counts as consumed only once this has all returned
 * (rule 1: a crash cannot bring back a seed that was credited).
 * Returns 0, or -errno with the old seeds' consume state set; *ret_renamed
 * tells whether the new seed took its name.
 */
static int seed_put_in_place(int dfd, const char *tmp, const char *name, struct seed_old *old,
			     size_t n_old, bool *ret_renamed)
{
	int r = test_fault("rename");

	*ret_renamed = false;
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		for (size_t i = 0; i < n_old; i++)
			seed_set_consumed(&old[i], r);
		return r;
	}
	*ret_renamed = true;
	test_point("renamed");
	int worst = 0;
	for (size_t i = 0; i < n_old; i++) {
		if (!old[i].present || strcmp(old[i].name, name) == 0)
			continue; /* replaced by the rename */
		r = test_fault("unlink");
		if (r == 0 && unlinkat(dfd, old[i].name, 0) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0) {
			worst = r;
			seed_set_consumed(&old[i], r);
		}
	}
	test_point("unlinked");
	r = test_fault("fsync-dir");
	if (r == 0 && fsync(dfd) < 0)
		r = -errno;
	if (r < 0) {
		for (size_t i = 0; i < n_old; i++)
			seed_set_consumed(&old[i], r);
		return r;
	}
	test_point("dir-synced");
	return worst;
}

static void seed_record_new(struct mix *m, const char *name, size_t len)
{
	if (m->run) {
		snprintf(m->run->new_seed, sizeof(m->run->new_seed), "%s", name);
		m->run->new_seed_bytes = len;
	}
	log_info("next seed: wrote %s (%zu bytes)", name, len);
}

/* What one run of the write sequence knows besides the old seeds. */
struct seed_ctx {
	struct mix *m;
	const struct config *cfg;
	int dfd;
	bool load;
	const uint8_t *machine; /* this machine's hash, NULL without a machine-id */
	const char *fs_name;
};

/*
 * Writes the next seed durably as a temp file and renames it over @name; the
 * "written this boot" marker goes first, so that no crash or kill (a unit's
 * timeout during a slow fsync) can leave a new seed that a later stage of this
 * boot takes for an old one.
 */
static int seed_write_next(struct seed_ctx *c, const char *tmp, size_t len, bool *ret_creditable,
			   struct seed_old *old, size_t n_old, bool *ret_renamed)
{
	uint8_t file[SEED_FILE_MAX];

	*ret_renamed = false;
	int r = seed_make_next(c->m, file, len, c->machine, ret_creditable);
	if (r >= 0)
		r = seed_write_tmp(c->dfd, tmp, file, SEED_HDR_LEN + len);
	explicit_bzero(file, sizeof(file));
	if (r < 0) {
		for (size_t i = 0; i < n_old; i++)
			seed_set_consumed(&old[i], r); /* not consumed: kept for later */
		return r;
	}
	seed_mark_written(c->dfd);
	const char *name = *ret_creditable ? SEED_NAME_CREDIT : SEED_NAME_NO_CREDIT;
	r = seed_put_in_place(c->dfd, tmp, name, old, n_old, ret_renamed);
	if (*ret_renamed)
		seed_record_new(c->m, name, len);
	return r;
}

/*
 * The next seed was drawn before the crng was ready, but the old seed has since
 * made it ready: draw again so that the next boot can credit it. If that fails,
 * the seed.no-credit already in place stays (nothing lost).
 */
static void seed_redraw_creditable(struct seed_ctx *c, size_t len)
{
	struct seed_old nc = { .name = SEED_NAME_NO_CREDIT, .present = true };
	bool late_ok = false, renamed = false;

	int r = seed_write_next(c, SEED_TMP_LATE, len, &late_ok, &nc, 1, &renamed);
	if (renamed && !late_ok)
		return; /* still not ready: the same seed.no-credit, redrawn */
	if (renamed && r < 0)
		log_warn("redrew the next seed as %s, but could not durably remove %s: %s, "
			 "ignoring", SEED_NAME_CREDIT, SEED_NAME_NO_CREDIT, strerror(-r));
	else if (r < 0)
		log_warn("could not redraw the next seed after the crng became ready (%s); "
			 "keeping it as %s, ignoring", strerror(-r), SEED_NAME_NO_CREDIT);
}

/*
 * The write sequence (rules 1 and 5): next seed in a temp file, fsynced; renamed
 * in place; the other old seed removed; directory fsynced; only then are the
 * old seeds fed, credited where the rules allow.
 */
static int seed_run_locked(struct seed_ctx *c, struct seed_old *old, size_t n_old)
{
	bool creditable = false, renamed = false;
	int bits = 0;

	size_t len = seed_next_len(pool_size_bits());
	int r = seed_write_next(c, SEED_TMP, len, &creditable, old, n_old, &renamed);
	if (r == -EROFS && c->load && !renamed) {
		log_info("%s: read-only, seeds left in place for the next stage",
			 c->cfg->seed_dir);
	} else if (r < 0 && !renamed) {
		log_err("cannot write the next seed in %s: %s; old seeds kept and not credited",
			c->cfg->seed_dir, strerror(-r));
		bits |= EXIT_SEED_WRITE;
	} else if (r < 0) {
		log_err("cannot durably remove the old seed in %s: %s; not credited",
			c->cfg->seed_dir, strerror(-r));
		bits |= EXIT_SEED_CONSUME;
	}
	for (size_t i = 0; i < n_old; i++)
		if (c->load && old[i].present)
			seed_feed_old(c->m, &old[i], c->fs_name);
	test_point("credited");
	if (renamed && !creditable && pool_crng_ready() == 1)
		seed_redraw_creditable(c, len);
	return bits;
}

/* What this boot's TPM binding and counter say about the old seed @s. */
static void seed_bind_facts(const struct config *cfg, struct seed_old *s)
{
	const struct bind_state *b = bind_get();
	struct seed_facts *f = &s->f;

	f->bind_mode = cfg->tpm_bind;
	f->bound = cfg->tpm_bind != BIND_OFF && b->recorded && b->t.key_ok;
	f->other_tpm = f->bound && (s->flags & SEED_HDR_F_TPM) &&
		       memcmp(s->tpm_id, b->t.id, SEED_TPM_ID) != 0;
	f->counter_on = cfg->tpm_counter;
	f->counter_known = b->recorded && b->t.counter_ok;
	f->counter_now = f->counter_known ? b->t.counter : 0;
	f->counter_used = f->counter_on && f->counter_known && bind_counter_used(f->counter_now);
}

/* Reads the old seeds and the facts the credit decision needs about them. */
static void seed_read_all(struct seed_ctx *c, struct seed_old *old, size_t n_old,
			  const struct seed_run_opts *o, bool dir_private, enum fs_kind fs)
{
	bool written = seed_written_this_boot(c->dfd);

	for (size_t i = 0; i < n_old; i++) {
		struct seed_old *s = &old[i];
		seed_read_old(c->dfd, s, NULL);
		if (!s->present) {
			seed_report_unreadable(c->m, o->load, s);
			continue;
		}
		s->f.creditable_name = strcmp(s->name, SEED_NAME_CREDIT) == 0;
		s->f.credit_enabled = c->cfg->seed_credit;
		s->f.first_boot = o->first_boot;
		s->f.dir_private = dir_private;
		s->f.fs = fs;
		s->f.machine = seed_machine_of(s, c->machine != NULL, c->machine);
		s->f.written_this_boot = written;
		seed_bind_facts(c->cfg, s);
		/* Hashed before the next seed is drawn, so it carries this seed on. */
		mix_hash(c->m, s->data, s->f.len);
	}
}

/*
 * Would consuming make a difference to the credit? Only then is a read-only
 * root worth its read-write window: a first boot's or a foreign seed is mixed
 * the same either way, and the real root writes the next seed.
 */
static bool seed_worth_consuming(const struct seed_old *old, size_t n_old)
{
	enum seed_reason why;

	for (size_t i = 0; i < n_old; i++) {
		struct seed_facts f = old[i].f, ro = old[i].f;
		f.consumed = SEED_CONSUMED;
		ro.consumed = SEED_CONSUME_READ_ONLY;
		/* With the TPM counter, its increment consumed the seed already. */
		if (old[i].present && seed_credit_decide(&f, &why) > seed_credit_decide(&ro, &why))
			return true;
	}
	return false;
}

int seed_run(struct mix *m, const struct config *cfg, const struct seed_run_opts *o)
{
	struct seed_old old[2] = { { .name = SEED_NAME_CREDIT }, { .name = SEED_NAME_NO_CREDIT } };
	uint8_t machine[SEED_MACHINE_HASH];
	char dir[PATH_MAX];
	bool dir_private = false;
	enum fs_kind fs = FS_UNKNOWN;
	const char *fs_name = "?";
	int bits = 0;

	if (path_under_root(dir, sizeof(dir), cfg->seed_dir) < 0) {
		log_err("seed directory path too long, ignoring");
		return o->load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	int dfd = seed_dir_open(cfg->seed_dir, true, &dir_private);
	if (dfd < 0) {
		if (o->load && (dfd == -ENOENT || dfd == -EROFS)) {
			log_info("%s: no seed directory (%s), no seed to load", dir,
				 strerror(-dfd));
			return 0;
		}
		log_err("%s: cannot open seed directory: %s", dir,
			dfd == -ELOOP ? "is a symlink: not followed" : strerror(-dfd));
		return o->load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	int r = seed_dir_lock(dfd, cfg->lock_timeout_ms);
	if (r < 0) {
		log_err("%s: cannot lock seed directory within %lu ms: %s; seeds not touched",
			dir, cfg->lock_timeout_ms, strerror(-r));
		close(dfd);
		return o->load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	test_point("locked");
	if (!dir_private)
		log_warn("%s: not a root-owned directory closed to group and others; no "
			 "seed in it will be credited", dir);
	if (fs_kind_of_fd(dfd, &fs, &fs_name) < 0)
		fs = FS_UNKNOWN;

	struct seed_ctx c = {
		.m = m, .cfg = cfg, .dfd = dfd, .load = o->load, .fs_name = fs_name,
		.machine = seed_machine_hash(machine) ? machine : NULL,
	};
	seed_read_all(&c, old, ELEMENTSOF(old), o, dir_private, fs);
	struct remount rm;
	bool remounted = o->load && o->may_remount && seed_worth_consuming(old, ELEMENTSOF(old)) &&
			 remount_rw_for_seed(&rm, dfd, cfg, m->run);
	if (remounted)
		test_point("remounted");
	bits |= seed_run_locked(&c, old, ELEMENTSOF(old));
	if (remounted)
		remount_restore(&rm, m->run);
	close(dfd); /* releases the lock */
	explicit_bzero(old, sizeof(old));
	explicit_bzero(machine, sizeof(machine));
	return bits;
}

/* Other tools' seeds: mixed without credit and never consumed (not ours). */
void seed_mix_foreign(struct mix *m)
{
	static const char *const names[] = { "seed.credit", "seed.no-credit" };
	struct seed_facts f;
	uint8_t buf[SEED_MAX_LEN];
	char path[PATH_MAX + 32];

	for (size_t i = 0; i <= ELEMENTSOF(names); i++) {
		const char *label = i == 0 ? "systemd random-seed" : names[i - 1];
		if (i == 0)
			snprintf(path, sizeof(path), "%s", paths.systemd_seed);
		else
			snprintf(path, sizeof(path), "%s/%s", paths.seedrng_dir, names[i - 1]);
		int fd = seed_open(AT_FDCWD, path, &f, NULL);
		if (fd < 0) {
			if (fd != -ENOENT)
				log_debug("%s: %s, not mixed", path, seed_open_error_str(fd));
			continue;
		}
		ssize_t n = read_full(fd, buf, sizeof(buf));
		close(fd);
		if (n <= 0)
			continue;
		char name[40];
		snprintf(name, sizeof(name), "%s%s", i == 0 ? "" : "seedrng ", label);
		/*
		 * Not ours to consume, so never ours to credit: only a removal
		 * made durable before the credit stops a replay. systemd 252..257
		 * credit their own only with $SYSTEMD_RANDOM_SEED_CREDIT set.
		 */
		mix_source(m, name, buf, (size_t)n, 0, "n/a",
			   i == 0 ? "systemd's seed: bootseed does not consume it, so crediting it "
				    "could replay it (systemd-random-seed credits it only with "
				    "SYSTEMD_RANDOM_SEED_CREDIT set)"
				  : "seedrng's seed: seedrng consumes and credits it; bootseed only "
				    "mixes it (a double count otherwise)");
	}
	explicit_bzero(buf, sizeof(buf));
}
