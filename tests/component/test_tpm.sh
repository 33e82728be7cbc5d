#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# src/tpm.c through the real device TCTI, which opens a character device: a pty.
# GetRandom, and the binding (CreatePrimary, HMAC, FlushContext) and the NV
# counter (NV_DefineSpace, NV_Increment, NV_Read), all hand-marshalled.
# Behind it, either swtpm (a fresh one per case on a free port, bridged by
# socat; socat -x records every command) or tests/component/tpm/fake_tpm (a
# TPM stand-in with scripted answers and a log of the commands it read). The
# driver tests/component/tpm/tpm_probe prints one line per call: rc, elapsed
# time, device, commands, retries, max digest, the bytes (hex) and checks that
# a failed call wiped the buffer and left the caller's SIGALRM alone (the
# exchange runs in a child process, src/child.c, built in too).
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
t_need cc pkg-config swtpm socat setpriv
LIBS="tss2-tcti-device tss2-mu"
# shellcheck disable=SC2086
pkg-config --exists $LIBS || {
	t_fail "pkg-config finds no $LIBS (apt-get install libtss2-dev)"
	t_done
}

W=$(mktemp -d /tmp/bootseed-tpm-XXXXXX)
chmod 755 "$W" # the EBUSY case runs the probe as nobody
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# --- build the driver and the fake ---------------------------------------------
S=$T_TOP/src
T=$T_TOP/tests/component/tpm
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2"
# shellcheck disable=SC2086,SC2046
if ! cc -D_GNU_SOURCE -O2 -g $WARN -Werror=implicit-function-declaration -I"$S" \
	$(pkg-config --cflags $LIBS) -o "$W/tpm_probe" "$T/tpm_probe.c" "$S/tpm.c" \
	"$S/fileio.c" "$S/child.c" $(pkg-config --libs $LIBS) >"$W/build.log" 2>&1 ||
	! cc -D_GNU_SOURCE -O2 $WARN -o "$W/fake_tpm" "$T/fake_tpm.c" >>"$W/build.log" 2>&1 ||
	! cc -O2 $WARN -o "$W/tpm_raw" "$T/tpm_raw.c" >>"$W/build.log" 2>&1; then
	cat "$W/build.log"
	t_fail "build tpm_probe and fake_tpm"
	t_done
fi
t_ok "build tpm_probe (src/tpm.c + src/fileio.c + src/child.c, -l${LIBS// / -l}), fake_tpm, tpm_raw"

# --- helpers ---------------------------------------------------------------------
N=0
DEV= # the fake /dev of the current case
OUT= # the probe's output line
new_dev() {
	N=$((N + 1))
	DEV=$W/case$N/dev
	mkdir -p "$DEV" "$W/case$N/state"
	chmod 755 "$W/case$N" "$DEV"
}
# start_swtpm NAME: a fresh swtpm, reached as $DEV/NAME.
SW_PID='' SOCAT_PID=''
start_swtpm() {
	new_dev
	swtpm_pty "$W/case$N/state" "$W/case$N/swtpm.log" "$DEV/$1" "$W/case$N/socat.log"
}

# start_fake NAME [fake_tpm options]: the fake reached as $DEV/NAME.
FAKE_PID=
start_fake() {
	local name=$1
	shift
	new_dev
	"$W/fake_tpm" "$DEV/$name" "$W/case$N/fake.log" "$@" &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
	wait_path "$DEV/$name" "$FAKE_PID"
}

stop_case() { # the current case's processes
	local p
	for p in ${SW_PID:+"$SW_PID"} ${SOCAT_PID:+"$SOCAT_PID"} ${FAKE_PID:+"$FAKE_PID"}; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	SW_PID='' SOCAT_PID='' FAKE_PID=''
}

