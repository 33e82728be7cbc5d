// SPDX-License-Identifier: GPL-2.0-or-later
/* hostseed: the host's seed: channels, parsers, credit decision, fingerprint list. */
#include "hostseed.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "bootseed.h"
#include "fileio.h"
#include "health.h"
#include "log.h"
#include "paths.h"
#include "remount.h"
#include "seedfile.h"

#define HOSTSEED_RAW_MAX (64 * 1024)
#define HOSTSEED_TMP	 ".host-seeds.new"

#ifdef BOOTSEED_TEST_HOOKS
/* $BOOTSEED_TEST_CPUID: "LEAF=EAX,EBX,ECX,EDX ..." in hex; other leaves read as zeros. */
static bool hostseed_test_cpuid(uint32_t leaf, uint32_t r[4])
{
	const char *p = getenv("BOOTSEED_TEST_CPUID");
	unsigned l, v[4];
	int used;

	if (!p)
		return false;
	memset(r, 0, 4 * sizeof(r[0]));
	for (; sscanf(p, " %x=%x,%x,%x,%x%n", &l, &v[0], &v[1], &v[2], &v[3], &used) == 5;
	     p += used)
		if (l == leaf)
			memcpy(r, v, sizeof(v));
	return true;
}
#endif

void hostseed_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	memset(r, 0, 4 * sizeof(r[0]));
#ifdef BOOTSEED_TEST_HOOKS
	if (hostseed_test_cpuid(leaf, r))
		return;
#endif
#if defined(__x86_64__) || defined(__i386__)
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#else
	(void)leaf, (void)sub;
#endif
}

/* The vendor string of leaf @leaf: EBX, EDX, ECX. */
static bool cpuid_sig(hostseed_cpuid_fn cpuid, uint32_t leaf, const char sig[13], uint32_t *ret_max)
{
	uint32_t r[4];
	char s[12];

	cpuid(leaf, 0, r);
	memcpy(s, &r[1], 4);
	memcpy(s + 4, &r[3], 4);
	memcpy(s + 8, &r[2], 4);
	if (ret_max)
		*ret_max = r[0];
	return memcmp(s, sig, 12) == 0;
}

/*
 * systemd's detect_confidential_virtualization(): only under a hypervisor
 * (CPUID 1 ECX bit 31); AMD: leaf 0x8000001f EAX bit 1 (SEV), which QEMU sets
 * only for SEV guests (systemd then reads MSR_AMD64_SEV for the variant, which
 * needs the msr driver: any SEV variant is enough here; its Hyper-V SNP check
 * is left out); Intel: leaf 0x21 says "IntelTDX    ".
 */
const char *hostseed_confidential(hostseed_cpuid_fn cpuid)
{
	uint32_t r[4], max;

	cpuid(1, 0, r);
	if (!(r[2] & 0x80000000u))
		return NULL;
	if (cpuid_sig(cpuid, 0, "AuthenticAMD", &max)) {
		cpuid(0x80000000u, 0, r);
		if (r[0] >= 0x8000001fu && (cpuid(0x8000001fu, 0, r), r[0] & 2))
			return "AMD SEV";
	} else if (cpuid_sig(cpuid, 0, "GenuineIntel", &max) && max >= 0x21 &&
		   cpuid_sig(cpuid, 0x21, "IntelTDX    ", NULL)) {
		return "Intel TDX";
	}
	return NULL;
}

static const char *const hostseed_reasons[] = {
	[HOSTSEED_R_DISABLED] = "host_seed_credit = no",
	[HOSTSEED_R_SHORT] = "under 32 bytes",
	[HOSTSEED_R_LONG] = "over 4096 bytes: not used",
	[HOSTSEED_R_HEALTH] = "failed the health tests",
	[HOSTSEED_R_CONFIDENTIAL] = "confidential VM: the host is the adversary",
	[HOSTSEED_R_THIS_BOOT] = "credited earlier this boot",
	[HOSTSEED_R_EARLY] = "credited once its fingerprint is recorded (late stage)",
	[HOSTSEED_R_LIST] = "the list of used host seeds is corrupt or not root's",
	[HOSTSEED_R_NOT_FRESH] = "the host gave this seed before: it is not fresh (run "
				 "'bootseed host-seed' before each start)",
	[HOSTSEED_R_READ_ONLY] = "read-only: a later stage records and credits it",
	[HOSTSEED_R_NOT_RECORDED] = "fingerprint not recorded durably",
};

