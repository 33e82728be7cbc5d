#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A TPM that hangs in the kernel driver, under a real kernel: Debian's 6.1 under
# QEMU (TCG), the busybox initramfs of tests/boot with vtpm_init.sh as /init,
# which serves tpm_vtpm_proxy with swtpm inside the guest and stops swtpm
# (SIGSTOP) after /dev/tpmrm0 appears and before bootseed runs. (Stopping a
# host swtpm behind QEMU's tpm-tis freezes the whole guest instead.) The TPM is
# the only hwrng (tpm-rng-0), so reading /dev/hwrng sends it a command too.
# The shipped binary must:
#  - end each `load` within tpm_timeout_ms + hwrng_timeout_ms + a margin, by the
#    guest's clock and by its report's elapsed_ms, although closing /dev/tpmrm0
#    with a command in flight blocks in the kernel for the driver's timeout;
#  - credit nothing from the TPM, and not read /dev/hwrng (the same stuck TPM);
#  - let the boot go on: a second run at once (the first one's TPM exchange
#    still stuck) is bounded the same way, and init reaches its end.
#
#   BOOTSEED_BIN   the binary under test (default build/bootseed, the shipped one)
# shellcheck disable=SC2317 # helpers run through t_check
set -u
. "$(dirname "$0")/../boot/testlib.sh"
t_need qemu-system-x86_64 swtpm busybox mkfs.ext4 debugfs e2fsck jq cpio depmod ldd
bt_setup fault-tpmhang
boot_kernel_fetch 6.1 || { t_fail "cannot fetch the Debian 6.1 kernel"; t_done; }

# swtpm and its libraries (ldd), dereferenced, at their host paths in the guest.
SWTPM=$(command -v swtpm)
mkdir -p "$W/sw"
specs=("$SWTPM:/usr/bin/swtpm")
for lib in $(ldd "$SWTPM" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }'); do
	cp -L "$lib" "$W/sw/${lib##*/}" || { t_fail "cannot copy $lib"; t_done; }
	specs+=("$W/sw/${lib##*/}:$lib")
done
BOOT_EXTRA_MODULES=tpm_vtpm_proxy boot_initramfs "$W/initrd" "$(dirname "$0")/vtpm_init.sh" "${specs[@]}" ||
	{ t_fail "cannot build the initramfs"; t_done; }

# A machine that booted before, with a creditable seed: the boot has it to go on with.
mkdir -p "$W/stage/etc" "$W/stage/var/lib/bootseed"
echo 5f1c0de5a1b2c3d4e5f60718293a4b5c >"$W/stage/etc/machine-id"
chmod 700 "$W/stage/var/lib/bootseed"
head -c 32 /dev/urandom >"$W/stage/var/lib/bootseed/seed.credit"
chmod 400 "$W/stage/var/lib/bootseed/seed.credit"
boot_disk_image "$W/disk.img" "$W/stage" 32 || { t_fail "cannot make the disk image"; t_done; }

TPM_MS=1000 HWRNG_MS=500 # bootseed's defaults (bootseed.conf(5))
# The TPM and hwrng steps, by the kernel log's timestamps: init's "starts"
# line to bootseed's "tpm:" line, then its "modules:" line (the driver walk,
# which comes between) to its "hwrng:" line. Besides the two bounds that is
# process start: ~100 ms under TCG. The whole load also has the driver walk,
# the seed stage's fsyncs and the report: ~500 ms under TCG, more on a busy host.
DEV_MARGIN_MS=250 MARGIN_MS=700
DEV_BOUND=$((TPM_MS + HWRNG_MS + DEV_MARGIN_MS)) BOUND=$((TPM_MS + HWRNG_MS + MARGIN_MS))

L=$ART/tpmhang.log
if ! BOOT_TIMEOUT=180 bt_boot tpmhang "$W/disk.img"; then
	t_done
fi
mk() { boot_log_marker "$L" "$1"; }
rep() { boot_log_section "$L" "$1-report" | jq -e "$2" >/dev/null 2>&1; }
t_check "setup: tpm_vtpm_proxy made /dev/tpmrm0, the TPM is the hwrng (tpm-rng-0)" \
	bash -c "[ '$(mk tpmrm0)' = 1 ] && [ '$(mk hwrng)' = tpm-rng-0 ]"
t_check "setup: the TPM answered through the kernel before the stop (32 bytes of /dev/hwrng)" \
	[ "$(mk hwrng-read-before)" = 32 ]
t_check "setup: swtpm stopped (state T) before bootseed ran" [ "$(mk swtpm-state)" = T ]

# dev_ms NAME: ms in run NAME's TPM and hwrng steps (see above), from kmsg.
dev_ms() {
	boot_log_section "$L" kmsg | awk -F'[][]' -v s="boottest: $1 starts" '
		index($0, s) { t0 = $2 }
		t0 && !t1 && /bootseed: tpm:/ { t1 = $2 }
		t1 && !t2 && /bootseed: modules:/ { t2 = $2 }
		t2 && /bootseed: hwrng:/ { printf "%.0f\n", (t1 - t0 + $2 - t2) * 1000; exit }'
}
for n in load1 load2; do
	ms=$(mk "$n-ms")
	el=$(boot_log_section "$L" "$n-report" | jq -r '.runs[-1].elapsed_ms' 2>/dev/null)
	dms=$(dev_ms "$n")
	echo "    $n: TPM+hwrng steps ${dms:-?} ms (bound $DEV_BOUND), load ${ms:-?} ms by the" \
		"guest's clock, elapsed_ms ${el:-?} (bound $BOUND); left running: $(mk "$n-left")"
	t_check "$n: the TPM and hwrng steps took <= tpm_timeout_ms + hwrng_timeout_ms + $DEV_MARGIN_MS ms (${dms:-?} <= $DEV_BOUND)" \
		[ "${dms:-999999}" -le "$DEV_BOUND" ]
	t_check "$n: ended within tpm_timeout_ms + hwrng_timeout_ms + $MARGIN_MS ms (${ms:-?} <= $BOUND)" \
		[ "${ms:-999999}" -le "$BOUND" ]
	t_check "$n: report elapsed_ms ${el:-?} <= $BOUND" [ "${el:-999999}" -le "$BOUND" ] 2>/dev/null
	rc=$(mk "$n exit")
	t_check "$n: exit status has the device bit (64) and no other [${rc:-?}]" [ "${rc:-x}" = 64 ]
	t_check "$n: nothing from the TPM credited, no tpm or hwrng sample mixed" \
		rep "$n" '[.runs[-1].sources[] | select(.name=="tpm" or .name=="hwrng")] | length == 0'
done
t_check "load1: the TPM failure is logged with its reason and the command count" \
	boot_log_has "$L" 'bootseed: tpm: .*no answer.* within [0-9]+ ms \(/dev/tpmrm0, [1-9][0-9]* commands?'
t_check "load1: /dev/hwrng (the same stuck TPM) is skipped, with the reason" \
	boot_log_has "$L" 'bootseed: hwrng: the current hwrng is the TPM \(tpm-rng-0\), which failed'
t_check "load1: the seed is still credited: the boot goes on" \
	rep load1 '.runs[-1].credited_bits >= 256'
t_check "the boot goes on to init's end" boot_log_has "$L" '^BOOTTEST: done'
t_done