# probe LEN TIMEOUT_MS [DIR [WANT]]: runs the driver; its stderr must stay empty.
CALLS=0
probe() {
	CALLS=$((CALLS + 1))
	OUT=$("$W/tpm_probe" "${3:-$DEV}" "$1" "$2" ${4:+"$4"} 2>"$W/stderr")
	echo "$OUT" >>"$W/all.out"
	cat "$W/stderr" >>"$W/all.err"
	echo "  $OUT" | cut -c1-230
}
f() { sed -n "s/.* $1=\([^ \"]*\).*/\1/p" <<<" $OUT"; }
fq() { sed -n "s/.* $1=\"\([^\"]*\)\".*/\1/p" <<<" $OUT"; }
is() { [ "$(f "$1")" = "$2" ]; }
elapsed_in() { [ "$(f elapsed_ms)" -ge "$1" ] && [ "$(f elapsed_ms)" -le "$2" ]; }
# The fake hands out 00 01 02 ... across answers: bytes FROM.. in hex, LEN of them.
counting() {
	local i s=
	for ((i = $1; i < $1 + $2; i++)); do s+=$(printf %02x $((i & 255))); done
	echo "$s"
}
fake_asked() { sed -n 's/.* asked=\([0-9]*\) .*/\1/p' "$W/case$N/fake.log" | paste -sd,; }
socat_cmds() { grep -c '^>' "$W/case$N/socat.log"; }
socat_getrandom() { # socat_getrandom SIZE_HEX: GetRandom commands of that size seen
	grep -c "^ 80 01 00 00 00 0c 00 00 01 7b $1\$" "$W/case$N/socat.log"
}

# --- swtpm: success, command count, freshness ----------------------------------
if start_swtpm tpmrm0; then
	probe 64 2000
	t_check "swtpm: 64 bytes in one call" is rc 0
	t_check "swtpm: /dev/tpmrm0 used, no fallback" \
		bash -c "[ '$(f device)' = '$DEV/tpmrm0' ] && [ -z '$(fq fallback)' ]"
	hex=$(f hex)
	t_check "swtpm: 128 hex digits, not the 0xa5 fill, not zeros" \
		bash -c "[ \${#1} -eq 128 ] && [[ \$1 != *a5a5a5a5* ]] && [[ \$1 != *00000000* ]]" _ "$hex"
	t_check "swtpm: 2 commands counted (TCTI probe + GetRandom(64)), max digest 64" \
		bash -c "[ '$(f commands)' = 2 ] && [ '$(f max_digest)' = 64 ]"
	sleep 0.1 # socat -x writes after forwarding
	t_check "swtpm: socat saw exactly 2 commands: GetRandom(8), then GetRandom(64)" \
		bash -c "[ $(socat_cmds) -eq 2 ] && [ $(socat_getrandom '00 08') -eq 1 ] && [ $(socat_getrandom '00 40') -eq 1 ]"
	probe 64 2000
	t_check "swtpm: a second call gets different bytes" bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' != '$hex' ]"
	probe 100 2000
	t_check "swtpm: 100 bytes = GetRandom(64) + GetRandom(36), 3 commands" \
		bash -c "[ '$(f rc)' = 0 ] && [ \$(echo -n '$(f hex)' | wc -c) -eq 200 ] && [ '$(f commands)' = 3 ]"
	# Whole responses over a pty, every time: 200 calls, 200 distinct answers.
	for i in $(seq 200); do
		"$W/tpm_probe" "$DEV" 64 2000 2>>"$W/all.err" | sed -n 's/^rc=0 .* hex=\(.*\)/\1/p'
	done >"$W/many"
	t_check "swtpm: 200 calls in a row over the pty all succeed, all different" \
		bash -c "[ \$(grep -c '^[0-9a-f]\{128\}\$' '$W/many') -eq 200 ] && [ -z \"\$(sort '$W/many' | uniq -d)\" ]"
else
	t_fail "swtpm: could not start swtpm and socat (see $W/case$N)"
fi
stop_case

# --- device choice ---------------------------------------------------------------
if start_swtpm tpm0; then
	probe 64 2000
	t_check "no tpmrm0: falls back to swtpm as tpm0, says why" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f device)' = '$DEV/tpm0' ] && [ '$(fq fallback)' = 'tpmrm0: absent' ]"
else
	t_fail "swtpm as tpm0: could not start"
fi
stop_case

new_dev
probe 64 2000
t_check "no TPM at all: -ENODEV at once, no command, reasons for both nodes" \
	bash -c "[ '$(f rc)' = ENODEV ] && [ '$(f elapsed_ms)' -le 50 ] && [ '$(f commands)' = 0 ] &&
		[ '$(fq fallback)' = 'tpmrm0: absent' ] && [[ '$(fq error)' == *'tpm0: absent'* ]]"

start_fake tpm0
: >"$DEV/tpmrm0"
probe 64 2000
t_check "tpmrm0 a regular file: not used, tpm0 used, reason given" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f device)' = '$DEV/tpm0' ] && [ '$(fq fallback)' = 'tpmrm0: not a character device' ]"
stop_case

