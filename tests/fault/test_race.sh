#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency and replay. Two `bootseed load` (or a load and a save) at once on
# one seed directory never both consume or both credit one seed: the flock on
# the directory serialises them (the BOOTSEED_TEST_PAUSE_AT hook holds the
# first inside the lock, after it read the seed, to make the race certain).
# Replay: a snapshot of the disk taken at the instant a seed is credited never
# holds that seed; a rollback to a snapshot taken *before* the boot that
# consumed it does credit it again, as the README says, unless seed_credit = no.
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
. "$(dirname "$0")/lib.sh"

# bg_load VAR [env...]: a load in the background, its exit status in $W/rc.VAR.
bg_load() {
	local tag=$1
	shift
	(
		# shellcheck disable=SC2163 # NAME=VALUE words
		[ $# -gt 0 ] && export "$@"
		f_load
		echo "$RC" >"$W/rc.$tag"
	) &
}
wait_paused() { # until the first process is inside the lock (5 s at most)
	local i
	for i in $(seq 250); do
		grep -q "bootseed-test: paused at $1" "$W/stderr" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# --- the second load cannot get the lock in time ----------------------------------------
f_fresh
: >"$W/stderr"
bg_load a BOOTSEED_TEST_PAUSE_AT=tmp-written:2000
wait_paused tmp-written || t_fail "first load never reached the pause"
f_load # lock_timeout_ms = 1000 (the default)
t_check "two loads, the second times out on the lock: exit 2, says so" \
	bash -c "[ $RC -eq 2 ] && grep -q 'cannot lock seed directory within 1000 ms' '$W/k/dev/kmsg'"
wait
t_check "two loads: the first exits 0" [ "$(cat "$W/rc.a")" -eq 0 ]
t_check "two loads: S0 fed once, credited once" \
	bash -c "[ $(f_feeds "$S0_FP") -eq 1 ] && [ $(f_credits "$S0_FP") -eq 1 ]"
t_check "two loads: one complete new seed in place" f_one_new_seed "$S0"

# --- the second load waits for the lock, then finds the first one's seed ----------------
f_fresh
: >"$W/stderr"
echo "lock_timeout_ms = 5000" >>"$CONF"
bg_load a BOOTSEED_TEST_PAUSE_AT=tmp-written:700
wait_paused tmp-written || t_fail "first load never reached the pause"
f_load
wait
t_check "two loads, the second waits: both exit 0" bash -c "[ $RC -eq 0 ] && [ $(cat "$W/rc.a") -eq 0 ]"
t_check "two loads, the second waits: S0 credited exactly once" [ "$(f_credits "$S0_FP")" -eq 1 ]
t_check "two loads, the second waits: it does not credit the first one's new seed" \
	bash -c "[ $(grep -c 'source=seed\.[a-z-]* bytes=32 credit=[1-9]' "$W/pool") -eq 1 ] &&
		grep -q 'written earlier in this boot from the pool itself' '$W/k/dev/kmsg'"

# --- a load and a save at once ---------------------------------------------------------
f_fresh
: >"$W/stderr"
bg_load a BOOTSEED_TEST_PAUSE_AT=tmp-written:700
wait_paused tmp-written || t_fail "load never reached the pause"
BOOTSEED_TEST_CRNG=ready f_save
wait
t_check "load and save at once: both exit 0, S0 credited once, one new seed" \
	bash -c "[ $RC -eq 0 ] && [ $(cat "$W/rc.a") -eq 0 ] && [ $(f_credits "$S0_FP") -eq 1 ] && [ -f '$SD/seed.credit' ] && [ '$(f_sum "$SD/seed.credit")' != '$S0' ]"

# --- many at once, no hooks -----------------------------------------------------------------
f_fresh
for i in $(seq 12); do bg_load "m$i"; done
wait
rcs=$(cat "$W"/rc.m* | sort -u | tr '\n' ' ')
t_check "12 loads at once: all exit 0 [$rcs], S0 credited exactly once" \
	bash -c "[ '$rcs' = '0 ' ] && [ $(f_credits "$S0_FP") -eq 1 ]"
t_check "12 loads at once: one complete new seed, no temp file" \
	bash -c "$(declare -f f_seed_ok f_sum f_one_new_seed); SD='$SD'; f_one_new_seed '$S0' && [ -z \"\$(find '$SD' -name '.*' -type f)\" ]"
sed -i '/lock_timeout_ms/d' "$CONF"

# --- replay: a snapshot at the instant of credit ------------------------------------------
f_fresh
: >"$W/stderr"
bg_load a BOOTSEED_TEST_PAUSE_AT=credited:1500
wait_paused credited || t_fail "load never reached the credit"
rm -rf "$W/snap" && cp -a "$W/root" "$W/snap"
wait
t_check "snapshot at the instant S0 is credited: S0 was credited" [ "$(f_credits "$S0_FP")" -eq 1 ]
not_in_snapshot() {
	local f
	for f in "$W/snap/var/lib/bootseed"/* "$W/snap/var/lib/bootseed"/.[!.]*; do
		[ -e "$f" ] || continue
		[ "$(f_sum "$f")" != "$S0" ] || return 1
	done
}
t_check "snapshot at the instant S0 is credited: S0 is in no file of it (consumed first)" not_in_snapshot
rm -rf "$W/root" && mv "$W/snap" "$W/root"
f_reboot
f_load
t_check "rolled back to it and booted: S0 still credited only once, exit 0" \
	bash -c "[ $RC -eq 0 ] && [ $(f_credits "$S0_FP") -eq 1 ]"

# --- what cannot be guaranteed (README threat model) ---------------------------------------
f_fresh
rm -rf "$W/snap" && cp -a "$W/root" "$W/snap" # the whole disk, before the boot
f_load
rm -rf "$W/root" && cp -a "$W/snap" "$W/root"
f_reboot
f_load
t_check "limitation (README): a whole-disk rollback to before the boot credits S0 again" \
	[ "$(f_credits "$S0_FP")" -eq 2 ]
rm -rf "$W/root" && cp -a "$W/snap" "$W/root"
f_reboot
echo "seed_credit = no" >>"$CONF"
f_load
t_check "limitation (README): with seed_credit = no the rolled-back S0 is mixed, not credited" \
	bash -c "[ $(f_credits "$S0_FP") -eq 2 ] && [ $(f_feeds "$S0_FP") -eq 3 ] && grep -q 'seed_credit = no in the configuration' '$W/k/dev/kmsg'"
t_done
