#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults on a real disk under a real kernel: Debian's 6.1 under QEMU (TCG) with
# the busybox initramfs of tests/boot (init.sh mounts an ext4 disk and runs
# bootseed), carrying the *test build* so that the BOOTSEED_TEST_PAUSE_AT hook
# (passed as an environment word on the kernel command line) can hold bootseed
# at one step of the write sequence. The host then pulls the plug: `quit` on
# the QEMU monitor, so the guest's page cache is lost as in a power cut. The
# disk is repaired with e2fsck -fy and read back with debugfs.
#  - power loss in save between the rename and the directory fsync (the other
#    steps are test_crash.sh's, by SIGKILL): the seed directory holds the old
#    seed or a complete new one; nothing torn is named seed.credit or
#    seed.no-credit;
#  - power loss right after a seed was credited: that seed is gone from the
#    disk for good (its removal was durable before the credit);
#  - a real I/O error (eio_init.sh removes the disk from under ext4, then
#    runs save): exit bit 8, the message, the old seed intact on the disk;
#  - a golden image: two VMs booted from copies of one image whose machine-id
#    is "uninitialized": neither credits the seed, each writes its own.
# shellcheck disable=SC2317,SC2119 # helpers run through t_check; optional arguments
set -u
. "$(dirname "$0")/../boot/testlib.sh"
t_need qemu-system-x86_64 busybox mkfs.ext4 debugfs e2fsck jq cpio depmod socat
# The test build (its hooks hold the guest at a step); read by boot_initramfs.
export BOOTSEED_BIN=${BOOTSEED_TEST_BIN:-$T_TOP/build/test/bootseed}
bt_setup fault-boot
boot_kernel_fetch 6.1 || { t_fail "cannot fetch the Debian 6.1 kernel"; t_done; }
boot_initramfs "$W/initrd" "$BOOT_LIB_DIR/init.sh" || { t_fail "cannot build the initramfs"; t_done; }

SEED_DIR=/var/lib/bootseed
# make_image OUT MACHINE-ID [FSTAB-LINE]: a disk with a creditable seed; S0 its sha256.
make_image() {
	rm -rf "$W/stage"
	mkdir -p "$W/stage/etc" "$W/stage$SEED_DIR"
	echo "$2" >"$W/stage/etc/machine-id"
	[ -n "${3:-}" ] && echo "$3" >"$W/stage/etc/fstab"
	chmod 700 "$W/stage$SEED_DIR"
	head -c 32 /dev/urandom >"$W/stage$SEED_DIR/seed.credit"
	chmod 400 "$W/stage$SEED_DIR/seed.credit"
	S0=$(sha256sum <"$W/stage$SEED_DIR/seed.credit" | cut -c1-64)
	boot_disk_image "$1" "$W/stage" 32
}
disk_sum() { boot_disk_cat "$1" "$SEED_DIR/$2" 2>/dev/null | sha256sum | cut -c1-64; }
disk_names() {
	boot_disk_ls "$1" "$SEED_DIR" | awk 'NF { print $NF }' | grep -v '^\.\{1,2\}$' | sort | tr '\n' ' '
}
# Every seed name on the disk holds a whole seed: a regular 0400 root file of
# 32 bytes (as planted) or of the 40-byte header and 32 (as bootseed writes).
seeds_whole() {
	local n
	for n in seed.credit seed.no-credit; do
		boot_disk_exists "$1" "$SEED_DIR/$n" || continue
		case "$(boot_disk_stat "$1" "$SEED_DIR/$n")" in
		"type=regular mode=0400 uid=0 gid=0 size=32" | "type=regular mode=0400 uid=0 gid=0 size=72") ;;
		*) return 1 ;;
		esac
	done
}
# old_or_new IMAGE: S0 as seed.credit, or a new seed under a seed name.
old_or_new() {
	local n s
	for n in seed.credit seed.no-credit; do
		boot_disk_exists "$1" "$SEED_DIR/$n" || continue
		s=$(disk_sum "$1" "$n")
		[ "$n" = seed.credit ] && [ "$s" = "$S0" ] && return 0
		[ "$s" != "$S0" ] && return 0
	done
	return 1
}
seed_whole_and_new() { seeds_whole "$1" && old_or_new "$1"; }
s0_gone() {
	local n
	for n in seed.credit seed.no-credit .seed.new .seed.new2; do
		boot_disk_exists "$1" "$SEED_DIR/$n" || continue
		[ "$(disk_sum "$1" "$n")" != "$S0" ] || return 1
	done
}

