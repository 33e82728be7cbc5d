# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh: counting for shell tests. Each test script sources this, calls
# t_ok / t_fail / t_skip per case (or t_check NAME COMMAND...), and ends with
# t_done, which prints "N passed, N failed, N skipped" and exits 1 on failure.

T_PASS=0
T_FAIL=0
T_SKIP=0
T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${T_ARTIFACTS:=$T_TOP/build/test-artifacts}"

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok     $*"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok $*"; }
t_skip() { T_SKIP=$((T_SKIP + 1)); echo "skip   $*"; }

# t_check NAME CMD...: one case that passes when CMD succeeds.
t_check() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}

t_done() {
	echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
	exit
}

# t_need TOOL...: fails the script visibly (never a silent pass) when missing.
t_need() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			t_fail "required tool missing: $tool (run tests/install-deps.sh)"
			t_done
		fi
	done
}
