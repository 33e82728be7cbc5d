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

#include "bootseed.h"
#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "pool.h"

#define SEED_TMP	".seed.new"
#define SEED_TMP_LATE	".seed.new2"
#define SEED_LOCK_POLL_MS 10

#ifdef BOOTSEED_TEST_HOOKS
/*
 * Test hooks (the test build only), for the fault suite (tests/fault/):
 *   BOOTSEED_TEST_CRASH_AT=STEP      raise(SIGKILL) at STEP (a crash there)
 *   BOOTSEED_TEST_PAUSE_AT=STEP[:MS] say "bootseed-test: paused at STEP" on
 *                                    stderr and sleep MS (default 60000) ms
 *   BOOTSEED_TEST_FAIL_AT=OP:ERRNO   the operation OP fails with ERRNO (EIO,
 *                                    ENOSPC, EROFS, EDQUOT or a number)
 * STEPs, in order: locked, tmp-open, tmp-partial, tmp-written, tmp-synced,
 * renamed, unlinked, dir-synced, credited. OPs: write, fsync-tmp, rename,
 * unlink, fsync-dir.
 */
static bool seed_test_env_is(const char *var, const char *step, const char **ret_arg)
{
	const char *v = getenv(var);
	size_t n = strlen(step);

	if (!v || strncmp(v, step, n) != 0 || (v[n] != '\0' && v[n] != ':'))
		return false;
	*ret_arg = v[n] == ':' ? v + n + 1 : NULL;
	return true;
}

static void seed_test_point(const char *step)
{
	const char *arg;

	if (seed_test_env_is("BOOTSEED_TEST_CRASH_AT", step, &arg))
		raise(SIGKILL);
	static bool paused; /* once: the redraw passes the same steps again */
	if (!paused && seed_test_env_is("BOOTSEED_TEST_PAUSE_AT", step, &arg)) {
		paused = true;
		unsigned long ms = arg ? strtoul(arg, NULL, 10) : 60000;
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
		fprintf(stderr, "bootseed-test: paused at %s\n", step);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		fprintf(stderr, "bootseed-test: resumed at %s\n", step);
	}
}

static int seed_test_fault(const char *op)
{
	static const struct {
		const char *name;
		int error;
	} names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT },
	};
	const char *arg;

	if (!seed_test_env_is("BOOTSEED_TEST_FAIL_AT", op, &arg))
		return 0;
	for (size_t i = 0; arg && i < ELEMENTSOF(names); i++)
		if (strcmp(arg, names[i].name) == 0)
			return -names[i].error;
	return arg && atoi(arg) > 0 ? -atoi(arg) : -EIO;
}
/* Two writes, so that a crash can land between them (a torn temp file). */
#define SEED_TEST_FIRST_WRITE(len) ((len) / 2)
#else
static inline void seed_test_point(const char *step)
{
	(void)step;
}

static inline int seed_test_fault(const char *op)
{
	(void)op;
	return 0;
}
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
	[SEED_R_DIR_NOT_PRIVATE] = "the seed directory is writable by group or others: the file "
				   "may have been planted",
	[SEED_R_EMPTY] = "empty: nothing to credit",
	[SEED_R_TRUNCATED] = "shorter than 32 bytes: truncated, not a seed bootseed wrote",
	[SEED_R_OVERSIZED] = "larger than 512 bytes: not a seed bootseed wrote",
	[SEED_R_OWN_OUTPUT] = "written earlier in this boot from the pool itself: crediting it "
			      "would count the same entropy twice",
	[SEED_R_READ_ONLY] = "the seed directory is read-only: mixed without credit and left for "
			     "the next stage to consume and credit",
	[SEED_R_NOT_CONSUMED] = "could not be durably removed, so crediting it could be replayed",
};

const char *seed_reason_str(enum seed_reason r)
{
	if ((size_t)r >= ELEMENTSOF(seed_reasons))
		return "unknown";
	return seed_reasons[r];
}

