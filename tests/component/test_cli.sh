#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real binary (test build) against a fake root (--root) and a fake kernel
# tree ($BOOTSEED_TEST_KROOT) with the stand-in pool ($BOOTSEED_TEST_POOL):
# command line, config precedence, kmsg lines, report, status, exit bits.
set -u
. "$(dirname "$0")/../lib.sh"
t_need jq strace python3
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }

W=$(mktemp -d /tmp/bootseed-cli-XXXXXX)
trap 'rm -rf "$W"' EXIT

# fresh: a machine (root) with a creditable seed, and a new "boot" (kernel tree).
fresh() {
	rm -rf "$W/root" "$W/k" "$W/pool"
	mkdir -p "$W/root/etc" "$W/root/var/lib/bootseed" "$W/k/proc/sys/kernel/random" \
		"$W/k/dev" "$W/k/run"
	chmod 700 "$W/root/var/lib/bootseed"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	head -c 32 /dev/urandom >"$W/root/var/lib/bootseed/seed.credit"
	chmod 400 "$W/root/var/lib/bootseed/seed.credit"
	echo "BOOT_IMAGE=/vmlinuz ro bootseed.jitter_timeout_ms=0 ${1:-}" >"$W/k/proc/cmdline"
	echo 3 >"$W/k/proc/sys/kernel/random/entropy_avail"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
	: >"$W/empty.conf"
}
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready
load() { "$BIN" load --root "$W/root" --config "$W/empty.conf" "$@" 2>"$W/stderr"; }
jq_file() { jq -e "$1" "$2" >/dev/null 2>&1; }
report() { jq_file "$1" "$W/k/run/bootseed/report.json"; }
kmsg_has() { grep -qF -- "$1" "$W/k/dev/kmsg"; }
seed_sum() { sha256sum "$W/root/var/lib/bootseed/$1" 2>/dev/null | cut -c1-64; }

# --- a plain load ---------------------------------------------------------------
fresh
old=$(seed_sum seed.credit)
[ -n "$old" ] || t_fail "setup: no seed"
hex=$(od -An -tx1 "$W/root/var/lib/bootseed/seed.credit" | tr -d ' \n')
load; rc=$?
t_check "load exits 0" [ "$rc" -eq 0 ]
t_check "kmsg: one line for the seed with its credit" \
	kmsg_has "<5>bootseed: seed.credit: 32 bytes, credited 256 bits"
t_check "kmsg: summary line" kmsg_has "bootseed: load: credited 256 bits"
t_check "kmsg: timing mixed, never credited, with the reason" \
	grep -Eq "timing: [0-9]+ bytes, credited 0 bits: clock readings are guessable" "$W/k/dev/kmsg"
t_check "stderr carries the same lines" grep -q "^bootseed: seed.credit: 32 bytes, credited 256 bits" "$W/stderr"
t_check "stand-in pool got the seed with 256 bits" grep -q "source=seed.credit bytes=32 credit=256" "$W/pool"
t_check "report: valid JSON with one run" report '.runs | length == 1'
t_check "report: seed.credit source credited 256, health n/a" \
	report '.runs[0].sources[] | select(.name=="seed.credit") | .credited_bits==256 and .health=="n/a"'
t_check "report: pool and crng before/after, elapsed" \
	report '.runs[0] | (.entropy_avail_before==3) and (.crng_ready_before==false) and (.crng_ready_after==true) and (.elapsed_ms|type=="number")'
t_check "report: next seed recorded" report '.runs[0].new_seed.name=="seed.credit"'
new=$(seed_sum seed.credit)
t_check "seed file replaced by a new one" test -n "$new" -a "$new" != "$old"
t_check "no seed bytes in kmsg, stderr or report" \
	bash -c "! grep -qi '$hex' '$W/k/dev/kmsg' '$W/stderr' '$W/k/run/bootseed/report.json' && ! grep -qi '${hex:0:16}' '$W/k/dev/kmsg' '$W/k/run/bootseed/report.json'"