# cut_power NAME IMAGE STEP CMD [KARGS...]: boot with bootseed CMD paused at
# STEP, then quit QEMU from its monitor once the guest says it is there.
cut_power() {
	local name=$1 img=$2 step=$3 cmd=$4 log="$ART/$1.log" i qpid
	shift 4
	rm -f "$W/mon.sock"
	BOOT_FSCK=0 BOOT_TIMEOUT=90 \
		BOOT_QEMU_ARGS="-chardev socket,id=mon1,path=$W/mon.sock,server=on,wait=off -mon chardev=mon1,mode=readline" \
		boot_qemu "$log" "$img" "test.cmd=$cmd" "BOOTSEED_TEST_PAUSE_AT=$step:60000" "$@" &
	qpid=$!
	for i in $(seq 600); do
		boot_log_has "$log" "bootseed-test: paused at $step" 2>/dev/null && break
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
		: "$i"
	done
	if ! boot_log_has "$log" "bootseed-test: paused at $step" 2>/dev/null; then
		wait "$qpid"
		t_fail "$name: the guest never reached $step (see $log)"
		return 1
	fi
	printf 'quit\n' | socat - "UNIX-CONNECT:$W/mon.sock" >/dev/null 2>&1
	wait "$qpid"
	CUT_FSCK=0
	boot_disk_fsck "$img" || CUT_FSCK=$?
	echo "    ($name: power cut at $step; e2fsck rc $CUT_FSCK; seed dir: $(disk_names "$img"))"
	return 0
}

make_image "$W/orig.img" 5f1c0de5a1b2c3d4e5f60718293a4b5c || { t_fail "cannot make the disk image"; t_done; }
S0_ORIG=$S0
# Between the rename and the directory fsync (the other steps: test_crash.sh).
step=renamed
cp "$W/orig.img" "$W/$step.img"
if cut_power "save-$step" "$W/$step.img" "$step" save; then
	t_check "power cut in save at $step: the file system is repaired (e2fsck rc $CUT_FSCK <= 1)" [ "$CUT_FSCK" -le 1 ]
	t_check "power cut in save at $step: every seed name holds a whole 32-byte 0400 seed" seeds_whole "$W/$step.img"
	t_check "power cut in save at $step: the old seed or a complete new one is there" old_or_new "$W/$step.img"
fi

# Right after the credit: the credited seed is gone from the disk for good.
S0=$S0_ORIG
cp "$W/orig.img" "$W/credited.img"
if cut_power load-credited "$W/credited.img" credited load; then
	L=$ART/load-credited.log
	t_check "power cut in load just after the credit: S0 had been credited (256 bits)" \
		boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 256 bits'
	t_check "power cut in load just after the credit: S0 is nowhere on the disk" s0_gone "$W/credited.img"
	t_check "power cut in load just after the credit: a whole new seed is there" \
		seed_whole_and_new "$W/credited.img"
fi

# Inside the late stage's read-write window (the root mounted read-only,
# fstab read-write, the initramfs's fsck stamp; see test_seed_boot.sh): a
# power cut with the new seed written but not yet in place, and one right
# after the credit. e2fsck replays the journal; the old or a whole new seed is
# there, and no seed is credited twice across the boots.
make_image "$W/window.img" 5f1c0de5a1b2c3d4e5f60718293a4b5c '/dev/sda / ext4 errors=remount-ro 0 1' ||
	t_fail "cannot make the window image"
