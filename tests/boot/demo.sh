#!/bin/bash
# tests/boot/demo.sh - what `make demo` runs: one QEMU/TCG boot of a stock
# Debian kernel whose initramfs runs `bootseed load --root /mnt -v` against an
# ext4 disk holding /etc/machine-id and /var/lib/bootseed/seed.credit, then a
# readable summary: bootseed's kernel log lines, its report.json, where the
# kernel's "random: crng init done" falls, and the seed directory afterwards.
#
# Needs root (device nodes, root-owned disk contents), the host tools listed
# in tests/boot/lib.sh, and `apt-get update` done once (for the first kernel
# download).  Env: BOOTSEED_BIN (default build/bootseed), BOOT_SERIES (6.1),
# plus the BOOT_* knobs of lib.sh (BOOT_TPM=1, BOOT_VIRTIO_RNG=1, ...).
# Seed bytes are never printed, only the first 8 hex digits of their sha256.

set -eu

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"

die() { echo "demo: $*" >&2; exit 1; }
hdr() { printf '\n== %s\n' "$*"; }
digest8() { sha256sum | cut -c1-8; }

[ "$(id -u)" = 0 ] || die "must run as root (device nodes and root-owned files in the images)"
[ -x "$BOOTSEED_BIN" ] || die "no bootseed binary at $BOOTSEED_BIN (run make first)"

series=${BOOT_SERIES:-6.1}
work=$BOOT_TOP/build/demo
seeddir=/var/lib/bootseed
machine_id=5eed0b0075eed0b0075eed0b0075eed0

mkdir -p "$work"
echo "demo: fetching the Debian $series kernel (cached in $BOOT_CACHE)"
boot_kernel_fetch "$series" || die "kernel fetch failed"
echo "demo: building the initramfs with $BOOTSEED_BIN"
boot_initramfs "$work/initrd.gz" "$BOOT_LIB_DIR/init.sh" || die "initramfs failed"

echo "demo: building the disk image"
root=$work/root
rm -rf "$root"
mkdir -p "$root/etc" "$root$seeddir"
echo "$machine_id" >"$root/etc/machine-id"
chmod 0444 "$root/etc/machine-id"
head -c 32 /dev/urandom >"$root$seeddir/seed.credit"
chmod 0400 "$root$seeddir/seed.credit"
chmod 0700 "$root$seeddir"
chmod 0755 "$root" "$root/etc" "$root/var" "$root/var/lib"
chown -R 0:0 "$root"
before=$(digest8 <"$root$seeddir/seed.credit")
boot_disk_image "$work/disk.img" "$root" 64 || die "disk image failed"
rm -rf "$root"

log=$work/console.log
echo "demo: booting $BOOT_KPKG under QEMU/TCG (timeout ${BOOT_TIMEOUT:-120}s)"
boot_qemu "$log" "$work/disk.img" || true

hdr "boot"
echo "kernel:      $BOOT_KPKG ($BOOT_KVER)"
echo "qemu:        rc=$BOOT_QEMU_RC, ${BOOT_SECONDS}s wall clock, console log $log"
echo "guest cpu:   rdrand=$(boot_log_marker "$log" cpu-rdrand) rdseed=$(boot_log_marker "$log" cpu-rdseed)"
echo "disk:        $(boot_log_clean "$log" | sed -n 's/^BOOTTEST: \(mounted .*\|mount-failed\|no-disk.*\)$/\1/p' | tail -n1)"
echo "bootseed:    exit=$(boot_log_marker "$log" 'bootseed exit')"
echo "e2fsck -fy:  rc=$BOOT_FSCK_RC after the boot"
if ! boot_log_has "$log" '^BOOTTEST: done$'; then
    echo "demo: the guest did not reach 'BOOTTEST: done'; last console lines:" >&2
    boot_log_clean "$log" | tail -n 30 >&2
    exit 1
fi

kmsg=$(boot_log_section "$log" kmsg)

hdr "bootseed kernel log lines (dmesg)"
grep 'bootseed:' <<<"$kmsg" || echo "(none)"

hdr "report /run/bootseed/report.json"
report=$(boot_log_section "$log" report | sed '/^$/d')
if [ -z "$report" ]; then
    echo "(no report written)"
elif command -v jq >/dev/null && jq . <<<"$report" 2>/dev/null; then
    :
else
    echo "$report"
fi

hdr "kernel crng"
# Timestamps in seconds of: the crng line, bootseed's start (init.sh's line
# just before it runs) and its last line.
ts() { sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p' | "$@"; }
crng_line=$(grep -m1 'crng init done' <<<"$kmsg" || true)
first=$(grep 'boottest: bootseed starts' <<<"$kmsg" | ts head -n1)
last=$(grep 'bootseed:' <<<"$kmsg" | ts tail -n1)
if [ -z "$crng_line" ]; then
    echo "'random: crng init done' did not appear during this boot"
else
    echo "$crng_line"
    crng=$(ts cat <<<"$crng_line")
    if [ -z "$first" ]; then
        echo "(bootseed did not start: nothing to compare with)"
    else
        awk -v c="$crng" -v f="$first" -v l="$last" 'BEGIN {
            if (c + 0 < f + 0)
                printf "-> %.3f s BEFORE bootseed started (%s): the crng was ready without it\n", f - c, f
            else if (c + 0 <= l + 0)
                printf "-> between bootseed'\''s start (%s) and its last line (%s): credited while it ran\n", f, l
            else
                printf "-> %.3f s after bootseed'\''s last line (%s)\n", c - l, l
        }'
    fi
fi

hdr "$seeddir on the disk after the boot"
img=$work/disk.img
if ! boot_disk_exists "$img" "$seeddir"; then
    echo "(missing)"
else
    printf '%-8s %-5s %-5s %6s  %s\n' mode uid gid size name
    # debugfs "ls -p": /inode/mode(octal)/uid/gid/name/size/
    debugfs -R "ls -p $seeddir" "$img" 2>/dev/null |
        awk -F/ 'NF >= 7 { printf "%-8s %-5s %-5s %6s  %s\n", $3, $4, $5, $7, $6 }'
    if boot_disk_exists "$img" "$seeddir/seed.credit"; then
        after=$(boot_disk_cat "$img" "$seeddir/seed.credit" | digest8)
        if [ "$after" = "$before" ]; then verdict=unchanged; else verdict=changed; fi
        echo "seed.credit sha256: before $before.., after $after.. -> $verdict"
    else
        echo "seed.credit sha256: before $before.., after: file gone"
    fi
fi