# --- a later stage of the same boot appends --------------------------------------
feeds=$(grep -c '^feed' "$W/pool")
"$BIN" save --root "$W/root" --config "$W/empty.conf" 2>/dev/null; rc=$?
t_check "save exits 0" [ "$rc" -eq 0 ]
t_check "report: the save run appended, the load run kept" \
	report '(.runs | length == 2) and .runs[0].command=="load" and .runs[1].command=="save"'
t_check "save fed nothing to the kernel" [ "$(grep -c '^feed' "$W/pool")" -eq "$feeds" ]

# --- bootseed=0 ----------------------------------------------------------------
fresh "bootseed=0"
old=$(seed_sum seed.credit)
load; rc=$?
t_check "bootseed=0: exit 0" [ "$rc" -eq 0 ]
t_check "bootseed=0: seed untouched, nothing fed, no report" \
	bash -c "[ '$(seed_sum seed.credit)' = '$old' ] && [ ! -e '$W/pool' ] && [ ! -e '$W/k/run/bootseed/report.json' ]"
t_check "bootseed=0: says so" kmsg_has "disabled"

# --- precedence: config file, then kernel command line, then options -----------
fresh "bootseed.seed_credit=yes"
echo "seed_credit = no" >"$W/c.conf"
"$BIN" load --root "$W/root" --config "$W/c.conf" 2>/dev/null
t_check "kernel command line wins over the config file" grep -q "source=seed.credit bytes=32 credit=256" "$W/pool"
fresh
"$BIN" load --root "$W/root" --config "$W/c.conf" 2>/dev/null
t_check "config file seed_credit = no is honoured" \
	bash -c "grep -q 'source=seed.credit bytes=32 credit=0' '$W/pool' && grep -q 'seed_credit = no' '$W/k/dev/kmsg'"
fresh "bootseed.seed_dir=/nowhere"
mkdir -p "$W/root/srv/s" && chmod 700 "$W/root/srv/s"
mv "$W/root/var/lib/bootseed/seed.credit" "$W/root/srv/s/"
load --seed-dir /srv/s
t_check "--seed-dir wins over the kernel command line, under --root" grep -q "source=seed.credit bytes=32 credit=256" "$W/pool"

# --- hostile configuration never stops the run ---------------------------------
fresh 'bootseed.bogus=1 bootseed.lock_timeout_ms=abc bootseed.seed_credit'
printf 'garbage line\nseed_dir = ../../etc\n\001\002 = \003\n' >"$W/bad.conf"
"$BIN" load --root "$W/root" --config "$W/bad.conf" 2>/dev/null; rc=$?
t_check "bad config and cmdline: still exit 0 and credit the seed" \
	bash -c "[ $rc -eq 0 ] && grep -q 'source=seed.credit bytes=32 credit=256' '$W/pool'"
t_check "bad config and cmdline: one warning line each" [ "$(grep -c '^<4>bootseed:' "$W/k/dev/kmsg")" -eq 6 ]

# --- exit bits -------------------------------------------------------------------
"$BIN" frobnicate >/dev/null 2>&1; rc=$?
t_check "unknown command: exit 128 (usage bit)" [ "$rc" -eq 128 ]
"$BIN" load --root relative >/dev/null 2>&1; rc=$?
t_check "relative --root: exit 128" [ "$rc" -eq 128 ]
fresh
rm -f "$W/root/var/lib/bootseed/seed.credit"
ln -s /etc/passwd "$W/root/var/lib/bootseed/seed.credit"
load; rc=$?
t_check "symlinked seed: exit bit 2 (seed read), nothing fed from it" \
	bash -c "[ $((rc & 2)) -eq 2 ] && ! grep -q 'source=seed.credit' '$W/pool'"
fresh
rm -rf "$W/k/run"
load; rc=$?
t_check "report cannot be written: exit bit 16, seed still credited" \
	bash -c "[ $((rc & 16)) -eq 16 ] && grep -q 'source=seed.credit bytes=32 credit=256' '$W/pool'"

