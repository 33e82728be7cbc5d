#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The host seed (test build) against a fake kernel tree: SMBIOS type 11 entries
# under sys/firmware/dmi/entries, a fake fw_cfg directory, systemd's
# credentials, and the stand-in pool. Credited once per seed across stages and
# boots, never in a confidential VM (injected CPUID), and every hostile input a
# clear message without credit. `bootseed host-seed` makes the seeds.
set -u
. "$(dirname "$0")/../lib.sh"
t_need jq base64
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
W=$(mktemp -d /tmp/bootseed-hostseed-XXXXXX)
trap 'rm -rf "$W"' EXIT
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready
unset CREDENTIALS_DIRECTORY BOOTSEED_TEST_CPUID
DMI=$W/k/sys/firmware/dmi/entries
FW=$W/k/sys/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/bootseed.seed
LIST=$W/root/var/lib/bootseed/host-seeds

# machine: a golden image's first boot (machine-id uninitialized, no seed dir).
machine() {
	rm -rf "$W/root" && mkdir -p "$W/root/etc" "$W/root/var/lib"
	echo uninitialized >"$W/root/etc/machine-id"
}
# boot [CMDLINE]: a new boot (fresh /run, pool, kmsg); the root and channels stay.
boot() {
	rm -rf "$W/k/run" "$W/k/proc" "$W/k/dev" "$W/pool"
	mkdir -p "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run"
	echo "ro bootseed.cpu=no bootseed.jitter_timeout_ms=0 bootseed.load_modules=no ${1:-}" \
		>"$W/k/proc/cmdline"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
}
channels_clear() { rm -rf "$W/k/sys/firmware"; }
# smbios STRING...: one type 11 entry holding these OEM strings.
smbios() {
	channels_clear
	mkdir -p "$DMI/11-0"
	{ printf '\013\005\000\000'"\\$(printf %03o $#)"; printf '%s\0' "$@"; printf '\0'; } >"$DMI/11-0/raw"
}
# fwcfg FILE [SIZE]: the fw_cfg entry, its size file saying SIZE (default: true).
fwcfg() {
	channels_clear
	mkdir -p "$FW"
	cp "$1" "$FW/raw"
	echo "${2:-$(stat -c %s "$1")}" >"$FW/size"
}
load() { "$BIN" load --root "$W/root" --config /dev/null "$@" 2>/dev/null; }
REP=$W/k/run/bootseed/report.json
# hs RUN JQ: the host-seed record of run RUN (0-based) satisfies JQ.
hs() { jq -e ".runs[$1].sources[] | select(.name==\"host-seed\") | $2" "$REP" >/dev/null 2>&1; }
export -f hs
export REP
kmsg() { grep -q -- "$1" "$W/k/dev/kmsg"; }
credited() { grep -c 'source=host-seed .*credit=[1-9]' "$W/pool" 2>/dev/null || true; }

# --- bootseed host-seed -------------------------------------------------------
out=$("$BIN" host-seed --smbios -o "$W/seed1.txt" 2>"$W/err"); rc=$?
t_check "host-seed --smbios: exit 0, prints the QEMU argument" \
	test "$rc" = 0 -a "$out" = "-smbios type=11,path=$W/seed1.txt"
t_check "host-seed --smbios: systemd's binary credential form, 64 bytes of base64" \
	bash -c "grep -qxE 'io\.systemd\.credential\.binary:bootseed\.seed=[A-Za-z0-9+/]{86}==' '$W/seed1.txt' && [ \$(sed 's/^[^=]*=//' '$W/seed1.txt' | base64 -d | wc -c) = 64 ]"
t_check "host-seed: the file is root's, 0400, no temp file left" \
	bash -c "[ \"\$(stat -c '%a %u' '$W/seed1.txt')\" = '400 0' ] && [ \$(ls -A '$W' | grep -c tmp) = 0 ]"
out=$("$BIN" host-seed --fw-cfg -o "$W/seed.bin" 2>/dev/null)
t_check "host-seed --fw-cfg: 64 raw bytes, prints the -fw_cfg argument" \
	bash -c "[ \$(stat -c %s '$W/seed.bin') = 64 ] && [ '$out' = '-fw_cfg name=opt/io.systemd.credentials/bootseed.seed,file=$W/seed.bin' ]"
