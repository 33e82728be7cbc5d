// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host seed: its credit decision as a table (each rule, each reason), the
 * parsers (base64, SMBIOS type 11, fw_cfg), the confidential-VM check against
 * injected CPUID values, and the fingerprint list's life cycle on a temp dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostseed.h"
#include "paths.h"
#include "unit.h"

static struct hostseed_facts good(void)
{
	return (struct hostseed_facts){
		.len = 64,
		.credit_enabled = true,
		.health_pass = true,
		.have_list = true,
		.recorded = HOSTSEED_RECORDED,
	};
}

static void c_none(struct hostseed_facts *f) { (void)f; }
static void c_disabled(struct hostseed_facts *f) { f->credit_enabled = false; }
static void c_short(struct hostseed_facts *f) { f->len = 31; }
static void c_min(struct hostseed_facts *f) { f->len = 32; }
static void c_long(struct hostseed_facts *f) { f->len = 0; f->oversized = true; }
static void c_max(struct hostseed_facts *f) { f->len = 4096; }
static void c_health(struct hostseed_facts *f) { f->health_pass = false; }
static void c_cvm(struct hostseed_facts *f) { f->confidential = true; }
static void c_cvm_fresh(struct hostseed_facts *f) { f->confidential = true; f->fresh_by_config = true; }
static void c_this_boot(struct hostseed_facts *f) { f->credited_this_boot = true; }
static void c_this_boot_fresh(struct hostseed_facts *f) { f->credited_this_boot = true; f->fresh_by_config = true; }
static void c_early(struct hostseed_facts *f) { f->have_list = false; }
static void c_early_fresh(struct hostseed_facts *f) { f->have_list = false; f->fresh_by_config = true; }
static void c_list(struct hostseed_facts *f) { f->list_untrusted = true; }
static void c_seen(struct hostseed_facts *f) { f->seen = true; }
static void c_seen_fresh(struct hostseed_facts *f) { f->seen = true; f->fresh_by_config = true; }
static void c_ro(struct hostseed_facts *f) { f->recorded = HOSTSEED_RECORD_RO; }
static void c_failed(struct hostseed_facts *f) { f->recorded = HOSTSEED_RECORD_FAILED; }
static void c_text(struct hostseed_facts *f) { f->text = true; }
static void c_text_short(struct hostseed_facts *f) { f->text = true; f->len = 40; }
static void c_disabled_seen(struct hostseed_facts *f) { f->credit_enabled = false; f->seen = true; }

static const struct {
	const char *what;
	void (*change)(struct hostseed_facts *f);
	unsigned bits;
	enum hostseed_reason reason;
} rows[] = {
	{ "a fresh 64-byte seed, recorded", c_none, 256, HOSTSEED_CREDITED },
	{ "32 bytes: 256 bits", c_min, 256, HOSTSEED_CREDITED },
	{ "4096 bytes: still 256 bits", c_max, 256, HOSTSEED_CREDITED },
	{ "host_seed_credit = no", c_disabled, 0, HOSTSEED_R_DISABLED },
	{ "disabled names itself first", c_disabled_seen, 0, HOSTSEED_R_DISABLED },
	{ "31 bytes", c_short, 0, HOSTSEED_R_SHORT },
	{ "over 4096 bytes", c_long, 0, HOSTSEED_R_LONG },
	{ "failed health", c_health, 0, HOSTSEED_R_HEALTH },
	{ "confidential VM", c_cvm, 0, HOSTSEED_R_CONFIDENTIAL },
	{ "confidential VM, even with host_seed_fresh", c_cvm_fresh, 0, HOSTSEED_R_CONFIDENTIAL },
	{ "credited earlier this boot", c_this_boot, 0, HOSTSEED_R_THIS_BOOT },
	{ "credited earlier, host_seed_fresh", c_this_boot_fresh, 0, HOSTSEED_R_THIS_BOOT },
	{ "early stage, no list", c_early, 0, HOSTSEED_R_EARLY },
	{ "early stage, host_seed_fresh", c_early_fresh, 256, HOSTSEED_CREDITED },
	{ "untrusted list", c_list, 0, HOSTSEED_R_LIST },
	{ "seen before", c_seen, 0, HOSTSEED_R_NOT_FRESH },
	{ "seen before, host_seed_fresh: the operator's word", c_seen_fresh, 256, HOSTSEED_CREDITED },
	{ "read-only seed directory", c_ro, 0, HOSTSEED_R_READ_ONLY },
	{ "record failed", c_failed, 0, HOSTSEED_R_NOT_RECORDED },
	{ "text form, 64 characters: 4 bits each", c_text, 256, HOSTSEED_CREDITED },
	{ "text form, 40 characters", c_text_short, 160, HOSTSEED_CREDITED },
};

