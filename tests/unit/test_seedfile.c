// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seed life cycle in temporary directories, through seed_run() with the
 * kernel replaced by the test stand-in pool ($BOOTSEED_TEST_POOL).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bootseed.h"
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "mix.h"
#include "paths.h"
#include "pool.h"
#include "seedfile.h"
#include "unit.h"

static char base[64], root[128], kroot[128], seeddir[192], poolfile[192];
static struct report_run run;

/* Runs a shell command with every "@" replaced by @arg. */
static void sh(const char *tmpl, const char *arg)
{
	char cmd[1024];
	size_t n = 0, alen = strlen(arg);

	for (const char *p = tmpl; *p && n + alen + 1 < sizeof(cmd); p++) {
		if (*p == '@') {
			memcpy(cmd + n, arg, alen);
			n += alen;
		} else {
			cmd[n++] = *p;
		}
	}
	cmd[n] = '\0';
	if (system(cmd) != 0)
		fprintf(stderr, "  setup command failed: %s\n", cmd);
}

/* A fresh fake root and fake kernel tree: a new "machine" in a new "boot". */
static void setup(const char *machine_id)
{
	strcpy(base, "/tmp/bootseed-unit-XXXXXX");
	if (!mkdtemp(base))
		abort();
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(kroot, sizeof(kroot), "%s/k", base);
	snprintf(seeddir, sizeof(seeddir), "%s/var/lib/bootseed", root);
	snprintf(poolfile, sizeof(poolfile), "%s/pool", kroot);
	sh("mkdir -p @/root/etc @/root/var/lib/bootseed @/k/run @/k/proc/sys/kernel/random", base);
	sh("chmod 700 @/root/var/lib/bootseed && echo 256 > @/k/proc/sys/kernel/random/poolsize", base);
	if (machine_id) {
		char p[256];
		snprintf(p, sizeof(p), "%s/etc/machine-id", root);
		FILE *f = fopen(p, "w");
		fputs(machine_id, f);
		fclose(f);
	}
	setenv("BOOTSEED_TEST_KROOT", kroot, 1);
	setenv("BOOTSEED_TEST_POOL", poolfile, 1);
	setenv("BOOTSEED_TEST_CRNG", "notready", 1);
	pool_test_reset();
	paths_init(root);
}

static void teardown(void)
{
	sh("rm -rf @", base);
}

static void put_seed(const char *name, size_t len, mode_t mode)
{
	char p[256];
	uint8_t buf[1024];
	snprintf(p, sizeof(p), "%s/%s", seeddir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	if (len)
		(void)!write(fd, buf, len < sizeof(buf) ? len : sizeof(buf));
	fchmod(fd, mode);
	close(fd);
}

/* The contents of a seed file, or -1 when absent. */
static ssize_t get_seed(const char *name, uint8_t *buf, size_t max)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", seeddir, name);
	return read_small_file(AT_FDCWD, p, buf, max);
}

static int run_seed(bool load, bool first_boot)
{
	struct config cfg;
	struct mix m;

	config_defaults(&cfg);
	memset(&run, 0, sizeof(run));
	mix_init(&m, &run, load);
	struct seed_run_opts o = { .load = load, .first_boot = first_boot };
	int bits = seed_run(&m, &cfg, &o);
	return bits | m.exit_bits;
}

static const struct report_source *src(const char *name)
{
	for (size_t i = 0; i < run.n_sources; i++)
		if (strcmp(run.sources[i].name, name) == 0)
			return &run.sources[i];
	return NULL;
}

