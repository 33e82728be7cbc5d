#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Whole `bootseed load` runs (test build) with failing and lying hardware: no
# TPM; swtpm stopped (SIGSTOP: a TPM that never answers); swtpm killed with a
# command in flight; a TPM stand-in (tests/component/tpm/fake_tpm) that hands
# out the same fixed block every boot, or never answers GetRandom; an hwrng of
# zeros. Each time: load finishes within its bound, credits nothing from the
# faulty source (mixed, reported, never credited) and goes on with the others:
# the good hwrng and the seed are still credited.
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../swtpm.sh"
t_need cc swtpm socat

T=$T_TOP/tests/component/tpm
cc -D_GNU_SOURCE -O2 -o "$W/fake_tpm" "$T/fake_tpm.c" 2>"$W/build.log" ||
	{ cat "$W/build.log"; t_fail "build fake_tpm"; t_done; }
PIDS=()
F_CLEANUP+=(stop_all)

# hw_fresh HWRNG-CMD [KEY=VALUE...]: f_fresh plus a fake hwrng (kernel quality
# 0, so bootseed may credit it) filled by HWRNG-CMD, and the config keys.
hw_fresh() {
	f_fresh
	mkdir -p "$W/k/sys/class/misc/hw_random"
	echo fake-rng >"$W/k/sys/class/misc/hw_random/rng_current"
	echo fake-rng >"$W/k/sys/class/misc/hw_random/rng_available"
	echo 0 >"$W/k/sys/class/misc/hw_random/rng_quality"
	bash -c "$1" >"$W/k/dev/hwrng"
	shift
	printf 'load_modules = no\ncpu = no\nseed_foreign = no\ntpm = yes\nhwrng = yes\n' >"$W/hw.conf"
	printf '%s\n' "$@" >>"$W/hw.conf"
}
# timed_load: f_load with the hardware config; MS = elapsed milliseconds.
timed_load() {
	local start
	start=$(date +%s%N)
	CONF=$W/hw.conf f_load
	MS=$((($(date +%s%N) - start) / 1000000))
}
src() { jq -e ".runs[0].sources[] | select(.name==\"$1\") | $2" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
no_tpm_feed() { ! grep -q 'source=tpm ' "$W/pool" 2>/dev/null; }
others_credited() { # the good hwrng (64 bytes x 4 bits) and the seed
	grep -q 'source=hwrng bytes=64 credit=256' "$W/pool" && [ "$(f_credits "$S0_FP")" -eq 1 ]
}
wait_for() {
	for _ in $(seq 250); do
		[ -e "$1" ] && return 0
		sleep 0.02
	done
	return 1
}
# start_swtpm: a fresh swtpm, reached as $W/k/dev/tpmrm0 (tests/swtpm.sh).
start_swtpm() {
	rm -rf "$W/tpmstate"
	swtpm_pty "$W/tpmstate" "$W/swtpm.log" "$W/k/dev/tpmrm0"
}
start_fake() {
	"$W/fake_tpm" "$W/k/dev/tpmrm0" "$W/fake.log" "$@" &
	PIDS+=($!)
	wait_for "$W/k/dev/tpmrm0"
}
stop_all() {
	local p
	for p in "${PIDS[@]}"; do
		{ kill -9 "$p" && wait "$p"; } 2>/dev/null
	done
	PIDS=()
}
GOOD='head -c 512 /dev/urandom'

# --- no TPM ---------------------------------------------------------------------------
hw_fresh "$GOOD"
timed_load
t_check "no TPM: exit 0, says so, goes on ($MS ms)" \
	bash -c "[ $RC -eq 0 ] && grep -q 'tpm: no TPM device' '$W/k/dev/kmsg'"
t_check "no TPM: hwrng and seed credited" others_credited

# --- control: a working swtpm is read and credited --------------------------------------
hw_fresh "$GOOD" "tpm_timeout_ms = 2000"
if start_swtpm; then
	timed_load
	t_check "control: a working swtpm is read and credited (64 bytes x 4 bits)" \
		bash -c "[ $RC -eq 0 ] && grep -q 'source=tpm bytes=64 credit=256' '$W/pool'"
else
	t_fail "control: cannot start swtpm"
fi
stop_all

# --- a TPM that never answers (SIGSTOP) ------------------------------------------------
hw_fresh "$GOOD" "tpm_timeout_ms = 500"
if start_swtpm; then
	kill -STOP "$SW_PID"
	timed_load
	t_check "swtpm stopped: load ends within the 500 ms TPM bound + 450 ms ($MS ms)" [ "$MS" -lt 950 ]
	t_check "swtpm stopped: exit bit 64 (devices) and only that [$RC]" [ "$RC" -eq 64 ]
	t_check "swtpm stopped: nothing from the TPM fed or credited" no_tpm_feed
	t_check "swtpm stopped: the log says it goes on without the TPM" \
		grep -q 'tpm: .*no answer within 500 ms.*going on without the TPM' "$W/k/dev/kmsg"
	t_check "swtpm stopped: hwrng and seed still credited" others_credited
else
	t_fail "swtpm stopped: cannot start swtpm"
fi
stop_all

# --- swtpm killed with a command in flight ----------------------------------------------
hw_fresh "$GOOD" "tpm_timeout_ms = 5000"
if start_swtpm; then
	kill -STOP "$SW_PID"
	start=$(date +%s%N)
	(CONF=$W/hw.conf f_load; echo "$RC" >"$W/rc") &
	lp=$!
	sleep 0.3
	{ kill -9 "$SW_PID" && wait "$SW_PID"; } 2>/dev/null
	wait "$lp"
	MS=$((($(date +%s%N) - start) / 1000000))
	RC=$(cat "$W/rc")
	t_check "swtpm killed mid-command: load ends long before the 5 s bound ($MS ms)" [ "$MS" -lt 2500 ]
	t_check "swtpm killed mid-command: exit 64, nothing from the TPM" \
		bash -c "[ $RC -eq 64 ] && ! grep -q 'source=tpm ' '$W/pool'"
	t_check "swtpm killed mid-command: hwrng and seed still credited" others_credited
else
	t_fail "swtpm killed: cannot start swtpm"
fi
stop_all

# --- a TPM stand-in that never answers GetRandom ---------------------------------------------
hw_fresh "$GOOD" "tpm_timeout_ms = 700"
start_fake --script ok,hang
timed_load
t_check "fake TPM hangs on GetRandom: bounded ($MS ms for 700), exit 64, nothing from it" \
	bash -c "[ $MS -lt 1400 ] && [ $RC -eq 64 ] && ! grep -q 'source=tpm ' '$W/pool'"
t_check "fake TPM hangs: hwrng and seed still credited" others_credited
stop_all

# --- a fixed block (the same bytes every boot) and a stuck hwrng ----------------------------
hw_fresh 'head -c 512 /dev/zero'
start_fake
timed_load
t_check "fixed TPM block and zero hwrng: exit 0 (a bad sample is no failure)" [ "$RC" -eq 0 ]
t_check "fixed TPM block: mixed (64 bytes) with 0 bits" grep -q 'source=tpm bytes=64 credit=0' "$W/pool"
t_check "fixed TPM block: reported as a health failure with the reason" \
	src tpm '.credited_bits==0 and .health=="fail" and (.reason|test("health"))'
t_check "zero hwrng: mixed with 0 bits, reported as a health failure" \
	bash -c "grep -q 'source=hwrng bytes=64 credit=0' '$W/pool' && grep -q 'hwrng: 64 bytes, credited 0 bits: failed the health tests' '$W/k/dev/kmsg'"
# The stand-in answers the binding commands too: the seed's TPM-bound value is
# what is credited (tpm_bind = auto), the seed's own bytes are mixed.
t_check "fixed TPM block and zero hwrng: the seed is still credited (its TPM-bound value)" \
	bash -c "[ $(f_feeds "$S0_FP") -eq 1 ] && [ $(f_credits "$S0_FP") -eq 0 ] &&
		[ \$(grep -c 'source=seed.credit bytes=32 credit=256 ' '$W/pool') -eq 1 ]"
# The same stand-in on the next boot answers the very same block.
fp1=$(sed -n 's/.*source=tpm .*fp=//p' "$W/pool")
stop_all
f_reboot
mkdir -p "$W/k/sys/class/misc/hw_random"
echo fake-rng >"$W/k/sys/class/misc/hw_random/rng_current"
echo 0 >"$W/k/sys/class/misc/hw_random/rng_quality"
head -c 512 /dev/urandom >"$W/k/dev/hwrng"
start_fake
timed_load
fp2=$(sed -n 's/.*source=tpm .*fp=//p' "$W/pool" | tail -n 1)
t_check "fixed TPM block: the same bytes on the next boot, again never credited" \
	bash -c "[ -n '$fp1' ] && [ '$fp1' = '$fp2' ] && [ $(grep -c 'source=tpm bytes=64 credit=0' "$W/pool") -eq 2 ]"
stop_all
t_done
