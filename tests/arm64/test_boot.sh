#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# arm64 boot tests: Debian's arm64 6.1 and 6.12 kernels under
# qemu-system-aarch64 (TCG) on the virt machine with dtb-randomness=off (no
# /chosen/rng-seed), random.trust_cpu=off and a CPU without FEAT_RNG
# (cortex-a57), so only what bootseed does can seed the crng; a
# busybox-static:arm64 initramfs holding the shipped arm64 binary
# (build/arm64/bootseed, `make ARCH=arm64`) alone; the disk on an AHCI
# controller, so no virtio is there unless a case adds it. The machinery is
# tests/boot/'s (lib.sh, init.sh, testlib.sh) with BOOT_ARCH=arm64.
#   seed61:   6.1, a seed file on ext4: credited, consumed, replaced.
#   vpci61:   6.1, virtio-rng-pci: bootseed loads virtio_pci (after its
#             dependencies) and virtio_rng; the kernel credits the device,
#             bootseed does not count it again.
#   vmmio612: 6.12, virtio-rng-device (virtio over MMIO): bootseed loads
#             virtio_mmio, then virtio_rng (.ko.xz); the same, on 6.12.
#   rndr612:  6.12, -cpu max (FEAT_RNG) and a seed file: RNDRRS read, mixed,
#             credited 0; the seed credited, consumed, replaced.
# Each boot's time from kernel start to "crng init done" is printed.
set -u
export BOOT_ARCH=arm64
. "$(dirname "$0")/../boot/testlib.sh"
t_need qemu-system-aarch64 qemu-aarch64 mkfs.ext4 debugfs jq cpio depmod xz readelf
bt_setup arm64-boot
shipped_ok() { [ "$(_boot_elf_arch "$BOOTSEED_BIN")" = arm64 ] && _boot_is_static "$BOOTSEED_BIN"; }
t_check "the shipped binary $BOOTSEED_BIN is a static aarch64 executable" shipped_ok

SEED=/var/lib/bootseed/seed.credit
# stage DIR WITH_SEED: a machine that booted before (machine-id), a seed or not.
stage() {
	mkdir -p "$1/etc" "$1/var/lib/bootseed"
	echo 5f1c0de5a1b2c3d4e5f60718293a4b5c >"$1/etc/machine-id"
	chmod 700 "$1/var/lib/bootseed"
	if [ "$2" = 1 ]; then
		head -c 32 /dev/urandom >"$1$SEED"
		chmod 400 "$1$SEED"
	fi
}
stage "$W/seed" 1
stage "$W/noseed" 0
boot_disk_image "$W/seed.img" "$W/seed" 32 && boot_disk_image "$W/noseed.img" "$W/noseed" 32 ||
	{ t_fail "cannot make the disk images"; t_done; }
S0=$(boot_disk_cat "$W/seed.img" "$SEED" | sha256sum | cut -c1-64)
seed_of() { boot_disk_cat "$1" "$SEED" 2>/dev/null | sha256sum | cut -c1-64; }
src() { echo ".runs[0].sources[] | select(.name==\"$1\")"; }
# crng_s LOG: seconds from kernel start to "crng init done" (kernel timestamp).
crng_s() { boot_log_section "$1" kmsg | sed -n 's/^\[ *\([0-9.]*\)\] random: crng init done.*/\1/p' | head -n1; }
# modules_order LOG: the loaded modules, first loaded first.
modules_order() { boot_log_section "$1" modules | tac | paste -sd' '; }
mod_before() { # LOG A B: both loaded, A before B
	modules_order "$1" | tr ' ' '\n' |
		awk -v a="$2" -v b="$3" '$0 == a { pa = NR } $0 == b { pb = NR } END { exit !(pa && pb && pa < pb) }'
}
vpci_order_ok() {
	mod_before "$1" virtio_pci_legacy_dev virtio_pci && mod_before "$1" virtio_pci_modern_dev virtio_pci &&
		mod_before "$1" virtio_pci virtio_rng
}
TIMES=""