static void test_decision_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct hostseed_facts f = good();
		enum hostseed_reason why = (enum hostseed_reason)-1;
		rows[i].change(&f);
		unsigned bits = hostseed_credit_decide(&f, &why);
		if (bits != rows[i].bits || why != rows[i].reason)
			fprintf(stderr, "  row '%s': %u bits, reason %d\n", rows[i].what, bits, why);
		CHECK(bits == rows[i].bits);
		CHECK(why == rows[i].reason);
		CHECK((why == HOSTSEED_CREDITED) == (hostseed_reason_str(why)[0] == '\0'));
	}
	CHECK(strstr(hostseed_reason_str(HOSTSEED_R_NOT_FRESH),
		     "the host gave this seed before: it is not fresh"));
	CHECK(strstr(hostseed_reason_str(HOSTSEED_R_NOT_FRESH), "bootseed host-seed"));
}

static void test_base64(void)
{
	uint8_t out[16];
	char enc[32];

	CHECK(hostseed_base64_decode("Zm9vYmFy", 8, out, sizeof(out)) == 6 &&
	      memcmp(out, "foobar", 6) == 0);
	CHECK(hostseed_base64_decode("Zm9vYg==", 8, out, sizeof(out)) == 4 &&
	      memcmp(out, "foob", 4) == 0);
	CHECK(hostseed_base64_decode("Zm9vYmE=", 8, out, sizeof(out)) == 5);
	CHECK(hostseed_base64_decode("+/+/", 4, out, sizeof(out)) == 3 && out[0] == 0xfb &&
	      out[1] == 0xff && out[2] == 0xbf);
	CHECK(hostseed_base64_decode("Zm9vYmF", 7, out, sizeof(out)) == -EINVAL);  /* length */
	CHECK(hostseed_base64_decode("Zm9v YmE", 8, out, sizeof(out)) == -EINVAL); /* blank */
	CHECK(hostseed_base64_decode("Zm9vYm-y", 8, out, sizeof(out)) == -EINVAL); /* url */
	CHECK(hostseed_base64_decode("Zm=vYmFy", 8, out, sizeof(out)) == -EINVAL); /* inner = */
	CHECK(hostseed_base64_decode("Zg==Zm9v", 8, out, sizeof(out)) == -EINVAL); /* pad, more */
	CHECK(hostseed_base64_decode("Zm9vY===", 8, out, sizeof(out)) == -EINVAL); /* 3 pads */
	CHECK(hostseed_base64_decode("Zm9vYh==", 8, out, sizeof(out)) == -EINVAL); /* pad bits */
	CHECK(hostseed_base64_decode("Zm9vYmF=", 8, out, sizeof(out)) == -EINVAL); /* pad bits */
	CHECK(hostseed_base64_decode("Zm9v\0mFy", 8, out, sizeof(out)) == -EINVAL);
	CHECK(hostseed_base64_decode("Zm9vYmFy", 8, out, 5) == -E2BIG);
	hostseed_base64_encode((const uint8_t *)"foob", 4, enc);
	CHECK(strcmp(enc, "Zm9vYg==") == 0);
	hostseed_base64_encode((const uint8_t *)"fooba", 5, enc);
	CHECK(strcmp(enc, "Zm9vYmE=") == 0);
	/* Every byte value survives a round trip. */
	uint8_t all[256], back[256];
	static char big[400];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	hostseed_base64_encode(all, 256, big);
	CHECK(hostseed_base64_decode(big, strlen(big), back, sizeof(back)) == 256 &&
	      memcmp(all, back, 256) == 0);
}

