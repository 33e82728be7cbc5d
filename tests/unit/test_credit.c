// SPDX-License-Identifier: GPL-2.0-or-later
/* The seed credit decision as a table: each rule, each reason. */
#include <errno.h>

#include "config.h"
#include "seedfile.h"
#include "unit.h"

static struct seed_facts good(void)
{
	return (struct seed_facts){
		.creditable_name = true,
		.credit_enabled = true,
		.first_boot = false,
		.regular = true,
		.owner_root = true,
		.mode_private = true,
		.single_link = true,
		.dir_private = true,
		.oversized = false,
		.len = 32,
		.fs = FS_PERSISTENT,
		.machine = SEED_MACHINE_SAME,
		.written_this_boot = false,
		.consumed = SEED_CONSUMED,
	};
}

struct row {
	const char *what;
	void (*change)(struct seed_facts *f);
	unsigned bits;
	enum seed_reason reason;
};

static void c_none(struct seed_facts *f) { (void)f; }
static void c_no_credit_name(struct seed_facts *f) { f->creditable_name = false; }
static void c_disabled(struct seed_facts *f) { f->credit_enabled = false; }
static void c_first_boot(struct seed_facts *f) { f->first_boot = true; }
static void c_not_regular(struct seed_facts *f) { f->regular = false; }
static void c_not_root(struct seed_facts *f) { f->owner_root = false; }
static void c_not_private(struct seed_facts *f) { f->mode_private = false; }
static void c_links(struct seed_facts *f) { f->single_link = false; }
static void c_dir(struct seed_facts *f) { f->dir_private = false; }
static void c_empty(struct seed_facts *f) { f->len = 0; }
static void c_truncated(struct seed_facts *f) { f->len = 31; }
static void c_oversized(struct seed_facts *f) { f->len = 512; f->oversized = true; }
static void c_own(struct seed_facts *f) { f->written_this_boot = true; }
static void c_rofs(struct seed_facts *f) { f->consumed = SEED_CONSUME_READ_ONLY; f->consume_error = -EROFS; }
static void c_eio(struct seed_facts *f) { f->consumed = SEED_CONSUME_FAILED; f->consume_error = -EIO; }
static void c_nospc(struct seed_facts *f) { f->consumed = SEED_CONSUME_FAILED; f->consume_error = -ENOSPC; }
static void c_tmpfs(struct seed_facts *f) { f->fs = FS_VOLATILE; }
static void c_nfs(struct seed_facts *f) { f->fs = FS_NETWORK; }
static void c_vfat(struct seed_facts *f) { f->fs = FS_NO_OWNERS; }
static void c_squashfs(struct seed_facts *f) { f->fs = FS_READ_ONLY; }
static void c_unknown_fs(struct seed_facts *f) { f->fs = FS_UNKNOWN; }
static void c_stuck(struct seed_facts *f) { f->stuck = true; }
static void c_format(struct seed_facts *f) { f->bad_format = true; }
static void c_other(struct seed_facts *f) { f->machine = SEED_MACHINE_OTHER; }
static void c_none_id(struct seed_facts *f) { f->machine = SEED_MACHINE_NONE; }
static void c_unbound(struct seed_facts *f) { f->machine = SEED_MACHINE_UNBOUND; }
static void c_tmpfs_first(struct seed_facts *f) { f->fs = FS_VOLATILE; f->first_boot = true; }
static void c_big(struct seed_facts *f) { f->len = 512; }
static void c_40(struct seed_facts *f) { f->len = 40; }
/* Two faults: the reason named is the first rule in the order of the code. */
static void c_first_boot_rofs(struct seed_facts *f) { f->first_boot = true; f->consumed = SEED_CONSUME_READ_ONLY; }
static void c_no_credit_not_root(struct seed_facts *f) { f->creditable_name = false; f->owner_root = false; }