seed_checks() { # NAME IMAGE
	local n=$1 L=$ART/$1.log
	t_check "$n: guest has no FEAT_RNG" boot_log_has "$L" '^BOOTTEST: cpu-rng=0'
	t_check "$n: crng not ready before bootseed" boot_log_has "$L" '^BOOTTEST: crng-before=0'
	t_check "$n: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	t_check "$n: seed credited 256 bits" boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 256 bits'
	t_check "$n: 'crng init done' comes while bootseed runs" bt_crng_during_bootseed "$L"
	t_check "$n: report: not ready before, ready after, a creditable next seed" \
		bt_report "$L" '.runs[0] | .crng_ready_before==false and .crng_ready_after==true and .new_seed.name=="seed.credit"'
	local s1
	s1=$(seed_of "$2")
	t_check "$n: the old seed is gone, a new one is there" test -n "$s1" -a "$s1" != "$S0"
	t_check "$n: the new seed is a root-owned 0400 file: the 40-byte header and 32 bytes" \
		test "$(boot_disk_stat "$2" "$SEED")" = "type=regular mode=0400 uid=0 gid=0 size=72"
}

# --- 6.1: seed file ------------------------------------------------------------------
if boot_kernel_fetch 6.1 && boot_initramfs "$W/initrd61" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/seed.img" "$W/seed61.img" && bt_boot seed61 "$W/seed61.img"; then
	L=$ART/seed61.log
	t_check "seed61: kernel $BOOT_KVER (arm64), no virtio module in the guest" \
		bash -c "grep -q '^BOOTTEST: kernel=$BOOT_KVER' '$L' && ! grep -q '^virtio' <(boot_log_section '$L' modules)"
	seed_checks seed61 "$W/seed61.img"
	TIMES="$TIMES seed61=$(crng_s "$L")s"
else
	t_fail "seed61: could not run"
fi

# --- 6.1: virtio-rng-pci ------------------------------------------------------------------
if BOOT_KEEP_COMPRESSED_MODULES="virtio_pci virtio_rng" \
	boot_initramfs "$W/initrd61v" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/noseed.img" "$W/vpci61.img" &&
	BOOT_INITRD="$W/initrd61v" BOOT_VIRTIO_RNG=1 bt_boot vpci61 "$W/vpci61.img"; then
	L=$ART/vpci61.log
	echo "    modules, first loaded first: $(modules_order "$L")"
	t_check "vpci61: no hwrng and crng not ready before bootseed" \
		bash -c "grep -q '^BOOTTEST: hwrng-before=none' '$L' && grep -q '^BOOTTEST: crng-before=0' '$L'"
	t_check "vpci61: bootseed loaded virtio_pci and virtio_rng" \
		bash -c "grep -q 'bootseed: module virtio_pci: loaded' '$L' && grep -q 'bootseed: module virtio_rng: loaded' '$L'"
	t_check "vpci61: in dependency order: virtio_pci_{legacy,modern}_dev, virtio_pci, virtio_rng" \
		vpci_order_ok "$L"
	t_check "vpci61: virtio_rng is the current hwrng, crng ready" \
		bash -c "grep -q '^BOOTTEST: hwrng-after=virtio_rng' '$L' && grep -q '^BOOTTEST: crng-after=1' '$L'"
	t_check "vpci61: hwrng mixed without credit: the kernel credits it (quality 1000)" \
		bt_report "$L" "$(src hwrng) | .credited_bits==0 and (.reason|test(\"quality 1000\"))"
	t_check "vpci61: nothing credited by bootseed at all (not counted twice)" \
		bt_report "$L" '.runs[0].credited_bits==0'
	t_check "vpci61: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	TIMES="$TIMES vpci61=$(crng_s "$L")s"
else
	t_fail "vpci61: could not run"
fi