const char *hostseed_reason_str(enum hostseed_reason r)
{
	return (size_t)r < ELEMENTSOF(hostseed_reasons) && hostseed_reasons[r] ? hostseed_reasons[r]
									       : "";
}

/*
 * The credit decision; each rule names its attack or accident:
 * - too short or too long: not a seed the helper made (a typo, a hostile host
 *   table); a failed health test: an all-zero or constant value;
 * - a confidential guest: the host is the adversary, its seed is known to it;
 * - credited earlier this boot: a double count;
 * - a seed whose fingerprint is in the list, or a list that cannot be
 *   trusted: a static value= in a VM definition, replayed at every start;
 * - a fingerprint not durably recorded: a crash would let it be credited again.
 * host_seed_fresh = yes is the operator's word that every start brings a new
 * seed: then no list is needed.
 */
unsigned hostseed_credit_decide(const struct hostseed_facts *f, enum hostseed_reason *ret_reason)
{
	enum hostseed_reason r = HOSTSEED_CREDITED;

	if (!f->credit_enabled)
		r = HOSTSEED_R_DISABLED;
	else if (f->oversized)
		r = HOSTSEED_R_LONG;
	else if (f->len < HOSTSEED_MIN)
		r = HOSTSEED_R_SHORT;
	else if (!f->health_pass)
		r = HOSTSEED_R_HEALTH;
	else if (f->confidential)
		r = HOSTSEED_R_CONFIDENTIAL;
	else if (f->credited_this_boot)
		r = HOSTSEED_R_THIS_BOOT;
	else if (f->fresh_by_config)
		;
	else if (!f->have_list)
		r = HOSTSEED_R_EARLY;
	else if (f->list_untrusted)
		r = HOSTSEED_R_LIST;
	else if (f->seen)
		r = HOSTSEED_R_NOT_FRESH;
	else if (f->recorded == HOSTSEED_RECORD_RO)
		r = HOSTSEED_R_READ_ONLY;
	else if (f->recorded != HOSTSEED_RECORDED)
		r = HOSTSEED_R_NOT_RECORDED;
	*ret_reason = r;
	if (r != HOSTSEED_CREDITED)
		return 0;
	/* A text value is taken for hex: 4 bits per character, not 8. */
	size_t bits = f->len * (f->text ? 4 : 8);
	return bits < HOSTSEED_MAX_BITS ? (unsigned)bits : HOSTSEED_MAX_BITS;
}

void hostseed_fingerprint(const uint8_t *seed, size_t len, uint8_t fp[HOSTSEED_FP_LEN])
{
	static const char label[] = "bootseed host seed v1";
	struct blake2s_state h;

	blake2s_init(&h, HOSTSEED_FP_LEN, NULL, 0);
	blake2s_update(&h, label, sizeof(label));
	blake2s_update(&h, seed, len);
	blake2s_final(&h, fp);
}

int hostseed_list_read(int dfd, struct hostseed_list *l)
{
	uint8_t buf[8 + sizeof(l->fp) + 1];
	struct seed_facts f = { 0 };

	l->n = 0;
	int fd = seed_open(dfd, HOSTSEED_LIST_NAME, &f, NULL);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	ssize_t n = read_full(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return (int)n;
	/* Someone else could have removed a fingerprint from it: a replay. */
	if (!f.owner_root || !f.mode_private || !f.single_link)
		return -EPERM;
	if (n < 8 || memcmp(buf, HOSTSEED_LIST_MAGIC, 8) != 0 || (n - 8) % HOSTSEED_FP_LEN ||
	    (size_t)n > 8 + sizeof(l->fp))
		return -EBADMSG;
	l->n = (size_t)(n - 8) / HOSTSEED_FP_LEN;
	memcpy(l->fp, buf + 8, (size_t)n - 8);
	return 0;
}

bool hostseed_list_has(const struct hostseed_list *l, const uint8_t fp[HOSTSEED_FP_LEN])
{
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(l->fp[i], fp, HOSTSEED_FP_LEN) == 0)
			return true;
	return false;
}

/* @data into @name under @dfd (0400): temp file, fsync, rename, fsync of the directory. */
static int hostseed_replace(int dfd, const char *tmp, const char *name, const void *data,
			    size_t len)
{
	int r = seed_write_tmp(dfd, tmp, data, len);
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dfd, tmp, 0);
	else if (fsync(dfd) < 0)
		r = -errno;
	return r;
}