# tpm0 admits one user: TIOCEXCL gives the same EBUSY to a second, unprivileged opener.
if [ "$(id -u)" = 0 ]; then
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	start_fake tpm0 --exclusive
	OUT=$(as_nobody "$W/tpm_probe" "$DEV" 64 2000 2>>"$W/all.err")
	echo "  $OUT" | cut -c1-230
	t_check "tpm0 busy (held by another user): -EBUSY, reasons for both nodes" \
		bash -c "[ '$(f rc)' = EBUSY ] && [ '$(fq fallback)' = 'tpmrm0: absent' ] && [[ '$(fq error)' == *busy* ]]"
	stop_case
	start_fake tpm0
	OUT=$(as_nobody "$W/tpm_probe" "$DEV" 64 2000 2>>"$W/all.err")
	t_check "control: the same fake without TIOCEXCL works for that user" is rc 0
	stop_case
else
	t_skip "tpm0 busy: needs root to drop to another user"
fi

# --- max digest ------------------------------------------------------------------
start_fake tpmrm0 --max-digest 32
probe 64 2000
t_check "max digest 32: 64 bytes as 32 + 32, the exact bytes sent, 3 commands" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' = '$(counting 8 64)' ] && [ '$(f commands)' = 3 ] &&
		[ '$(f max_digest)' = 32 ] && [ '$(fake_asked)' = 8,64,32 ]"
stop_case
start_fake tpmrm0 --max-digest 48
probe 64 2000
t_check "max digest 48: 64 bytes as 48 + 16, exact bytes, 3 commands" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' = '$(counting 8 64)' ] && [ '$(f max_digest)' = 48 ] &&
		[ '$(fake_asked)' = 8,64,16 ]"
stop_case
start_fake tpmrm0 --max-digest 48
probe 100 2000
t_check "max digest 48: 100 bytes as 48 + 48 + 4" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' = '$(counting 8 100)' ] && [ '$(fake_asked)' = 8,64,48,4 ]"
stop_case
start_fake tpmrm0
probe 64 2000
t_check "max digest 64: one GetRandom, 2 commands, exact bytes" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' = '$(counting 8 64)' ] && [ '$(fake_asked)' = 8,64 ]"
stop_case

# --- short and malformed replies -------------------------------------------------
start_fake tpmrm0 --script ok,short:16
probe 64 2000
t_check "short reply (16 of 64, no digest size): -EIO, wiped, not asked again" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(f wiped)' = yes ] && [ '$(fake_asked)' = 8,64 ] &&
		[ '$(fq error)' = 'GetRandom: short reply, 16 bytes for 64 asked' ]"
stop_case
start_fake tpmrm0 --script ok,short:32,short:16
probe 64 2000
t_check "short reply after the max digest was learned (32, then 16 of 32): -EIO" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(f wiped)' = yes ] && [ '$(fake_asked)' = 8,64,32 ]"
stop_case
start_fake tpmrm0 --script ok,short:32
probe 32 2000
t_check "a 32-byte answer to 32 asked is whole, not short" is rc 0
stop_case
# Without the size checks these two return 56 bytes left over from the previous
# response as if new (measured while writing this test).
start_fake tpmrm0 --script ok,ok,split:15
probe 128 2000
t_check "response split on the pty (TCTI reads 15 of 76): -EIO, no old bytes" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(f tss2_rc)' = 0xa0011 ] && [ '$(f wiped)' = yes ]"
stop_case
start_fake tpmrm0 --script ok,ok,lie
probe 128 2000
t_check "TPM2B claims 64 bytes in a response holding 8: -EIO, no old bytes" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(fq error)' = 'GetRandom: malformed reply' ] && [ '$(f wiped)' = yes ]"
stop_case
start_fake tpmrm0 --script ok,split:4
probe 64 2000
t_check "response header split: -EIO" is rc EIO
stop_case

# --- retries ---------------------------------------------------------------------
start_fake tpmrm0 --script ok,rc:0x922,rc:0x922,rc:0x922,ok
probe 64 2000
t_check "TPM_RC_RETRY x3, then success: the exact bytes, 3 retries, 5 commands" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f hex)' = '$(counting 8 64)' ] && [ '$(f retries)' = 3 ] && [ '$(f commands)' = 5 ]"
stop_case
start_fake tpmrm0 --script ok,rc:0x90a,rc:0x908,ok
probe 64 2000
t_check "TPM_RC_TESTING, TPM_RC_YIELDED, then success: 2 retries" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f retries)' = 2 ]"
stop_case
start_fake tpmrm0 --script "ok$(printf ',rc:0x922%.0s' $(seq 11))"
probe 64 5000
t_check "TPM_RC_RETRY forever: -EAGAIN after 10 retries (12 commands)" \
	bash -c "[ '$(f rc)' = EAGAIN ] && [ '$(f retries)' = 10 ] && [ '$(f commands)' = 12 ] && [ '$(f wiped)' = yes ]"