# --- 6.12: virtio-rng-device (MMIO) ------------------------------------------------------
if boot_kernel_fetch 6.12 &&
	BOOT_KEEP_COMPRESSED_MODULES="virtio_mmio virtio_rng" \
		boot_initramfs "$W/initrd612" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/noseed.img" "$W/vmmio612.img" &&
	BOOT_VIRTIO_RNG=device bt_boot vmmio612 "$W/vmmio612.img"; then
	L=$ART/vmmio612.log
	echo "    modules, first loaded first: $(modules_order "$L")"
	t_check "vmmio612: the initramfs holds virtio_mmio.ko.xz and virtio-rng.ko.xz" \
		bash -c "zcat '$W/initrd612' | cpio -t --quiet 2>/dev/null | grep -c 'virtio[-_]\(mmio\|rng\).ko.xz$' | grep -qx 2"
	t_check "vmmio612: no hwrng and crng not ready before bootseed" \
		bash -c "grep -q '^BOOTTEST: hwrng-before=none' '$L' && grep -q '^BOOTTEST: crng-before=0' '$L'"
	t_check "vmmio612: bootseed loaded virtio_mmio (for the virtio,mmio slots), then virtio_rng" \
		bash -c "grep -q 'bootseed: module virtio_mmio: loaded' '$L' && grep -q 'bootseed: module virtio_rng: loaded' '$L' &&
			[ \"\$(grep -o 'bootseed: module virtio_[a-z]*' '$L' | head -n2 | paste -sd' ')\" = 'bootseed: module virtio_mmio bootseed: module virtio_rng' ]"
	t_check "vmmio612: virtio_rng is the current hwrng, crng ready" \
		bash -c "grep -q '^BOOTTEST: hwrng-after=virtio_rng' '$L' && grep -q '^BOOTTEST: crng-after=1' '$L'"
	t_check "vmmio612: hwrng mixed without credit: the kernel credits it (quality 1024)" \
		bt_report "$L" "$(src hwrng) | .credited_bits==0 and (.reason|test(\"quality 1024\"))"
	t_check "vmmio612: nothing credited by bootseed at all" bt_report "$L" '.runs[0].credited_bits==0'
	t_check "vmmio612: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	TIMES="$TIMES vmmio612=$(crng_s "$L")s"
else
	t_fail "vmmio612: could not run"
fi

# --- 6.12: FEAT_RNG (-cpu max) and a seed file ---------------------------------------------
# pauth-impdef: QEMU's cheap pointer-authentication algorithm, else TCG spends
# most of its time in QARMA for the kernel's return-address signing.
if boot_initramfs "$W/initrd612s" "$BOOT_LIB_DIR/init.sh" &&
	cp "$W/seed.img" "$W/rndr612.img" &&
	BOOT_INITRD="$W/initrd612s" BOOT_CPU=max,pauth-impdef=on bt_boot rndr612 "$W/rndr612.img"; then
	L=$ART/rndr612.log
	t_check "rndr612: the guest CPU has FEAT_RNG (Features: rng)" boot_log_has "$L" '^BOOTTEST: cpu-rng=1'
	t_check "rndr612: RNDRRS read: 32 bytes, health pass, credited 0" \
		bt_report "$L" "$(src cpu) | .bytes==32 and .health==\"pass\" and .credited_bits==0 and .detail==\"insn=rndrrs\""
	t_check "rndr612: ... because the kernel credits RNDRRS/RNDR itself with random.trust_cpu" \
		boot_log_has "$L" 'bootseed: cpu: 32 bytes, credited 0 bits: the kernel credits RNDRRS/RNDR itself'
	t_check "rndr612: crng not ready before bootseed (trust_cpu=off: RNDR not credited)" \
		boot_log_has "$L" '^BOOTTEST: crng-before=0'
	t_check "rndr612: seed credited 256 bits, and it made the crng ready" \
		bash -c "grep -q 'bootseed: seed.credit: 32 bytes, credited 256 bits' '$L'" 
	t_check "rndr612: 'crng init done' comes while bootseed runs" bt_crng_during_bootseed "$L"
	s1=$(seed_of "$W/rndr612.img")
	t_check "rndr612: the old seed is gone, a new 0400 one is there" \
		bash -c "[ -n '$s1' ] && [ '$s1' != '$S0' ] &&
			[ '$(boot_disk_stat "$W/rndr612.img" "$SEED")' = 'type=regular mode=0400 uid=0 gid=0 size=72' ]"
	t_check "rndr612: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	TIMES="$TIMES rndr612=$(crng_s "$L")s"
else
	t_fail "rndr612: could not run"
fi
echo "    kernel start to crng init done:$TIMES"
t_done
