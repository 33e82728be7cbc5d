#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The seed bound to the TPM (tpm_bind) and the NV rollback counter
# (tpm_counter), boot after boot: the test build against a fake root and kernel
# tree whose /dev/tpmrm0 is swtpm behind a pty, its state kept across "boots"
# (a boot: a new /run, swtpm started again on the same state). The early stage
# reads the TPM, the late stage the seed (its directory made read-only with the
# test hook where a case says so), `all` plays bootseed.service. The pool
# stand-in records each feed's fingerprint, so the credited value can be compared.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
t_need jq swtpm socat cc
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
W=${TB_W:-$(mktemp -d /tmp/bootseed-tpmbind-XXXXXX)}
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
cc -O2 -o "$W/tpm_raw" "$T_TOP/tests/component/tpm/tpm_raw.c" || { t_fail "build tpm_raw"; t_done; }
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=ready
SEEDS=$W/root/var/lib/bootseed
R=$W/k/run/bootseed/report.json
CMDLINE="ro bootseed.load_modules=no bootseed.jitter_timeout_ms=0 bootseed.hwrng=no bootseed.cpu=no"

machine() { # a machine: its disk with a creditable seed (no counter value yet)
	rm -rf "$W/root" "$W/tpm"
	mkdir -p "$W/root/etc" "$SEEDS" "$W/tpm"
	chmod 700 "$SEEDS"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	head -c 32 /dev/urandom >"$SEEDS/seed.credit"
	chmod 400 "$SEEDS/seed.credit"
}
SW_PID='' SOCAT_PID=''
tpm_stop() {
	local p
	for p in ${SW_PID:+"$SW_PID"} ${SOCAT_PID:+"$SOCAT_PID"}; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SW_PID='' SOCAT_PID=''
}
# boot [KARGS]: a new boot (a fresh /run and kmsg), swtpm on the machine's state
# (no TPM with NOTPM=1).
boot() {
	tpm_stop
	rm -rf "$W/k" "$W/pool"
	mkdir -p "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run" "$W/k/sys/class/misc/hw_random"
	echo "$CMDLINE ${1:-}" >"$W/k/proc/cmdline"
	echo 3 >"$W/k/proc/sys/kernel/random/entropy_avail"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
	[ "${NOTPM:-0}" = 1 ] && return 0
	swtpm_pty "$W/tpm" "$W/swtpm.log" "$W/k/dev/tpmrm0" || { t_fail "swtpm did not start"; return 1; }
}
load() { "$BIN" load --root "$W/root" --config /dev/null "$@" 2>>"$W/stderr"; }
# late_ro: the late stage with the seed directory read-only (the initramfs' ro root)
late_ro() { BOOTSEED_TEST_FAIL_AT=write:EROFS load --stage late; }
# seed_run RUN JQ: the seed.credit source of run RUN satisfies JQ
seed_is() { jq -e "[.runs[$1].sources[] | select(.name==\"seed.credit\")] | length==1 and (.[0] | $2)" "$R" >/dev/null 2>&1; }
raw_is() { jq -e ".runs[$1].sources | any(.name==\"seed.credit (raw)\" and .credited_bits==0)" "$R" >/dev/null 2>&1; }
credited_total() { jq '[.runs[].sources[] | select(.name|startswith("seed")) | .credited_bits] | add // 0' "$R"; }
hdr_counter() { od -An -tu1 -j32 -N8 "$SEEDS/seed.credit" | awk '{ v = 0; for (i = 1; i <= 8; i++) v = v * 256 + $i; print v }'; }
hdr_flags() { od -An -tu1 -j9 -N1 "$SEEDS/seed.credit" | tr -d ' '; }
reason() { jq -r "[.runs[$1].sources[] | select(.name==\"seed.credit\")][0].reason" "$R"; }
kmsg_has() { grep -q -- "$1" "$W/k/dev/kmsg"; }

