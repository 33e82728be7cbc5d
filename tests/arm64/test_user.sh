#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The arm64 build's TPM and CPU paths, and its unit tests, under qemu-aarch64
# (user emulation). Debian's arm64 kernels (6.1 and 6.12) do not build
# CONFIG_TCG_TIS, so QEMU's tpm-tis-device has no driver in the arm64 boot
# tests: the TPM path of the arm64 code is tested here instead, with swtpm
# behind a pty (tests/swtpm.sh, as tests/component/test_tpm.sh does).
#
# The test build (-DBOOTSEED_TEST_HOOKS: fake kernel tree, pool stand-in) is
# compiled here as the shipped arm64 binary is: aarch64-linux-musl-gcc, static,
# against build/arm64/third_party (make ARCH=arm64) and the musl stand-ins.
# `load --stage early` then reads swtpm through the device TCTI, and the CPU:
# RNDRRS with qemu-aarch64 -cpu max (FEAT_RNG), nothing with cortex-a57.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
t_need qemu-aarch64 aarch64-linux-musl-gcc swtpm socat jq readelf
TP=$T_TOP/build/arm64/third_party/musl
[ -f "$TP/lib/libtss2-tcti-device.a" ] || { t_fail "no arm64 libraries in $TP (make ARCH=arm64)"; t_done; }

