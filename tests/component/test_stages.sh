#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `load --stage`: early reads the devices only, late the seed file only, and
# the default ("all") reads both but skips the devices when an earlier stage
# of the same boot (the /run marker) already read them. Test build, fake root
# and kernel tree, fake hwrng, stand-in pool.
set -u
. "$(dirname "$0")/../lib.sh"
t_need jq
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
W=$(mktemp -d /tmp/bootseed-stage-XXXXXX)
trap 'rm -rf "$W"' EXIT
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready

# fresh: a new boot (kernel tree with a good quality-0 hwrng) and a machine
# with a creditable seed.
fresh() {
	rm -rf "$W/k" "$W/pool" "$W/root"
	mkdir -p "$W/root/etc" "$W/root/var/lib/bootseed" "$W/k/proc/sys/kernel/random" \
		"$W/k/dev" "$W/k/run" "$W/k/sys/class/misc/hw_random"
	chmod 700 "$W/root/var/lib/bootseed"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	head -c 32 /dev/urandom >"$W/root/var/lib/bootseed/seed.credit"
	chmod 400 "$W/root/var/lib/bootseed/seed.credit"
	echo fake-rng >"$W/k/sys/class/misc/hw_random/rng_current"
	echo fake-rng >"$W/k/sys/class/misc/hw_random/rng_available"
	echo 0 >"$W/k/sys/class/misc/hw_random/rng_quality"
	head -c 512 /dev/urandom >"$W/k/dev/hwrng"
	echo "ro bootseed.load_modules=no bootseed.jitter_timeout_ms=0 ${1:-}" >"$W/k/proc/cmdline"
	echo 3 >"$W/k/proc/sys/kernel/random/entropy_avail"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
}
load() { "$BIN" load --root "$W/root" --config /dev/null "$@" 2>/dev/null; }
# run N has a source named NAME
has_src() { jq -e ".runs[$1].sources | any(.name==\"$2\")" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
run_is() { jq -e ".runs[$1] | $2" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
seed_sum() { sha256sum "$W/root/var/lib/bootseed/seed.credit" 2>/dev/null | cut -c1-64; }

# --- early: devices only -------------------------------------------------------
fresh
old=$(seed_sum)
load --stage early; rc=$?
t_check "early: exit 0" [ "$rc" -eq 0 ]
t_check "early: hwrng read and credited" run_is 0 '.stage=="early" and (.sources[] | select(.name=="hwrng") | .credited_bits==256)'
t_check "early: no seed source in the report" bash -c "! jq -e '.runs[0].sources | any(.name|startswith(\"seed\"))' '$W/k/run/bootseed/report.json' >/dev/null"
t_check "early: seed file untouched, no next seed" bash -c "[ '$(seed_sum)' = '$old' ] && [ \$(ls '$W/root/var/lib/bootseed' | wc -l) -eq 1 ]"
t_check "early: marks the devices read in /run" test -e "$W/k/run/bootseed/devices-done"

# --- late after early: seed only ------------------------------------------------
load --stage late; rc=$?
t_check "late: exit 0" [ "$rc" -eq 0 ]
t_check "late: seed consumed and credited" run_is 1 '.stage=="late" and (.sources[] | select(.name=="seed.credit") | .credited_bits==256)'
t_check "late: no device read" bash -c "! jq -e '.runs[1].sources | any(.name==\"hwrng\" or .name==\"cpu\" or .name==\"tpm\")' '$W/k/run/bootseed/report.json' >/dev/null"
t_check "late: a new seed replaced the old one" bash -c "[ -n '$(seed_sum)' ] && [ '$(seed_sum)' != '$old' ]"
t_check "hwrng fed once in the whole boot" [ "$(grep -c 'source=hwrng' "$W/pool")" -eq 1 ]

# --- all after early: the devices are not read twice -----------------------------
fresh
load --stage early
load; rc=$?
t_check "all after early: exit 0" [ "$rc" -eq 0 ]
t_check "all after early: says the devices were read earlier" grep -q "an earlier stage of this boot read the devices" "$W/k/dev/kmsg"
t_check "all after early: no device read, the seed credited" \
	run_is 1 '.stage=="all" and (.sources | any(.name=="hwrng") | not) and (.sources[] | select(.name=="seed.credit") | .credited_bits==256)'
t_check "all after early: hwrng fed once" [ "$(grep -c 'source=hwrng' "$W/pool")" -eq 1 ]

# --- all alone (no bootseed in the initramfs): devices and seed ---------------------
fresh
load; rc=$?
t_check "all alone: exit 0" [ "$rc" -eq 0 ]
t_check "all alone: hwrng and seed both read" bash -c "$(declare -f has_src); W='$W'; has_src 0 hwrng && has_src 0 seed.credit"
t_check "all alone: the report has its CPU time and peak RSS" run_is 0 '(.cpu_us|type=="number") and .maxrss_kb > 0'
t_check "all alone: summary names the stage" grep -q "load: credited 512 bits in [0-9]* ms (stage all)" "$W/k/dev/kmsg"

# --- late on a first boot: the seed is not credited ----------------------------------
fresh
echo uninitialized >"$W/root/etc/machine-id"
load --stage late
t_check "late, first boot: the seed mixed without credit" run_is 0 '.sources[] | select(.name=="seed.credit") | .credited_bits==0'
# The real root of that boot: systemd mounted a transient machine-id over the
# uninitialized one; a seed there (a golden image's) is still not credited.
echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
head -c 32 /dev/urandom >"$W/root/var/lib/bootseed/seed.credit.x" && chmod 400 "$W/root/var/lib/bootseed/seed.credit.x"
mv "$W/root/var/lib/bootseed/seed.credit.x" "$W/root/var/lib/bootseed/seed.credit"
rm -f "$W/k/run/bootseed/seed-written"
load
t_check "all, same first boot, machine-id now set: still a first boot, no credit" \
	run_is 1 '.sources[] | select(.name=="seed.credit") | .credited_bits==0 and (.reason|test("first boot"))'
fresh
mkdir -p "$W/k/run/systemd" && : >"$W/k/run/systemd/first-boot"
load
t_check "systemd's /run/systemd/first-boot: a first boot, no seed credit" \
	run_is 0 '.sources[] | select(.name=="seed.credit") | .credited_bits==0 and (.reason|test("first boot"))'

# --- /run/bootseed unusable: the markers cannot be kept, and it says so ----------
fresh
rm -rf "$W/k/run/bootseed" && : >"$W/k/run/bootseed"
load; rc=$?
t_check "no /run/bootseed: says the new seed is not recorded (a later stage may credit it)" \
	grep -q "cannot record the new seed in .*seed-written" "$W/k/dev/kmsg"
t_check "no /run/bootseed: says the devices may be read again" \
	grep -q "cannot create .*devices-done.*may read the devices again" "$W/k/dev/kmsg"
t_check "no /run/bootseed: only the report bit (16) is set [$rc]" [ "$rc" -eq 16 ]

# --- under systemd: stderr is the journal, which reads kmsg too ------------------
fresh
: >"$W/err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$W/err") "$BIN" load --root "$W/root" --config /dev/null 2>>"$W/err"
t_check "JOURNAL_STREAM is stderr: lines go to kmsg only, not twice" \
	bash -c "grep -q 'bootseed: seed.credit' '$W/k/dev/kmsg' && ! grep -q 'bootseed: ' '$W/err'"
fresh
rm "$W/k/dev/kmsg"
: >"$W/err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$W/err") "$BIN" load --root "$W/root" --config /dev/null 2>>"$W/err"
t_check "JOURNAL_STREAM but no kmsg: lines still reach stderr" grep -q 'bootseed: seed.credit' "$W/err"
fresh
JOURNAL_STREAM=1:2 "$BIN" load --root "$W/root" --config /dev/null 2>"$W/err"
t_check "JOURNAL_STREAM of another stream: stderr keeps its lines" grep -q 'bootseed: seed.credit' "$W/err"