static bool pool_has(const char *needle)
{
	char buf[8192];
	ssize_t n = read_small_file(AT_FDCWD, poolfile, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static bool exists(const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", seeddir, name);
	return path_exists(p);
}

static void check_reason(const char *name, enum seed_reason r)
{
	const struct report_source *s = src(name);
	CHECK(s != NULL);
	if (s) {
		CHECK(s->credited_bits == 0);
		CHECK(strstr(s->reason, seed_reason_str(r)) != NULL);
	}
}

static void test_creditable_seed_consumed_credited_replaced(void)
{
	uint8_t old[128], now[128];
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 32, 0400);
	get_seed("seed.credit", old, sizeof(old));
	CHECK(run_seed(true, false) == 0);
	CHECK(pool_has("source=seed.credit bytes=32 credit=256"));
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);
	/* the stand-in crng became ready with those 256 bits: the next one is creditable */
	CHECK(get_seed("seed.credit", now, sizeof(now)) == SEED_HDR_LEN + 32);
	CHECK(memcmp(now, SEED_HDR_MAGIC, 8) == 0 && now[9] == SEED_HDR_F_MACHINE);
	CHECK(memcmp(old, now + SEED_HDR_LEN, 32) != 0);
	CHECK(strcmp(run.new_seed, "seed.credit") == 0);
	CHECK(!exists("seed.no-credit") && !exists(".seed.new") && !exists(".seed.new2"));
	struct stat st;
	char p[256];
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0400 && st.st_uid == geteuid());

	/* Same boot, second run: that seed is the pool's own output. */
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_OWN_OUTPUT);

	/* ...but a seed directory that no stage wrote in this boot (another root,
	 * as the initramfs's own /var/lib/bootseed is to the real root's) is not. */
	char root2[160];
	snprintf(root2, sizeof(root2), "%s/root2", base);
	sh("mkdir -p @/root2/var/lib/bootseed && chmod 700 @/root2/var/lib/bootseed", base);
	paths_init(root2);
	snprintf(seeddir, sizeof(seeddir), "%s/var/lib/bootseed", root2);
	put_seed("seed.credit", 32, 0400);
	pool_test_reset();
	CHECK(run_seed(true, false) == 0);
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);
	teardown();
}

static void test_no_credit_seed(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.no-credit", 32, 0400);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.no-credit", SEED_R_NO_CREDIT_FILE);
	CHECK(pool_has("source=seed.no-credit bytes=32 credit=0"));
	CHECK(exists("seed.no-credit")); /* crng still not ready: next one is no-credit */
	CHECK(!exists("seed.credit"));
	teardown();
}

static bool exists_at(const char *path)
{
	return access(path, F_OK) == 0;
}

static void test_first_boot(void)
{
	static const char *const ids[] = { NULL, "", "uninitialized\n" };
	for (size_t i = 0; i < 3; i++) {
		setup(ids[i]);
		CHECK(seed_first_boot(false));
		CHECK(!exists_at(paths.first_boot_marker)); /* status only looks */
		put_seed("seed.credit", 32, 0400);
		CHECK(run_seed(true, seed_first_boot(true)) == 0);
		CHECK(exists_at(paths.first_boot_marker)); /* remembered for later stages */
		check_reason("seed.credit", SEED_R_FIRST_BOOT);
		/* consumed and replaced: a golden image's seed does not survive a boot */
		CHECK(exists("seed.no-credit"));
		CHECK(!exists("seed.credit"));
		teardown();
	}
	setup("0123456789abcdef0123456789abcdef\n");
	CHECK(!seed_first_boot(true));
	CHECK(!exists_at(paths.first_boot_marker));
	/* The real root of a first boot: systemd's transient machine-id is set,
	 * but systemd says first boot, or an earlier stage of ours did. */
	sh("mkdir -p @/k/run/systemd && touch @/k/run/systemd/first-boot", base);
	CHECK(seed_first_boot(true));
	sh("rm @/k/run/systemd/first-boot && mkdir -p @/k/run/bootseed && touch @/k/run/bootseed/first-boot", base);
	CHECK(seed_first_boot(true));
	put_seed("seed.credit", 32, 0400);
	CHECK(run_seed(true, seed_first_boot(true)) == 0);
	check_reason("seed.credit", SEED_R_FIRST_BOOT);
	teardown();
}