/* The TPM binding (tpm_bind) and the NV counter (tpm_counter). */
static void c_require_unbound(struct seed_facts *f) { f->bind_mode = BIND_REQUIRE; }
static void c_require_bound(struct seed_facts *f) { f->bind_mode = BIND_REQUIRE; f->bound = true; }
static void c_bound_other_tpm(struct seed_facts *f) { f->bound = true; f->other_tpm = true; }
static void c_auto_other_tpm_unbound(struct seed_facts *f) { f->other_tpm = true; }
static void c_ctr(struct seed_facts *f)
{
	f->counter_on = true;
	f->counter_known = true;
	f->seed_counter = true;
	f->counter_seed = 5;
	f->counter_now = 6;
}
static void c_ctr_ok(struct seed_facts *f) { c_ctr(f); }
static void c_ctr_ro(struct seed_facts *f) { c_ctr(f); c_rofs(f); }
static void c_ctr_eio(struct seed_facts *f) { c_ctr(f); c_eio(f); }
static void c_ctr_unknown(struct seed_facts *f) { c_ctr(f); f->counter_known = false; }
static void c_ctr_none(struct seed_facts *f) { c_ctr(f); f->seed_counter = false; }
static void c_ctr_rollback(struct seed_facts *f) { c_ctr(f); f->counter_now = 8; }
static void c_ctr_same(struct seed_facts *f) { c_ctr(f); f->counter_now = 5; }
static void c_ctr_below(struct seed_facts *f) { c_ctr(f); f->counter_now = 3; }
static void c_ctr_wrap(struct seed_facts *f) { c_ctr(f); f->counter_seed = UINT64_MAX; f->counter_now = 0; }
static void c_ctr_used(struct seed_facts *f) { c_ctr(f); f->counter_used = true; }
static void c_ctr_mark(struct seed_facts *f) { c_ctr(f); f->counter_mark_failed = true; }
static void c_ctr_first(struct seed_facts *f) { c_ctr(f); f->first_boot = true; }
static void c_ctr_own(struct seed_facts *f) { c_ctr(f); f->written_this_boot = true; }
static void c_ctr_other_machine(struct seed_facts *f) { c_ctr(f); f->machine = SEED_MACHINE_OTHER; }
static void c_ctr_bound_other_tpm(struct seed_facts *f) { c_ctr(f); c_bound_other_tpm(f); }
static void c_ctr_require_unbound(struct seed_facts *f) { c_ctr(f); c_require_unbound(f); }
static void c_off_ctr_ro(struct seed_facts *f) { c_ctr_ro(f); f->bind_mode = BIND_OFF; }
static void c_off_ro(struct seed_facts *f) { f->bind_mode = BIND_OFF; c_rofs(f); }
static void c_bound_ro(struct seed_facts *f) { f->bound = true; c_rofs(f); }

