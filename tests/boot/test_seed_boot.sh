#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot tests of the seed life cycle: Debian's 6.1 kernel under QEMU (TCG),
# random.trust_cpu=off and a CPU without RDRAND/RDSEED, a busybox initramfs
# whose /init mounts an ext4 disk (made with mkfs.ext4 -d) and runs
# `bootseed load --root /mnt` with the shipped binary. The disk is read back
# with debugfs afterwards. Logs of every boot are kept in build/test-artifacts.
set -u
. "$(dirname "$0")/testlib.sh"
t_need qemu-system-x86_64 busybox mkfs.ext4 debugfs jq cpio depmod
bt_setup boot-seed
boot_kernel_fetch 6.1 || { t_fail "cannot fetch the Debian 6.1 kernel"; t_done; }
boot_initramfs "$W/initrd" "$BOOT_LIB_DIR/init.sh" || { t_fail "cannot build the initramfs"; t_done; }

# The disk: a machine that booted before (machine-id set) with a saved seed.
mkdir -p "$W/stage/etc" "$W/stage/var/lib/bootseed"
echo 5f1c0de5a1b2c3d4e5f60718293a4b5c >"$W/stage/etc/machine-id"
chmod 700 "$W/stage/var/lib/bootseed"
head -c 32 /dev/urandom >"$W/stage/var/lib/bootseed/seed.credit"
chmod 400 "$W/stage/var/lib/bootseed/seed.credit"
boot_disk_image "$W/orig.img" "$W/stage" 32 || { t_fail "cannot make the disk image"; t_done; }
SEED=/var/lib/bootseed/seed.credit
S0=$(boot_disk_cat "$W/orig.img" "$SEED" | sha256sum | cut -c1-64)

seed_names() { boot_disk_ls "$1" /var/lib/bootseed | awk 'NF { print $NF }' | grep -v '^\.\{1,2\}$' | sort | tr '\n' ' ' | sed 's/ $//'; }
seed_of() { boot_disk_cat "$1" "$SEED" 2>/dev/null | sha256sum | cut -c1-64; }

# 1. Writable disk, creditable seed: bootseed initializes the crng, the seed is
#    consumed durably and replaced.
cp "$W/orig.img" "$W/rw.img"
if bt_boot rw "$W/rw.img"; then
	L="$ART/rw.log"
	t_check "rw: guest has no RDRAND/RDSEED" boot_log_has "$L" '^BOOTTEST: cpu-rdrand=0'
	t_check "rw: crng not ready before bootseed" boot_log_has "$L" '^BOOTTEST: crng-before=0'
	t_check "rw: bootseed exit 0" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	t_check "rw: seed credited 256 bits (kmsg)" boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 256 bits'
	t_check "rw: 'crng init done' comes while bootseed runs" bt_crng_during_bootseed "$L"
	t_check "rw: report: crng not ready before, ready after, 256 bits" \
		bt_report "$L" '.runs[0] | .crng_ready_before==false and .crng_ready_after==true and .credited_bits==256'
	t_check "rw: report: next seed is creditable" bt_report "$L" '.runs[0].new_seed.name=="seed.credit"'
	S1=$(seed_of "$W/rw.img")
	t_check "rw: the disk holds a new seed, the old one is gone" test -n "$S1" -a "$S1" != "$S0"
	t_check "rw: new seed is a root-owned 0400 file: the 40-byte header and 32 bytes" \
		test "$(boot_disk_stat "$W/rw.img" "$SEED")" = "type=regular mode=0400 uid=0 gid=0 size=72"
	t_check "rw: no other seed or temp file left" \
		test "$(seed_names "$W/rw.img")" = "seed.credit"
fi

# 2. The same disk mounted read-only (the usual initramfs case): mixed, not
#    credited, left in place.
cp "$W/orig.img" "$W/ro.img"
# (jitter_timeout_ms=0: no wait for the kernel's jitter, which would make the
# crng ready on its own; cases 5 and 6 are about that.)
if bt_boot ro "$W/ro.img" test.ro=1 bootseed.jitter_timeout_ms=0; then
	L="$ART/ro.log"
	t_check "ro: bootseed exit 0 (read-only is expected)" boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
	t_check "ro: seed mixed with 0 bits and says why" \
		boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 0 bits: the seed directory is read-only'
	t_check "ro: report: nothing credited, crng still not ready, no new seed" \
		bt_report "$L" '.runs[0] | .credited_bits==0 and .crng_ready_after==false and .new_seed==null'
	t_check "ro: the seed stays in place, unchanged" test "$(seed_of "$W/ro.img")" = "$S0"
fi

# 3. A second boot of the image from boot 1: the seed it credits is the one
#    boot 1 wrote, never the original again (which is gone from the disk).
if [ -n "${S1:-}" ] && bt_boot rw2 "$W/rw.img"; then
	L="$ART/rw2.log"
	t_check "rw2: credits the seed written by boot 1 (256 bits)" \
		boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 256 bits'
	S2=$(seed_of "$W/rw.img")
	t_check "rw2: and replaces it: S0, S1, S2 all differ" \
		test -n "$S2" -a "$S2" != "$S1" -a "$S2" != "$S0"
fi

# 4. Two read-only boots of one image never credit its seed.
if bt_boot ro2 "$W/ro.img" test.ro=1 bootseed.jitter_timeout_ms=0; then
	t_check "ro2: a second read-only boot credits nothing either" \
		bt_report "$ART/ro2.log" '.runs[0].credited_bits==0'
