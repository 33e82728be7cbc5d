# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh: the pieces of the side-by-side benchmark (bench/run.sh), on
# top of the boot harness (tests/boot/lib.sh) and the Debian 12 test root
# (tests/root/lib.sh), which it uses as they are and never changes.
#
#   bench_stage_stock DIR     the cached Debian root as root_stage makes it,
#                             but WITHOUT bootseed (no `make install`): the
#                             same test-only units, machine-id, fstab, hostname,
#                             masked units
#   bench_stage_bootseed DIR  root_stage DIR (bootseed by `make install`)
#   bench_add_probes DIR      bench-only instruments (see below)
#   bench_add_rngd DIR        rng-tools5 from Debian, by dpkg -i in the root
#   bench_add_kernel DIR      the kernel fetched by boot_kernel_fetch (for 6.12),
#                             unpacked into the root like its package would be
#   bench_initramfs DIR FLAVOUR KVER OUT LOG BOOTSEED(0|1)
#                             like root_initramfs, for any kernel, with the
#                             bench probe, with or without bootseed's module
#   bench_boot NAME IMG DIR SCENARIO
#                             boot IMG once, copy the guest's records to DIR
#
# The bench-only instruments (in every configuration alike, so they cost each
# boot the same):
#   - initramfs-tools: scripts/init-bottom/zz-bench-handover, and dracut: a
#     module "99benchhandover" with a pre-pivot hook; both write
#     "BENCH: handover entropy_avail=N rotational=R add_random=A" (of the
#     root disk, whose request timings the kernel credits if add_random=1)
#     to /dev/kmsg just before the switch
#     to the real root (init-bottom runs after local-bottom; pre-pivot after
#     sysroot.mount and bootseed-late.service).
#   - systemd-random-seed.service runs with SYSTEMD_LOG_LEVEL=debug, so its
#     journal says whether it credited the seed (systemd 252 logs that only at
#     debug level).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/boot/lib.sh
. "$BENCH_DIR/../tests/boot/lib.sh"
# shellcheck source=tests/root/lib.sh
. "$BENCH_DIR/../tests/root/lib.sh"
BENCH_TOP=$BOOT_TOP
: "${BENCH_OUT:=$BENCH_TOP/build/bench}"
BENCH_CACHE=$BOOT_CACHE/bench
: "${BENCH_WORK:=$BENCH_OUT/work}"
# What the guest records (tests/root/bootseed-test-done) and bench reads back.
BENCH_GUEST_FILES="journal.txt report.json failed.txt ssh-active.txt entropy_avail.txt"

bench_err() { echo "bench: $*" >&2; }
bench_log() { echo "bench: $*"; }

# bench_stage_stock DIR: root_stage DIR without its `make install`, so the
# stock root stays in step with the bootseed root whatever root_stage does
# besides: a stand-in `make` that installs nothing shadows the real one for
# the call; the dangling bootseed.service link goes, and nothing named
# bootseed may be left but the test root's own bootseed-test* files and its
# dracut module 99bootseedtest (included only when asked for: never here).
bench_stage_stock() {
	local dir=${1:?bench_stage_stock DIR} rc=0 left
	make() { :; }
	root_stage "$dir" || rc=$?
	unset -f make
	[ "$rc" -eq 0 ] || { bench_err "staging $dir failed"; return 1; }
	rm -f "$dir/etc/systemd/system/sysinit.target.wants/bootseed.service"
	left=$(cd "$dir" && find . -name '*bootseed*' ! -name 'bootseed-test*' ! -name '99bootseedtest' -print)
	[ -z "$left" ] || { bench_err "the stock root holds bootseed files: $left"; return 1; }
}

bench_stage_bootseed() {
	root_stage "${1:?bench_stage_bootseed DIR}"
}

# bench_add_probes DIR: the bench-only instruments described at the top.
bench_add_probes() {
	local dir=${1:?bench_add_probes DIR} d
	d=$dir/etc/initramfs-tools/scripts/init-bottom
	mkdir -p "$d"
	cat >"$d/zz-bench-handover" <<'EOF'
#!/bin/sh
# bench only: entropy_avail as the initramfs hands over to the real root.
PREREQ=""
prereqs() { echo "$PREREQ"; }
case $1 in prereqs) prereqs; exit 0 ;; esac
q=/sys/block/sda/queue
echo "BENCH: handover entropy_avail=$(cat /proc/sys/kernel/random/entropy_avail)" \
	"rotational=$(cat $q/rotational 2>/dev/null) add_random=$(cat $q/add_random 2>/dev/null)" >/dev/kmsg