static const struct row rows[] = {
	{ "all rules hold", c_none, 256, SEED_CREDITED },
	{ "512-byte seed is capped at the crng's 256 bits", c_big, 256, SEED_CREDITED },
	{ "40-byte seed", c_40, 256, SEED_CREDITED },
	{ "seed.no-credit", c_no_credit_name, 0, SEED_R_NO_CREDIT_FILE },
	{ "seed_credit = no", c_disabled, 0, SEED_R_DISABLED },
	{ "first boot", c_first_boot, 0, SEED_R_FIRST_BOOT },
	{ "not regular", c_not_regular, 0, SEED_R_NOT_REGULAR },
	{ "not root-owned", c_not_root, 0, SEED_R_NOT_ROOT },
	{ "group/other bits", c_not_private, 0, SEED_R_NOT_PRIVATE },
	{ "hard links", c_links, 0, SEED_R_LINKS },
	{ "directory not private", c_dir, 0, SEED_R_DIR_NOT_PRIVATE },
	{ "empty", c_empty, 0, SEED_R_EMPTY },
	{ "truncated", c_truncated, 0, SEED_R_TRUNCATED },
	{ "oversized", c_oversized, 0, SEED_R_OVERSIZED },
	{ "written this boot", c_own, 0, SEED_R_OWN_OUTPUT },
	{ "read-only directory", c_rofs, 0, SEED_R_READ_ONLY },
	{ "unlink/fsync failed", c_eio, 0, SEED_R_NOT_CONSUMED },
	{ "next seed not written", c_nospc, 0, SEED_R_NOT_CONSUMED },
	{ "first boot and read-only", c_first_boot_rofs, 0, SEED_R_FIRST_BOOT },
	{ "no-credit and not root", c_no_credit_not_root, 0, SEED_R_NOT_ROOT },
	{ "tmpfs or overlay", c_tmpfs, 0, SEED_R_FS_VOLATILE },
	{ "NFS, 9p, FUSE", c_nfs, 0, SEED_R_FS_NETWORK },
	{ "vfat, exfat", c_vfat, 0, SEED_R_FS_NO_OWNERS },
	{ "squashfs, erofs", c_squashfs, 0, SEED_R_FS_READ_ONLY },
	{ "unknown file system", c_unknown_fs, 0, SEED_R_FS_UNKNOWN },
	{ "all-equal or long-run contents", c_stuck, 0, SEED_R_STUCK },
	{ "unknown header format", c_format, 0, SEED_R_FORMAT },
	{ "another machine-id", c_other, 0, SEED_R_OTHER_MACHINE },
	{ "written without a machine-id", c_none_id, 0, SEED_R_NO_MACHINE },
	{ "an older bootseed's seed (no header)", c_unbound, 256, SEED_CREDITED },
	{ "volatile and first boot", c_tmpfs_first, 0, SEED_R_FS_VOLATILE },
	/* binding */
	{ "tpm_bind = require without a binding", c_require_unbound, 0, SEED_R_UNBOUND },
	{ "tpm_bind = require, bound", c_require_bound, 256, SEED_CREDITED },
	{ "bound, the seed names another TPM key (cleared TPM, copied disk)",
	  c_bound_other_tpm, 0, SEED_R_OTHER_TPM },
	{ "auto without a binding: another key cannot be told (today's rules)",
	  c_auto_other_tpm_unbound, 256, SEED_CREDITED },
	{ "bound, read-only: still the disk's consumption rule", c_bound_ro, 0, SEED_R_READ_ONLY },
	/* counter */
	{ "counter one past the seed's", c_ctr_ok, 256, SEED_CREDITED },
	{ "counter matches on a read-only root: the increment consumed it", c_ctr_ro, 256,
	  SEED_CREDITED },
	{ "counter matches, the disk write failed: the increment consumed it", c_ctr_eio, 256,
	  SEED_CREDITED },
	{ "counter unknown this boot", c_ctr_unknown, 0, SEED_R_COUNTER_UNKNOWN },
	{ "seed without a counter value", c_ctr_none, 0, SEED_R_COUNTER_NONE },
	{ "counter 3 past: a rolled-back disk", c_ctr_rollback, 0, SEED_R_COUNTER_STALE },
	{ "counter equal to the seed's", c_ctr_same, 0, SEED_R_COUNTER_STALE },
	{ "counter below the seed's", c_ctr_below, 0, SEED_R_COUNTER_STALE },
	{ "seed at UINT64_MAX, counter 0: no wrap-around", c_ctr_wrap, 0, SEED_R_COUNTER_STALE },
	{ "credited at this counter value earlier this boot", c_ctr_used, 0,
	  SEED_R_COUNTER_USED },
	{ "the used mark could not be written", c_ctr_mark, 0, SEED_R_COUNTER_MARK },
	{ "counter matches on a first boot", c_ctr_first, 0, SEED_R_FIRST_BOOT },
	{ "counter matches, written this boot", c_ctr_own, 0, SEED_R_OWN_OUTPUT },
	{ "counter matches, another machine-id", c_ctr_other_machine, 0,
	  SEED_R_OTHER_MACHINE },
	{ "counter matches, another TPM key", c_ctr_bound_other_tpm, 0, SEED_R_OTHER_TPM },
	{ "counter matches, require without binding", c_ctr_require_unbound, 0,
	  SEED_R_UNBOUND },
	{ "tpm_bind = off, counter matches, read-only", c_off_ctr_ro, 256, SEED_CREDITED },
	{ "tpm_bind = off, no counter, read-only", c_off_ro, 0, SEED_R_READ_ONLY },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct seed_facts f = good();
		enum seed_reason why = (enum seed_reason)-1;
		rows[i].change(&f);
		unsigned bits = seed_credit_decide(&f, &why);
		if (bits != rows[i].bits || why != rows[i].reason)
			fprintf(stderr, "  row '%s': got %u bits, reason %d\n", rows[i].what, bits,
				why);
		CHECK(bits == rows[i].bits);
		CHECK(why == rows[i].reason);
		CHECK(why == SEED_CREDITED || strlen(seed_reason_str(why)) > 10);
	}
}

static void test_next_len(void)
{
	CHECK(seed_next_len(256) == 32);
	CHECK(seed_next_len(4096) == 512);
	CHECK(seed_next_len(8192) == 512);
	CHECK(seed_next_len(64) == 32);
	CHECK(seed_next_len(-5) == 32);
	CHECK(seed_next_len(1024) == 128);
}

int main(void)
{
	RUN(test_table);
	RUN(test_next_len);
	return unit_done();
}
