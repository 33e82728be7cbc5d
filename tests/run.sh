#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test layer: unit (C), component (the test build against fake
# roots), boot (QEMU). Each suite prints "N passed, N failed, N skipped" last;
# this sums them and prints the same line for the whole run. A suite that dies
# without its summary line counts as one failure.
#
#   LAYERS="unit component boot" (default: all)
set -u
cd "$(dirname "$0")/.." || exit 1
: "${LAYERS:=unit component boot}"
ART=build/test-artifacts
mkdir -p "$ART"

pass=0 fail=0 skip=0
failed_suites=""

run_suite() {
	local name=$1 log
	shift
	log="$ART/$(echo "$name" | tr '/ ' '__').log"
	echo "=== $name"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local summary
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
	echo "--- $name: $summary ($((SECONDS - start)) s)"
}

for layer in $LAYERS; do
	case $layer in
	unit)
		for t in build/unit/test_*; do
			[ -x "$t" ] && run_suite "unit/${t##*/}" "$t"
		done ;;
	component | boot)
		for t in tests/"$layer"/test_*.sh; do
			[ -f "$t" ] && run_suite "$layer/$(basename "$t" .sh)" bash "$t"
		done ;;
	esac
done

[ -n "$failed_suites" ] && echo "failed suites:$failed_suites (logs in $ART)"
echo "$pass passed, $fail failed, $skip skipped"
[ -z "$failed_suites" ]
