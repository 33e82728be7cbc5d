#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test layer: unit (C), component (the test build against fake
# roots), fault (crashes, full and failing disks, failing TPMs, hostile files,
# races, power cuts under QEMU), boot (QEMU, Debian 12 roots), trixie (the
# root boots and the package again, on a Debian 13 root), sanitize (unit, component and
# the non-QEMU fault suites again, against build/asan: clang with
# AddressSanitizer and UndefinedBehaviorSanitizer), fuzz (each config fuzzer
# over its checked-in corpus), arm64 (`make ARCH=arm64`, its size, its TPM and
# CPU paths under qemu-aarch64, and Debian's arm64 kernels booted with it). Each suite prints "N passed, N failed, N
# skipped" last; this sums them and prints the same line for the whole run. A
# suite that dies without its summary line counts as one failure.
#
#   LAYERS="unit component fault boot trixie arm64 sanitize fuzz" (default: all)
#   TEST_JOBS=N   boot and trixie suites run N at a time (default 2)
set -u
cd "$(dirname "$0")/.." || exit 1
: "${LAYERS:=unit component fault boot trixie arm64 sanitize fuzz}"
: "${MAKE:=make}"
ART=build/test-artifacts
mkdir -p "$ART"

pass=0 fail=0 skip=0
failed_suites=""

suite_log() { echo "$ART/$(echo "$1" | tr '/ ' '__').log"; }

# suite_count NAME RC SECONDS: adds the summary line of NAME's log to the totals.
suite_count() {
	local name=$1 rc=$2 secs=$3 log summary
	log=$(suite_log "$name")
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
	if [ -z "$summary" ]; then
		echo "not ok $name: no summary line (exit $rc)"
		fail=$((fail + 1))
		failed_suites="$failed_suites $name"
		return
	fi
	set -- $summary
	pass=$((pass + $1)) fail=$((fail + $3)) skip=$((skip + $5))
	if [ "$3" -gt 0 ] || [ "$rc" -ne 0 ]; then
		failed_suites="$failed_suites $name"
		[ "$3" -eq 0 ] && fail=$((fail + 1))
	fi
	echo "--- $name: $summary ($secs s)"
}

run_suite() {
	local name=$1 log start=$SECONDS
	shift
	log=$(suite_log "$name")
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	suite_count "$name" "${PIPESTATUS[0]}" $((SECONDS - start))
}

# run_parallel LAYER SCRIPT...: QEMU boot suites, TEST_JOBS (default 2) at a
# time: each boot is one TCG vCPU, so two use both cores. A suite's output is
# printed whole when the layer ends, in order. No suite in these layers times
# anything against a bound (those are in fault/, which stays sequential).
run_parallel() {
	local layer=$1 t name start=$SECONDS
	shift
	local -a names=()
	for t in "$@"; do
		[ -f "$t" ] || continue
		name="$layer/$(basename "$t" .sh)"
		names+=("$name")
		while [ "$(jobs -rp | wc -l)" -ge "${TEST_JOBS:-2}" ]; do wait -n; done
		(
			s=$SECONDS
			bash "$t" >"$(suite_log "$name")" 2>&1
			echo "$? $((SECONDS - s))" >"$(suite_log "$name").rc"
		) &
	done
	wait
	for name in "${names[@]}"; do
		echo "=== $name"
		cat "$(suite_log "$name")"
		# shellcheck disable=SC2046 # rc and seconds, two words
		suite_count "$name" $(cat "$(suite_log "$name").rc" 2>/dev/null || echo "1 0")
	done
	echo "--- layer $layer: $((SECONDS - start)) s"
}