/*
 * The credit decision. The first rule that fails names the reason; every rule
 * guards against an attack or an accident:
 * - the file's own properties: something else wrote it or can read it
 *   (planted or known seed), or it is not a whole seed we wrote;
 * - seed.no-credit: drawn from an uninitialized crng (seed rule 3);
 * - first boot: the file came with the image, so every clone has it (rule 2);
 * - written this boot: it is the pool's own output (double count);
 * - not durably consumed: a crash or a read-only root would let the same seed
 *   be credited again (replay, rule 1).
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
	else if (f->len < SEED_MIN_LEN)
		r = SEED_R_TRUNCATED;
	else if (!f->creditable_name)
		r = SEED_R_NO_CREDIT_FILE;
	else if (!f->credit_enabled)
		r = SEED_R_DISABLED;
	else if (f->first_boot)
		r = SEED_R_FIRST_BOOT;
	else if (f->written_this_boot)
		r = SEED_R_OWN_OUTPUT;
	else if (f->consume_error == -EROFS)
		r = SEED_R_READ_ONLY;
	else if (f->consume_error != 0)
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

/*
 * A first boot shows in /etc/machine-id only until systemd, in the real root,
 * mounts a transient ID over it; systemd then says so in /run/systemd/first-boot.
 * An earlier bootseed stage that saw it leaves /run/bootseed/first-boot (when
 * @remember), so a later stage of the same boot still knows.
 */
bool seed_first_boot(const char *machine_id_path, bool remember)
{
	char id[64];

	if (access(paths.first_boot_marker, F_OK) == 0 ||
	    access(paths.systemd_first_boot, F_OK) == 0)
		return true;
	if (read_line_file(machine_id_path, id, sizeof(id)) >= 0 && id[0] != '\0' &&
	    strcmp(id, "uninitialized") != 0)
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

struct seed_old {
	const char *name;
	bool present; /* a regular file was read */
	int error;    /* why it was not read: -ENOENT, -ELOOP, ... */
	uint8_t data[SEED_MAX_LEN];
	struct seed_facts f;
};

static void seed_facts_from_stat(struct seed_facts *f, const struct stat *st)
{
	f->regular = S_ISREG(st->st_mode);
	f->owner_root = st->st_uid == 0;
	f->mode_private = (st->st_mode & 077) == 0;
	f->single_link = st->st_nlink == 1;
	f->oversized = st->st_size > SEED_MAX_LEN;
}

/*
 * Looks before opening (a device node or FIFO under a seed's name is never
 * opened) and opens with O_NOFOLLOW|O_NONBLOCK, then checks it is the same file.
 */
static int seed_open(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st)
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

int seed_inspect(int dfd, const char *name, struct seed_facts *f, struct stat *ret_st)
{
	int fd = seed_open(dfd, name, f, ret_st);
	if (fd < 0)
		return fd;
	f->len = ret_st ? (size_t)ret_st->st_size : 0;
	close(fd);
	return 0;
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

static void seed_read_old(int dfd, struct seed_old *o)
{
	int fd = seed_open(dfd, o->name, &o->f, NULL);
	if (fd < 0) {
		o->error = fd;
		return;
	}
	ssize_t n = read_full(fd, o->data, sizeof(o->data));
	close(fd);
	if (n < 0) {
		o->error = (int)n;
		return;
	}
	o->f.len = (size_t)n;
	o->present = true;
}

static int seed_dir_open(const char *dir, bool create, bool *ret_private)
{
	struct stat st;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0 && errno == ENOENT && create) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0 && errno == ENOTDIR && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP; /* O_NOFOLLOW: a symlinked seed directory is not followed */
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st) < 0) {
		int r = -errno;
		close(dfd);
		return r;
	}
	*ret_private = st.st_uid == 0 && (st.st_mode & 022) == 0;
	return dfd;
}

/* flock with a bound: another bootseed holding the lock must not hang the boot. */
static int seed_dir_lock(int dfd, unsigned long timeout_ms)
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
static int seed_write_tmp(int dfd, const char *tmp, const uint8_t *data, size_t len)
{
	size_t first = SEED_TEST_FIRST_WRITE(len);

	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT && errno != EROFS)
		return -errno; /* a stale temp from a crash that we cannot clear */
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0)
		return -errno;
	seed_test_point("tmp-open");
	int r = seed_test_fault("write");
	if (r == 0)
		r = write_full(fd, data, first);
	if (r == 0 && first < len) {
		seed_test_point("tmp-partial");
		r = write_full(fd, data + first, len - first);
	}
	if (r == 0) {
		seed_test_point("tmp-written");
		r = seed_test_fault("fsync-tmp");
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dfd, tmp, 0);
	else
		seed_test_point("tmp-synced");
	return r;
}

