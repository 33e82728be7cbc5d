#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot tests of the host seed: Debian's 6.1 and 6.12 kernels under QEMU (TCG),
# no RNG device at all (no TPM, no virtio-rng, qemu64 without RDRAND,
# random.trust_cpu=off), a disk holding a golden image's first boot
# (machine-id "uninitialized", the image's own seed.credit). The host seed is
# made by `bootseed host-seed` and passed through SMBIOS type 11 (-smbios
# type=11,path=) or fw_cfg (-fw_cfg name=opt/io.systemd.credentials/...);
# bootseed loads qemu_fw_cfg itself (kept compressed: .ko.xz on 6.12). Each
# boot runs the early stage before the disk is mounted, then the late stage on
# it, as an initramfs does.
set -u
. "$(dirname "$0")/testlib.sh"
t_need qemu-system-x86_64 busybox mkfs.ext4 debugfs jq cpio depmod base64
bt_setup boot-host-seed

FWNAME=opt/io.systemd.credentials/bootseed.seed
# hs LOG RUN JQ: the host-seed record of run RUN in the guest's report.
hs() { bt_report "$1" ".runs[$2].sources[] | select(.name==\"host-seed\") | $3"; }
# all_of CMD... -- CMD...: every command succeeds (one t_check for several facts).
all_of() {
	local -a cmd=()
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then "${cmd[@]}" || return 1; cmd=(); else cmd+=("$1"); fi
		shift
	done
	[ ${#cmd[@]} -eq 0 ] || "${cmd[@]}"
}
image_seed() { bt_report "$1" '.runs[1].sources[] | select(.name=="seed.credit") | .credited_bits==0 and (.reason|test("first boot"))'; }

# The golden image: first boot, with the seed the image was built with.
mkdir -p "$W/stage/etc" "$W/stage/var/lib/bootseed"
echo uninitialized >"$W/stage/etc/machine-id"
chmod 700 "$W/stage/var/lib/bootseed"
head -c 32 /dev/urandom >"$W/stage/var/lib/bootseed/seed.credit"
chmod 400 "$W/stage/var/lib/bootseed/seed.credit"
boot_disk_image "$W/golden.img" "$W/stage" 32 || { t_fail "cannot make the disk image"; t_done; }

# The host's side, as a user runs it.
host_seed() { "$BOOTSEED_BIN" host-seed "$@" 2>&1; }
ARG_S=$(host_seed --smbios -o "$W/seed.txt") || t_fail "bootseed host-seed --smbios: $ARG_S"
ARG_F=$(host_seed --fw-cfg -o "$W/new.bin") || t_fail "bootseed host-seed --fw-cfg: $ARG_F"
t_check "host-seed prints the QEMU arguments" \
	test "$ARG_S" = "-smbios type=11,path=$W/seed.txt" -a "$ARG_F" = "-fw_cfg name=$FWNAME,file=$W/new.bin"
# The SMBIOS seed's bytes, as fw_cfg would hand them: the same seed by another channel.
sed 's/^[^=]*=//' "$W/seed.txt" | base64 -d >"$W/same.bin"

LATE="test.early=1 test.args=--stage,late bootseed.jitter_timeout_ms=0"
for series in 6.1 6.12; do
	boot_kernel_fetch "$series" || { t_fail "$series: cannot fetch the kernel"; continue; }
	BOOT_KEEP_COMPRESSED_MODULES=qemu_fw_cfg \
		boot_initramfs "$W/initrd-$series" "$BOOT_LIB_DIR/init.sh" ||
		{ t_fail "$series: cannot build the initramfs"; continue; }
	cp "$W/golden.img" "$W/$series.img"

	# 1. First boot, the host seed through SMBIOS: credited in the late stage,
	#    once its fingerprint is on the disk; the crng is ready in the initramfs.
	n=$series-smbios
	if BOOT_QEMU_ARGS="$ARG_S" bt_boot "$n" "$W/$series.img" $LATE; then
		L="$ART/$n.log"
		t_check "$n: crng not ready before the late stage" boot_log_has "$L" '^BOOTTEST: crng-before=0'
		t_check "$n: early: read through SMBIOS, mixed, not credited yet" \
			hs "$L" 0 '.bytes==64 and .credited_bits==0 and .detail=="channel=smbios"'
		t_check "$n: late: the host seed credited 256 bits (report)" hs "$L" 1 '.credited_bits==256'
		t_check "$n: kmsg names the source that credited" \
			boot_log_has "$L" 'bootseed: host-seed: 64 bytes, credited 256 bits'
		t_check "$n: 'crng init done' while bootseed runs, in the initramfs" bt_crng_during_bootseed "$L"
		t_check "$n: ready when /init goes on" boot_log_has "$L" '^BOOTTEST: crng-after=1'
		t_check "$n: the image's own seed still not credited (first boot)" image_seed "$L"
		t_check "$n: the fingerprint list is on the disk, root's 0400" \
			test "$(boot_disk_stat "$W/$series.img" /var/lib/bootseed/host-seeds)" = \
			"type=regular mode=0400 uid=0 gid=0 size=24"
		echo "    ($n: crng ready $(bt_crng_delay_ms "$L") ms after the early stage began)"
	fi

	# 2. The same seed again (6.1: SMBIOS again; 6.12: its bytes through fw_cfg).
	n=$series-again
	if [ "$series" = 6.1 ]; then a=$ARG_S; else a="-fw_cfg name=$FWNAME,file=$W/same.bin"; fi
	if BOOT_QEMU_ARGS="$a" bt_boot "$n" "$W/$series.img" $LATE; then
		L="$ART/$n.log"
		t_check "$n: the same seed: mixed, not credited, the reason in the report" \
			hs "$L" 1 '.credited_bits==0 and (.reason|test("the host gave this seed before: it is not fresh.*bootseed host-seed"))'
		t_check "$n: the reason in kmsg" \
			boot_log_has "$L" 'bootseed: host-seed: 64 bytes, credited 0 bits: the host gave this seed before: it is not fresh'
		t_check "$n: the crng stays not ready (nothing else credits)" boot_log_has "$L" '^BOOTTEST: crng-after=0'
		[ "$series" = 6.12 ] && t_check "$n: read through fw_cfg, qemu_fw_cfg loaded by bootseed" \
			all_of hs "$L" 1 '.detail=="channel=fw_cfg"' -- \
			boot_log_has "$L" 'bootseed: module qemu_fw_cfg: loaded \(for acpi:QEMU0002:\)'
	fi

	# 3. A new seed through fw_cfg (6.1: credited late; 6.12: host_seed_fresh=yes,
	#    credited in the early stage, before the disk is even mounted).
	n=$series-fwcfg
	k=""
	[ "$series" = 6.12 ] && { n=$series-fresh; k=bootseed.host_seed_fresh=yes; }
	host_seed --fw-cfg -o "$W/new.bin" >/dev/null
	if BOOT_QEMU_ARGS="-fw_cfg name=$FWNAME,file=$W/new.bin" bt_boot "$n" "$W/$series.img" $LATE $k; then
		L="$ART/$n.log"
		t_check "$n: bootseed loaded qemu_fw_cfg for the ACPI QEMU0002 device" \
			boot_log_has "$L" 'bootseed: module qemu_fw_cfg: loaded \(for acpi:QEMU0002:\)'
		if [ -z "$k" ]; then
			t_check "$n: a new seed through fw_cfg: credited in the late stage" \
				all_of hs "$L" 0 '.credited_bits==0 and .detail=="channel=fw_cfg"' -- \
				hs "$L" 1 '.credited_bits==256'
		else
			t_check "$n: host_seed_fresh=yes: credited in the early stage" \
				all_of hs "$L" 0 '.credited_bits==256 and .detail=="channel=fw_cfg"' -- \
				boot_log_has "$L" '^BOOTTEST: crng-before=1'
			t_check "$n: and not again in the late stage" \
				hs "$L" 1 '.credited_bits==0 and (.reason|test("credited earlier this boot"))'
		fi
		t_check "$n: 'crng init done' while bootseed runs" bt_crng_during_bootseed "$L"
	fi
done
t_done
