#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The config and host-seed parser fuzzers (libFuzzer + ASan + UBSan, built by `make fuzz-build`).
#
#   run.sh regress TARGET...  every input of tests/fuzz/corpus/TARGET once: a
#                             crash, leak or UB found before fails the check
#   run.sh long TARGET...     all targets in parallel for $FUZZ_SECONDS (600)
#                             each, from a copy of the corpus; prints the exec
#                             counts; FUZZ_MERGE=1 adds the inputs that reach
#                             new edges to the checked-in corpus (-merge=1
#                             -use_counters=0: it stays small)
set -u
. "$(dirname "$0")/../lib.sh"
FZ=$T_TOP/tests/fuzz
BD=$T_TOP/build/fuzz
mode=${1:-regress}
shift
[ $# -gt 0 ] || set -- config cmdline smbios fwcfg

regress() {
	local t=$1 bin=$BD/fuzz_$1 log n
	[ -x "$bin" ] || { t_fail "$t: no fuzzer at $bin (make fuzz-build)"; return; }
	n=$(find "$FZ/corpus/$t" -type f | wc -l)
	[ "$n" -gt 0 ] || { t_fail "$t: empty corpus $FZ/corpus/$t"; return; }
	log=$T_ARTIFACTS/fuzz-regress-$t.log
	mkdir -p "$T_ARTIFACTS"
	# Inputs given as files are each run once, then the fuzzer exits.
	if find "$FZ/corpus/$t" -type f -print0 | xargs -0 "$bin" >"$log" 2>&1; then
		t_ok "$t: $n corpus inputs replayed, no crash, leak or UB"
	else
		tail -n 30 "$log"
		t_fail "$t: a corpus input crashes (see $log)"
	fi
}

long() {
	local secs=${FUZZ_SECONDS:-600} t pids=() work
	for t in "$@"; do
		work=$BD/run-$t
		rm -rf "$work"
		mkdir -p "$work/corpus" "$work/artifacts"
		cp "$FZ/corpus/$t"/* "$work/corpus/"
		echo "fuzz: $t for $secs s (log $work/fuzz.log)"
		"$BD/fuzz_$t" -max_total_time="$secs" -max_len=8192 -dict="$FZ/config.dict" \
			-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
			"$work/corpus" >"$work/fuzz.log" 2>&1 &
		pids+=($!)
	done
	local i=0 rc
	for t in "$@"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		i=$((i + 1))
		work=$BD/run-$t
		local execs
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
		if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$work/artifacts")" ]; then
			t_ok "$t: ${secs} s, ${execs:-?} executions, no crash, leak or UB"
		else
			grep -E 'ERROR|SUMMARY|invariant|fuzz:' "$work/fuzz.log" | head -n 20
			t_fail "$t: fuzzer stopped with $rc; inputs in $work/artifacts"
		fi
		echo "    $(grep -E '^#[0-9]+.*DONE' "$work/fuzz.log" | tail -n 1)"
		if [ "${FUZZ_MERGE:-0}" = 1 ]; then
			# Only inputs that reach a new edge (not a new hit count): small.
			"$BD/fuzz_$t" -merge=1 -use_counters=0 -max_len=8192 "$FZ/corpus/$t" \
				"$work/corpus" >"$work/merge.log" 2>&1
			echo "    corpus: $(find "$FZ/corpus/$t" -type f | wc -l) files," \
				"$(cat "$FZ/corpus/$t"/* | wc -c) bytes"
		fi
	done
}

case $mode in
regress) for t in "$@"; do regress "$t"; done ;;
long) long "$@" ;;
*) t_fail "usage: run.sh regress|long TARGET..." ;;
esac
t_done