/* A type 11 entry: header (length 5), the strings, the closing NUL. */
static size_t smbios(uint8_t *buf, const char *const *strs, size_t n)
{
	size_t len = 5;
	buf[0] = 11, buf[1] = 5, buf[2] = buf[3] = 0, buf[4] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + len, strs[i], strlen(strs[i]) + 1);
		len += strlen(strs[i]) + 1;
	}
	if (n == 0)
		buf[len++] = 0;
	buf[len++] = 0;
	return len;
}

static void test_smbios(void)
{
	static uint8_t buf[8192];
	static struct hostseed_buf b;
	const char *bin[] = { "vendor=x", HOSTSEED_OEM_BIN "Zm9vYmFy", HOSTSEED_OEM_BIN "AAAA" };
	const char *text[] = { HOSTSEED_OEM_TEXT "hello" };
	const char *noeq[] = { "io.systemd.credential.binary:bootseed.seed" };
	const char *other[] = { HOSTSEED_OEM_BIN "x", "io.systemd.credential:bootseed.seedX=abc",
				"io.systemd.credential:other=1" };
	const char *bad[] = { HOSTSEED_OEM_BIN "Zm9v!mFy" };
	size_t n;

	memset(&b, 0, sizeof(b));
	n = smbios(buf, bin, 3);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_FOUND);
	CHECK(b.len == 6 && memcmp(b.data, "foobar", 6) == 0 && !b.text && b.more == 1);
	memset(&b, 0, sizeof(b));
	n = smbios(buf, text, 1);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_FOUND && b.text && b.len == 5);
	memset(&b, 0, sizeof(b));
	n = smbios(buf, noeq, 1);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_P_NO_EQ);
	n = smbios(buf, other + 1, 2);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_NONE);
	n = smbios(buf, bad, 1);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_P_BASE64);
	n = smbios(buf, NULL, 0);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_NONE);
	/* truncated: the closing NUL, or a string's own NUL, or the header cut off */
	n = smbios(buf, bin, 3);
	CHECK(hostseed_parse_smbios(buf, n - 1, &b) == HOSTSEED_P_TRUNCATED);
	CHECK(hostseed_parse_smbios(buf, n - 2, &b) == HOSTSEED_P_TRUNCATED);
	CHECK(hostseed_parse_smbios(buf, 4, &b) == HOSTSEED_P_TRUNCATED);
	buf[1] = 200; /* a formatted length beyond the entry */
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_P_TRUNCATED);
	buf[1] = 5, buf[0] = 1; /* not type 11 */
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_NONE);
	/* 50 OEM strings, the seed the last of them */
	static char strs[50][40];
	const char *many[50];
	for (int i = 0; i < 49; i++)
		snprintf(strs[i], sizeof(strs[i]), "oem string %d=value", i), many[i] = strs[i];
	many[49] = HOSTSEED_OEM_BIN "Zm9vYmFy";
	memset(&b, 0, sizeof(b));
	n = smbios(buf, many, 50);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_FOUND && b.len == 6);
	/* over 4096 bytes decoded: found, oversized, nothing kept */
	static char huge[6000];
	memcpy(huge, HOSTSEED_OEM_BIN, strlen(HOSTSEED_OEM_BIN));
	memset(huge + strlen(HOSTSEED_OEM_BIN), 'A', 5600);
	const char *h[] = { huge };
	memset(&b, 0, sizeof(b));
	n = smbios(buf, h, 1);
	CHECK(hostseed_parse_smbios(buf, n, &b) == HOSTSEED_FOUND && b.oversized && b.len == 0);
}

static void test_fw_cfg(void)
{
	static struct hostseed_buf b;
	uint8_t raw[64] = { 1, 2, 3 };

	memset(&b, 0, sizeof(b));
	CHECK(hostseed_parse_fw_cfg("64", raw, 64, &b) == HOSTSEED_FOUND && b.len == 64);
	CHECK(hostseed_parse_fw_cfg("64", raw, 10, &b) == HOSTSEED_P_SIZE); /* size lies up */
	CHECK(hostseed_parse_fw_cfg("10", raw, 11, &b) == HOSTSEED_P_SIZE); /* size lies down */
	CHECK(hostseed_parse_fw_cfg("x", raw, 1, &b) == HOSTSEED_P_SIZE);
	CHECK(hostseed_parse_fw_cfg("-1", raw, 1, &b) == HOSTSEED_P_SIZE);
	memset(&b, 0, sizeof(b));
	CHECK(hostseed_parse_fw_cfg("1048576", NULL, 0, &b) == HOSTSEED_FOUND && b.oversized &&
	      b.len == 0);
}

