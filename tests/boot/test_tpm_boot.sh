#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The TPM NV counter and the binding under real boots: Debian's 6.1 kernel under
# QEMU (TCG), swtpm whose state is kept between boots (BOOT_SWTPM_STATE), the
# busybox initramfs running `bootseed load --root /mnt` with
# bootseed.tpm_counter=yes. One machine's life, eight boots:
#   1 first use: the counter is defined; the old seed (no counter value) mixed only
#   2 the seed credited (its TPM-bound value); the disk copied before this boot
#   3 the disk restored to that copy (a rollback): not credited, the reason
#   4 power cut (the test build held after the increment, before the credit)
#   5 that seed not credited (stale), a new one written
#   - TPM2_Clear on the kept state (swtpm behind a pty, tests/component/tpm/tpm_raw)
#   6 not credited once: another TPM key
#   7 credited again
#   8 the copy of boot 2's disk booted with a fresh TPM: not credited
# shellcheck disable=SC2317 # helpers run through t_check
set -u
. "$(dirname "$0")/testlib.sh"
. "$(dirname "$0")/../swtpm.sh"
t_need qemu-system-x86_64 busybox mkfs.ext4 debugfs jq cpio depmod swtpm socat cc
bt_setup boot-tpm
TEST_BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
[ -x "$TEST_BIN" ] || { t_fail "no test binary at $TEST_BIN (make test-build)"; t_done; }
boot_kernel_fetch 6.1 || { t_fail "cannot fetch the Debian 6.1 kernel"; t_done; }
BOOTSEED_BIN=$TEST_BIN boot_initramfs "$W/initrd-test" "$BOOT_LIB_DIR/init.sh" ||
	{ t_fail "cannot build the test initramfs"; t_done; }
boot_initramfs "$W/initrd" "$BOOT_LIB_DIR/init.sh" || { t_fail "cannot build the initramfs"; t_done; }
cc -O2 -o "$W/tpm_raw" "$T_TOP/tests/component/tpm/tpm_raw.c" || { t_fail "build tpm_raw"; t_done; }

SEED=/var/lib/bootseed/seed.credit
mkdir -p "$W/stage/etc" "$W/stage/var/lib/bootseed"
echo 5f1c0de5a1b2c3d4e5f60718293a4b5c >"$W/stage/etc/machine-id"
chmod 700 "$W/stage/var/lib/bootseed"
head -c 32 /dev/urandom >"$W/stage$SEED"
chmod 400 "$W/stage$SEED"
boot_disk_image "$W/d.img" "$W/stage" 32 || { t_fail "cannot make the disk image"; t_done; }
export BOOT_TPM=1 BOOT_SWTPM_STATE="$W/tpm"
mkdir -p "$W/tpm"
K=bootseed.tpm_counter=yes
# the counter value in the seed's header on the disk IMG
hdr_counter() {
	boot_disk_cat "$1" "$SEED" 2>/dev/null | od -An -tu1 -j32 -N8 |
		awk '{ v = 0; for (i = 1; i <= 8; i++) v = v * 256 + $i; print v }'
}
kmsg() { boot_log_section "$ART/$1.log" kmsg | grep -qF -- "$2"; }
tpm_cost() { # the tpm source's detail: commands and TPM time of this boot
	boot_log_section "$ART/$1.log" report | jq -r '.runs[0].sources[] | select(.name=="tpm") | .detail' 2>/dev/null
}
T0=$(date +%s)

if bt_boot b1 "$W/d.img" "$K"; then
	t_check "1 first use: the counter defined at 1" kmsg b1 "bootseed: tpm: binding to this TPM; counter 0x1b5eed0 at 1 (new)"
	t_check "1 first use: the old seed mixed only, the reason" \
		kmsg b1 "seed.credit: 32 bytes, credited 0 bits: the seed records no TPM counter value"
	t_check "1: the next seed records counter 1" test "$(hdr_counter "$W/d.img")" = 1