fi

# 5. The late stage on a read-only root that the installed system mounts
#    read-write (fstab) and that the initramfs checked (the stamp initramfs-
#    tools leaves; this image has no e2fsck): remounted read-write for the
#    seed, credited there, read-only again before the stage ends.
rm -rf "$W/stage2" && cp -a "$W/stage" "$W/stage2"
echo '/dev/sda / ext4 errors=remount-ro 0 1' >"$W/stage2/etc/fstab"
boot_disk_image "$W/fstab.img" "$W/stage2" 32 || t_fail "cannot make the fstab image"
if bt_boot late-rw "$W/fstab.img" test.ro=1 test.fsckstamp=1 test.args=--stage,late ro; then
	L="$ART/late-rw.log"
	t_check "late-rw: remounted read-write for the seed, and says why" \
		boot_log_has "$L" 'bootseed: seed: remounted /mnt \(ext4\) read-write to consume and credit the seed'
	t_check "late-rw: the seed credited 256 bits in the late stage" \
		bt_report "$L" '.runs[0] | .stage=="late" and .credited_bits==256 and (.remount|test("remounted read-write for [0-9]+ ms, then read-only"))'
	t_check "late-rw: crng ready during bootseed's run" bt_crng_during_bootseed "$L"
	t_check "late-rw: /mnt read-only again when the stage ended" boot_log_has "$L" '^BOOTTEST: mnt-after=ro'
	t_check "late-rw: the disk is clean (e2fsck after the boot: rc ${BOOT_FSCK_RC:-?})" [ "${BOOT_FSCK_RC:-9}" -eq 0 ]
	t_check "late-rw: a new seed replaced the old one" test "$(seed_of "$W/fstab.img")" != "$S0"
fi
cp "$W/orig.img" "$W/nofstab.img"
if bt_boot late-noremount "$W/nofstab.img" test.ro=1 test.fsckstamp=1 test.args=--stage,late ro \
	bootseed.jitter_timeout_ms=0; then
	L="$ART/late-noremount.log"
	t_check "late, no fstab and ro on the command line: not remounted, the reason in kmsg" \
		boot_log_has "$L" 'not remounting /mnt read-write: no fstab entry for / and no rw'
	t_check "late, no fstab: mixed only, left in place" test "$(seed_of "$W/nofstab.img")" = "$S0"
fi

# 6. A device-less first boot: no seed, machine-id uninitialized, no TPM, no
#    virtio-rng. After the late stage's sources, bootseed waits (bounded) for
#    the kernel's own jitter entropy: the crng is ready before /init goes on.
rm -rf "$W/stage3" && mkdir -p "$W/stage3/etc"
echo uninitialized >"$W/stage3/etc/machine-id"
boot_disk_image "$W/bare.img" "$W/stage3" 32 || t_fail "cannot make the bare image"
cp "$W/bare.img" "$W/bare2.img"
if bt_boot bare "$W/bare.img" test.args=--stage,late; then
	L="$ART/bare.log"
	t_check "bare: crng not ready before bootseed" boot_log_has "$L" '^BOOTTEST: crng-before=0'
	t_check "bare: kernel-jitter made the crng ready, credited 0 by bootseed" \
		bt_report "$L" '.runs[0] | .credited_bits==0 and .crng_ready_after==true and (.sources[] | select(.name=="kernel-jitter") | .credited_bits==0 and (.reason|test("made the crng ready")))'
	t_check "bare: 'crng init done' while bootseed waited" bt_crng_during_bootseed "$L"
	t_check "bare: ready when /init goes on" boot_log_has "$L" '^BOOTTEST: crng-after=1'
	echo "    (bare: $(boot_log_section "$L" report | jq -r '.runs[0].sources[] | select(.name=="kernel-jitter") | .reason' | grep -o 'waited [0-9]* ms'))"
fi
if bt_boot bare-bound "$W/bare2.img" test.args=--stage,late bootseed.jitter_timeout_ms=1; then
	L="$ART/bare-bound.log"
	t_check "bare, jitter_timeout_ms=1: the wait ends at its bound" \
		boot_log_has "$L" 'kernel-jitter: waited [0-9] ms .jitter_timeout_ms 1.: the crng is still not ready'
	t_check "bare, jitter_timeout_ms=1: exit 0, the boot goes on to the end" \
		boot_log_has "$L" '^BOOTTEST: bootseed exit=0'
fi

# 7. An emptied machine-id and no initramfs stage (direct kernel boot, a stale
#    initramfs): systemd mounts a transient ID over the empty file, and the
#    real root's run sees a valid ID. It is a mount point: a first boot, and
#    the image's seed (an older bootseed's, without a header) is not credited.
rm -rf "$W/stage4" && cp -a "$W/stage" "$W/stage4"
: >"$W/stage4/etc/machine-id"
boot_disk_image "$W/empty-id.img" "$W/stage4" 32 || t_fail "cannot make the empty-id image"
if bt_boot transient "$W/empty-id.img" test.transient_id=0f0e0d0c0b0a09080706050403020100 \
	bootseed.jitter_timeout_ms=0; then
	L="$ART/transient.log"
	t_check "transient machine-id: mounted over the empty one" boot_log_has "$L" '^BOOTTEST: transient-id'
	t_check "transient machine-id: a first boot, the image's seed not credited" \
		boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 0 bits: first boot'
	t_check "transient machine-id: report: nothing credited" bt_report "$L" '.runs[0].credited_bits==0'
fi
t_done