/* Injected CPUID: leaves from a table, zeros for the rest. */
static const uint32_t (*cpuid_table)[5];
static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	(void)sub;
	memset(r, 0, 4 * sizeof(r[0]));
	for (size_t i = 0; cpuid_table && cpuid_table[i][0] | cpuid_table[i][1]; i++)
		if (cpuid_table[i][0] == leaf)
			memcpy(r, &cpuid_table[i][1], 4 * sizeof(r[0]));
}

#define AMD   0x68747541, 0x444d4163, 0x69746e65 /* EBX ECX EDX: "AuthenticAMD" */
#define INTEL 0x756e6547, 0x6c65746e, 0x49656e69 /* "GenuineIntel" */
#define HV    0x80000000u

static void test_confidential(void)
{
	static const uint32_t snp[][5] = { { 0, 0x10, AMD }, { 1, 0, 0, HV, 0 },
					   { 0x80000000u, 0x80000021u, 0, 0, 0 },
					   { 0x8000001fu, 0x1b, 0, 0, 0 }, { 0 } };
	static const uint32_t amd_plain[][5] = { { 0, 0x10, AMD }, { 1, 0, 0, HV, 0 },
						 { 0x80000000u, 0x80000021u, 0, 0, 0 }, { 0 } };
	static const uint32_t amd_host[][5] = { { 0, 0x10, AMD }, { 1, 0, 0, 0, 0 },
						{ 0x80000000u, 0x80000021u, 0, 0, 0 },
						{ 0x8000001fu, 0x1b, 0, 0, 0 }, { 0 } };
	/* leaf 0x21: EBX "Inte", EDX "lTDX", ECX "    " */
	static const uint32_t tdx[][5] = { { 0, 0x23, INTEL }, { 1, 0, 0, HV, 0 },
					   { 0x21, 0, 0x65746e49, 0x20202020, 0x5844546c }, { 0 } };
	static const uint32_t tdx_low[][5] = { { 0, 0x20, INTEL }, { 1, 0, 0, HV, 0 },
					       { 0x21, 0, 0x65746e49, 0x20202020, 0x5844546c },
					       { 0 } };
	static const uint32_t intel_vm[][5] = { { 0, 0x23, INTEL }, { 1, 0, 0, HV, 0 }, { 0 } };
	const char *r;

	cpuid_table = snp;
	CHECK((r = hostseed_confidential(fake_cpuid)) && strcmp(r, "AMD SEV") == 0);
	cpuid_table = amd_plain;
	CHECK(hostseed_confidential(fake_cpuid) == NULL);
	cpuid_table = amd_host; /* no hypervisor bit: a host, not a guest */
	CHECK(hostseed_confidential(fake_cpuid) == NULL);
	cpuid_table = tdx;
	CHECK((r = hostseed_confidential(fake_cpuid)) && strcmp(r, "Intel TDX") == 0);
	cpuid_table = tdx_low; /* the leaf is beyond the maximum: not asked */
	CHECK(hostseed_confidential(fake_cpuid) == NULL);
	cpuid_table = intel_vm;
	CHECK(hostseed_confidential(fake_cpuid) == NULL);
	cpuid_table = NULL;
	CHECK(hostseed_confidential(fake_cpuid) == NULL);
}