static void test_truncated_empty_oversized(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 10, 0400);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_TRUNCATED);
	CHECK(pool_has("source=seed.credit bytes=10 credit=0"));
	teardown();

	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 0, 0400);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_EMPTY);
	teardown();

	/* A 1 GiB sparse file: read only 512 bytes of it, credit nothing. */
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 600, 0400);
	char p[256];
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	CHECK(truncate(p, 1L << 30) == 0);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_OVERSIZED);
	CHECK(pool_has("source=seed.credit bytes=512 credit=0"));
	CHECK(!exists("seed.credit") ||
	      get_seed("seed.credit", (uint8_t[128]){ 0 }, 128) == SEED_HDR_LEN + 32);
	teardown();
}

static void test_world_readable_and_foreign_owner(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 32, 0444);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_NOT_PRIVATE);
	teardown();

	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 32, 0440);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_NOT_PRIVATE);
	teardown();

	if (geteuid() != 0)
		SKIP("chown to another user needs root");
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("seed.credit", 32, 0400);
	char p[256];
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	CHECK(chown(p, 1000, 1000) == 0);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_NOT_ROOT);
	teardown();
}

static void test_symlink_and_fifo_not_followed(void)
{
	char p[256], target[256];
	uint8_t before[64], after[64];

	setup("0123456789abcdef0123456789abcdef\n");
	put_seed("secret", 32, 0400);
	get_seed("secret", before, sizeof(before));
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	snprintf(target, sizeof(target), "%s/secret", seeddir);
	CHECK(symlink(target, p) == 0);
	CHECK(run_seed(true, false) & EXIT_SEED_READ);
	CHECK(!pool_has("source=seed.credit"));
	CHECK(src("seed.credit") && strstr(src("seed.credit")->reason, "symlink"));
	CHECK(get_seed("secret", after, sizeof(after)) == 32 && memcmp(before, after, 32) == 0);
	teardown();

	/* A FIFO would block a plain open/read forever: it must not be opened. */
	setup("0123456789abcdef0123456789abcdef\n");
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	CHECK(mkfifo(p, 0400) == 0);
	uint64_t t0 = now_ms();
	CHECK(run_seed(true, false) & EXIT_SEED_READ);
	CHECK(now_ms() - t0 < 5000);
	CHECK(!pool_has("source=seed.credit"));
	teardown();

	/* A directory under the seed's name. */
	setup("0123456789abcdef0123456789abcdef\n");
	snprintf(p, sizeof(p), "%s/seed.credit", seeddir);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(run_seed(true, false) & EXIT_SEED_READ);
	CHECK(!pool_has("source=seed.credit"));
	teardown();
}

static void test_missing_directory(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	sh("rm -rf @", seeddir);
	CHECK(run_seed(true, false) == 0);
	struct stat st;
	CHECK(stat(seeddir, &st) == 0 && (st.st_mode & 07777) == 0700);
	CHECK(exists("seed.no-credit")); /* a first seed for the next boot */
	teardown();

	/* No /var/lib at all (an initramfs without the root): nothing to do. */
	setup("0123456789abcdef0123456789abcdef\n");
	sh("rm -rf @/var", root);
	CHECK(run_seed(true, false) == 0);
	CHECK(run.n_sources == 0);
	/* ...but save must say it could not save */
	CHECK(run_seed(false, false) & EXIT_SEED_WRITE);
	teardown();
}

static void test_stale_temp_file(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	put_seed(".seed.new", 32, 0400);
	put_seed("seed.credit", 32, 0400);
	CHECK(run_seed(true, false) == 0);
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);
	CHECK(!exists(".seed.new"));
	teardown();
}

static void test_save(void)
{
	uint8_t old[128], now[128];
	setup("0123456789abcdef0123456789abcdef\n");
	setenv("BOOTSEED_TEST_CRNG", "ready", 1);
	put_seed("seed.no-credit", 32, 0400);
	get_seed("seed.no-credit", old, sizeof(old));
	CHECK(run_seed(false, false) == 0);
	CHECK(!path_exists(poolfile)); /* save never feeds the kernel */
	CHECK(!exists("seed.no-credit"));
	CHECK(get_seed("seed.credit", now, sizeof(now)) == SEED_HDR_LEN + 32);
	CHECK(memcmp(old, now + SEED_HDR_LEN, 32) != 0);
	teardown();
}