"$BIN" host-seed -o "$W/seed2.txt" >/dev/null 2>&1
t_check "host-seed: a new seed at every call" bash -c "! cmp -s '$W/seed1.txt' '$W/seed2.txt'"
"$BIN" host-seed -o "$W/seed1.txt" >/dev/null 2>&1
t_check "host-seed: replaces an existing file atomically" bash -c "! cmp -s '$W/seed1.txt' '$W/seed2.txt' && [ \"\$(stat -c %a '$W/seed1.txt')\" = 400 ]"
"$BIN" host-seed >/dev/null 2>&1; rc=$?
t_check "host-seed without -o: usage, exit 128" test "$rc" = 128
"$BIN" host-seed -o "$W/no/such/dir/f" >/dev/null 2>&1; rc=$?
t_check "host-seed into a missing directory: fails with a message" test "$rc" -ne 0

# --- the libvirt hook (contrib/libvirt/qemu) ---------------------------------
HOOK=$T_TOP/contrib/libvirt/qemu
mkdir -p "$W/lv" && : >"$W/lv/vm1.seed"
hook() { BOOTSEED=$BIN BOOTSEED_HOST_SEED_DIR=$W/lv BOOTSEED_QEMU_USER=nobody sh "$HOOK" "$@" </dev/null; }
hook vm1 prepare begin -; rc=$?
cp "$W/lv/vm1.seed" "$W/lv.1"
t_check "libvirt hook, prepare: a fresh 64-byte seed for the opted-in VM, QEMU's user owns it" \
	bash -c "[ $rc = 0 ] && [ \$(stat -c %s '$W/lv/vm1.seed') = 64 ] && [ \"\$(stat -c %U '$W/lv/vm1.seed')\" = nobody ]"
hook vm1 start begin -
t_check "libvirt hook, another phase: the seed untouched" cmp -s "$W/lv/vm1.seed" "$W/lv.1"
hook vm1 prepare begin -
t_check "libvirt hook, the next prepare: a new seed" bash -c "! cmp -s '$W/lv/vm1.seed' '$W/lv.1'"
hook vm2 prepare begin -; rc=$?
t_check "libvirt hook, a VM that did not opt in: nothing written, exit 0" \
	bash -c "[ $rc = 0 ] && [ ! -e '$W/lv/vm2.seed' ]"
BOOTSEED=/nonexistent BOOTSEED_HOST_SEED_DIR=$W/lv sh "$HOOK" vm1 prepare begin - </dev/null 2>/dev/null; rc=$?
t_check "libvirt hook, bootseed missing: exit 0 (the VM still starts)" test "$rc" = 0

# --- the life cycle through SMBIOS ---------------------------------------------
machine
smbios "vendor=example" "$(cat "$W/seed1.txt")"
boot
load --stage early
t_check "early: read and mixed, not credited (no list yet), the reason says when" \
	hs 0 '.bytes==64 and .credited_bits==0 and (.reason|test("credited once its fingerprint is recorded")) and .detail=="channel=smbios"'
t_check "early: fed to the pool with 0 bits" grep -q 'source=host-seed bytes=64 credit=0' "$W/pool"
load --stage late
t_check "late, first boot: credited 256 bits, channel in the report" hs 1 '.credited_bits==256 and .health=="pass"'
t_check "late: kmsg says which source credited" kmsg 'bootseed: host-seed: 64 bytes, credited 256 bits'
t_check "late: the fingerprint list is root's 0400 file, one entry" \
	bash -c "[ \"\$(stat -c '%a %u %s' '$LIST')\" = '400 0 24' ]"
t_check "late: the seed itself is nowhere in the list, the report or kmsg" \
	bash -c "b=\$(sed 's/^[^=]*=//' '$W/seed1.txt'); ! grep -qF \"\$b\" '$REP' '$W/k/dev/kmsg' && ! grep -qF \"\$(echo \$b | base64 -d | head -c 16)\" '$LIST'"
load
t_check "real root, same boot: not credited twice" hs 2 '.credited_bits==0 and (.reason|test("credited earlier this boot"))'
t_check "one credit in the whole boot" test "$(credited)" = 1

boot
load --stage late
t_check "next boot, the same seed: mixed, not credited, the reason and the hint" \
	hs 0 '.credited_bits==0 and (.reason|test("the host gave this seed before: it is not fresh.*bootseed host-seed"))'
t_check "next boot: the reason in kmsg" kmsg 'host-seed: 64 bytes, credited 0 bits: the host gave this seed before: it is not fresh'
t_check "next boot: the list is unchanged (one entry)" test "$(stat -c %s "$LIST")" = 24

smbios "$(cat "$W/seed2.txt")"
boot
load --stage late
t_check "a new seed from the host: credited again" hs 0 '.credited_bits==256'
t_check "the list holds both" test "$(stat -c %s "$LIST")" = 40

