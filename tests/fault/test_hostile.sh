#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile seed files and directories through the whole binary: a symlink (to
# /dev/zero, to a file the attacker controls), a FIFO, a directory, a file
# owned by another user, group- or world-readable, hard-linked, a GiB sparse
# file, empty, truncated; a seed directory open to others, or a symlink. None
# is credited, none is followed, nothing blocks (each run has a 10 s kill
# bound and must end in 3), and the log says why.
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
. "$(dirname "$0")/lib.sh"

# hostile NAME SETUP MESSAGE [EXIT-BITS-MASK]: SETUP (shell, in $SD, after the
# plain seed was removed) makes the hostile seed.credit; then one load.
hostile() {
	local name=$1 setup=$2 msg=$3 mask=${4:-}
	f_fresh
	rm -f "$SD/seed.credit"
	(cd "$SD" && eval "$setup") || { t_fail "$name: setup failed"; return; }
	local start
	start=$(date +%s%N)
	RC=0
	{ timeout -s KILL 10 "$BIN" load --root "$W/root" --config "$CONF" 2>>"$W/stderr"; } 2>/dev/null || RC=$?
	local ms=$((($(date +%s%N) - start) / 1000000))
	t_check "$name: load ends at once, never blocks ($ms ms, exit $RC)" \
		bash -c "[ $ms -lt 3000 ] && [ $RC -ne 137 ] && [ $RC -lt 128 ]"
	t_check "$name: nothing credited" bash -c "! grep -q 'credit=[1-9]' '$W/pool' 2>/dev/null"
	t_check "$name: the log says why: '$msg'" grep -qF -- "$msg" "$W/k/dev/kmsg"
	if [ -n "$mask" ]; then
		t_check "$name: exit bit $mask set" [ $((RC & mask)) -eq "$mask" ]
	fi
}

echo attacker-chosen-seed-bytes-0123 >"$W/attacker"
chmod 400 "$W/attacker"
A_SUM=$(f_sum "$W/attacker") A_FP=$(f_fp "$W/attacker")

hostile "symlink to /dev/zero" 'ln -s /dev/zero seed.credit' "seed.credit: is a symlink: not followed" 2
t_check "symlink to /dev/zero: nothing read through it (no seed feed at all)" \
	bash -c "! grep -q 'source=seed.credit' '$W/pool'"
t_check "symlink to /dev/zero: replaced by a real seed file, not written through" \
	bash -c "[ ! -L '$SD/seed.credit' ] || [ -f '$SD/seed.no-credit' ]"

hostile "symlink to an attacker's file" "ln -s '$W/attacker' seed.credit" "seed.credit: is a symlink: not followed" 2
t_check "symlink to an attacker's file: its bytes never fed, the file untouched" \
	bash -c "[ $(f_feeds "$A_FP") -eq 0 ] && [ '$(f_sum "$W/attacker")' = '$A_SUM' ]"

hostile "FIFO with no writer" 'mkfifo -m 600 seed.credit' "is not a regular file (directory, FIFO, device or socket): not opened" 2
hostile "directory" 'mkdir -m 700 seed.credit' "is not a regular file (directory, FIFO, device or socket): not opened" 2
hostile "owned by another user (0400)" 'head -c 32 /dev/urandom >seed.credit && chmod 400 seed.credit && chown 65534:65534 seed.credit' \
	"credited 0 bits: not owned by root: someone else may know its contents"
hostile "group-readable (0440)" 'head -c 32 /dev/urandom >seed.credit && chmod 440 seed.credit' \
	"credited 0 bits: readable or writable by group or others"
hostile "world-readable (0404)" 'head -c 32 /dev/urandom >seed.credit && chmod 404 seed.credit' \
	"credited 0 bits: readable or writable by group or others"
hostile "hard-linked (a second name holds a copy)" 'head -c 32 /dev/urandom >seed.credit && chmod 400 seed.credit && ln seed.credit ../copy' \
	"credited 0 bits: has more than one hard link"
hostile "1 GiB sparse file" 'truncate -s 1G seed.credit && chmod 400 seed.credit' \
	"seed.credit: 512 bytes, credited 0 bits: larger than 512 bytes"
t_check "1 GiB sparse file: only 512 bytes were read and fed" grep -q 'source=seed.credit bytes=512 credit=0' "$W/pool"
hostile "empty" ': >seed.credit && chmod 400 seed.credit' "seed.credit: 0 bytes, credited 0 bits: empty"
hostile "truncated (10 bytes)" 'head -c 10 /dev/urandom >seed.credit && chmod 400 seed.credit' \
	"seed.credit: 10 bytes, credited 0 bits: shorter than 32 bytes"
hostile "seed directory writable by others (0777)" 'head -c 32 /dev/urandom >seed.credit && chmod 400 seed.credit && chmod 777 .' \
	"the seed directory is not root's or is open to group or others"
hostile "seed directory readable by others (0755)" 'head -c 32 /dev/urandom >seed.credit && chmod 400 seed.credit && chmod 755 .' \
	"the seed directory is not root's or is open to group or others"
f_fresh
mv "$SD" "$W/root/var/lib/real"
ln -s "$W/root/var/lib/real" "$SD"
f_load
t_check "seed directory is a symlink: not followed, exit bit 2, nothing credited" \
	bash -c "[ $((RC & 2)) -eq 2 ] && ! grep -q 'credit=[1-9]' '$W/pool' 2>/dev/null && grep -q 'cannot open seed directory: is a symlink: not followed' '$W/k/dev/kmsg'"
t_check "seed directory is a symlink: the seed behind it untouched" \
	[ "$(f_sum "$W/root/var/lib/real/seed.credit")" = "$S0" ]
t_done