# --- foreign seeds: mixed, never credited, never consumed -------------------------
fresh
mkdir -p "$W/root/var/lib/systemd" "$W/root/var/lib/seedrng"
head -c 512 /dev/urandom >"$W/root/var/lib/systemd/random-seed"
head -c 32 /dev/urandom >"$W/root/var/lib/seedrng/seed.credit"
load
t_check "systemd and seedrng seeds mixed with 0 credit" \
	bash -c "grep -q 'source=systemd random-seed bytes=512 credit=0' '$W/pool' && grep -q 'source=seedrng seed.credit bytes=32 credit=0' '$W/pool'"
t_check "foreign seeds left in place" \
	bash -c "[ -s '$W/root/var/lib/systemd/random-seed' ] && [ -s '$W/root/var/lib/seedrng/seed.credit' ]"

# --- status ------------------------------------------------------------------------
fresh
"$BIN" status --root "$W/root" --json >"$W/status.json" 2>/dev/null
t_check "status --json: valid, shows the seed as creditable" \
	jq_file '.seeds[0].name=="seed.credit" and .seeds[0].credit_bits==256 and .crng_ready==false and .entropy_avail==3 and .report==null' "$W/status.json"
load
lines=$(grep -c . "$W/k/dev/kmsg")
"$BIN" status --root "$W/root" >"$W/status.txt" 2>/dev/null
t_check "status: text names the pool, the seed and the last report" \
	bash -c "grep -q 'entropy_avail 3 of 256' '$W/status.txt' && grep -q 'seed.credit: 32 bytes, mode 0400' '$W/status.txt' && grep -q '\"command\":\"load\"' '$W/status.txt'"
"$BIN" status --root "$W/root" --json 2>/dev/null | jq -e '.report.runs|length==1' >/dev/null
t_check "status --json embeds the report" [ "${PIPESTATUS[1]}" -eq 0 ]
t_check "status writes nothing to kmsg" [ "$(grep -c . "$W/k/dev/kmsg")" -eq "$lines" ]

# --- what reaches a console or JSON: control bytes escaped, not-UTF-8 replaced ----------
# A root path with ESC and a Latin-1 byte, whose seed directory is a symlink:
# the refusal names the path in kmsg and on stderr.
fresh
esc=$(printf '\033')
R2="$W/root-${esc}[31m-$(printf '\351')"
mkdir -p "$R2" && cp -a "$W/root/." "$R2/"
mv "$R2/var/lib/bootseed" "$R2/var/lib/real" && ln -s real "$R2/var/lib/bootseed"
"$BIN" load --root "$R2" --config "$W/empty.conf" 2>"$W/stderr"
t_check "a path with ESC: the log line names it, the ESC escaped as \\x1b" \
	env LC_ALL=C grep -aq 'root-\\x1b\[31m-.*cannot open seed directory' "$W/k/dev/kmsg"
t_check "a path with ESC: no raw control byte in kmsg or on stderr" \
	bash -c "! grep -aq '$esc' '$W/k/dev/kmsg' '$W/stderr'"
# jq repairs bad UTF-8 on input; python's strict decode does not.
utf8_json() { python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$1" 2>/dev/null; }
t_check "a path with a Latin-1 byte: report.json is valid UTF-8 JSON" utf8_json "$W/k/run/bootseed/report.json"
t_check "... the byte shown as U+FFFD" report '.runs[0].root | endswith("-\ufffd")'
"$BIN" status --root "$R2" --json >"$W/status2.json" 2>/dev/null
t_check "... and status --json is valid UTF-8 JSON too" utf8_json "$W/status2.json"
rm -rf "$R2"

# --- never read the blocking pool before the crng is ready -------------------------
fresh
strace -f -qq -e trace=getrandom,openat -o "$W/strace" "$BIN" load --root "$W/root" --config "$W/empty.conf" 2>/dev/null
t_check "crng not ready: getrandom only with GRND_INSECURE/NONBLOCK, /dev/urandom never opened" \
	bash -c "grep -q 'getrandom' '$W/strace' && ! grep 'getrandom' '$W/strace' | grep -vq 'GRND_INSECURE\|GRND_NONBLOCK' && ! grep -q 'urandom' '$W/strace'"
t_done
