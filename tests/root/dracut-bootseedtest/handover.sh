#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Test root only: the root's mount state at the hand-over, in the kernel log.
r=none
while read -r _ mp _ opts _; do
	[ "$mp" = "${NEWROOT:-/sysroot}" ] && r=${opts%%,*}
done </proc/mounts
echo "<5>BOOTTEST: root at hand-over: $r" >/dev/kmsg
