#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The late stage's read-write window on a real file system: an ext4 image on a
# loop device mounted read-only as the "root" (--root), as the initramfs mounts
# it. bootseed remounts it read-write for the seed only when the installed
# system's fstab mounts it read-write and the initramfs checked it; the mount
# is read-only again afterwards, on every path. The kernel tree is the test
# fake ($W/k) holding a copy of this namespace's mountinfo. Root only (mount).
# shellcheck disable=SC2317,SC2120 # helpers run through t_check; optional arguments
set -u
if [ "${T_IN_NS:-}" != 1 ] && [ "$(id -u)" = 0 ]; then
	T_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || { t_fail "needs root (loop device, mount)"; t_done; }
t_need jq mkfs.ext4 e2fsck losetup findmnt
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
W=$(mktemp -d /tmp/bootseed-remount-XXXXXX)
R=$W/root
LOOP=
cleanup() { umount "$R" 2>/dev/null; [ -n "$LOOP" ] && losetup -d "$LOOP"; rm -rf "$W"; }
trap cleanup EXIT
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready

# image FSTAB_LINE: a fresh ext4 image with a creditable seed and that fstab.
image() {
	umount "$R" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	rm -f "$W/img"
	truncate -s 16M "$W/img"
	mkfs.ext4 -q -F -L testroot "$W/img"
	mkdir -p "$R"
	# A writable loop device, as a disk is: only the mount is read-only.
	LOOP=$(losetup -f --show "$W/img") || { t_fail "no loop device"; t_done; }
	mount "$LOOP" "$R"
	mkdir -p "$R/etc" "$R/var/lib/bootseed"
	chmod 700 "$R/var/lib/bootseed"
	echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
	[ -n "$1" ] && printf '%s\n' "$1" >"$R/etc/fstab"
	head -c 32 /dev/urandom >"$R/var/lib/bootseed/seed.credit"
	chmod 400 "$R/var/lib/bootseed/seed.credit"
	S0=$(sha256sum <"$R/var/lib/bootseed/seed.credit")
	umount "$R"
	mount -o ro "$LOOP" "$R"
}
# boot [CMDLINE] [FSCKED=1]: a new boot's kernel tree.
boot() {
	rm -rf "$W/k" "$W/pool"
	mkdir -p "$W/k/proc/self" "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run/initramfs"
	echo "BOOT_IMAGE=/vmlinuz root=LABEL=testroot ro bootseed.jitter_timeout_ms=0 ${1:-}" >"$W/k/proc/cmdline"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
	cat /proc/self/mountinfo >"$W/k/proc/self/mountinfo"
	[ "${2:-1}" = 1 ] && : >"$W/k/run/initramfs/fsck-root"
}
# The outer redirection silences bash's "Killed" line for a crashed binary.
late() {
	RC=0
	{ "$BIN" load --stage late --root "$R" --config /dev/null "$@" 2>/dev/null; } 2>/dev/null || RC=$?
}
seed_credit() { jq -e ".runs[0].sources[] | select(.name==\"seed.credit\") | .credited_bits==$1" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
remount_is() { jq -e ".runs[0].remount | test(\"$1\")" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
is_ro() { findmnt -n -o OPTIONS "$R" | tr , '\n' | grep -qx ro; }
seed_replaced() { [ -f "$R/var/lib/bootseed/seed.credit" ] && [ "$(sha256sum <"$R/var/lib/bootseed/seed.credit")" != "$S0" ]; }
kept() { [ "$(sha256sum <"$R/var/lib/bootseed/seed.credit")" = "$S0" ]; }
# A clean file system: e2fsck -n on the image while it is mounted read-only.
clean() { umount "$R" && e2fsck -fn "$LOOP" >"$W/fsck.log" 2>&1 || { sed 's/^/    /' "$W/fsck.log"; false; }; }

# --- fstab mounts / read-write, the initramfs checked it: credited here -----------
image "LABEL=testroot / ext4 errors=remount-ro 0 1"
boot
late
t_check "fstab rw, checked: exit 0 [$RC]" [ "$RC" -eq 0 ]
t_check "fstab rw, checked: the seed is credited 256 bits in the late stage" seed_credit 256
t_check "fstab rw, checked: says it remounted and for how long" \
	bash -c "grep -q 'remounted $R (ext4) read-write to consume and credit the seed' '$W/k/dev/kmsg' && grep -q 'read-only again after [0-9]* ms' '$W/k/dev/kmsg'"
t_check "fstab rw, checked: the report has the window" remount_is "remounted read-write for [0-9]+ ms, then read-only"
t_check "fstab rw, checked: the root is read-only again" is_ro
t_check "fstab rw, checked: the next seed replaced the old one" seed_replaced
t_check "fstab rw, checked: the file system is clean (e2fsck -fn)" clean

# "defaults" is read-write too; no fstab entry with rw on the command line too
image "LABEL=testroot / ext4 defaults 0 1"
boot
late
t_check "fstab defaults: credited, read-only again" bash -c "$(declare -f seed_credit is_ro); W='$W' R='$R'; seed_credit 256 && is_ro"

# --- every reason not to: mixed only, the seed left for bootseed.service -------------
not_remounted() { # WHAT REASON-REGEX
	t_check "$1: exit 0 [$RC]" [ "$RC" -eq 0 ]
	t_check "$1: the seed mixed, not credited" seed_credit 0
	t_check "$1: not remounted, the reason reported" remount_is "not remounted: $2"
	t_check "$1: the reason logged" grep -q "not remounting .*read-write: $2" "$W/k/dev/kmsg"
	t_check "$1: still read-only, the seed untouched" bash -c "$(declare -f is_ro kept); R='$R' S0='$S0'; is_ro && kept"
}
image "LABEL=testroot / ext4 ro,noatime 0 1"
boot
late
not_remounted "fstab ro" "the installed system's fstab mounts it read-only"

image ""
boot
late
not_remounted "no fstab, ro on the command line" "no fstab entry for / and no rw"

image "LABEL=testroot / ext4 defaults 0 1"
boot "" 0
late
not_remounted "not checked by fsck in the initramfs" "the initramfs did not check it"

image "LABEL=testroot / ext4 defaults 0 1"
boot "bootseed.seed_remount=no"
late
not_remounted "seed_remount = no" "seed_remount = no"

image "LABEL=testroot / ext4 defaults 0 1"
boot
dev=$(findmnt -n -o MAJ:MIN "$R" | tr -d ' ')
mkdir -p "$W/k/sys/dev/block/$dev" && echo 1 >"$W/k/sys/dev/block/$dev/ro"
late
not_remounted "a read-only block device" "its block device is read-only or dm-verity"

image "LABEL=testroot / ext4 defaults 0 1"
boot
BOOTSEED_TEST_FAIL_AT=remount:EIO late
t_check "remount refused: exit 0, mixed only [$RC]" bash -c "[ $RC -eq 0 ] && $(declare -f seed_credit); W='$W'; seed_credit 0"
t_check "remount refused: the failure logged" \
	grep -q "cannot remount $R read-write: Input/output error; the seed is mixed only" "$W/k/dev/kmsg"
t_check "remount refused: the failure reported" remount_is 'remount failed: Input/output error'
t_check "remount refused: still read-only, the seed untouched" bash -c "$(declare -f is_ro kept); R='$R' S0='$S0'; is_ro && kept"

# --- nothing to credit (a first boot): the root is not touched at all --------------------
image "LABEL=testroot / ext4 defaults 0 1"
umount "$R" && mount "$LOOP" "$R" && echo uninitialized >"$R/etc/machine-id" &&
	umount "$R" && mount -o ro "$LOOP" "$R"
boot
late
t_check "first boot: the seed not credited (first boot)" \
	bash -c "$(declare -f seed_credit); W='$W'; seed_credit 0"
t_check "first boot: no read-write window, nothing said about one" \
	bash -c "! grep -q 'remount' '$W/k/dev/kmsg' && jq -e '.runs[0].remount == null' '$W/k/run/bootseed/report.json' >/dev/null"
t_check "first boot: still read-only, the seed untouched" bash -c "$(declare -f is_ro kept); R='$R' S0='$S0'; is_ro && kept"

# --- a crash inside the window: the next boot remounts, credits nothing twice ----------
image "LABEL=testroot / ext4 defaults 0 1"
boot
BOOTSEED_TEST_CRASH_AT=tmp-synced late
t_check "killed inside the window: the root is left read-write (a power cut is the QEMU case)" \
	bash -c "$(declare -f is_ro); R='$R'; ! is_ro"
mount -o remount,ro "$R"
boot
late
t_check "killed inside the window, next boot: the old seed credited once there" seed_credit 256
t_check "killed inside the window, next boot: read-only again" is_ro
t_check "killed inside the window, next boot: the file system is clean (e2fsck -fn)" clean
t_done