# One suite each: the sanitizer and fuzzer builds (clang), then the reports.
# make_suite TARGET WHAT: `make TARGET` as a one-check suite; leaves
# $ART/TARGET.ok when it built.
make_suite() {
	if ! command -v clang >/dev/null; then
		echo "not ok clang missing (tests/install-deps.sh)"
		echo "0 passed, 1 failed, 0 skipped"
		return 1
	fi
	if $MAKE -s "$1" >"$ART/$1.log" 2>&1; then
		touch "$ART/$1.ok"
		echo "ok     $2"
		echo "1 passed, 0 failed, 0 skipped"
	else
		tail -n 20 "$ART/$1.log"
		echo "not ok make $1"
		echo "0 passed, 1 failed, 0 skipped"
		return 1
	fi
}
# The cross build (make ARCH=arm64) as a one-check suite; leaves
# $ART/arm64-build.ok when it built.
arm64_build() {
	if $MAKE -s ARCH=arm64 >"$ART/arm64-build.log" 2>&1; then
		touch "$ART/arm64-build.ok"
		echo "ok     make ARCH=arm64: $(tail -n 1 "$ART/arm64-build.log")"
		echo "1 passed, 0 failed, 0 skipped"
	else
		tail -n 20 "$ART/arm64-build.log"
		echo "not ok make ARCH=arm64"
		echo "0 passed, 1 failed, 0 skipped"
		return 1
	fi
}
sanitize_build() { make_suite sanitize-build "build/asan: test binary and unit tests with ASan + UBSan"; }
fuzz_build() { make_suite fuzz-build "build/fuzz: libFuzzer targets"; }
# Any sanitizer report left by a run whose exit status a test did not look at.
# LeakSanitizer cannot run under ptrace (the strace cases): that is no finding.
sanitize_reports() {
	local f bad=0
	for f in "$ART"/asan/report.*; do
		[ -e "$f" ] || continue
		if grep -q 'LeakSanitizer has encountered a fatal error' "$f" &&
			! grep -q 'ERROR: AddressSanitizer\|runtime error\|ERROR: LeakSanitizer: detected' "$f"; then
			continue
		fi
		echo "not ok sanitizer report $f:"
		head -n 30 "$f"
		bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ] && echo "ok     no AddressSanitizer, LeakSanitizer or UBSan report"
	echo "$((bad == 0 ? 1 : 0)) passed, $bad failed, 0 skipped"
	[ "$bad" -eq 0 ]
}

for layer in $LAYERS; do
	case $layer in
	unit)
		for t in build/unit/test_*; do
			[ -x "$t" ] && run_suite "unit/${t##*/}" "$t"
		done ;;
	component | fault)
		for t in tests/"$layer"/test_*.sh; do
			[ -f "$t" ] && run_suite "$layer/$(basename "$t" .sh)" bash "$t"
		done ;;
	boot | trixie)
		run_parallel "$layer" tests/"$layer"/test_*.sh ;;
	sanitize)
		rm -f "$ART/sanitize-build.ok"
		run_suite sanitize/build sanitize_build
		[ -f "$ART/sanitize-build.ok" ] || continue
		export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$PWD/$ART/asan/report"
		export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$PWD/$ART/asan/report"
		rm -rf "$ART/asan" && mkdir -p "$ART/asan"
		for t in build/asan/unit/test_*; do
			[ -x "$t" ] && run_suite "sanitize/unit/${t##*/}" "$t"
		done
		# The suites that run the binary; QEMU boots are left out (too slow).
		for t in $(grep -l 'BOOTSEED_TEST_BIN' tests/component/test_*.sh) tests/fault/test_*.sh; do
			case $t in */test_boot*) continue ;; esac
			FAULT_STEPS="tmp-partial renamed credited" BOOTSEED_TEST_BIN=$PWD/build/asan/test/bootseed \
				run_suite "sanitize/$(basename "$(dirname "$t")")/$(basename "$t" .sh)" bash "$t"
		done
		run_suite sanitize/reports sanitize_reports
		unset ASAN_OPTIONS UBSAN_OPTIONS ;;
	arm64)
		rm -f "$ART/arm64-build.ok"
		run_suite arm64/build arm64_build
		[ -f "$ART/arm64-build.ok" ] || continue
		for t in tests/arm64/test_*.sh; do
			[ -f "$t" ] && run_suite "arm64/$(basename "$t" .sh)" bash "$t"
		done
		# After the boots, which cache the arm64 kernels its fnmatch check reads.
		SIZE_ARCH=arm64 run_suite arm64/size bash tests/component/test_size.sh ;;
	fuzz)
		rm -f "$ART/fuzz-build.ok"
		run_suite fuzz/build fuzz_build
		[ -f "$ART/fuzz-build.ok" ] && run_suite fuzz/regress bash tests/fuzz/run.sh regress ;;
	esac
done

[ -n "$failed_suites" ] && echo "failed suites:$failed_suites (logs in $ART)"
echo "$pass passed, $fail failed, $skip skipped"
[ -z "$failed_suites" ]
