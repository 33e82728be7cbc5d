#!/bin/sh
# tests/boot/init.sh - /init of the bootseed boot-test initramfs (busybox sh).
#
# Mounts the test disk (/dev/sda, ext4) at /mnt, runs
#   /bin/bootseed ${test.cmd:-load} --root /mnt -v [test.args split on ","]
# and prints "BOOTTEST: ..." marker lines on the console, then powers off.
# It never waits forever: every step is bounded and failures only print a
# marker.  Kernel command line knobs (all optional):
#   test.ro=1          mount /mnt read-only
#   test.cmd=CMD       bootseed sub-command (default: load)
#   test.args=A,B,C    extra bootseed arguments, "," stands for a space
#   test.modules=A,B   extra modules to modprobe before mounting
#   test.wait=N        seconds to wait for /dev/sda (default 5)
#   test.timeout=N     seconds before bootseed is killed (default 60)
#   test.nobootseed=1  do not run bootseed (baseline boots)
#   test.sleep=N       sleep N seconds after bootseed (e.g. to watch the crng)
#   test.loglevel=N    console loglevel (default 1: kernel messages stay off
#                      the console so they cannot split marker lines; the
#                      "kmsg" section, a dmesg dump, is the authoritative copy)
#   test.fsckstamp=1   leave initramfs-tools' /run/initramfs/fsck-root, as its
#                      init does after a clean fsck of the root (this image
#                      has no e2fsck; the test says what it stands for)
#   test.early=1       run "/bin/bootseed load --stage early -v" first, before
#                      the disk is mounted, as an initramfs's early hook does
#   test.transient_id=ID  mount a transient machine-id holding ID over
#                      /mnt/etc/machine-id, as systemd does for an empty or
#                      uninitialized one (from a file on a tmpfs in /run)
# Markers: "BOOTTEST: KEY=VALUE" or "BOOTTEST: NAME-begin" ... "NAME-end".

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

say() { echo "BOOTTEST: $*"; }

finish() {
    say "done"
    sync
    poweroff -f
    sleep 2
    echo o >/proc/sysrq-trigger
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run

RO=0 CMD=load ARGS="" MODS="" WAIT=5 TMO=60 NOBS=0 SLEEP=0 LOGLEVEL=1 FSCKSTAMP=0 TID="" EARLY=0
for w in $(cat /proc/cmdline); do
    case $w in
        test.ro=*) RO=${w#*=} ;;
        test.cmd=*) CMD=${w#*=} ;;
        test.args=*) ARGS=$(echo "${w#*=}" | tr ',' ' ') ;;
        test.modules=*) MODS=$(echo "${w#*=}" | tr ',' ' ') ;;
        test.wait=*) WAIT=${w#*=} ;;
        test.timeout=*) TMO=${w#*=} ;;
        test.nobootseed=*) NOBS=${w#*=} ;;
        test.sleep=*) SLEEP=${w#*=} ;;
        test.loglevel=*) LOGLEVEL=${w#*=} ;;
        test.fsckstamp=*) FSCKSTAMP=${w#*=} ;;
        test.transient_id=*) TID=${w#*=} ;;
        test.early=*) EARLY=${w#*=} ;;
    esac
done
dmesg -n "$LOGLEVEL"
say init-start
say "kernel=$(uname -r)"

# qemu64 has neither RDRAND nor RDSEED, cortex-a57 no FEAT_RNG (arm64's
# "rng" feature); record what the guest sees.
flags=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo)
case " $flags " in *" rdrand "*) say cpu-rdrand=1 ;; *) say cpu-rdrand=0 ;; esac
case " $flags " in *" rdseed "*) say cpu-rdseed=1 ;; *) say cpu-rdseed=0 ;; esac
case $flags in Features*" rng"|Features*" rng "*) say cpu-rng=1 ;; *) say cpu-rng=0 ;; esac

if [ "$EARLY" = 1 ] && [ -x /bin/bootseed ]; then
    echo "boottest: bootseed starts" >/dev/kmsg
    timeout "$TMO" /bin/bootseed load --stage early -v
    say "bootseed-early exit=$?"
fi

for m in ahci sd_mod crc32c_generic ext4 $MODS; do
    modprobe "$m" || say "modprobe-failed=$m"
done

i=0
while [ ! -b /dev/sda ] && [ "$i" -lt $((WAIT * 10)) ]; do
    usleep 100000
    i=$((i + 1))
done

MOUNTED=0
if [ ! -b /dev/sda ]; then
    say "no-disk (waited ${WAIT}s)"
elif [ "$RO" = 1 ]; then
    if mount -t ext4 -o ro /dev/sda /mnt; then MOUNTED=1; say mounted ro; fi
else
    if mount -t ext4 -o rw /dev/sda /mnt; then MOUNTED=1; say mounted rw; fi
fi
[ "$MOUNTED" = 1 ] || say mount-failed
if [ "$FSCKSTAMP" = 1 ]; then
    mkdir -p /run/initramfs && : >/run/initramfs/fsck-root && say fsck-stamp
fi
if [ -n "$TID" ] && [ "$MOUNTED" = 1 ]; then
    echo "$TID" >/run/machine-id
    if mount --bind /run/machine-id /mnt/etc/machine-id; then say transient-id; fi
fi

crng_done() {
    if dmesg | grep -q 'crng init done'; then echo 1; else echo 0; fi
}

hwrng() {
    r=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
    echo "${r:-none}"
}
if [ -c /dev/tpm0 ]; then say tpm=1; else say tpm=0; fi
say "hwrng-before=$(hwrng)"
say "crng-before=$(crng_done)"
say "entropy-before=$(cat /proc/sys/kernel/random/entropy_avail)"
if [ "$NOBS" = 1 ]; then
    say bootseed-skipped
elif [ "$MOUNTED" != 1 ]; then
    say bootseed-not-run
elif [ ! -x /bin/bootseed ]; then
    say bootseed-missing
else
    say "bootseed-cmd=/bin/bootseed $CMD --root /mnt -v $ARGS"
    # In the kernel log, so the tests time the crng against bootseed's start.
    echo "boottest: bootseed starts" >/dev/kmsg
    # shellcheck disable=SC2086 # ARGS is split on purpose
    timeout "$TMO" /bin/bootseed "$CMD" --root /mnt -v $ARGS
    say "bootseed exit=$?"
fi
[ "$SLEEP" -gt 0 ] 2>/dev/null && sleep "$SLEEP"
# How /mnt is mounted now: the late stage must leave a read-only root read-only.
say "mnt-after=$(awk '$2 == "/mnt" { split($4, o, ","); m = o[1] } END { print m }' /proc/mounts)"
say "hwrng-after=$(hwrng)"
say "crng-after=$(crng_done)"
say "entropy-after=$(cat /proc/sys/kernel/random/entropy_avail)"

say report-begin
[ -f /run/bootseed/report.json ] && cat /run/bootseed/report.json
echo
say report-end

say kmsg-begin
dmesg | grep -E 'boottest:|bootseed:|crng init done|random:'
say kmsg-end

# Loaded modules, the last loaded first: the order bootseed loaded them in.
say modules-begin
cut -d' ' -f1 /proc/modules
say modules-end

if [ "$MOUNTED" = 1 ]; then
    sync
    [ -n "$TID" ] && umount /mnt/etc/machine-id
    if umount /mnt; then say umount ok; else say umount-failed; fi
fi
finish