/* The usual initramfs case: the root is mounted read-only. */
static void test_read_only_directory(void)
{
	uint8_t before[64], after[64];

	if (geteuid() != 0)
		SKIP("a read-only tmpfs needs root");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		SKIP("cannot make a private mount namespace");
	setup("0123456789abcdef0123456789abcdef\n");
	/* The tmpfs stands in for the initramfs's read-only ext4 root. */
	setenv("BOOTSEED_TEST_FS_MAGIC", "0xEF53", 1);
	CHECK(mount("tmpfs", seeddir, "tmpfs", 0, "mode=0700") == 0);
	put_seed("seed.credit", 32, 0400);
	get_seed("seed.credit", before, sizeof(before));
	CHECK(mount(NULL, seeddir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);

	CHECK(run_seed(true, false) == 0); /* expected in an initramfs: not a failure */
	check_reason("seed.credit", SEED_R_READ_ONLY);
	CHECK(pool_has("source=seed.credit bytes=32 credit=0"));
	CHECK(get_seed("seed.credit", after, sizeof(after)) == 32);
	CHECK(memcmp(before, after, 32) == 0);
	CHECK(run.new_seed[0] == '\0');

	/* save on a read-only directory is a failure, and says so */
	CHECK(run_seed(false, false) & EXIT_SEED_WRITE);
	CHECK(get_seed("seed.credit", after, sizeof(after)) == 32 && memcmp(before, after, 32) == 0);

	/* The next stage, on a writable root, consumes and credits it: once. */
	CHECK(mount(NULL, seeddir, NULL, MS_REMOUNT, NULL) == 0);
	CHECK(run_seed(true, false) == 0);
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);
	umount(seeddir);
	unsetenv("BOOTSEED_TEST_FS_MAGIC");
	teardown();
}

static void set_machine_id(const char *id)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/etc/machine-id", root);
	FILE *f = fopen(p, "w");
	fputs(id, f);
	fclose(f);
}

/* A seed is credited only under the machine-id it was written under. */
static void test_machine_binding(void)
{
	uint8_t file[128];

	setup("0123456789abcdef0123456789abcdef\n");
	setenv("BOOTSEED_TEST_CRNG", "ready", 1);
	CHECK(run_seed(false, false) == 0); /* save: a bound seed.credit */
	CHECK(get_seed("seed.credit", file, sizeof(file)) == SEED_HDR_LEN + 32);
	CHECK(file[9] == SEED_HDR_F_MACHINE);
	setenv("BOOTSEED_TEST_CRNG", "notready", 1);

	/* The disk in another machine, or a clone given a new ID: not credited. */
	sh("rm -f @/k/run/bootseed/seed-written", base); /* a new boot */
	set_machine_id("fedcba9876543210fedcba9876543210\n");
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_OTHER_MACHINE);
	/* consumed all the same: the next seed is this machine's */
	CHECK(get_seed("seed.no-credit", file, sizeof(file)) == SEED_HDR_LEN + 32);

	/* Back on the machine that wrote it: credited. */
	sh("rm -f @/k/run/bootseed/seed-written", base);
	pool_test_reset();
	CHECK(run_seed(false, false) == 0);
	setenv("BOOTSEED_TEST_CRNG", "ready", 1);
	CHECK(run_seed(false, false) == 0);
	setenv("BOOTSEED_TEST_CRNG", "notready", 1);
	sh("rm -f @/k/run/bootseed/seed-written", base);
	CHECK(run_seed(true, false) == 0);
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);

	/* Written while the machine had no ID (an image build): not this machine's. */
	set_machine_id("uninitialized\n");
	setenv("BOOTSEED_TEST_CRNG", "ready", 1);
	CHECK(run_seed(false, false) == 0);
	CHECK(get_seed("seed.credit", file, sizeof(file)) == SEED_HDR_LEN + 32 && file[9] == 0);
	setenv("BOOTSEED_TEST_CRNG", "notready", 1);
	set_machine_id("fedcba9876543210fedcba9876543210\n");
	sh("rm -f @/k/run/bootseed/seed-written", base);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_NO_MACHINE);

	/* A seed of an older bootseed (no header) is judged by the other rules. */
	sh("rm -f @/root/var/lib/bootseed/seed.* @/k/run/bootseed/seed-written", base);
	put_seed("seed.credit", 32, 0400);
	pool_test_reset();
	CHECK(run_seed(true, false) == 0);
	CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);

	/* A header of an unknown format version. */
	sh("rm -f @/root/var/lib/bootseed/seed.* @/k/run/bootseed/seed-written", base);
	sh("printf 'bootseed\\002' > @/var/lib/bootseed/seed.credit && head -c 63 /dev/urandom "
	   ">> @/var/lib/bootseed/seed.credit && chmod 400 @/var/lib/bootseed/seed.credit", root);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_FORMAT);
	teardown();
}