# 17 more seeds: the list keeps the newest 16.
for i in $(seq 1 17); do
	"$BIN" host-seed -o "$W/s$i" >/dev/null 2>&1
	smbios "$(cat "$W/s$i")"
	boot
	load --stage late
done
t_check "17 more seeds, each credited; the list stays at 16 entries" \
	bash -c "[ \$(stat -c %s '$LIST') = \$((8 + 16 * 16)) ]"
t_check "the 17th new seed was credited too" hs 0 '.credited_bits==256'

# --- host_seed_fresh, host_seed_credit, host_seed ---------------------------
machine
"$BIN" host-seed -o "$W/f1" >/dev/null 2>&1
smbios "$(cat "$W/f1")"
boot "bootseed.host_seed_fresh=yes"
load --stage early
t_check "host_seed_fresh=yes: credited in the early stage" hs 0 '.credited_bits==256'
t_check "host_seed_fresh=yes: no list needed (nothing written early)" test ! -e "$LIST"
load --stage late
t_check "host_seed_fresh=yes: the late stage does not credit it again" \
	hs 1 '.credited_bits==0 and (.reason|test("credited earlier this boot"))'
boot "bootseed.host_seed_fresh=yes"
mkdir -p "$W/k/run/bootseed/host-seed" # a directory: the boot's record cannot be written
load --stage early
t_check "host_seed_fresh=yes, this boot's record unwritable: not credited, the reason" \
	hs 0 '.credited_bits==0 and (.reason|test("cannot record it in /run/bootseed/host-seed"))'
boot "bootseed.host_seed_credit=no"
load --stage late
t_check "host_seed_credit=no: mixed without credit" hs 0 '.credited_bits==0 and .reason=="host_seed_credit = no"'
boot "bootseed.host_seed=no"
load --stage late
t_check "host_seed=no: not read at all" bash -c "! grep -q host-seed '$W/pool'"

# --- fw_cfg and systemd's credentials ----------------------------------------
machine
fwcfg "$W/seed.bin"
boot
load --stage early
load --stage late
t_check "fw_cfg: read early, credited late" \
	bash -c "hs 0 '.credited_bits==0 and .detail==\"channel=fw_cfg\"' && hs 1 '.credited_bits==256'"
channels_clear
mkdir -p "$W/creds"
"$BIN" host-seed --fw-cfg -o "$W/creds/bootseed.seed" >/dev/null 2>&1
boot
CREDENTIALS_DIRECTORY=$W/creds load
t_check "real root, no channel left: \$CREDENTIALS_DIRECTORY/bootseed.seed credited" \
	hs 0 '.credited_bits==256 and .detail=="channel=credentials"'
boot
mkdir -p "$W/k/run/credentials/@system"
"$BIN" host-seed --fw-cfg -o "$W/k/run/credentials/@system/bootseed.seed" >/dev/null 2>&1
load
t_check "real root: /run/credentials/@system/bootseed.seed credited" hs 0 '.credited_bits==256'
boot
"$BIN" host-seed --fw-cfg -o "$W/k/run/credentials/@system/bootseed.seed" >/dev/null 2>&1
mkdir -p "$W/k/run/bootseed" && echo "0123 read" >"$W/k/run/bootseed/host-seed"
load
t_check "real root: credentials not read when an earlier stage read the host seed" \
	bash -c "! grep -q host-seed '$W/pool'"
rm -rf "$W/k/run/credentials"

