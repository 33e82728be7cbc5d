#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fault/eio_init.sh - /init for test_boot.sh's real I/O error case (busybox
# sh). Mounts the ext4 test disk, reads the seed once (so it is in the page
# cache), then removes the disk from under ext4 (/sys/block/sda/device/delete):
# from then on every write and flush to it fails with an I/O error. Then runs
# `bootseed save --root /mnt` and prints "BOOTTEST: ..." markers, as init.sh.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
say() { echo "BOOTTEST: $*"; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
dmesg -n 1
for m in ahci sd_mod crc32c_generic ext4; do modprobe "$m" || say "modprobe-failed=$m"; done
i=0
while [ ! -b /dev/sda ] && [ "$i" -lt 50 ]; do usleep 100000; i=$((i + 1)); done
if mount -t ext4 -o rw /dev/sda /mnt; then
	say mounted
	# Removing the disk drops every unused cached dentry and inode of it: keep
	# what bootseed reads open, so the I/O error comes from its own writes.
	(cd /mnt/var/lib/bootseed && exec sleep 600) &
	exec 3</mnt/etc/machine-id 4</mnt/var/lib/bootseed/seed.credit
	cat /mnt/var/lib/bootseed/seed.credit >/dev/null
	sync
	echo 1 >/sys/block/sda/device/delete && say disk-removed
	timeout 60 /bin/bootseed save --root /mnt -v
	say "bootseed exit=$?"
else
	say mount-failed
fi
say kmsg-begin
dmesg | grep -E 'bootseed:|EXT4-fs|I/O error'
say kmsg-end
say "done"
poweroff -f
sleep 10
