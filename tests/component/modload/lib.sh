# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/component/modload/lib.sh: fake module trees and /sys trees for
# test_modload.sh, built from a real Debian kernel's modules so that libkmod
# resolves real aliases and dependencies.
#
#   ml_modtree SRC_ROOT KVER DEST MODULE...
#       DEST/lib/modules/KVER with MODULE... and their dependencies copied from
#       SRC_ROOT/lib/modules/KVER at their real relative paths (compressed as
#       shipped), the real modules.builtin/.builtin.modinfo/.order, then
#       depmod -b DEST KVER.
#   ml_device SYSFS BUS DEV MODALIAS
#       SYSFS/devices/fake/DEV/modalias and the symlink SYSFS/bus/BUS/devices/DEV,
#       as the kernel lays them out; MODALIAS "-" makes a device without one.
#   ml_ns CMDLINE SYSMODULE CMD...
#       CMD in a private mount namespace where /proc/cmdline reads CMDLINE and
#       /sys/module is a copy of the directory SYSMODULE: libkmod reads both from
#       the live system and has no API to move them.

ml_modtree() {
	local root kver=$2 dest=$3 src m line path rel f
	root=$(realpath "$1") || return 1
	src=$root/lib/modules/$kver
	shift 3
	mkdir -p "$dest/lib/modules/$kver" || return 1
	for m in "$@"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" >"$dest/.deps" ||
			{ echo "ml_modtree: $m not in $src" >&2; return 1; }
		while read -r line path _; do
			[ "$line" = insmod ] || continue
			rel=${path#"$src"/}
			mkdir -p "$dest/lib/modules/$kver/$(dirname "$rel")"
			cp "$path" "$dest/lib/modules/$kver/$rel" || return 1
		done <"$dest/.deps"
	done
	rm -f "$dest/.deps"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		cp "$src/$f" "$dest/lib/modules/$kver/" || return 1
	done
	depmod -b "$dest" "$kver"
}

ml_device() {
	local sysfs=$1 bus=$2 dev=$3 alias=$4
	mkdir -p "$sysfs/devices/fake/$dev" "$sysfs/bus/$bus/devices" || return 1
	[ "$alias" = - ] || echo "$alias" >"$sysfs/devices/fake/$dev/modalias"
	ln -sfn "../../../devices/fake/$dev" "$sysfs/bus/$bus/devices/$dev"
}

ml_ns() {
	local cmdline=$1 sysmodule=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m bash -c '
		mount --bind "$1" /proc/cmdline &&
		mount -t tmpfs -o mode=0755 ml-sys-module /sys/module &&
		cp -a "$2/." /sys/module/ || exit 99
		shift 2
		exec "$@"' ml_ns "$cmdline" "$sysmodule" "$@"
}