/* Fresh bytes with the tail replaced by the hash of all seen (seed rule 4). */
static int seed_make_next(struct mix *m, uint8_t *out, size_t len, bool *ret_creditable)
{
	struct blake2s_state h = m->hash;
	uint64_t clocks[2] = { clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_BOOTTIME) };

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

static void seed_feed_old(struct mix *m, struct seed_old *o)
{
	enum seed_reason why;
	char reason[REPORT_REASON_MAX];

	unsigned credit = seed_credit_decide(&o->f, &why);
	if (why == SEED_R_NOT_CONSUMED)
		snprintf(reason, sizeof(reason), "%s (%s)", seed_reason_str(why),
			 strerror(-o->f.consume_error));
	else
		snprintf(reason, sizeof(reason), "%s", seed_reason_str(why));
	mix_source(m, o->name, o->data, o->f.len, credit, "n/a", reason);
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

/*
 * Puts the durable temp file in place as @name, then removes every other old
 * seed, then one fsync of the directory makes both durable. The rename replaces
 * an old seed of the same name in one step, so a crash at any point leaves the
 * old seed or the complete new one under a seed name, never neither (nothing
 * lost), and an old seed counts as consumed only once this has all returned
 * (rule 1: a crash cannot bring back a seed that was credited).
 * Returns 0, or -errno with the old seeds' consume_error set; *ret_renamed
 * tells whether the new seed took its name.
 */
static int seed_put_in_place(int dfd, const char *tmp, const char *name, struct seed_old *old,
			     size_t n_old, bool *ret_renamed)
{
	int r = seed_test_fault("rename");

	*ret_renamed = false;
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		for (size_t i = 0; i < n_old; i++)
			old[i].f.consume_error = r;
		return r;
	}
	*ret_renamed = true;
	seed_test_point("renamed");
	int worst = 0;
	for (size_t i = 0; i < n_old; i++) {
		if (!old[i].present || strcmp(old[i].name, name) == 0)
			continue; /* replaced by the rename */
		r = seed_test_fault("unlink");
		if (r == 0 && unlinkat(dfd, old[i].name, 0) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0)
			worst = old[i].f.consume_error = r;
	}
	seed_test_point("unlinked");
	r = seed_test_fault("fsync-dir");
	if (r == 0 && fsync(dfd) < 0)
		r = -errno;
	if (r < 0) {
		for (size_t i = 0; i < n_old; i++)
			if (old[i].f.consume_error == 0)
				old[i].f.consume_error = r;
		return r;
	}
	seed_test_point("dir-synced");
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

/*
 * The next seed was drawn before the crng was ready, but the old seed has since
 * made it ready: draw again so that the next boot can credit it. If that fails,
 * the seed.no-credit already in place stays (nothing lost).
 */
static void seed_redraw_creditable(struct mix *m, int dfd, size_t len)
{
	struct seed_old nc = { .name = SEED_NAME_NO_CREDIT, .present = true };
	uint8_t late[SEED_MAX_LEN];
	bool late_ok = false, renamed = false;

	int r = seed_make_next(m, late, len, &late_ok);
	if (r >= 0 && late_ok)
		r = seed_write_tmp(dfd, SEED_TMP_LATE, late, len);
	if (r >= 0 && late_ok)
		r = seed_put_in_place(dfd, SEED_TMP_LATE, SEED_NAME_CREDIT, &nc, 1, &renamed);
	explicit_bzero(late, sizeof(late));
	if (renamed)
		seed_record_new(m, SEED_NAME_CREDIT, len);
	if (renamed && r < 0)
		log_warn("redrew the next seed as %s, but could not durably remove %s: %s, "
			 "ignoring", SEED_NAME_CREDIT, SEED_NAME_NO_CREDIT, strerror(-r));
	else if (r < 0 || !late_ok)
		log_warn("could not redraw the next seed after the crng became ready (%s); "
			 "keeping it as %s, ignoring", r < 0 ? strerror(-r) : "crng not ready",
			 SEED_NAME_NO_CREDIT);
}

/*
 * The write sequence (rules 1 and 5): next seed in a temp file, fsynced; renamed
 * in place; the other old seed removed; directory fsynced; only then are the
 * old seeds fed, credited where the rules allow.
 */
static int seed_run_locked(struct mix *m, const struct config *cfg, int dfd, bool load,
			   struct seed_old *old, size_t n_old)
{
	uint8_t next[SEED_MAX_LEN];
	bool creditable = false, renamed = false;
	int bits = 0;

	size_t len = seed_next_len(pool_size_bits());
	int r = seed_make_next(m, next, len, &creditable);
	if (r >= 0)
		r = seed_write_tmp(dfd, SEED_TMP, next, len);
	explicit_bzero(next, sizeof(next));
	const char *name = creditable ? SEED_NAME_CREDIT : SEED_NAME_NO_CREDIT;
	if (r < 0) {
		for (size_t i = 0; i < n_old; i++)
			old[i].f.consume_error = r; /* not consumed: kept for later */
	} else {
		r = seed_put_in_place(dfd, SEED_TMP, name, old, n_old, &renamed);
	}

	if (renamed) {
		seed_record_new(m, name, len);
		seed_mark_written(dfd);
	}
	if (r == -EROFS && load && !renamed) {
		log_info("%s: read-only, seeds left in place for the next stage", cfg->seed_dir);
	} else if (r < 0 && !renamed) {
		log_err("cannot write the next seed in %s: %s; old seeds kept and not credited",
			cfg->seed_dir, strerror(-r));
		bits |= EXIT_SEED_WRITE;
	} else if (r < 0) {
		log_err("cannot durably remove the old seed in %s: %s; not credited",
			cfg->seed_dir, strerror(-r));
		bits |= EXIT_SEED_CONSUME;
	}
	for (size_t i = 0; i < n_old; i++)
		if (load && old[i].present)
			seed_feed_old(m, &old[i]);
	seed_test_point("credited");
	if (renamed && !creditable && pool_crng_ready() == 1)
		seed_redraw_creditable(m, dfd, len);
	return bits;
}

int seed_run(struct mix *m, const struct config *cfg, bool load, bool first_boot)
{
	struct seed_old old[2] = { { .name = SEED_NAME_CREDIT }, { .name = SEED_NAME_NO_CREDIT } };
	char dir[PATH_MAX];
	bool dir_private = false;
	int bits = 0;

	if (path_under_root(dir, sizeof(dir), cfg->seed_dir) < 0) {
		log_err("seed directory path too long, ignoring");
		return load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	int dfd = seed_dir_open(dir, true, &dir_private);
	if (dfd < 0) {
		if (load && (dfd == -ENOENT || dfd == -EROFS)) {
			log_info("%s: no seed directory (%s), no seed to load", dir,
				 strerror(-dfd));
			return 0;
		}
		log_err("%s: cannot open seed directory: %s", dir,
			dfd == -ELOOP ? "is a symlink: not followed" : strerror(-dfd));
		return load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	int r = seed_dir_lock(dfd, cfg->lock_timeout_ms);
	if (r < 0) {
		log_err("%s: cannot lock seed directory within %lu ms: %s; seeds not touched",
			dir, cfg->lock_timeout_ms, strerror(-r));
		close(dfd);
		return load ? EXIT_SEED_READ : EXIT_SEED_WRITE;
	}
	seed_test_point("locked");
	if (!dir_private)
		log_warn("%s: not a root-owned directory closed to group and others; no "
			 "seed in it will be credited", dir);

	bool written = seed_written_this_boot(dfd);
	for (size_t i = 0; i < ELEMENTSOF(old); i++) {
		struct seed_old *o = &old[i];
		seed_read_old(dfd, o);
		if (!o->present) {
			seed_report_unreadable(m, load, o);
			continue;
		}
		o->f.creditable_name = i == 0;
		o->f.credit_enabled = cfg->seed_credit;
		o->f.first_boot = first_boot;
		o->f.dir_private = dir_private;
		o->f.written_this_boot = written;
		/* Hashed before the next seed is drawn, so it carries this seed on. */
		mix_hash(m, o->data, o->f.len);
	}
	bits |= seed_run_locked(m, cfg, dfd, load, old, ELEMENTSOF(old));
	close(dfd); /* releases the lock */
	explicit_bzero(old, sizeof(old));
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
		mix_source(m, name, buf, (size_t)n, 0, "n/a",
			   "another tool's seed: that tool consumes and credits it, so bootseed "
			   "only mixes it (double count)");
	}
	explicit_bzero(buf, sizeof(buf));
}