stop_case
start_fake tpmrm0 --script "ok$(printf ',rc:0x922%.0s' $(seq 11))"
probe 64 150
t_check "TPM_RC_RETRY past the deadline: -ETIMEDOUT within 150 ms + 100" \
	bash -c "[ '$(f rc)' = ETIMEDOUT ] && [ '$(f elapsed_ms)' -ge 150 ] && [ '$(f elapsed_ms)' -le 250 ]"
stop_case
start_fake tpmrm0 --script ok,rc:0x101
probe 64 2000
t_check "TPM_RC_FAILURE: -EIO at once, not retried, rc kept for the log" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(f retries)' = 0 ] && [ '$(f tss2_rc)' = 0x101 ]"
stop_case

# --- a TPM that stops answering or goes away --------------------------------------
if start_swtpm tpmrm0; then
	kill -STOP "$SW_PID"
	probe 64 500
	t_check "swtpm stopped: -ETIMEDOUT within 500 ms + 100" \
		bash -c "[ '$(f rc)' = ETIMEDOUT ] && [ '$(f elapsed_ms)' -ge 500 ] && [ '$(f elapsed_ms)' -le 600 ] && [ '$(f wiped)' = yes ]"
else
	t_fail "swtpm stopped: could not start"
fi
stop_case
if start_swtpm tpmrm0; then
	kill -STOP "$SW_PID"
	probe 64 3000
	t_check "swtpm stopped, 3 s allowed: -ETIMEDOUT when the TCTI's 1 s probe wait ends" \
		bash -c "[ '$(f rc)' = ETIMEDOUT ] && [ '$(f elapsed_ms)' -ge 1000 ] && [ '$(f elapsed_ms)' -le 1150 ]"
else
	t_fail "swtpm stopped (3 s): could not start"
fi
stop_case
start_fake tpmrm0 --script ok,hang
probe 64 700
t_check "no answer to GetRandom: -ETIMEDOUT within 700 ms + 100" \
	bash -c "[ '$(f rc)' = ETIMEDOUT ] && [ '$(f elapsed_ms)' -ge 700 ] && [ '$(f elapsed_ms)' -le 800 ] && [ '$(f commands)' = 2 ]"
stop_case
start_fake tpmrm0 --script hang
probe 64 300
t_check "no answer to the TCTI's probe: -ETIMEDOUT within 300 ms + 100" \
	bash -c "[ '$(f rc)' = ETIMEDOUT ] && [ '$(f elapsed_ms)' -ge 300 ] && [ '$(f elapsed_ms)' -le 400 ]"
stop_case
if start_swtpm tpmrm0; then
	kill -STOP "$SW_PID"
	("$W/tpm_probe" "$DEV" 64 3000 >"$W/killed.out" 2>>"$W/all.err") &
	pp=$!
	sleep 0.3
	kill -9 "$SW_PID"
	wait "$SW_PID" 2>/dev/null # no "Killed" line from the shell
	wait "$pp"
	OUT=$(cat "$W/killed.out")
	echo "  $OUT" | cut -c1-230
	t_check "swtpm killed with a command in flight: -EIO, well before the timeout" \
		bash -c "[ '$(f rc)' = EIO ] && [ '$(f elapsed_ms)' -lt 900 ] && [ '$(f wiped)' = yes ]"
else
	t_fail "swtpm killed: could not start"
fi
stop_case
start_fake tpmrm0 --script ok,die
probe 64 2000
t_check "fake TPM exits at GetRandom: -EIO at once" \
	bash -c "[ '$(f rc)' = EIO ] && [ '$(f elapsed_ms)' -le 100 ] && [ '$(f commands)' = 2 ]"
stop_case


