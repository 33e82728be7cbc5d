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
	t_check "rw: new seed is a 32-byte root-owned 0400 file" \
		test "$(boot_disk_stat "$W/rw.img" "$SEED")" = "type=regular mode=0400 uid=0 gid=0 size=32"
	t_check "rw: no other seed or temp file left" \
		test "$(seed_names "$W/rw.img")" = "seed.credit"
fi

# 2. The same disk mounted read-only (the usual initramfs case): mixed, not
#    credited, left in place.
cp "$W/orig.img" "$W/ro.img"
if bt_boot ro "$W/ro.img" test.ro=1; then
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
if bt_boot ro2 "$W/ro.img" test.ro=1; then
	t_check "ro2: a second read-only boot credits nothing either" \
		bt_report "$ART/ro2.log" '.runs[0].credited_bits==0'
fi
t_done