S0_WIN=$S0
# shellcheck disable=SC2054 # test.args takes commas for blanks
WIN_ARGS=(test.ro=1 test.fsckstamp=1 test.args=--stage,late ro bootseed.jitter_timeout_ms=0)
for step in tmp-synced credited; do
	S0=$S0_WIN
	cp "$W/window.img" "$W/window-$step.img"
	cut_power "window-$step" "$W/window-$step.img" "$step" load "${WIN_ARGS[@]}" || continue
	L=$ART/window-$step.log
	t_check "window, power cut at $step: bootseed had remounted the root read-write" \
		boot_log_has "$L" 'remounted /mnt \(ext4\) read-write'
	t_check "window, power cut at $step: the file system is repaired (e2fsck rc $CUT_FSCK <= 1)" \
		[ "$CUT_FSCK" -le 1 ]
	t_check "window, power cut at $step: every seed name holds a whole 0400 seed" seeds_whole "$W/window-$step.img"
	t_check "window, power cut at $step: the old seed or a complete new one is there" \
		old_or_new "$W/window-$step.img"
	credited_before=0
	boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 256 bits' && credited_before=1
	[ "$step" = credited ] && t_check "window, power cut at credited: S0 was credited before the cut" \
		[ "$credited_before" = 1 ] && t_check "window, power cut at credited: S0 is gone from the disk" \
		s0_gone "$W/window-$step.img"
	# The next boot of that disk: S0 is credited there only if it was not before.
	s0_left=0
	[ "$(disk_sum "$W/window-$step.img" seed.credit)" = "$S0" ] && s0_left=1
	if bt_boot "window-$step-next" "$W/window-$step.img" "${WIN_ARGS[@]}"; then
		L2=$ART/window-$step-next.log
		again=0
		[ "$s0_left" = 1 ] && boot_log_has "$L2" 'bootseed: seed.credit: 32 bytes, credited 256 bits' && again=1
		t_check "window, power cut at $step, next boot: S0 credited at most once over both boots" \
			[ $((credited_before + again)) -le 1 ]
		t_check "window, power cut at $step, next boot: the root is read-only again at the end" \
			boot_log_has "$L2" '^BOOTTEST: mnt-after=ro'
	fi
done
S0=$S0_ORIG

golden_replaced() {
	! boot_disk_exists "$1" "$SEED_DIR/seed.credit" && seeds_whole "$1" &&
		[ "$(disk_sum "$1" seed.no-credit)" != "$S0" ]
}

# A real I/O error: the disk removed from under ext4 before `save` runs.
S0=$S0_ORIG
cp "$W/orig.img" "$W/eio.img"
if boot_initramfs "$W/initrd-eio" "$(dirname "$0")/eio_init.sh" &&
	BOOT_INITRD=$W/initrd-eio bt_boot eio "$W/eio.img"; then
	L=$ART/eio.log
	rc=$(boot_log_marker "$L" "bootseed exit")
	t_check "disk removed under ext4: the guest removed it before save ran" boot_log_has "$L" '^BOOTTEST: disk-removed'
	t_check "disk removed under ext4: exit bit 8 (seed write) set [$rc]" [ $((${rc:-0} & 8)) -eq 8 ]
	t_check "disk removed under ext4: the message names the I/O error and keeps the old seed" \
		boot_log_has "$L" 'cannot write the next seed in .*: Input/output error; old seeds kept and not credited'
	t_check "disk removed under ext4: S0 is still on the disk, unchanged" \
		[ "$(disk_sum "$W/eio.img" seed.credit)" = "$S0" ]
fi
export BOOT_INITRD=$W/initrd

# A golden image: one image, machine-id uninitialized, booted twice.
make_image "$W/golden.img" uninitialized || { t_fail "cannot make the golden image"; t_done; }
G0=$S0
for vm in vm1 vm2; do
	cp "$W/golden.img" "$W/$vm.img"
	if bt_boot "$vm" "$W/$vm.img"; then
		L=$ART/$vm.log
		t_check "golden image, $vm: the seed is mixed with 0 bits, first boot named as the reason" \
			boot_log_has "$L" 'bootseed: seed.credit: 32 bytes, credited 0 bits: first boot'
		t_check "golden image, $vm: report: nothing credited" bt_report "$L" '.runs[0].credited_bits==0'
		t_check "golden image, $vm: the image's seed is consumed and replaced" golden_replaced "$W/$vm.img"
	fi
done
v1=$(disk_sum "$W/vm1.img" seed.no-credit) v2=$(disk_sum "$W/vm2.img" seed.no-credit)
t_check "golden image: the two clones now hold different seeds of their own" \
	bash -c "[ -n '$v1' ] && [ '$v1' != '$v2' ] && [ '$v1' != '$G0' ]"
t_done