# --- the binding and the counter against swtpm ------------------------------------
NV=0x01b5eed0
B="bind,counter:$NV"
socat_cc() { # socat_cc CC_HEX: commands with that code seen by socat
	grep -c "^ 80 0[12] 00 00 00 [0-9a-f][0-9a-f] 00 00 0$1" "$W/case$N/socat.log"
}
if start_swtpm tpmrm0; then
	probe 32 2000 "$DEV" "$B"
	t_check "swtpm, first use: counter defined and at 1, key made: probe, GetRandom, NV_Increment (no index), NV_DefineSpace, NV_Increment, NV_Read, CreatePrimary, HMAC, FlushContext = 9 commands" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f key_ok)' = 1 ] && [ '$(f counter_ok)' = 1 ] && [ '$(f counter)' = 1 ] && [ '$(f defined)' = 1 ] && [ '$(f commands)' = 9 ]"
	key1=$(f key) id1=$(f id)
	probe 32 2000 "$DEV" "$B"
	t_check "swtpm, next boot: 7 commands, counter 2, the same TPM key id, another per-boot key" \
		bash -c "[ '$(f commands)' = 7 ] && [ '$(f counter)' = 2 ] && [ '$(f id)' = '$id1' ] && [ '$(f key)' != '$key1' ] && [ '$(f defined)' = 0 ]"
	t_check "swtpm: the key is 32 bytes, not zero" bash -c "[[ '$(f key)' =~ ^[0-9a-f]{64}\$ ]] && [ '$(f key)' != $(printf '0%.0s' {1..64}) ]"
	sleep 0.1
	t_check "swtpm: socat saw one CreatePrimary and one FlushContext per binding run (2 and 2)" \
		bash -c "[ $(socat_cc '1 31') -eq 2 ] && [ $(socat_cc '1 65') -eq 2 ]"
	probe 32 2000 "$DEV" bind
	k1=$(f key)
	probe 32 2000 "$DEV" bind
	t_check "swtpm, binding without counter: the same key for the same TPM state (5 commands)" \
		bash -c "[ '$(f key)' = '$k1' ] && [ '$(f id)' = '$id1' ] && [ '$(f commands)' = 5 ]"
	# TPM2_Clear (lockout authorization, empty): a new owner seed, owner NV indices gone.
	t_check "tpm_raw: TPM2_Clear" test "$("$W/tpm_raw" "$DEV/tpmrm0" 80020000001b000001264000000a00000009400000090000000000)" = rc=0x0
	probe 32 2000 "$DEV" "$B"
	t_check "after TPM2_Clear: another key id, the counter defined again above its old value (3)" \
		bash -c "[ '$(f key_ok)' = 1 ] && [ '$(f id)' != '$id1' ] && [ '$(f defined)' = 1 ] && [ '$(f counter)' -ge 3 ]"
	# HierarchyChangeAuth(owner, "pw"): the owner password is set.
	t_check "tpm_raw: owner password set" test "$("$W/tpm_raw" "$DEV/tpmrm0" 80020000001f00000129400000010000000940000009000000000000027077)" = rc=0x0
	probe 32 2000 "$DEV" "$B"
	t_check "owner password set: random bytes still read, no key, the reason (0x9a2), the existing counter still works" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f key_ok)' = 0 ] && [ '$(fq key_why)' = 'CreatePrimary: a password is set (rc 0x9a2)' ] && [ '$(f counter_ok)' = 1 ]"
	probe 32 2000 "$DEV" "counter:0x01b5eed1"
	t_check "owner password set, a new counter index: NV_DefineSpace refused, reason given" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f counter_ok)' = 0 ] && [ '$(fq counter_why)' = 'NV_DefineSpace: a password is set (rc 0x9a2)' ]"
else
	t_fail "swtpm (binding): could not start"
fi
stop_case
if start_swtpm tpmrm0; then
	probe 32 2000 "$DEV" bind
	t_check "another swtpm: another key id and another key" \
		bash -c "[ '$(f key_ok)' = 1 ] && [ '$(f id)' != '$id1' ] && [ '$(f key)' != '$k1' ]"
else
	t_fail "second swtpm: could not start"
fi
stop_case

# --- the binding against a /dev/tpm0 stand-in: flushes, errors, hostile replies ----
# tpm0 has no resource manager: an object not flushed stays until the TPM resets,
# and the fake has 3 slots. Each run: probe, GetRandom, CreatePrimary, HMAC, FlushContext.
hostile="tag sizefield trunc:3 pad:2 b2b rc:0x101"
script=
for h in $hostile; do script+="ok,ok,ok,$h,ok,"; done
start_fake tpm0 --slots 3 --script "${script%,}"
bad=0
for h in $hostile; do
	probe 32 2000 "$DEV" bind
	{ [ "$(f rc)" = 0 ] && [ "$(f key_ok)" = 0 ] && [[ "$(fq key_why)" == HMAC:* ]]; } || { bad=1; echo "    HMAC $h: not refused"; }