exit 0
EOF
	chmod 0755 "$d/zz-bench-handover"
	d=$dir/usr/lib/dracut/modules.d/99benchhandover
	mkdir -p "$d"
	cat >"$d/module-setup.sh" <<'EOF'
#!/bin/bash
# bench only: entropy_avail as the initramfs hands over to the real root.
check() { return 255; }
depends() { return 0; }
# shellcheck disable=SC2154 # moddir: set by dracut
install() { inst_hook pre-pivot 99 "$moddir/bench-handover.sh"; }
EOF
	cat >"$d/bench-handover.sh" <<'EOF'
#!/bin/sh
q=/sys/block/sda/queue
echo "BENCH: handover entropy_avail=$(cat /proc/sys/kernel/random/entropy_avail)" \
	"rotational=$(cat $q/rotational 2>/dev/null) add_random=$(cat $q/add_random 2>/dev/null)" >/dev/kmsg
EOF
	chmod 0755 "$d/module-setup.sh" "$d/bench-handover.sh"
	d=$dir/etc/systemd/system/systemd-random-seed.service.d
	mkdir -p "$d"
	printf '[Service]\nEnvironment=SYSTEMD_LOG_LEVEL=debug\n' >"$d/bench-debug.conf"
}

# bench_fetch_rngd: Debian's rng-tools5 .deb into $BENCH_CACHE (once).
bench_fetch_rngd() {
	local deb
	deb=$(find "$BENCH_CACHE" -maxdepth 1 -name 'rng-tools5_*.deb' 2>/dev/null | head -n1)
	if [ -z "$deb" ]; then
		mkdir -p "$BENCH_CACHE" || return 1
		(cd "$BENCH_CACHE" && apt-get download -q rng-tools5 >/dev/null 2>"$BENCH_CACHE/apt.err") ||
			{ cat "$BENCH_CACHE/apt.err" >&2; bench_err "apt-get download rng-tools5 failed"; return 1; }
		deb=$(find "$BENCH_CACHE" -maxdepth 1 -name 'rng-tools5_*.deb' | head -n1)
	fi
	[ -n "$deb" ] || { bench_err "no rng-tools5 .deb"; return 1; }
	BENCH_RNGD_DEB=$deb
}

# bench_add_rngd DIR: dpkg -i rng-tools5 in the root; its postinst enables
# rngd.service (WantedBy=multi-user.target). A policy-rc.d keeps the
# postinst from starting rngd in the chroot, on the build host.
bench_add_rngd() {
	local dir=${1:?bench_add_rngd DIR} dep missing=""
	bench_fetch_rngd || return 1
	for dep in $(dpkg-deb -f "$BENCH_RNGD_DEB" Depends | tr ',' '\n' | sed 's/[( ].*//;s/^ *//'); do
		root_chroot "$dir" dpkg-query -W "$dep" >/dev/null 2>&1 || missing="$missing $dep"
	done
	[ -z "$missing" ] || { bench_err "rng-tools5 needs$missing, not in the root"; return 1; }
	cp "$BENCH_RNGD_DEB" "$dir/var/cache/rng-tools5.deb" || return 1
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 0755 "$dir/usr/sbin/policy-rc.d"
	root_chroot "$dir" dpkg -i /var/cache/rng-tools5.deb >"$BENCH_WORK/rngd-install.log" 2>&1 ||
		{ cat "$BENCH_WORK/rngd-install.log" >&2; bench_err "dpkg -i rng-tools5 failed"; return 1; }
	rm -f "$dir/usr/sbin/policy-rc.d" "$dir/var/cache/rng-tools5.deb"
	[ -L "$dir/etc/systemd/system/multi-user.target.wants/rngd.service" ] ||
		{ bench_err "rngd.service was not enabled by the package"; return 1; }
	# shellcheck disable=SC2034 # for bench/run.sh
	BENCH_RNGD_VERSION=$(dpkg-deb -f "$BENCH_RNGD_DEB" Version)
}

# bench_add_kernel DIR: the kernel boot_kernel_fetch unpacked last
# ($BOOT_KROOT: /boot and /lib/modules, depmod done) into the root, as its
# package would put it (the root is usr-merged: keep /lib a symlink).
bench_add_kernel() {
	local dir=${1:?bench_add_kernel DIR}
	[ -d "${BOOT_KROOT:-}" ] || { bench_err "call boot_kernel_fetch first"; return 1; }
	[ -d "$dir/lib/modules/$BOOT_KVER" ] && return 0
	tar -C "$BOOT_KROOT" -cf - . | tar -C "$dir" --keep-directory-symlink -xpf - ||
		{ bench_err "installing $BOOT_KVER into $dir failed"; return 1; }
}

