#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full disk (ENOSPC on a tiny tmpfs), a read-only seed directory (EROFS) and
# I/O errors (EIO from the BOOTSEED_TEST_FAIL_AT hook at each write-sequence
# operation; test_boot.sh adds a real one, a disk removed under ext4): the old
# seed is kept and not credited, the message says which, and the exit bits say
# which stage failed (8: seed write, 4: seed consume). Runs in its own mount
# namespace so that no mount outlives it.
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
if [ "${F_IN_NS:-}" != 1 ] && [ "$(id -u)" = 0 ]; then
	F_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { t_skip "mounting a tmpfs needs root"; t_done; }
# The tmpfs stands in for a small ext4 disk: on a real tmpfs no seed is
# credited at all (volatile), which would hide what these cases check.
export BOOTSEED_TEST_FS_MAGIC=0xEF53

# kept_uncredited WHAT: S0 still there, unchanged, mixed with 0 bits.
kept_uncredited() {
	t_check "$1: S0 kept unchanged as seed.credit" [ "$(f_sum "$SD/seed.credit")" = "$S0" ]
	t_check "$1: S0 mixed, not credited" \
		bash -c "[ $(f_feeds "$S0_FP") -ge 1 ] && [ $(f_credits "$S0_FP") -eq 0 ]"
}
temp_gone() { [ ! -e "$SD/.seed.new" ] && [ ! -e "$SD/.seed.new2" ]; }

# --- full disk ----------------------------------------------------------------------
f_fresh
mount -t tmpfs -o size=16k,mode=0700 tmpfs "$SD" || { t_fail "cannot mount a tmpfs"; t_done; }
head -c 32 /dev/urandom >"$SD/seed.credit"
chmod 400 "$SD/seed.credit"
S0=$(f_sum "$SD/seed.credit") S0_FP=$(f_fp "$SD/seed.credit")
dd if=/dev/zero of="$SD/filler" bs=1k count=64 2>/dev/null # fills it: ENOSPC
f_load
t_check "ENOSPC, load: exit status is exactly 8 (seed write) [$RC]" [ "$RC" -eq 8 ]
kept_uncredited "ENOSPC, load"
t_check "ENOSPC, load: the message says the write failed and the old seed is kept" \
	f_kmsg_has "No space left on device; old seeds kept and not credited"
t_check "ENOSPC, load: the seed line says why it is not credited" \
	grep -q 'seed.credit: 32 bytes, credited 0 bits: could not be durably removed.*(No space left on device)' "$W/k/dev/kmsg"
t_check "ENOSPC, load: report records the failure (exit 8, 0 bits)" \
	f_report '.runs[0].exit_status==8 and .runs[0].credited_bits==0 and .runs[0].new_seed==null'
t_check "ENOSPC, load: no temp file left behind" temp_gone
BOOTSEED_TEST_CRNG=ready f_save
t_check "ENOSPC, save: exit 8, S0 kept unchanged" \
	bash -c "[ $RC -eq 8 ] && [ '$(f_sum "$SD/seed.credit")' = '$S0' ]"
rm -f "$SD/filler"
f_reboot
f_load
t_check "space again, next boot: S0 credited, exactly once, and replaced" \
	bash -c "[ $RC -eq 0 ] && [ $(f_credits "$S0_FP") -eq 1 ] && [ '$(f_sum "$SD/seed.credit")' != '$S0' ]"
umount "$SD"

# --- read-only -----------------------------------------------------------------------
f_fresh
if ! { mount -t tmpfs -o size=64k,mode=0700 tmpfs "$SD" && head -c 32 /dev/urandom >"$SD/seed.credit" &&
	chmod 400 "$SD/seed.credit" && mount -o remount,ro "$SD"; }; then
	t_fail "cannot mount a read-only tmpfs"
fi
S0=$(f_sum "$SD/seed.credit") S0_FP=$(f_fp "$SD/seed.credit")
f_load
t_check "EROFS, load: exit 0 (expected in an initramfs)" [ "$RC" -eq 0 ]
kept_uncredited "EROFS, load"
t_check "EROFS, load: says it is left for the next stage" \
	grep -q 'seed.credit: 32 bytes, credited 0 bits: the seed directory is read-only' "$W/k/dev/kmsg"
f_save
t_check "EROFS, save: exit 8 and the message names the error" \
	bash -c "[ $RC -eq 8 ] && grep -q 'Read-only file system; old seeds kept' '$W/k/dev/kmsg'"
umount "$SD"

# --- I/O errors at each operation (fault hook) -----------------------------------------
# OP EXPECTED-EXIT MESSAGE
while read -r op want msg; do
	f_fresh
	BOOTSEED_TEST_FAIL_AT=$op:EIO f_load
	t_check "EIO at $op: exit status is exactly $want [$RC]" [ "$RC" -eq "$want" ]
	t_check "EIO at $op: S0 mixed, never credited" \
		bash -c "[ $(f_feeds "$S0_FP") -eq 1 ] && [ $(f_credits "$S0_FP") -eq 0 ]"
	t_check "EIO at $op: the message says '$msg'" grep -q "$msg.*Input/output error\|Input/output error.*$msg" "$W/k/dev/kmsg"
	t_check "EIO at $op: no temp file left" temp_gone
	if [ "$want" = 8 ]; then
		t_check "EIO at $op: S0 kept unchanged" [ "$(f_sum "$SD/seed.credit")" = "$S0" ]
	else
		t_check "EIO at $op: a complete new seed is in place (nothing lost)" f_seed_ok seed.no-credit
	fi
	f_reboot
	f_load
	t_check "EIO at $op, next boot: S0 credited at most once in all, exit 0" \
		bash -c "[ $RC -eq 0 ] && [ $(f_credits "$S0_FP") -le 1 ]"
done <<'CASES'
write 8 cannot write the next seed
fsync-tmp 8 cannot write the next seed
rename 8 cannot write the next seed
unlink 4 cannot durably remove the old seed
fsync-dir 4 cannot durably remove the old seed
CASES

t_done