C="bootseed.tpm_counter=yes"
# --- the counter's life: first use, credited in the read-only late stage ----------------
machine
boot "$C"
load --stage early
t_check "first use: the counter is defined, at 1, and the early stage says so" kmsg_has "counter 0x1b5eed0 at 1 (new)"
t_check "first use: seeds bound to this TPM" kmsg_has "tpm: binding to this TPM; counter 0x1b5eed0 at 1 (new)"
t_check "first use: /run/bootseed/tpm-bind is root's, 0600" test "$(stat -c %a:%u "$W/k/run/bootseed/tpm-bind")" = 600:0
t_check "first use: the tpm source says 9 commands (define on first use)" \
	bash -c "jq -e '.runs[0].sources[] | select(.name==\"tpm\") | .detail | test(\"commands=9 \")' '$R' >/dev/null"
load
t_check "first use: a seed from before the counter is mixed, not credited, the reason named" \
	seed_is 1 '.credited_bits==0 and (.reason|test("records no TPM counter value"))'
t_check "first use: the next seed records counter 1 and the TPM key (flags machine|counter|tpm)" \
	bash -c "[ '$(hdr_counter)' = 1 ] && [ '$(hdr_flags)' = 7 ]"

boot "$C"
load --stage early
t_check "boot 2: 7 TPM commands" bash -c "jq -e '.runs[0].sources[] | select(.name==\"tpm\") | .detail | test(\"commands=7 \")' '$R' >/dev/null"
before=$(sha256sum <"$SEEDS/seed.credit")
late_ro
t_check "boot 2, late, read-only: credited 256 bits (the counter's increment consumed it)" \
	seed_is 1 '.credited_bits==256 and (.detail=="bind=tpm counter=2")'
t_check "boot 2, late: the seed bytes mixed apart without credit" raw_is 1
t_check "boot 2, late: nothing written (read-only)" test "$(sha256sum <"$SEEDS/seed.credit")" = "$before"
load
t_check "boot 2, all (bootseed.service): the same seed not credited again, the reason named" \
	seed_is 2 '.credited_bits==0 and (.reason|test("already credited at this TPM counter value"))'
t_check "boot 2: 256 seed bits credited in the whole boot" test "$(credited_total)" = 256
t_check "boot 2, all: the seed consumed, the next one records counter 2" \
	bash -c "[ '$(sha256sum <"$SEEDS/seed.credit")' != '$before' ] && [ '$(hdr_counter)' = 2 ]"

# --- rollback: the disk restored to before a boot ---------------------------------------
cp -a "$SEEDS" "$W/backup"
boot "$C"
load --stage early
load
t_check "boot 3: credited" seed_is 1 '.credited_bits==256'
rm -rf "$SEEDS"
cp -a "$W/backup" "$SEEDS"
boot "$C"
load --stage early
load
t_check "rollback: the restored seed is mixed, not credited, the reason names the rollback" \
	seed_is 1 '.credited_bits==0 and .reason=="the TPM counter is at 4, the seed was written at 2: a rolled-back disk or a consumed seed"'
t_check "rollback: and the kernel log says it" kmsg_has "seed.credit: 32 bytes, credited 0 bits: the TPM counter is at 4, the seed was written at 2"
boot "$C"
load --stage early
load
t_check "after the rollback: the next seed is credited again (nothing lost)" seed_is 1 '.credited_bits==256'

# --- crash after the increment, before the credit (test hook) ---------------------------
boot "$C"
load --stage early
(BOOTSEED_TEST_CRASH_AT=locked load) 2>/dev/null
echo "    (crash: $(grep -c . "$W/pool" 2>/dev/null) feeds, last kmsg: $(tail -n1 "$W/k/dev/kmsg" | cut -c1-80))"
t_check "crash: the late run killed before any credit" test "$(credited_total)" = 0
boot "$C"
load --stage early
load
echo "    ($(reason 1), counter in header $(hdr_counter))"
t_check "after the crash: that seed is not credited (counter 7, seed 5), a new one written at 7" \
	bash -c "$(declare -f seed_is); R='$R'; seed_is 1 '.credited_bits==0 and (.reason|test(\"counter is at 7, the seed was written at 5\"))' && [ '$(hdr_counter)' = 7 ]"
boot "$C"
load --stage early
load
t_check "after the crash: the following seed credited" seed_is 1 '.credited_bits==256'

