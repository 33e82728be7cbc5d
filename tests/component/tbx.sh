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
trap cleanup EXIT; trap - EXIT
cc -O2 -o "$W/tpm_raw" "$T_TOP/tests/component/tpm/tpm_raw.c" || { t_fail "build tpm_raw"; t_done; }
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready
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
fp() { sed -n 's/.*source=seed.credit bytes=32 credit=256 fp=\([0-9a-f]*\).*/\1/p' "$W/pool"; }
reason() { jq -r "[.runs[$1].sources[] | select(.name==\"seed.credit\")][0].reason" "$R"; }
kmsg_has() { grep -q -- "$1" "$W/k/dev/kmsg"; }

C="bootseed.tpm_counter=yes"
# --- the counter's life: first use, credited in the read-only late stage ----------------
machine
boot "$C"
load --stage early
t_check "first use: the counter is defined, at 1, and the early stage says so" kmsg_has "tpm: counter 0x1b5eed0 at 1 (new)"
t_check "first use: seeds bound to this TPM" kmsg_has "tpm: seeds bound to this TPM"
t_check "first use: /run/bootseed/tpm-bind is root's, 0600" test "$(stat -c %a:%u "$W/k/run/bootseed/tpm-bind")" = 600:0
t_check "first use: the tpm source says 9 commands (define on first use)" \
	jq -e '.runs[0].sources[] | select(.name=="tpm") | .detail | test("commands=9 ")' "$R"
load
cat $W/k/dev/kmsg; cat $R; ls -la $SEEDS; cat $W/stderr