int hostseed_list_add(int dfd, struct hostseed_list *l, const uint8_t fp[HOSTSEED_FP_LEN])
{
	uint8_t buf[8 + sizeof(l->fp)];

	if (l->n == HOSTSEED_LIST_MAX) /* the oldest goes: 16 starts back is plenty */
		memmove(l->fp[0], l->fp[1], --l->n * HOSTSEED_FP_LEN);
	memcpy(l->fp[l->n++], fp, HOSTSEED_FP_LEN);
	memcpy(buf, HOSTSEED_LIST_MAGIC, 8);
	memcpy(buf + 8, l->fp, l->n * HOSTSEED_FP_LEN);
	return hostseed_replace(dfd, HOSTSEED_TMP, HOSTSEED_LIST_NAME, buf,
				8 + l->n * HOSTSEED_FP_LEN);
}

/* Reads up to @max bytes of @path into a buffer of @max + 1 (so "more" shows). */
static ssize_t hostseed_slurp(const char *path, uint8_t *buf, size_t max)
{
	return read_small_file(AT_FDCWD, path, buf, max + 1);
}

static enum hostseed_parse hostseed_smbios(struct hostseed_buf *b)
{
	enum hostseed_parse p = HOSTSEED_NONE;
	char path[PATH_MAX];
	struct dirent *e;

	DIR *d = opendir(paths.dmi_entries);
	uint8_t *raw = d ? malloc(HOSTSEED_RAW_MAX + 1) : NULL;
	while (raw && p == HOSTSEED_NONE && (e = readdir(d))) {
		if (strncmp(e->d_name, "11-", 3) != 0 ||
		    snprintf(path, sizeof(path), "%s/%s/raw", paths.dmi_entries, e->d_name) >=
			    (int)sizeof(path))
			continue;
		ssize_t n = hostseed_slurp(path, raw, HOSTSEED_RAW_MAX);
		if (n < 0)
			p = HOSTSEED_P_IO;
		else if (n > HOSTSEED_RAW_MAX)
			b->oversized = true, p = HOSTSEED_FOUND; /* only a huge string makes it so */
		else
			p = hostseed_parse_smbios(raw, (size_t)n, b);
		explicit_bzero(raw, (size_t)(n > 0 ? n : 0));
	}
	free(raw);
	if (d)
		closedir(d);
	return p;
}

/* fw_cfg, or a credentials file (@size NULL: the file's own length). */
static enum hostseed_parse hostseed_file(const char *dir, const char *size, struct hostseed_buf *b)
{
	char path[PATH_MAX], num[24] = "";

	if (snprintf(path, sizeof(path), "%s/%s", dir, size ? "size" : HOSTSEED_CRED) >=
	    (int)sizeof(path))
		return HOSTSEED_NONE;
	if (size) {
		int e = read_line_file(path, num, sizeof(num));
		if (e < 0)
			return e == -ENOENT ? HOSTSEED_NONE : HOSTSEED_P_IO;
		unsigned long v;
		if (parse_uint(num, 0, ~0UL, &v) == 0 && v > HOSTSEED_MAX)
			return hostseed_parse_fw_cfg(num, NULL, 0, b); /* not read at all */
		snprintf(path, sizeof(path), "%s/raw", dir);
	}
	ssize_t n = hostseed_slurp(path, b->data, HOSTSEED_MAX - 1);
	if (n == -ENOENT)
		return HOSTSEED_NONE;
	if (n < 0)
		return HOSTSEED_P_IO;
	if (size)
		return hostseed_parse_fw_cfg(num, b->data, (size_t)n, b);
	b->len = (size_t)n;
	b->oversized = n == HOSTSEED_MAX; /* the file held more than fits */
	return HOSTSEED_FOUND;
}

/* The channels in order; the first that holds the credential (or a bad one) decides. */
static enum hostseed_parse hostseed_read(struct hostseed_buf *b, bool creds, const char **ret)
{
	const char *cd = getenv("CREDENTIALS_DIRECTORY");
	enum hostseed_parse p = hostseed_smbios(b);

	*ret = "smbios";
	if (p == HOSTSEED_NONE)
		p = hostseed_file(paths.fw_cfg_seed, "size", b), *ret = "fw_cfg";
	if (p == HOSTSEED_NONE && creds && cd && *cd)
		p = hostseed_file(cd, NULL, b), *ret = "credentials";
	if (p == HOSTSEED_NONE && creds)
		p = hostseed_file(paths.creds_system, NULL, b), *ret = "credentials";
	return p;
}