W=$(mktemp -d /tmp/bootseed-arm64-user-XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# --- build: the test binary and the unit tests, for aarch64 ------------------------
CC_ARM64=(aarch64-linux-musl-gcc -D_GNU_SOURCE -DBOOTSEED_TEST_HOOKS -Os -fno-unwind-tables
	-flto=auto -static -isystem "$TP/include" -I"$T_TOP/src" -L"$TP/lib")
LIBS_ARM64=(-lkmod -ltss2-tcti-device -ltss2-mu)
SRCS=$(ls "$T_TOP"/src/*.c "$T_TOP"/build-aux/musl-compat/*.c)
# shellcheck disable=SC2086 # a list of files
if "${CC_ARM64[@]}" -o "$W/bootseed" $SRCS "${LIBS_ARM64[@]}" >"$W/cc.log" 2>&1; then
	t_check "build: static aarch64 test binary" \
		bash -c "readelf -h '$W/bootseed' | grep -q 'Machine: *AArch64' && ! readelf -l '$W/bootseed' | grep -q INTERP"
else
	cat "$W/cc.log"
	t_fail "build: static aarch64 test binary"
	t_done
fi

# --- the unit tests, for aarch64 ------------------------------------------------------
LIBSRCS=$(echo "$SRCS" | grep -v '/src/main\.c$')
for u in "$T_TOP"/tests/unit/test_*.c; do
	n=$(basename "$u" .c)
	# shellcheck disable=SC2086 # a list of files
	if ! "${CC_ARM64[@]}" -o "$W/$n" "$u" $LIBSRCS "${LIBS_ARM64[@]}" >"$W/cc-$n.log" 2>&1; then
		cat "$W/cc-$n.log"
		t_fail "unit $n: does not build for aarch64"
		continue
	fi
	for cpu in max cortex-a57; do
		if qemu-aarch64 -cpu "$cpu" "$W/$n" >"$W/$n-$cpu.out" 2>&1; then
			t_ok "unit $n under qemu-aarch64 -cpu $cpu: $(tail -n1 "$W/$n-$cpu.out")"
		else
			sed 's/^/    /' "$W/$n-$cpu.out" | tail -n 20
			t_fail "unit $n under qemu-aarch64 -cpu $cpu"
		fi
		# Only the CPU source depends on the CPU model.
		[ "$n" = test_sources ] || break
	done
done

# --- load --stage early against a fake kernel tree ------------------------------------
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready
fresh() { # [CMDLINE]: a new boot with no hwrng, no TPM yet
	rm -rf "$W/k" "$W/pool" "$W/root"
	mkdir -p "$W/root/etc" "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run" "$W/k/sys/bus"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	echo "ro ${1:-}" >"$W/k/proc/cmdline"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
}
RC=0
load() { # CPU [ARGS]
	local cpu=$1
	shift
	qemu-aarch64 -cpu "$cpu" "$W/bootseed" load --stage early --root "$W/root" --config /dev/null "$@" \
		2>/dev/null # the log lines, also in $W/k/dev/kmsg
	RC=$?
}
src() { jq -e ".runs[0].sources[] | select(.name==\"$1\") | $2" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
kmsg() { grep -q -- "$1" "$W/k/dev/kmsg"; }
show() { sed 's/^/    | /' "$W/k/dev/kmsg"; }
N=0
swtpm_at() { # NODE: a fresh swtpm behind a pty at $W/k/dev/NODE
	N=$((N + 1))
	swtpm_pty "$W/tpm$N/state" "$W/tpm$N/swtpm.log" "$W/k/dev/$1" "$W/tpm$N/socat.log"
}
stop_tpm() {
	kill -9 "$SW_PID" "$SOCAT_PID" 2>/dev/null
	wait "$SW_PID" "$SOCAT_PID" 2>/dev/null
}
getrandom_cmds() { grep -c "^ 80 01 00 00 00 0c 00 00 01 7b $1\$" "$W/tpm$N/socat.log"; }

fresh
if swtpm_at tpmrm0; then
	load cortex-a57
	show
	t_check "swtpm: exit 0" test "$RC" = 0
	t_check "swtpm: TPM read through tpmrm0, 64 bytes, 256 bits credited (4 per byte)" \
		src tpm ".bytes==64 and .credited_bits==256 and .health==\"pass\" and (.detail|test(\"device=$W/k/dev/tpmrm0 commands=5 \"))"
	t_check "swtpm: the pool stand-in got it" grep -q 'source=tpm bytes=64 credit=256' "$W/pool"
	sleep 0.1 # socat -x writes after forwarding
	t_check "swtpm: socat saw GetRandom(8) and GetRandom(64), big-endian on the wire" \
		test "$(getrandom_cmds '00 08')/$(getrandom_cmds '00 40')" = 1/1
	t_check "cortex-a57: no FEAT_RNG: the CPU source says so, reads nothing" \
		bash -c "grep -q 'bootseed: cpu: no RNDRRS/RNDR' '$W/k/dev/kmsg' && ! grep -q 'source=cpu' '$W/pool'"
else
	t_fail "swtpm: could not start swtpm and socat"
fi
stop_tpm

fresh
if swtpm_at tpm0; then
	load cortex-a57
	t_check "swtpm as tpm0 only: falls back to it, says why, credited" \
		bash -c "grep -q 'tpmrm0: absent' '$W/k/dev/kmsg' && grep -q 'source=tpm bytes=64 credit=256' '$W/pool'"
else
	t_fail "swtpm as tpm0: could not start"
fi
stop_tpm

fresh "bootseed.tpm_timeout_ms=500"
if swtpm_at tpmrm0; then
	kill -STOP "$SW_PID"
	start=$(date +%s%N)
	load cortex-a57
	ms=$((($(date +%s%N) - start) / 1000000))
	show
	t_check "swtpm stopped: bounded (${ms} ms for a 500 ms bound), nothing from the TPM, an exit bit" \
		bash -c "[ $ms -lt 3000 ] && [ $RC -ne 0 ] && ! grep -q 'source=tpm' '$W/pool' && grep -q 'bootseed: tpm:.*no answer within 500 ms' '$W/k/dev/kmsg'"
else
	t_fail "swtpm stopped: could not start"
fi
stop_tpm

fresh
load max
show
t_check "-cpu max: RNDRRS read, 32 bytes, health pass, credited 0" \
	src cpu '.bytes==32 and .health=="pass" and .credited_bits==0 and .detail=="insn=rndrrs"'
t_check "-cpu max: ... saying the kernel credits RNDRRS/RNDR itself (random.trust_cpu)" \
	kmsg 'bootseed: cpu: 32 bytes, credited 0 bits: the kernel credits RNDRRS/RNDR itself'
t_check "-cpu max: the pool stand-in got it, with 0 credit" grep -q 'source=cpu bytes=32 credit=0' "$W/pool"
fresh "bootseed.cpu_credit=8"
load max
t_check "-cpu max, bootseed.cpu_credit=8: credited 256 bits (the rule is the operator's)" \
	src cpu '.credited_bits==256'
t_done