/*
 * systemd mounts a transient machine-id over an empty or uninitialized file;
 * the real-root run sees a valid ID, but on a mount point: a first boot.
 */
static void test_transient_machine_id(void)
{
	char p[256], t[256];

	if (geteuid() != 0)
		SKIP("a bind mount needs root");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		SKIP("cannot make a private mount namespace");
	setup("");
	snprintf(p, sizeof(p), "%s/etc/machine-id", root);
	snprintf(t, sizeof(t), "%s/k/run/machine-id", base);
	sh("mkdir -p @/k/run && mount -t tmpfs tmpfs @/k/run && "
	   "echo 0123456789abcdef0123456789abcdef > @/k/run/machine-id", base);
	CHECK(mount(t, p, NULL, MS_BIND, NULL) == 0);
	CHECK(seed_first_boot(false));
	put_seed("seed.credit", 32, 0400);
	CHECK(run_seed(true, seed_first_boot(true)) == 0);
	check_reason("seed.credit", SEED_R_FIRST_BOOT);
	umount(p);
	sh("umount @/k/run", base);
	teardown();
}

/* A zero-filled or run-filled seed of the right size: a lost write, not a seed. */
static void test_stuck_contents(void)
{
	setup("0123456789abcdef0123456789abcdef\n");
	sh("head -c 32 /dev/zero > @/seed.credit && chmod 400 @/seed.credit", seeddir);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_STUCK);
	teardown();

	setup("0123456789abcdef0123456789abcdef\n");
	sh("{ head -c 16 /dev/urandom; printf 'AAAAAAAAAAAAAAAAAAAA'; } > @/seed.credit && "
	   "chmod 400 @/seed.credit", seeddir);
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_STUCK);
	teardown();
}

/* On tmpfs (an overlay's upper layer, a live system) a consumed seed comes back. */
static void test_volatile_fs(void)
{
	uint8_t before[64], after[128];

	if (geteuid() != 0)
		SKIP("a tmpfs needs root");
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		SKIP("cannot make a private mount namespace");
	setup("0123456789abcdef0123456789abcdef\n");
	CHECK(mount("tmpfs", seeddir, "tmpfs", 0, "mode=0700") == 0);
	put_seed("seed.credit", 32, 0400);
	get_seed("seed.credit", before, sizeof(before));
	CHECK(run_seed(true, false) == 0);
	check_reason("seed.credit", SEED_R_FS_VOLATILE);
	CHECK(strstr(src("seed.credit")->reason, "tmpfs") != NULL);
	/* mixed and consumed all the same */
	CHECK(get_seed("seed.no-credit", after, sizeof(after)) == SEED_HDR_LEN + 32);
	CHECK(!exists("seed.credit"));
	umount(seeddir);
	teardown();

	/* Each kind by its statfs magic, with its own reason. */
	static const struct {
		const char *magic;
		enum seed_reason r;
	} kinds[] = {
		{ "0x794c7630", SEED_R_FS_VOLATILE }, { "0x6969", SEED_R_FS_NETWORK },
		{ "0x65735546", SEED_R_FS_NETWORK },  { "0x4d44", SEED_R_FS_NO_OWNERS },
		{ "0x73717368", SEED_R_FS_READ_ONLY }, { "0x12345678", SEED_R_FS_UNKNOWN },
	};
	for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
		setup("0123456789abcdef0123456789abcdef\n");
		setenv("BOOTSEED_TEST_FS_MAGIC", kinds[i].magic, 1);
		put_seed("seed.credit", 32, 0400);
		CHECK(run_seed(true, false) == 0);
		check_reason("seed.credit", kinds[i].r);
		unsetenv("BOOTSEED_TEST_FS_MAGIC");
		teardown();
	}
}