# --- the kernel's jitter, the last resort of the last initramfs stage -------------
# The stand-in kernel: BOOTSEED_TEST_JITTER_MS=N makes its jitter ready after N
# ms of a blocking getrandom; without it the kernel has no jitter at all.
jitter() { jq -e ".runs[$1].sources[] | select(.name==\"kernel-jitter\") | $2" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
no_jitter() { jq -e ".runs[$1].sources | any(.name==\"kernel-jitter\") | not" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
fresh "bootseed.jitter_timeout_ms=3000"
rm "$W/root/var/lib/bootseed/seed.credit" # a device-less first boot: nothing to credit
BOOTSEED_TEST_JITTER_MS=80 load --stage late; rc=$?
t_check "late, nothing credited: waits for the kernel's jitter, reported as kernel-jitter" \
	jitter 0 '.credited_bits==0 and .bytes==0 and (.reason|test("waited [0-9]+ ms: the kernel.s jitter entropy made the crng ready"))'
t_check "kernel-jitter: the run's crng_ready_ms is set, bootseed credited 0 [$rc]" \
	run_is 0 '.crng_ready_ms >= 80 and .crng_ready_after==true and .credited_bits==0'
load; rc=$?
t_check "all after it, crng ready: no second wait" no_jitter 1

fresh "bootseed.jitter_timeout_ms=300 bootseed.hwrng=no"
rm "$W/root/var/lib/bootseed/seed.credit"
start=$(date +%s%N)
load --stage late; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "a kernel without jitter: the wait ends at the bound (${ms} ms for 300), exit 0" \
	bash -c "[ $rc -eq 0 ] && [ $ms -ge 300 ] && [ $ms -lt 2000 ]"
t_check "a kernel without jitter: says the crng is still not ready" \
	jitter 0 '(.reason|test("waited [0-9]+ ms .jitter_timeout_ms 300.: the crng is still not ready"))'
start=$(date +%s%N)
load; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "all after a late stage that waited: does not wait again (${ms} ms)" \
	bash -c "[ $ms -lt 300 ] && grep -q 'an earlier stage of this boot waited' '$W/k/dev/kmsg'"

fresh "bootseed.jitter_timeout_ms=3000"
BOOTSEED_TEST_JITTER_MS=10 load --stage early
t_check "early: never waits (the late stage may still credit a seed)" no_jitter 0
BOOTSEED_TEST_JITTER_MS=10 load --stage late
t_check "late with a creditable seed: the seed made it ready, no wait" \
	bash -c "$(declare -f no_jitter); W='$W'; no_jitter 1 && jq -e '.runs[1].crng_ready_after==true' '$W/k/run/bootseed/report.json' >/dev/null"

fresh "bootseed.jitter_timeout_ms=0"
rm "$W/root/var/lib/bootseed/seed.credit"
BOOTSEED_TEST_JITTER_MS=10 load --stage late
t_check "jitter_timeout_ms = 0: no wait" no_jitter 0
t_check "jitter_timeout_ms = 0: says so" grep -q 'jitter_timeout_ms = 0: not waiting' "$W/k/dev/kmsg"

fresh "bootseed.jitter_timeout_ms=3000 bootseed.hwrng=no"
rm "$W/root/var/lib/bootseed/seed.credit"
BOOTSEED_TEST_JITTER_MS=50 load
t_check "all alone (no initramfs stage): waits too" jitter 0 '(.reason|test("made the crng ready"))'

# --- devices-done lists the devices that were read ---------------------------------
fresh
rm "$W/k/dev/hwrng" # the hwrng fails: not read in this stage
load --stage early
t_check "early, hwrng unreadable: devices-done does not list it" \
	bash -c "! grep -qw hwrng '$W/k/run/bootseed/devices-done' 2>/dev/null"
head -c 512 /dev/urandom >"$W/k/dev/hwrng"
load
t_check "all after it: the hwrng is tried again" has_src 1 hwrng
t_check "devices-done now lists it" grep -qw hwrng "$W/k/run/bootseed/devices-done"

# --- bootseed=0 and bad usage ----------------------------------------------------------
fresh "bootseed=0"
load --stage early; rc=$?
t_check "bootseed=0, early: exit 0, nothing fed, no marker" \
	bash -c "[ $rc -eq 0 ] && [ ! -e '$W/pool' ] && [ ! -e '$W/k/run/bootseed/devices-done' ]"
fresh
load --stage middle; rc=$?
t_check "--stage middle: usage error (128)" [ "$rc" -eq 128 ]
"$BIN" save --stage early --root "$W/root" --config /dev/null 2>/dev/null; rc=$?
t_check "--stage on save: usage error (128)" [ "$rc" -eq 128 ]
t_check "bad usage touched nothing" bash -c "[ ! -e '$W/pool' ] && [ ! -e '$W/k/run/bootseed/report.json' ]"
t_done
