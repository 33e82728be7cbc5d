#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fault/vtpm_init.sh - /init for test_boot_tpmhang.sh (busybox sh): a TPM
# that hangs in the kernel driver. Loads tpm_vtpm_proxy and serves it with
# swtpm (chardev --vtpm-proxy, copied in with its libraries), checks that the
# TPM answers through the kernel (32 bytes from /dev/hwrng = tpm-rng-0), then
# stops swtpm with SIGSTOP: from then on every command the kernel sends the TPM
# waits for the driver's own timeout, and closing /dev/tpmrm0 with a command in
# flight waits for it uninterruptibly. Then runs, timed from /proc/uptime:
#   1. bootseed load --root /mnt -v [test.args]       (every stage)
#   2. bootseed load --stage early --root /mnt -v      (the TPM again, at once,
#      while the first run's abandoned TPM exchange may still hold the TPM)
# and prints "BOOTTEST: ..." markers as init.sh does, then powers off.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
say() { echo "BOOTTEST: $*"; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
dmesg -n 1
say init-start
say "kernel=$(uname -r)"

ARGS=""
for w in $(cat /proc/cmdline); do
	case $w in
	test.args=*) ARGS=$(echo "${w#*=}" | tr ',' ' ') ;;
	esac
done

for m in ahci sd_mod crc32c_generic ext4; do modprobe "$m" || say "modprobe-failed=$m"; done
i=0
while [ ! -b /dev/sda ] && [ "$i" -lt 50 ]; do usleep 100000; i=$((i + 1)); done
MOUNTED=0
if mount -t ext4 -o rw /dev/sda /mnt; then MOUNTED=1; say mounted rw; else say mount-failed; fi

# --- the TPM: tpm_vtpm_proxy served by swtpm inside the guest ---------------------
modprobe tpm_vtpm_proxy || say modprobe-failed=tpm_vtpm_proxy
mkdir -p /run/swtpm
swtpm chardev --vtpm-proxy --tpm2 --tpmstate dir=/run/swtpm \
	--log file=/run/swtpm.log,level=1 >/run/swtpm.out 2>&1 &
SW=$!
i=0
while [ ! -c /dev/tpmrm0 ] && [ "$i" -lt 100 ]; do usleep 100000; i=$((i + 1)); done
hwrng() {
	r=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
	echo "${r:-none}"
}
if [ -c /dev/tpmrm0 ]; then say tpmrm0=1; else say tpmrm0=0; fi
say "swtpm-out=$(tr '\n' ' ' </run/swtpm.out)"
say "hwrng=$(hwrng)"
# The TPM answers through the kernel driver before the stop.
say "hwrng-read-before=$(timeout 10 head -c 32 /dev/hwrng | wc -c)"

up_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
if kill -STOP "$SW" 2>/dev/null; then
	say "swtpm-state=$(awk '/^State:/ { print $2 }' "/proc/$SW/status")"
else
	say swtpm-gone
fi

# run NAME ARGS...: one timed bootseed run, its report saved as /run/NAME.json.
run() {
	name=$1
	shift
	[ "$MOUNTED" = 1 ] || { say "$name-not-run"; return; }
	echo "boottest: $name starts" >/dev/kmsg
	t0=$(up_ms)
	timeout 60 /bin/bootseed "$@"
	rc=$?
	t1=$(up_ms)
	echo "boottest: $name ended" >/dev/kmsg
	say "$name exit=$rc"
	say "$name-ms=$((t1 - t0))"
	cp /run/bootseed/report.json "/run/$name.json" 2>/dev/null
	# What is left of bootseed's TPM exchange: pid, state, parent.
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = bootseed ] || continue
		say "$name-left=$(awk '{ print $1 "," $3 ",ppid=" $4 }' "$p/stat")"
	done
}
# shellcheck disable=SC2086 # ARGS is split on purpose
run load1 load --root /mnt -v $ARGS
run load2 load --stage early --root /mnt -v
say "after=$(hwrng)"

for n in load1 load2; do
	say "$n-report-begin"
	cat "/run/$n.json" 2>/dev/null
	echo
	say "$n-report-end"
done
say kmsg-begin
dmesg | grep -E 'boottest:|bootseed:|crng init done|random:|tpm|vtpm'
say kmsg-end
kill -9 "$SW" 2>/dev/null
if [ "$MOUNTED" = 1 ]; then
	sync
	if umount /mnt; then say umount ok; else say umount-failed; fi
fi
say "done"
sync
poweroff -f
sleep 10