# --- confidential VMs (injected CPUID) ------------------------------------
AMD_SNP="0=10,68747541,444d4163,69746e65 1=0,0,80000000,0 80000000=80000021,0,0,0 8000001f=1b,0,0,0"
TDX="0=23,756e6547,6c65746e,49656e69 1=0,0,80000000,0 21=0,65746e49,20202020,5844546c"
for cv in "AMD SEV:$AMD_SNP" "Intel TDX:$TDX"; do
	machine
	"$BIN" host-seed -o "$W/c" >/dev/null 2>&1
	smbios "$(cat "$W/c")"
	boot "bootseed.host_seed_fresh=yes"
	BOOTSEED_TEST_CPUID=${cv#*:} load --stage late
	t_check "${cv%%:*} guest: mixed, never credited (even with host_seed_fresh), the reason" \
		hs 0 ".credited_bits==0 and (.reason|test(\"^${cv%%:*} .confidential VM\"))"
	t_check "${cv%%:*} guest: nothing recorded" test ! -e "$LIST"
done
boot
BOOTSEED_TEST_CPUID="0=10,68747541,444d4163,69746e65 1=0,0,80000000,0" load --stage late
t_check "AMD guest without SEV: credited" hs 0 '.credited_bits==256'

# --- a seed directory that cannot record -----------------------------------
machine
"$BIN" host-seed -o "$W/r" >/dev/null 2>&1
smbios "$(cat "$W/r")"
boot
BOOTSEED_TEST_FAIL_AT=write:EROFS load --stage late
t_check "read-only seed directory: not credited, a later stage records it" \
	hs 0 '.credited_bits==0 and (.reason|test("read-only"))'
boot
BOOTSEED_TEST_FAIL_AT=write:EIO load --stage late; rc=$?
t_check "failed write of the list: not credited, exit bit 8" \
	bash -c "hs 0 '.credited_bits==0 and (.reason|test(\"not recorded durably\"))' && [ \$(($rc & 8)) = 8 ]"
boot
load --stage late
t_check "the same seed, once the directory is writable: credited" hs 0 '.credited_bits==256'
mkdir -p "$W/root/var/lib/bootseed"
for bad in corrupt:"bshost99" "not private":"" ; do
	what=${bad%%:*}
	if [ "$what" = corrupt ]; then
		rm -f "$LIST" && printf 'bshost99' >"$LIST" && chmod 400 "$LIST"
	else
		chmod 644 "$LIST"
	fi
	"$BIN" host-seed -o "$W/r2" >/dev/null 2>&1
	smbios "$(cat "$W/r2")"
	boot
	load --stage late
	t_check "list $what: not credited, the reason" hs 0 '.credited_bits==0 and (.reason|test("corrupt or not root"))'
	t_check "list $what: replaced by a fresh list holding this seed" \
		bash -c "[ \"\$(stat -c '%a %s' '$LIST')\" = '400 24' ]"
done

# --- hostile input: a message, no credit, no crash, exit 0 -------------------
hostile() { # NAME LOG-ERE JQ: after the channel is set up
	boot
	load --stage late; rc=$?
	t_check "hostile, $1: exit 0, no credit" bash -c "[ $rc = 0 ] && [ \"\$(grep -c 'source=host-seed .*credit=[1-9]' '$W/pool')\" = 0 ]"
	t_check "hostile, $1: says why" grep -qE -- "$2" "$W/k/dev/kmsg"
}
machine
smbios "io.systemd.credential.binary:bootseed.seed=AAAA*AAA"
hostile "malformed base64" 'host-seed: smbios: bad base64, ignoring'
smbios "io.systemd.credential.binary:bootseed.seed"
hostile "OEM string without =" "host-seed: smbios: no '=' after bootseed.seed"
smbios "io.systemd.credential.binary:bootseed.seed=$(head -c 31 /dev/urandom | base64 -w0)"
hostile "31 bytes" 'host-seed: 31 bytes, credited 0 bits: under 32 bytes'
smbios "io.systemd.credential.binary:bootseed.seed=$(head -c 64 /dev/zero | base64 -w0)"
hostile "all-zero seed" 'host-seed: 64 bytes, credited 0 bits: failed the health tests'
args=(); for i in $(seq 1 49); do args+=("oem.$i=value $i"); done
smbios "${args[@]}" "$(cat "$W/seed2.txt")" "$(cat "$W/seed1.txt")"
boot
load --stage late
t_check "50 OEM strings, two seeds: the first counts (credited), the other ignored with a message" \
	bash -c "hs 0 '.credited_bits==256' && grep -q 'host-seed: 1 more ignored' '$W/k/dev/kmsg'"
smbios "$(cat "$W/seed1.txt")"
head -c -1 "$DMI/11-0/raw" >"$W/t" && cp "$W/t" "$DMI/11-0/raw"
hostile "truncated SMBIOS entry" 'host-seed: smbios: truncated SMBIOS entry'
head -c 1048576 /dev/urandom >"$W/huge"
fwcfg "$W/huge"
hostile "1 MiB through fw_cfg" 'host-seed: 0 bytes, credited 0 bits: over 4096 bytes'
smbios "io.systemd.credential.binary:bootseed.seed=$(head -c 40000 /dev/urandom | base64 -w0)"
hostile "30 KB OEM string" 'credited 0 bits: over 4096 bytes'
fwcfg "$W/seed.bin" 32
hostile "fw_cfg size says less than raw holds" 'host-seed: fw_cfg: fw_cfg size and raw disagree'
fwcfg "$W/seed.bin" 100
hostile "fw_cfg size says more than raw holds" 'host-seed: fw_cfg: fw_cfg size and raw disagree'
fwcfg "$W/seed.bin" 'x1'
hostile "fw_cfg size is no number" 'fw_cfg size and raw disagree'
t_done
