#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The hardware stage of `load` (test build) against a fake kernel tree: a fake
# /dev/hwrng (a file) with rng_current/rng_quality, and the stand-in pool.
# Health failures are mixed and never credited; a device the kernel credits
# already is never credited again; every source can be switched off.
set -u
. "$(dirname "$0")/../lib.sh"
t_need jq
BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$BIN" ] || { t_fail "no test binary at $BIN (make test-build)"; t_done; }
W=$(mktemp -d /tmp/bootseed-src-XXXXXX)
trap 'rm -rf "$W"' EXIT
export BOOTSEED_TEST_KROOT="$W/k" BOOTSEED_TEST_POOL="$W/pool" BOOTSEED_TEST_CRNG=notready

# fresh CURRENT QUALITY DATA-CMD [CMDLINE]: a new boot with that hwrng.
fresh() {
	rm -rf "$W/k" "$W/pool" "$W/root"
	mkdir -p "$W/root/etc" "$W/k/proc/sys/kernel/random" "$W/k/dev" "$W/k/run" \
		"$W/k/sys/class/misc/hw_random"
	echo 0123456789abcdef0123456789abcdef >"$W/root/etc/machine-id"
	echo "$1" >"$W/k/sys/class/misc/hw_random/rng_current"
	echo "$1 other" >"$W/k/sys/class/misc/hw_random/rng_available"
	echo "$2" >"$W/k/sys/class/misc/hw_random/rng_quality"
	bash -c "$3" >"$W/k/dev/hwrng"
	echo "ro bootseed.cpu=no bootseed.jitter_timeout_ms=0 ${4:-}" >"$W/k/proc/cmdline"
	echo 256 >"$W/k/proc/sys/kernel/random/poolsize"
	: >"$W/k/dev/kmsg"
}
load() { "$BIN" load --root "$W/root" --config /dev/null 2>/dev/null; }
hw() { jq -e ".runs[0].sources[] | select(.name==\"hwrng\") | $1" "$W/k/run/bootseed/report.json" >/dev/null 2>&1; }

fresh fake-rng 0 'head -c 512 /dev/urandom'
load
t_check "good hwrng, kernel quality 0: credited 64 bytes x 4 bits" hw '.credited_bits==256 and .health=="pass" and .bytes==64'
t_check "good hwrng: the report names the device and its quality" hw '.detail=="rng=fake-rng quality=0"'
t_check "good hwrng: fed to the pool" grep -q 'source=hwrng bytes=64 credit=256' "$W/pool"
t_check "crng made ready by this run: the report says after how many ms" \
	jq -e '.runs[0] | .elapsed_ms as $e | .crng_ready_before == false and .crng_ready_after == true and (.crng_ready_ms | type == "number" and . >= 0 and . <= $e)' "$W/k/run/bootseed/report.json"

for bad in "head -c 512 /dev/zero:all bytes equal" \
	"yes \$'\\xff' | tr -d '\\n' | head -c 512:all bytes equal" \
	"for i in \$(seq 0 255); do printf \"\\\\\$(printf %o \$i)\"; done:arithmetic" \
	"yes ABCD | tr -d '\\n' | head -c 512:repeat"; do
	cmd=${bad%%:*} what=${bad#*:}
	fresh fake-rng 0 "$cmd"
	load
	t_check "stuck hwrng ($what): mixed, 0 bits, health fail, reason logged" \
		bash -c "grep -q 'source=hwrng bytes=64 credit=0' '$W/pool' && grep -q 'hwrng: 64 bytes, credited 0 bits: failed the health tests' '$W/k/dev/kmsg'"
	t_check "stuck hwrng ($what): report says fail" hw '.health=="fail" and (.reason|test("health"))'
done

fresh virtio_rng.0 1000 'head -c 512 /dev/urandom'
load
t_check "nothing credited: crng_ready_ms is null" \
	jq -e '.runs[0] | .credited_bits == 0 and .crng_ready_ms == null' "$W/k/run/bootseed/report.json"
t_check "hwrng the kernel credits (quality 1000): mixed without credit" \
	hw '.credited_bits==0 and (.reason|test("already credits this device \\(hwrng quality 1000\\)"))'

fresh tpm-rng-0 0 'head -c 512 /dev/urandom'
load
t_check "hwrng is the TPM and no TPM source ran: read through the hwrng" hw '.credited_bits==256'

fresh fake-rng 0 'head -c 512 /dev/urandom' "bootseed.hwrng_credit=8 bootseed.hwrng_bytes=32"
load
t_check "hwrng_credit and hwrng_bytes on the command line" hw '.credited_bits==256 and .bytes==32'

fresh fake-rng 0 'head -c 512 /dev/urandom' "bootseed.hwrng=no"
load
t_check "bootseed.hwrng=no: not read" bash -c "! grep -q 'source=hwrng' '$W/pool'"

fresh fake-rng 0 'head -c 10 /dev/urandom'
load; rc=$?
t_check "short hwrng read: exit bit 64, nothing credited from it" \
	bash -c "[ $((rc & 64)) -eq 64 ] && ! grep -q 'source=hwrng' '$W/pool' && grep -q 'hwrng: cannot read' '$W/k/dev/kmsg'"

# A FIFO nobody writes to stands for a device that never answers.
fresh fake-rng 0 'true' "bootseed.hwrng_timeout_ms=300"
rm -f "$W/k/dev/hwrng" && mkfifo "$W/k/dev/hwrng"
start=$(date +%s%N)
load; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "hwrng that never answers: bounded (${ms} ms for a 300 ms bound), exit bit 64" \
	bash -c "[ $ms -lt 2000 ] && [ $((rc & 64)) -eq 64 ] && grep -q 'Connection timed out\|timed out' '$W/k/dev/kmsg'"

# Order: a TPM node present from the start is read before the driver walk; one
# absent then is looked for after it (a driver the walk loads may make it).
# A regular file stands for the node: it fails, but where it is tried shows.
line_of() { grep -n "$1" "$W/k/dev/kmsg" | head -n1 | cut -d: -f1; }
before() { local a b; a=$(line_of "$1") b=$(line_of "$2"); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }
fresh fake-rng 0 'head -c 512 /dev/urandom'
: >"$W/k/dev/tpmrm0"
load
t_check "TPM node present at start: tried before the driver walk" before 'bootseed: tpm:' 'bootseed: modules:'
t_check "TPM node present at start: tried once" test "$(grep -c 'bootseed: tpm:' "$W/k/dev/kmsg")" = 1
fresh fake-rng 0 'head -c 512 /dev/urandom'
load
t_check "no TPM node at start: looked for after the driver walk" before 'bootseed: modules:' 'bootseed: tpm: no TPM device'

if grep -qw 'rdrand\|rdseed' /proc/cpuinfo; then
	fresh none 0 'true' "bootseed.cpu=yes"
	load
	t_check "cpu: mixed with 0 credit by default, saying the kernel trusts it" \
		jq -e '.runs[0].sources[] | select(.name=="cpu") | .credited_bits==0 and .health=="pass" and (.reason|test("trust_cpu"))' "$W/k/run/bootseed/report.json" >/dev/null
else
	t_skip "cpu: this host has neither RDRAND nor RDSEED"
fi
t_done