static int run_seed_dir(const char *dir)
{
	struct config cfg;
	struct mix m;

	config_defaults(&cfg);
	CHECK(config_set(&cfg, "seed_dir", dir, "test") == 0);
	memset(&run, 0, sizeof(run));
	mix_init(&m, &run, true);
	struct seed_run_opts o = { .load = true };
	return seed_run(&m, &cfg, &o) | m.exit_bits;
}

static void test_path_shape(void)
{
	/* "dir/" must not follow a symlink named dir (O_NOFOLLOW ignores the slash). */
	setup("0123456789abcdef0123456789abcdef\n");
	sh("mkdir -p @/var/lib/elsewhere && chmod 700 @/var/lib/elsewhere && "
	   "ln -s @/var/lib/elsewhere @/var/lib/link", root);
	snprintf(seeddir, sizeof(seeddir), "%s/var/lib/elsewhere", root);
	put_seed("seed.credit", 32, 0400);
	CHECK(run_seed_dir("/var/lib/link/") & EXIT_SEED_READ);
	CHECK(!pool_has("source=seed.credit"));
	teardown();

	/*
	 * Under --root, an absolute symlink resolves inside the root, never
	 * outside; without openat2 (before 5.6, or qemu-user) it is refused.
	 */
	struct { uint64_t flags, mode, resolve; } how = { O_RDONLY | O_DIRECTORY, 0, 0 };
	bool have_openat2 = syscall(437 /* SYS_openat2 */, AT_FDCWD, "/", &how, sizeof(how)) >= 0 ||
			    errno != ENOSYS;
	setup("0123456789abcdef0123456789abcdef\n");
	sh("mkdir -p @/root/data/var/lib/bootseed && chmod 700 @/root/data/var/lib/bootseed && "
	   "rm -rf @/root/var && ln -s /data/var @/root/var && "
	   "mkdir -p @/outside/lib/bootseed", base);
	snprintf(seeddir, sizeof(seeddir), "%s/data/var/lib/bootseed", root);
	put_seed("seed.credit", 32, 0400);
	if (have_openat2) {
		CHECK(run_seed_dir("/var/lib/bootseed") == 0);
		CHECK(src("seed.credit") && src("seed.credit")->credited_bits == 256);
	} else {
		fprintf(stderr, "  (no openat2 here: a symlink on the way is refused)\n");
		CHECK(run_seed_dir("/var/lib/bootseed") & EXIT_SEED_READ);
		CHECK(!pool_has("source=seed.credit"));
	}
	teardown();
}

int main(void)
{
	log_init("", false);
	RUN(test_creditable_seed_consumed_credited_replaced);
	RUN(test_no_credit_seed);
	RUN(test_first_boot);
	RUN(test_truncated_empty_oversized);
	RUN(test_world_readable_and_foreign_owner);
	RUN(test_symlink_and_fifo_not_followed);
	RUN(test_missing_directory);
	RUN(test_stale_temp_file);
	RUN(test_save);
	RUN(test_read_only_directory);
	RUN(test_machine_binding);
	RUN(test_transient_machine_id);
	RUN(test_stuck_contents);
	RUN(test_volatile_fs);
	RUN(test_path_shape);
	return unit_done();
}