done
t_check "HMAC replies with a wrong tag, a wrong size field, truncated, padded, a TPM2B too long, failure mode: each refused, random bytes kept" test $bad = 0
t_check "and every object flushed: none loaded after any run (fill-the-slots: 6 objects made, 3 slots)" \
	bash -c "[ \$(grep -c 'cc=0x165 .* live=0' '$W/case$N/fake.log') -eq 6 ] && ! grep -q 'live=[1-9]' <(grep 'cc=0x165' '$W/case$N/fake.log')"
probe 32 2000 "$DEV" bind
t_check "then a binding works: a slot was free" bash -c "[ '$(f key_ok)' = 1 ] && [ '$(f commands)' = 5 ]"
stop_case

for h in trunc:3 pad:2 b2b tag; do
	start_fake tpm0 --slots 1 --script "ok,ok,$h"
	probe 32 2000 "$DEV" bind
	OK1=$(f key_ok) WHY=$(fq key_why)
	probe 32 2000 "$DEV" bind
	t_check "CreatePrimary reply $h: no key ('$WHY'), the object flushed anyway (the next run gets the only slot)" \
		bash -c "[ '$OK1' = 0 ] && [[ '$WHY' == CreatePrimary:* ]] && [ '$(f key_ok)' = 1 ]"
	stop_case
done

# Counter commands: a wrong-typed index, NV_RATE, NV_UNAVAILABLE, lockout, hostile NV_Read.
start_fake tpm0 --nv-ordinary
probe 32 2000 "$DEV" "$B"
t_check "index of another type: no counter, 'not a counter' named, no key made on it" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f counter_ok)' = 0 ] && [[ '$(fq counter_why)' == 'NV_Increment: not a counter (rc 0x182)' ]] && [ '$(f key_ok)' = 0 ] && [ '$(f commands)' = 3 ]"
stop_case
for c in 0x920:NV.rate-limited 0x923:NV.unavailable 0x921:lockout 0x101:failure.mode; do
	start_fake tpm0 --counter 41 --script "ok,ok,rc:${c%%:*}"
	probe 32 2000 "$DEV" "$B"
	want="NV_Increment: ${c#*:} (rc ${c%%:*})"
	t_check "NV_Increment answers ${c%%:*}: random kept, no counter, the reason, at once" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f counter_ok)' = 0 ] && [ '$(fq counter_why)' = '${want//./ }' ] && [ '$(f elapsed_ms)' -lt 500 ]"
	stop_case
done
for h in trunc:3 pad:1 b2b sizefield; do
	start_fake tpm0 --counter 41 --script "ok,ok,ok,$h"
	probe 32 2000 "$DEV" "$B"
	t_check "NV_Read reply $h: no counter value" \
		bash -c "[ '$(f rc)' = 0 ] && [ '$(f counter_ok)' = 0 ] && [[ '$(fq counter_why)' == NV_Read:* ]]"
	stop_case
done
start_fake tpm0 --counter 41
probe 32 2000 "$DEV" "$B"
t_check "fake: counter 41 incremented to 42 and read, key made and flushed, 7 commands" \
	bash -c "[ '$(f counter)' = 42 ] && [ '$(f key_ok)' = 1 ] && [ '$(f commands)' = 7 ] && grep -q 'cc=0x165 .*live=0' '$W/case$N/fake.log'"
stop_case
start_fake tpm0 --script ok,ok,ok,hang
probe 32 600 "$DEV" bind
t_check "no answer to HMAC: the random bytes stand, no key, bounded (600 ms + 100)" \
	bash -c "[ '$(f rc)' = 0 ] && [ '$(f key_ok)' = 0 ] && [[ '$(fq key_why)' == 'HMAC: no answer within 600 ms' ]] && [ '$(f elapsed_ms)' -le 700 ]"
stop_case

# --- the call's own promises ----------------------------------------------------
new_dev
probe 64 0
t_check "timeout 0: -EINVAL" is rc EINVAL
t_check "no call touched the caller's SIGALRM handler or timer" \
	bash -c "[ \$(grep -c 'alarm_restored=yes' '$W/all.out') -eq $CALLS ] && [ $CALLS -ge 25 ]"
t_check "every failed call wiped the buffer" \
	bash -c "grep -q 'wiped=yes' '$W/all.out' && ! grep -q 'wiped=no' '$W/all.out'"
t_check "tss2 wrote nothing to stderr in any call" test ! -s "$W/all.err"
t_done
