#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A crash (SIGKILL, from the test hook BOOTSEED_TEST_CRASH_AT) at every step of
# the write sequence of `save` and of `load`, then a new boot that runs `load`.
# After every crash the seed directory holds the old seed S0 or a complete new
# seed under a seed name (nothing lost), no torn file is named seed.credit or
# seed.no-credit, and S0 is credited at most once over both boots (never twice).
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
. "$(dirname "$0")/lib.sh"

# FAULT_STEPS: a subset (the sanitize layer runs three, to stay quick).
STEPS=${FAULT_STEPS:-locked tmp-open tmp-partial tmp-written tmp-synced renamed unlinked dir-synced credited}

# check_after_crash CMD STEP: the invariants right after the crash.
check_after_crash() {
	local what="$1 killed at $2" n new=0 ok=1
	t_check "$what: the process died of SIGKILL at that step" [ "$RC" -eq 137 ]
	# Every file under a seed name is a whole seed, whatever the step.
	for n in seed.credit seed.no-credit; do
		[ -e "$SD/$n" ] || [ -L "$SD/$n" ] || continue
		f_seed_ok "$n" || ok=0
		[ "$(f_sum "$SD/$n")" != "$S0" ] && new=1
	done
	t_check "$what: every seed name holds a complete 32-byte 0400 seed [$(f_names)]" [ "$ok" = 1 ]
	t_check "$what: the old seed or a complete new one is there (nothing lost)" \
		bash -c "[ '$(f_sum "$SD/seed.credit")' = '$S0' ] || [ $new = 1 ]"
}

# f_new_seed_fp OLD_SUM: the fingerprint of the seed bytes of a seed name that
# does not hold S0 (the one a killed run put in place), or nothing.
f_new_seed_fp() {
	local f
	for f in "$SD"/seed.credit "$SD"/seed.no-credit; do
		[ -f "$f" ] && [ "$(f_sum "$f")" != "$1" ] || continue
		tail -c +41 "$f" >"$W/payload" && f_fp "$W/payload" && return
	done
}

for cmd in save load; do
	for step in $STEPS; do
		# save runs at shutdown with a ready crng: its seed.credit replaces S0
		# by rename. load runs with the crng not ready: it writes seed.no-credit,
		# removes S0, credits it, then redraws a seed.credit.
		f_fresh
		[ "$cmd" = save ] && export BOOTSEED_TEST_CRNG=ready
		BOOTSEED_TEST_CRASH_AT=$step "f_$cmd"
		export BOOTSEED_TEST_CRNG=notready
		check_after_crash "$cmd" "$step"
		before=$(f_credits "$S0_FP")
		if [ "$cmd" = load ] && [ "$step" = credited ]; then
			t_check "load killed at credited: S0 was credited once before the crash" [ "$before" -eq 1 ]
		else
			t_check "$cmd killed at $step: S0 not credited before the crash" [ "$before" -eq 0 ]
		fi
		# The next boot.
		f_reboot
		f_load
		t_check "$cmd killed at $step, next boot: load exits 0" [ "$RC" -eq 0 ]
		t_check "$cmd killed at $step, next boot: S0 credited at most once in all" \
			[ "$(f_credits "$S0_FP")" -le 1 ]
		t_check "$cmd killed at $step, next boot: one complete new seed (not S0) in place [$(f_names)]" \
			f_one_new_seed "$S0"
	done
done

# A kill after the new seed took its name (a unit's timeout during a slow
# fsync), then a later stage of the same boot: the new seed is the pool's own
# output of this boot and must not be credited. The crng is ready here (the
# real root after the initramfs), so the new seed is a seed.credit.
for step in renamed unlinked dir-synced; do
	f_fresh
	BOOTSEED_TEST_CRNG=ready BOOTSEED_TEST_CRASH_AT=$step f_load
	same=$(f_new_seed_fp "$S0")
	f_load
	t_check "load killed at $step with the crng ready, same boot: the new seed is there" \
		[ -n "$same" ]
	t_check "load killed at $step, same boot: that seed of this boot not credited" \
		[ "$(f_credits "${same:-none}")" -eq 0 ]
done

# Not a crash, but the same sequence whole: its order, syscall by syscall.
if command -v strace >/dev/null; then
	f_fresh
	strace -f -qq -s 200 -e trace=openat,write,fsync,renameat,renameat2,unlinkat \
		-o "$W/strace" "$BIN" load --root "$W/root" --config "$CONF" 2>/dev/null
	# The lines, numbered: temp written, temp fsynced, renamed, S0 unlinked,
	# directory fsynced, then S0 fed with credit.
	order=$(awk '
		/openat\(.*\.seed\.new"/ && /O_CREAT/ { if (!o) o = NR; fd = $NF }
		/^[0-9]+ +fsync\(/ { if (o && !fs) { fs = NR } else if (un && !ds) ds = NR }
		/rename.*\.seed\.new".*"seed\.no-credit"/ { if (!rn) rn = NR }
		/unlinkat\(.*"seed\.credit"/ { if (!un) un = NR }
		/write\(.*source=seed\.credit bytes=32 credit=256/ { if (!cr) cr = NR }
		END { print (o && o < fs && fs < rn && rn < un && un < ds && ds < cr) ? "ok" : "bad " o " " fs " " rn " " un " " ds " " cr }' "$W/strace")
	t_check "load: temp fsynced before rename, S0 removed and directory fsynced before S0 is credited ($order)" \
		[ "$order" = ok ]
else
	t_fail "strace missing: the order of the write sequence is not checked"
fi
t_done