# bench_initramfs DIR FLAVOUR KVER OUT LOG BOOTSEED: as root_initramfs (same
# builders, module and driver lists), for kernel KVER, plus the bench probe;
# BOOTSEED=0 leaves bootseed's dracut module out (the stock image).
bench_initramfs() {
	local dmods="base rootfs-block fs-lib udev-rules benchhandover"
	[ "$6" = 1 ] && dmods="bootseed $dmods"
	ROOT_KVER=$3 ROOT_DRACUT_MODULES=$dmods root_initramfs "$1" "$2" "$4" "$5"
}

# bench_kargs NAME: the kernel command line of tests/root/testlib.sh.
bench_kargs() {
	local k="root=/dev/sda ro console=ttyS0 random.trust_cpu=off panic=-1"
	k="$k systemd.mask=getty.target systemd.wants=bootseed-test-done.service"
	k="$k systemd.firstboot=off rd.shell=0 rd.emergency=poweroff"
	echo "$k bootseedtest.boot=$1"
}

# bench_scenario_env SCENARIO: sets BOOT_TPM / BOOT_VIRTIO_RNG for it.
bench_scenario_env() {
	case ${1%@*} in
	tpm | tpm-seed | tpm-counter) BOOT_TPM=1 BOOT_VIRTIO_RNG=0 ;;
	virtio) BOOT_TPM=0 BOOT_VIRTIO_RNG=1 ;;
	seed | nothing | hostseed | hostseed-fresh) BOOT_TPM=0 BOOT_VIRTIO_RNG=0 ;;
	*) bench_err "unknown scenario $1"; return 1 ;;
	esac
	export BOOT_TPM BOOT_VIRTIO_RNG
}

# bench_boot NAME IMG OUTDIR SCENARIO FSCK: one boot of IMG (BOOT_VMLINUZ and
# BOOT_INITRD set by the caller); the serial log and the guest's records go
# to OUTDIR. rc 0 if the guest reached bootseed-test-done.
bench_boot() {
	local name=$1 img=$2 out=$3 scen=$4 fsck=${5:-0} f rc=0
	local qargs=${BOOT_QEMU_ARGS:-}
	mkdir -p "$out"
	bench_scenario_env "$scen" || return 1
	# The harness's disk is an IDE (AHCI) disk, which the kernel takes for a
	# rotating one and whose request timings it credits to the pool; SSDs,
	# NVMe and virtio-blk give nothing. By default (BENCH_DISK_NONROT=1) it
	# reports itself non-rotating (ATA IDENTIFY word 217 = 1), as a VM's
	# disk is; BENCH_DISK_NONROT=0 boots it as the boot tests do.
	[ "${BENCH_DISK_NONROT:-1}" = 1 ] && qargs="$qargs -global ide-hd.rotation_rate=1"
	# The host seed scenarios: a fresh seed for every boot, through SMBIOS
	# type 11, made as a user makes it (bootseed host-seed on the host).
	local kextra=""
	case ${scen%@*} in
	hostseed | hostseed-fresh)
		"$BENCH_TOP/build/bootseed" host-seed -o "$out/host-seed.smbios" >/dev/null ||
			{ bench_err "bootseed host-seed failed"; return 1; }
		qargs="$qargs -smbios type=11,path=$out/host-seed.smbios"
		[ "${scen%@*}" = hostseed-fresh ] && kextra=" bootseed.host_seed_fresh=yes" ;;
	# The TPM rollback counter (issue 14), on the preparation boot as well.
	tpm-counter) kextra=" bootseed.tpm_counter=yes" ;;
	esac
	BOOT_APPEND="$(bench_kargs "$name")$kextra" BOOT_MEM=${BOOT_MEM:-1024} \
		BOOT_TIMEOUT=${BENCH_BOOT_TIMEOUT:-240} BOOT_FSCK=$fsck BOOT_QEMU_ARGS=$qargs \
		boot_qemu "$out/serial.log" "$img" || rc=$?
	echo "${BOOT_SECONDS:-}" >"$out/host_seconds"
	echo "$rc" >"$out/qemu_rc"
	for f in $BENCH_GUEST_FILES; do
		boot_disk_cat "$img" "/var/log/bootseed-test/$name/$f" >"$out/$f" 2>/dev/null ||
			rm -f "$out/$f"
	done
	boot_log_has "$out/serial.log" "BOOTTEST: done $name"
}
