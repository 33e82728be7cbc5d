# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fault/lib.sh: what the fault suites share on top of ../lib.sh. The test
# build of bootseed runs against a fake root ($W/root, --root) and a fake kernel
# tree ($W/k: /proc, /dev/kmsg, /run) with the stand-in pool ($W/pool), which
# records every feed with its credit and a fingerprint of the data (BLAKE2s-64).
#   f_fresh [CMDLINE]   a machine with a creditable seed S0 ($S0, $S0_FP) and
#                       a new boot: empty /run, kmsg and pool log
#   f_reboot            a new boot of the same machine (/run and kmsg emptied;
#                       the pool log is kept: it spans boots)
#   f_load / f_save     run the binary ($BIN) with $CONF; rc in $RC
#   f_fp FILE           the stand-in pool's fingerprint of FILE's contents
#   f_credits FP        how many feeds of data FP were credited (> 0 bits)
#   f_seed_ok NAME      NAME is a complete seed: regular, 0400, root, 32 bytes
# shellcheck disable=SC2034 # S0, S0_FP, RC are for the scripts that source this
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
t_need python3 jq

W=$(mktemp -d /tmp/bootseed-fault-XXXXXX)
F_CLEANUP=()
f_cleanup() {
	local c
	for c in ${F_CLEANUP[@]+"${F_CLEANUP[@]}"}; do eval "$c"; done
	rm -rf "$W"
}
trap f_cleanup EXIT
SD=$W/root/var/lib/bootseed
CONF=$W/seed-only.conf
# Only the seed stage, unless a test asks for the hardware sources.
printf 'load_modules = no\ntpm = no\nhwrng = no\ncpu = no\nseed_foreign = no\n' >"$CONF"
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready

f_reboot() {
	rm -rf "$W/k"
	mkdir -p "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run"
	echo "BOOT_IMAGE=/vmlinuz ro bootseed.jitter_timeout_ms=0 ${1:-}" >"$W/k/proc/cmdline"
	echo 3 >"$W/k/proc/sys/kernel/random/entropy_avail"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
}

f_fresh() {
	rm -rf "$W/root" "$W/pool"
	mkdir -p "$W/root/etc" "$SD"
	chmod 700 "$SD"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	head -c 32 /dev/urandom >"$SD/seed.credit"
	chmod 400 "$SD/seed.credit"
	S0=$(f_sum "$SD/seed.credit")
	S0_FP=$(f_fp "$SD/seed.credit")
	f_reboot "${1:-}"
}

# The outer redirection silences bash's "Killed" line for a crashed binary.
f_load() { RC=0; { "$BIN" load --root "$W/root" --config "$CONF" "$@" 2>>"$W/stderr"; } 2>/dev/null || RC=$?; }
f_save() { RC=0; { "$BIN" save --root "$W/root" --config "$CONF" "$@" 2>>"$W/stderr"; } 2>/dev/null || RC=$?; }
f_sum() { sha256sum "$1" 2>/dev/null | cut -c1-64; }
f_fp() {
	python3 -c 'import hashlib, sys
print(hashlib.blake2s(open(sys.argv[1], "rb").read(), digest_size=8).hexdigest())' "$1"
}
f_credits() { if [ -f "$W/pool" ]; then grep -c "credit=[1-9][0-9]* fp=$1\$" "$W/pool"; else echo 0; fi; }
f_feeds() { if [ -f "$W/pool" ]; then grep -c "fp=$1\$" "$W/pool"; else echo 0; fi; }
# A complete seed: 32 bytes as the tests plant it, or the header (40 bytes)
# and 32 as bootseed writes it.
f_seed_ok() {
	[ -f "$SD/$1" ] && [ ! -L "$SD/$1" ] &&
		case "$(stat -c '%a %u %s %h' "$SD/$1")" in "400 0 32 1" | "400 0 72 1") ;; *) false ;; esac
}
# f_one_new_seed OLD_SUM: exactly one seed name, holding a complete seed that is
# not the one with OLD_SUM (temp files from a crash may remain: never credited).
f_one_new_seed() {
	local n=() f
	for f in "$SD"/seed.*; do [ -e "$f" ] || [ -L "$f" ] && n+=("${f##*/}"); done
	[ "${#n[@]}" -eq 1 ] && f_seed_ok "${n[0]}" && [ "$(f_sum "$SD/${n[0]}")" != "$1" ]
}
f_kmsg_has() { grep -qF -- "$1" "$W/k/dev/kmsg"; }
f_report() { jq -e "$1" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }
# The names in the seed directory, sorted, on one line.
f_names() { find "$SD" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//'; }
