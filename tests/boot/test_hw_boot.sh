#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot tests of the hardware sources: Debian kernels under QEMU (TCG) with a
# software TPM (swtpm, tpm-tis) and/or virtio-rng, random.trust_cpu=off, a CPU
# without RDRAND, and no seed file, so whatever seeds the crng is the hardware.
#   tpm61:     6.1 + TPM only: bootseed alone makes the crng ready, crediting
#              the TPM (whose hwrng the 6.1 kernel registers at quality 0).
#   virtio61:  6.1 + virtio-rng: bootseed loads virtio_pci, virtio_rng and their
#              dependencies itself; the kernel credits the device.
#   tpm612:    6.12 + TPM + virtio-rng: the kernel credits the TPM itself, so
#              bootseed mixes it without credit; .ko.xz modules load.
set -u
. "$(dirname "$0")/testlib.sh"
t_need qemu-system-x86_64 swtpm busybox mkfs.ext4 debugfs jq cpio depmod xz
bt_setup boot-hw

# A machine that booted before, with no seed: only hardware can seed it.
mkdir -p "$W/stage/etc" "$W/stage/var/lib/bootseed"
echo 5f1c0de5a1b2c3d4e5f60718293a4b5c >"$W/stage/etc/machine-id"
chmod 700 "$W/stage/var/lib/bootseed"
boot_disk_image "$W/disk.img" "$W/stage" 32 || { t_fail "cannot make the disk image"; t_done; }

src() { echo ".runs[0].sources[] | select(.name==\"$1\")"; }

# --- 6.1, TPM only ------------------------------------------------------------
if boot_kernel_fetch 6.1 && BOOT_EXTRA_MODULES="" boot_initramfs "$W/initrd61" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/disk.img" "$W/tpm61.img" &&
	BOOT_TPM=1 bt_boot tpm61 "$W/tpm61.img"; then
	L="$ART/tpm61.log"
	t_check "tpm61: guest has a TPM and no RDRAND" \
		bash -c "grep -q '^BOOTTEST: tpm=1' '$L' && grep -q '^BOOTTEST: cpu-rdrand=0' '$L'"
	t_check "tpm61: crng not ready before bootseed" boot_log_has "$L" '^BOOTTEST: crng-before=0'
	t_check "tpm61: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	t_check "tpm61: TPM credited 256 bits (64 bytes at 4 bits/byte, health pass)" \
		bt_report "$L" "$(src tpm) | .bytes==64 and .credited_bits==256 and .health==\"pass\""
	# probe and GetRandom, then the binding (tpm_bind = auto): CreatePrimary,
	# HMAC, FlushContext; no counter (tpm_counter = no).
	t_check "tpm61: through /dev/tpmrm0 with 5 TPM commands (2 + the binding's 3)" \
		bt_report "$L" "$(src tpm) | .detail | test(\"device=/dev/tpmrm0 commands=5 \")"
	t_check "tpm61: the TPM's hwrng is not read a second time" \
		boot_log_has "$L" 'bootseed: hwrng: the current hwrng is the TPM'
	t_check "tpm61: 'crng init done' comes while bootseed runs" bt_crng_during_bootseed "$L"
	t_check "tpm61: the TPM (driver built in) is read before the driver walk" \
		test "$(grep -o 'bootseed: \(tpm\|modules\):' "$L" | head -n1)" = "bootseed: tpm:"
	t_check "tpm61: report says crng ready after, and a creditable next seed" \
		bt_report "$L" '.runs[0] | .crng_ready_after==true and .new_seed.name=="seed.credit"'
	echo "    tpm61: bootseed start -> crng init done: $(bt_crng_delay_ms "$L") ms"
else
	t_fail "tpm61: could not run"
fi

# --- 6.1, virtio-rng: bootseed loads the drivers ---------------------------------
if BOOT_EXTRA_MODULES="" BOOT_KEEP_COMPRESSED_MODULES="virtio_pci virtio_rng" \
	boot_initramfs "$W/initrd61v" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/disk.img" "$W/virtio61.img" &&
	BOOT_INITRD="$W/initrd61v" BOOT_VIRTIO_RNG=1 bt_boot virtio61 "$W/virtio61.img"; then
	L="$ART/virtio61.log"
	t_check "virtio61: no hwrng before bootseed" boot_log_has "$L" '^BOOTTEST: hwrng-before=none'
	t_check "virtio61: bootseed loaded virtio_pci and virtio_rng" \
		bash -c "grep -q 'bootseed: module virtio_pci: loaded' '$L' && grep -q 'bootseed: module virtio_rng: loaded' '$L'"
	t_check "virtio61: virtio_rng is the current hwrng afterwards" \
		boot_log_has "$L" '^BOOTTEST: hwrng-after=virtio_rng'
	t_check "virtio61: the kernel reports crng init done" boot_log_has "$L" 'random: crng init done'
	t_check "virtio61: hwrng mixed without credit: the kernel credits it (quality 1000)" \
		bt_report "$L" "$(src hwrng) | .credited_bits==0 and (.reason|test(\"quality 1000\"))"
	t_check "virtio61: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
else
	t_fail "virtio61: could not run"
fi

# --- 6.12, TPM + virtio-rng: no double count, .ko.xz modules ---------------------
if boot_kernel_fetch 6.12 &&
	BOOT_EXTRA_MODULES="" BOOT_KEEP_COMPRESSED_MODULES="virtio_pci virtio_rng" \
		boot_initramfs "$W/initrd612" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/disk.img" "$W/tpm612.img" &&
	BOOT_INITRD="$W/initrd612" BOOT_TPM=1 BOOT_VIRTIO_RNG=1 bt_boot tpm612 "$W/tpm612.img"; then
	L="$ART/tpm612.log"
	t_check "tpm612: the initramfs holds virtio_rng.ko.xz" \
		bash -c "zcat '$W/initrd612' | cpio -t --quiet 2>/dev/null | grep -Eq 'virtio.rng.ko.xz$'"
	t_check "tpm612: crng already ready before bootseed (the kernel credits the TPM)" \
		boot_log_has "$L" '^BOOTTEST: crng-before=1'
	t_check "tpm612: TPM mixed without credit, saying the kernel credits it" \
		bt_report "$L" "$(src tpm) | .credited_bits==0 and (.reason|test(\"already credits\"))"
	t_check "tpm612: virtio_rng (.ko.xz) loaded by bootseed" \
		boot_log_has "$L" 'bootseed: module virtio_rng: loaded'
	t_check "tpm612: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
else
	t_fail "tpm612: could not run"
fi
t_done