/* /run/bootseed/host-seed: a line "HEX read" or "HEX credited" per stage. */
static void hostseed_fp_hex(const uint8_t fp[HOSTSEED_FP_LEN], char hex[2 * HOSTSEED_FP_LEN + 1])
{
	for (size_t i = 0; i < HOSTSEED_FP_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", fp[i]);
}

static bool hostseed_marked(const char *line)
{
	char buf[2048];
	ssize_t n = read_small_file(AT_FDCWD, paths.hostseed_marker, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return line ? strstr(buf, line) != NULL : true;
}

static int hostseed_mark(const char *line)
{
	int fd = paths_run_open(paths.hostseed_marker, O_APPEND);
	int r = fd < 0 ? fd : write_full(fd, line, strlen(line));
	if (fd >= 0)
		close(fd);
	return r;
}

static bool hostseed_healthy(const uint8_t *d, size_t len)
{
	struct health_state st;
	bool ok = true;

	health_init(&st);
	for (size_t off = 0; ok && (off == 0 || len - off >= HEALTH_MIN_LEN);
	     off += HEALTH_MAX_LEN) {
		size_t n = len - off < HEALTH_MAX_LEN ? len - off : HEALTH_MAX_LEN;
		ok = health_check(&st, d + off, n) == HEALTH_PASS;
		if (off + n >= len)
			break;
	}
	explicit_bzero(&st, sizeof(st));
	return ok;
}

/*
 * The late part: the list in the seed directory. Looks first; writes the new
 * fingerprint (in the read-write window, where the root is read-only) only
 * when recording it is what stands between the seed and its credit.
 */
static int hostseed_late(struct hostseed_facts *f, const struct config *cfg, struct mix *m,
			 const uint8_t fp[HOSTSEED_FP_LEN], bool may_remount)
{
	struct hostseed_list l = { 0 };
	enum hostseed_reason why;
	char last[NAME_MAX + 1];
	bool priv = false, remounted = false;
	struct remount rm;
	int r = 0;

	f->have_list = true;
	int dfd = seed_dir_open(cfg->seed_dir, false, &priv);
	int probe = dfd == -ENOENT ? root_open_parent(cfg->seed_dir, last, sizeof(last)) : dfd;
	if (dfd >= 0 && (r = seed_dir_lock(dfd, cfg->lock_timeout_ms)) == 0)
		r = hostseed_list_read(dfd, &l);
	if ((dfd < 0 && dfd != -ENOENT) || (dfd >= 0 && (r < 0 || !priv))) {
		log_warn("host-seed: %s/" HOSTSEED_LIST_NAME ": %s", cfg->seed_dir,
			 strerror(dfd < 0 ? -dfd : !priv ? EPERM : -r));
		f->list_untrusted = true;
	}
	f->seen = hostseed_list_has(&l, fp);
	f->recorded = HOSTSEED_RECORDED;
	if (hostseed_credit_decide(f, &why) > 0) {
		remounted = may_remount && probe >= 0 && remount_rw_for_seed(&rm, probe, cfg, m->run);
		if (dfd == -ENOENT && (dfd = seed_dir_open(cfg->seed_dir, true, &priv)) >= 0)
			r = seed_dir_lock(dfd, cfg->lock_timeout_ms);
		r = dfd < 0 ? dfd : r < 0 ? r : hostseed_list_add(dfd, &l, fp);
		f->recorded = r == 0 ? HOSTSEED_RECORDED
			      : r == -EROFS ? HOSTSEED_RECORD_RO : HOSTSEED_RECORD_FAILED;
		if (r < 0 && r != -EROFS)
			log_err("host-seed: %s/" HOSTSEED_LIST_NAME ": %s", cfg->seed_dir,
				strerror(-r));
		if (remounted)
			remount_restore(&rm, m->run);
	} else if (f->list_untrusted && dfd >= 0 && priv && (r == -EBADMSG || r == -EPERM)) {
		/* A fresh list, so the next host seed can be credited again. */
		l.n = 0;
		(void)hostseed_list_add(dfd, &l, fp);
	}
	if (probe >= 0 && probe != dfd)
		close(probe);
	if (dfd >= 0)
		close(dfd);
	return f->recorded == HOSTSEED_RECORD_FAILED ? EXIT_SEED_WRITE : 0;
}

int hostseed_run(struct mix *m, const struct config *cfg, const struct hostseed_run_opts *o)
{
	struct hostseed_buf *b = calloc(1, sizeof(*b));
	uint8_t fp[HOSTSEED_FP_LEN];
	char hex[2 * HOSTSEED_FP_LEN + 1], line[64], reason[REPORT_REASON_MAX], detail[48];
	enum hostseed_reason why;
	const char *channel, *cv;
	int bits = 0;

	if (!b)
		return 0;
	bool earlier = hostseed_marked(NULL);
	enum hostseed_parse p = hostseed_read(b, o->credentials && !earlier, &channel);
	if (p != HOSTSEED_FOUND) {
		if (p != HOSTSEED_NONE) {
			log_warn("host-seed: %s: %s, ignoring", channel, hostseed_parse_str(p));
			if (m->run)
				report_add(m->run, "host-seed", 0, 0, "n/a", hostseed_parse_str(p));
		}
		explicit_bzero(b, sizeof(*b)); /* a bad entry may still hold seed bytes */
		free(b);
		return 0;
	}
	if (b->more)
		log_warn("host-seed: %u more ignored", b->more);
	hostseed_fingerprint(b->data, b->len, fp);
	hostseed_fp_hex(fp, hex);
	snprintf(line, sizeof(line), "%s credited\n", hex);
	cv = hostseed_confidential(hostseed_cpuid);
	struct hostseed_facts f = {
		.len = b->len,
		.oversized = b->oversized,
		.text = b->text,
		.credit_enabled = cfg->host_seed_credit,
		.health_pass = hostseed_healthy(b->data, b->len),
		.confidential = cv != NULL,
		.credited_this_boot = hostseed_marked(line),
		.fresh_by_config = cfg->host_seed_fresh,
	};
	if (o->late)
		bits = hostseed_late(&f, cfg, m, fp, o->may_remount);
	unsigned credit = hostseed_credit_decide(&f, &why);
	if (why == HOSTSEED_R_CONFIDENTIAL)
		snprintf(reason, sizeof(reason), "%s (%s): mixed, never credited", cv,
			 hostseed_reason_str(why));
	else
		snprintf(reason, sizeof(reason), "%s", hostseed_reason_str(why));
	/* The boot's own record first: a later stage must not credit it again. */
	int r = credit > 0 ? hostseed_mark(line) : 0;
	if (r < 0) {
		credit = 0;
		snprintf(reason, sizeof(reason),
			 "cannot record it in /run/bootseed/host-seed (%s): a later stage could "
			 "count it twice", strerror(-r));
	}
	credit = mix_source(m, "host-seed", b->data, b->len, credit, f.health_pass ? "pass" : "fail",
			    reason);
	snprintf(detail, sizeof(detail), "channel=%s%s", channel, b->text ? " form=text" : "");
	mix_detail(m, detail);
	snprintf(line, sizeof(line), "%s read\n", hex);
	if (credit == 0 && (r = hostseed_mark(line)) < 0)
		log_warn("%s: %s, ignoring", paths.hostseed_marker, strerror(-r));
	explicit_bzero(b, sizeof(*b));
	free(b);
	return bits;
}

int hostseed_make(const char *path, bool fw_cfg, size_t bytes)
{
	static const char prefix[] = HOSTSEED_OEM_BIN;
	char out[sizeof(prefix) + 4 * (HOSTSEED_MIN * 2 + 2) / 3 + 4], dir[PATH_MAX];
	uint8_t seed[HOSTSEED_MIN * 2];
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	int r = 0;

	if (bytes > sizeof(seed) || *name == '\0' ||
	    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1,
		     slash ? path : ".") >= (int)sizeof(dir))
		return -EINVAL;
	/* The host's crng must be ready: a seed drawn before would be no seed. */
	if (getrandom(seed, bytes, GRND_NONBLOCK) != (ssize_t)bytes)
		return errno ? -errno : -EIO;
	memcpy(out, prefix, sizeof(prefix) - 1);
	hostseed_base64_encode(seed, bytes, out + sizeof(prefix) - 1);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		r = -errno;
	else
		r = hostseed_replace(dfd, ".bootseed-host-seed.tmp", name,
				     fw_cfg ? (const void *)seed : out,
				     fw_cfg ? bytes : strlen(out));
	if (dfd >= 0)
		close(dfd);
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(out, sizeof(out));
	return r;
}