static int put(int dfd, const void *data, size_t len, mode_t mode)
{
	unlinkat(dfd, HOSTSEED_LIST_NAME, 0);
	int fd = openat(dfd, HOSTSEED_LIST_NAME, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return -1;
	int r = write(fd, data, len) == (ssize_t)len ? 0 : -1;
	fchmod(fd, mode);
	close(fd);
	return r;
}

static void test_list(void)
{
	char dir[] = "/tmp/bootseed-unit-hostseed-XXXXXX";
	struct hostseed_list l;
	uint8_t fp[HOSTSEED_LIST_MAX + 2][HOSTSEED_FP_LEN], seed[64];
	struct stat st;

	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	for (size_t i = 0; i < HOSTSEED_LIST_MAX + 2; i++) {
		memset(seed, (int)i, sizeof(seed));
		hostseed_fingerprint(seed, sizeof(seed), fp[i]);
	}
	CHECK(memcmp(fp[0], fp[1], HOSTSEED_FP_LEN) != 0);
	/* missing: an empty list */
	CHECK(hostseed_list_read(dfd, &l) == 0 && l.n == 0);
	CHECK(!hostseed_list_has(&l, fp[0]));
	/* added, durable, read back; a root-owned 0400 file */
	CHECK(hostseed_list_add(dfd, &l, fp[0]) == 0);
	CHECK(fstatat(dfd, HOSTSEED_LIST_NAME, &st, 0) == 0 && (st.st_mode & 0777) == 0400 &&
	      st.st_size == 8 + HOSTSEED_FP_LEN);
	CHECK(fstatat(dfd, ".host-seeds.new", &st, 0) < 0 && errno == ENOENT);
	CHECK(hostseed_list_read(dfd, &l) == 0 && l.n == 1 && hostseed_list_has(&l, fp[0]));
	/* full: the oldest goes, the newest 16 stay */
	for (size_t i = 1; i < HOSTSEED_LIST_MAX + 2; i++)
		CHECK(hostseed_list_add(dfd, &l, fp[i]) == 0);
	CHECK(hostseed_list_read(dfd, &l) == 0 && l.n == HOSTSEED_LIST_MAX);
	CHECK(!hostseed_list_has(&l, fp[0]) && !hostseed_list_has(&l, fp[1]));
	CHECK(hostseed_list_has(&l, fp[2]) && hostseed_list_has(&l, fp[HOSTSEED_LIST_MAX + 1]));
	/* corrupt: bad magic, a torn entry, too long, empty */
	CHECK(put(dfd, "bshost99", 8, 0400) == 0 && hostseed_list_read(dfd, &l) == -EBADMSG);
	uint8_t torn[8 + 20] = HOSTSEED_LIST_MAGIC;
	CHECK(put(dfd, torn, sizeof(torn), 0400) == 0 && hostseed_list_read(dfd, &l) == -EBADMSG);
	static uint8_t big[8 + 17 * HOSTSEED_FP_LEN] = HOSTSEED_LIST_MAGIC;
	CHECK(put(dfd, big, sizeof(big), 0400) == 0 && hostseed_list_read(dfd, &l) == -EBADMSG);
	CHECK(put(dfd, "", 0, 0400) == 0 && hostseed_list_read(dfd, &l) == -EBADMSG);
	/* open to others, or not root's: someone could have removed a fingerprint */
	CHECK(put(dfd, HOSTSEED_LIST_MAGIC, 8, 0644) == 0 && hostseed_list_read(dfd, &l) == -EPERM);
	CHECK(put(dfd, HOSTSEED_LIST_MAGIC, 8, 0400) == 0 && hostseed_list_read(dfd, &l) == 0);
	if (geteuid() == 0) {
		CHECK(fchownat(dfd, HOSTSEED_LIST_NAME, 1000, 1000, 0) == 0);
		CHECK(hostseed_list_read(dfd, &l) == -EPERM);
	} else {
		fprintf(stderr, "  (not root: the not-root-owned case is left to a root run)\n");
	}
	/* a symlink is not followed */
	unlinkat(dfd, HOSTSEED_LIST_NAME, 0);
	CHECK(symlinkat("/etc/passwd", dfd, HOSTSEED_LIST_NAME) == 0);
	CHECK(hostseed_list_read(dfd, &l) == -ELOOP);
	unlinkat(dfd, HOSTSEED_LIST_NAME, 0);
	close(dfd);
	rmdir(dir);
}

int main(void)
{
	paths_init("/");
	RUN(test_decision_table);
	RUN(test_base64);
	RUN(test_smbios);
	RUN(test_fw_cfg);
	RUN(test_confidential);
	RUN(test_list);
	return unit_done();
}
