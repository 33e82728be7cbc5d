#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/tpm-ab.sh A_BIN B_BIN [BOOTS]: what two static bootseed binaries pay
# for one TPM read, side by side in the same guest, so that boot-to-boot and
# host noise cancel out. Boots Debian's 6.1 under QEMU (TCG) with swtpm behind
# tpm-tis (tests/boot/lib.sh), BOOTS times (default 2); in each boot /init runs
# `bootseed load --stage early` 12 times per binary, alternating A and B, and
# prints per run the ms from its start to bootseed's "tpm:" kernel log line
# (exec, config, the TPM read) and to its exit. The first run of each boot is
# cold (page cache). Not part of `make bench`: a tool for one question, e.g.
#   bench/tpm-ab.sh /tmp/bootseed.before build/bootseed
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/boot/lib.sh
A=${1:?usage: bench/tpm-ab.sh A_BIN B_BIN [BOOTS]} B=${2:?B_BIN} BOOTS=${3:-2}
W=$(mktemp -d /tmp/bootseed-tpm-ab-XXXXXX)
trap 'boot_cleanup; rm -rf "$W"' EXIT
cat >"$W/init" <<'EOF'
#!/bin/sh
PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
dmesg -n 1
i=0
while [ ! -c /dev/tpmrm0 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
for r in 1 2 3 4 5 6 7 8 9 10 11 12; do
	for v in a b; do
		echo "abtest: start $v" >/dev/kmsg
		/bin/bootseed-$v load --stage early >/dev/null 2>&1
		echo "abtest: end $v" >/dev/kmsg
	done
done
echo "BOOTTEST: kmsg-begin"
dmesg | grep -E 'abtest:|bootseed: tpm:'
echo "BOOTTEST: kmsg-end"
poweroff -f
EOF
boot_kernel_fetch 6.1 || exit 1
mkdir -p "$W/stage"
boot_disk_image "$W/disk.img" "$W/stage" 8 || exit 1
BOOTSEED_BIN=$B BOOT_STATIC_BIN=1 boot_initramfs "$W/initrd" "$W/init" \
	"$A:/bin/bootseed-a" "$B:/bin/bootseed-b" || exit 1
for n in $(seq "$BOOTS"); do
	BOOT_FSCK=0 BOOT_TPM=1 boot_qemu "$W/boot$n.log" "$W/disk.img" >/dev/null 2>&1
	echo "boot $n ($BOOT_SECONDS s): ms from start to the tpm: line / to exit"
	boot_log_section "$W/boot$n.log" kmsg | awk -F'[][]' '
		/abtest: start/ { s = $2; v = substr($NF, length($NF)) }
		/bootseed: tpm:/ { t[v] = t[v] " " int(($2 - s) * 1000) }
		/abtest: end/ { e[v] = e[v] " " int(($2 - s) * 1000) }
		END { print "  A tpm:" t["a"] "\n  B tpm:" t["b"] "\n  A exit:" e["a"] "\n  B exit:" e["b"] }'
done