fi
cp "$W/d.img" "$W/before2.img"
if bt_boot b2 "$W/d.img" "$K"; then
	both() { kmsg b2 "seed.credit: 32 bytes, credited 256 bits" &&
		kmsg b2 "seed.credit (raw): 32 bytes, credited 0 bits"; }
	t_check "2: the TPM-bound value credited 256 bits, the seed bytes mixed apart" both
	t_check "2: 7 TPM commands this boot ($(tpm_cost b2))" bash -c "[[ '$(tpm_cost b2)' == *' commands=7 '* ]]"
	t_check "2: the next seed records counter 2" test "$(hdr_counter "$W/d.img")" = 2
fi
cp "$W/d.img" "$W/copy.img"
# A rollback: the disk as it was before boot 2, the TPM as it is.
cp "$W/before2.img" "$W/d.img"
if bt_boot b3 "$W/d.img" "$K"; then
	t_check "3 rollback: not credited, the reason names the counter and the seed's value" \
		kmsg b3 "seed.credit: 32 bytes, credited 0 bits: the TPM counter is at 3, the seed was written at 1: a rolled-back disk or a consumed seed"
	t_check "3: a new seed at counter 3" test "$(hdr_counter "$W/d.img")" = 3
fi

# 4: the test build held after the TPM's increment, before the seed: a power cut.
rm -f "$W/mon.sock"
BOOT_INITRD=$W/initrd-test BOOT_FSCK=0 BOOT_TIMEOUT=90 \
	BOOT_QEMU_ARGS="-chardev socket,id=mon1,path=$W/mon.sock,server=on,wait=off -mon chardev=mon1,mode=readline" \
	boot_qemu "$ART/b4.log" "$W/d.img" "$K" BOOTSEED_TEST_PAUSE_AT=locked:60000 &
qpid=$!
for _ in $(seq 600); do
	boot_log_has "$ART/b4.log" "bootseed-test: paused at locked" 2>/dev/null && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
paused=0
boot_log_has "$ART/b4.log" "bootseed-test: paused at locked" 2>/dev/null && paused=1
printf 'quit\n' | socat - "UNIX-CONNECT:$W/mon.sock" >/dev/null 2>&1
wait "$qpid"
boot_disk_fsck "$W/d.img" >/dev/null 2>&1
t_check "4: held after the TPM read (counter 4), the power cut there" test "$paused" = 1
t_check "4: the seed on the disk is still the one written at 3" test "$(hdr_counter "$W/d.img")" = 3
if bt_boot b5 "$W/d.img" "$K"; then
	t_check "5 after the cut: that seed not credited (counter 5, seed 3)" \
		kmsg b5 "seed.credit: 32 bytes, credited 0 bits: the TPM counter is at 5, the seed was written at 3"
	t_check "5: a new seed at counter 5" test "$(hdr_counter "$W/d.img")" = 5
fi

# TPM2_Clear on the kept state, between boots (lockout authorization, empty).
PIDS=()
cleared=
if swtpm_pty "$W/tpm" "$W/clear-swtpm.log" "$W/clear-tpm"; then
	cleared=$("$W/tpm_raw" "$W/clear-tpm" 80020000001b000001264000000a00000009400000090000000000)
fi
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
t_check "TPM2_Clear between boots" test "$cleared" = rc=0x0
if bt_boot b6 "$W/d.img" "$K"; then
	t_check "6 after TPM2_Clear: not credited, another TPM key" \
		kmsg b6 "seed.credit: 32 bytes, credited 0 bits: written under another TPM key"
	t_check "6: the counter defined again" kmsg b6 "(new)"
fi
if bt_boot b7 "$W/d.img" "$K"; then
	t_check "7: credited again from the next seed on" kmsg b7 "seed.credit: 32 bytes, credited 256 bits"
fi
# The copy of boot 2's disk on another machine: a fresh TPM.
rm -rf "$W/tpm2" && mkdir -p "$W/tpm2"
if BOOT_SWTPM_STATE=$W/tpm2 bt_boot b8 "$W/copy.img" "$K"; then
	t_check "8 copied disk, fresh TPM: not credited, another TPM key" \
		kmsg b8 "seed.credit: 32 bytes, credited 0 bits: written under another TPM key"
fi
echo "    (8 boots in $(($(date +%s) - T0)) s; TPM per boot: $(for b in b1 b2 b3 b5 b6 b7 b8; do tpm_cost $b | grep -o 'commands=[0-9]*.*' | tr '\n' ';'; done))"
t_done