# --- the same seed, the same TPM: the same credited value, not the seed's bytes -------
fp() { sed -n "s/.*source=$1 bytes=32 credit=\([0-9]*\) fp=\([0-9a-f]*\).*/\1:\2/p" "$W/pool"; }
cp -a "$SEEDS" "$W/same"
boot
load --stage early
load
fp1=$(fp seed.credit) raw1=$(fp 'seed.credit (raw)')
rm -rf "$SEEDS"
cp -a "$W/same" "$SEEDS"
boot
load --stage early
load
fp2=$(fp seed.credit)
echo "    (credited $fp1, $fp2; raw $raw1)"
t_check "binding only: the same seed and TPM give the same credited value, not the seed's bytes" \
	bash -c "[ '${fp1%%:*}' = 256 ] && [ '$fp1' = '$fp2' ] && [ '${raw1%%:*}' = 0 ] && [ '${raw1#*:}' != '${fp1#*:}' ]"
boot
load --stage early
late_ro
t_check "binding only, read-only: not credited (no counter: the disk must consume it)" \
	seed_is 1 '.credited_bits==0 and (.reason|test("read-only"))'

# --- a copied disk booted with another TPM --------------------------------------------
rm -rf "$W/tpm"
mkdir -p "$W/tpm"
boot "$C"
load --stage early
load
t_check "copied disk, fresh TPM: not credited, another TPM key named" \
	seed_is 1 '.credited_bits==0 and (.reason|test("another TPM key"))'
boot "$C"
load --stage early
load
t_check "the copy's next boot: its own seed credited" seed_is 1 '.credited_bits==256'

# --- TPM2_Clear between boots --------------------------------------------------------------
boot "$C"
t_check "tpm_raw: TPM2_Clear" test "$("$W/tpm_raw" "$W/k/dev/tpmrm0" 80020000001b000001264000000a00000009400000090000000000)" = rc=0x0
boot "$C"
load --stage early
load
t_check "after TPM2_Clear: not credited once (another TPM key), the counter defined again" \
	bash -c "$(declare -f seed_is); R='$R'; seed_is 1 '.credited_bits==0 and (.reason|test(\"another TPM key\"))' && grep -q '(new)' '$W/k/dev/kmsg'"
boot "$C"
load --stage early
load
t_check "after TPM2_Clear: credited again from the next seed on" seed_is 1 '.credited_bits==256'

# --- an owner password set: auto falls back, require refuses ------------------------------
boot
"$W/tpm_raw" "$W/k/dev/tpmrm0" 80020000001f00000129400000010000000940000009000000000000027077 >/dev/null
boot
load --stage early
load
t_check "owner password, auto: the early stage says why, seeds credited unbound" \
	bash -c "grep -q 'tpm: binding failed (CreatePrimary: a password is set (rc 0x9a2)): seeds credited unbound (auto); counter off' '$W/k/dev/kmsg'"
t_check "owner password, auto: credited as without a TPM, the report says why" \
	seed_is 1 '.credited_bits==256 and (.detail|test("bind=CreatePrimary: a password is set"))'
boot bootseed.tpm_bind=require
load --stage early
load
t_check "owner password, require: mixed, not credited, the reason" \
	seed_is 1 '.credited_bits==0 and (.reason|test("tpm_bind = require, and no TPM binding: CreatePrimary: a password is set"))'

# --- no TPM at all ---------------------------------------------------------------------------
tpm_stop
NOTPM=1 boot
NOTPM=1 load --stage early
NOTPM=1 load
t_check "no TPM, auto: credited as today, detail says why" seed_is 1 '.credited_bits==256 and .detail=="bind=no TPM device counter=-1"'
NOTPM=1 boot "$C"
NOTPM=1 load --stage early
NOTPM=1 load
t_check "no TPM, tpm_counter = yes: not credited, the counter unknown" \
	seed_is 1 '.credited_bits==0 and (.reason|test("no TPM counter value this boot"))'
NOTPM=1 boot bootseed.tpm_bind=require
NOTPM=1 load
t_check "no TPM, require, all: not credited, the reason" seed_is 0 '.credited_bits==0 and (.reason|test("require"))'
tpm_stop
grep -v '^bootseed: ' "$W/stderr" | sed "s/^/    stderr: /" | head -5
t_check "nothing on stderr but bootseed's own lines (no tss2 warning)" \
	bash -c "! grep -qv '^bootseed: ' '$W/stderr'"
t_done
