# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/root/lib.sh: a real Debian 12 root for the boot tests of bootseed's
# dracut module, initramfs-tools hook and systemd unit (sourced by bash, after
# tests/boot/lib.sh, whose boot_qemu boots it).
#
#   root_base_fetch       mmdebstrap --variant=minbase of ROOT_PKGS into a
#                         tarball in $BOOT_CACHE, keyed on a hash of the
#                         package list and options; built once, then reused.
#                         Sets ROOT_TAR, ROOT_KVER.
#   root_stage DIR        unpack the base into DIR, `make install DESTDIR=DIR`,
#                         and add the test-only units (keygen, done).
#   root_chroot DIR CMD.. run CMD in DIR in a private mount namespace with
#                         /proc, /sys, /dev (and a tmpfs /run, /tmp).
#   root_initramfs DIR FLAVOUR OUT
#                         FLAVOUR = initramfs-tools | dracut-systemd |
#                         dracut-classic: build the image inside DIR.
#   root_image DIR OUT    ext4 image of DIR (label bootseed-root).
#
# The kernel is the 6.1 linux-image package tests/boot/lib.sh fetches, here
# installed into the root (so both initramfs builders find /lib/modules).

ROOT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_TOP=$(cd "$ROOT_LIB_DIR/../.." && pwd)
: "${BOOT_CACHE:=$ROOT_TOP/build/cache}"
ROOT_MIRRORS=(
	"deb http://deb.debian.org/debian bookworm main"
	"deb http://deb.debian.org/debian bookworm-updates main"
	"deb http://deb.debian.org/debian-security bookworm-security main"
)
# The bootseed binary's run-time libraries are listed too: copy_exec and
# dracut's inst copy them from the root (until the binary is static).
ROOT_PKGS_BASE="systemd systemd-sysv udev kmod initramfs-tools busybox zstd
dracut-core openssh-server libkmod2 libtss2-sys1 libtss2-mu0 libtss2-tcti-device0"

root_err() { echo "root: $*" >&2; }

# root_base_fetch: needs boot_kernel_fetch 6.1 to have resolved BOOT_KPKG.
root_base_fetch() {
	local pkgs key dir
	[ -n "${BOOT_KPKG:-}" ] || { root_err "call boot_kernel_fetch 6.1 first"; return 1; }
	# shellcheck disable=SC2086 # the list is split into words on purpose
	pkgs=$(echo $ROOT_PKGS_BASE "$BOOT_KPKG" | tr ' ' '\n' | sort | tr '\n' ' ')
	# Bump v1 when the recipe below changes.
	key=$(printf '%s\n' "v1" "$pkgs" "${ROOT_MIRRORS[@]}" | sha256sum | cut -c1-16)
	dir=$BOOT_CACHE/debian-root
	ROOT_TAR=$dir/root-$key.tar
	# shellcheck disable=SC2153 # BOOT_KVER: set by boot_kernel_fetch
	ROOT_KVER=$BOOT_KVER
	export ROOT_TAR ROOT_KVER
	[ -f "$ROOT_TAR" ] && return 0
	command -v mmdebstrap >/dev/null || { root_err "mmdebstrap missing (tests/install-deps.sh)"; return 1; }
	mkdir -p "$dir" || return 1
	(
		flock 9
		[ -f "$ROOT_TAR" ] && exit 0
		echo "root: building the Debian 12 root ($key), once" >&2
		# MODULES=list (and an empty list) before the kernel's postinst runs
		# keeps the throw-away initramfs it builds small and quick.
		# shellcheck disable=SC2016 # $1 is mmdebstrap's, expanded by its hook
		mmdebstrap --variant=minbase --mode=root --format=tar \
			--include="$(echo "$pkgs" | tr ' ' ',' | sed 's/,$//')" \
			--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list >"$1/etc/initramfs-tools/conf.d/bootseed-test"' \
			--customize-hook='rm -f "$1"/boot/initrd.img-*' \
			bookworm "$ROOT_TAR.tmp" "${ROOT_MIRRORS[@]}" >"$dir/mmdebstrap.log" 2>&1 ||
			{ tail -n 30 "$dir/mmdebstrap.log" >&2; root_err "mmdebstrap failed"; exit 1; }
		mv "$ROOT_TAR.tmp" "$ROOT_TAR"
	) 9>"$dir/lock" || { rm -f "$ROOT_TAR.tmp"; return 1; }
}

# root_chroot DIR CMD...: CMD inside DIR with the live /proc, /sys and /dev,
# in a mount namespace of its own (nothing is left mounted afterwards).
root_chroot() {
	local dir=${1:?root_chroot DIR CMD...}
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -c '
		d=$1; shift
		mount -t proc proc "$d/proc" &&
		mount --rbind /sys "$d/sys" &&
		mount --rbind /dev "$d/dev" &&
		mount -t tmpfs tmpfs "$d/run" &&
		mount -t tmpfs tmpfs "$d/tmp" || exit 1
		exec chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
		root-chroot "$dir" "$@"
}

# root_stage DIR: the cached base, then bootseed as `make install` puts it
# (PREFIX=/usr, as a package would), then what only the tests need.
root_stage() {
	local dir=${1:?root_stage DIR} f
	[ -f "${ROOT_TAR:-}" ] || { root_err "call root_base_fetch first"; return 1; }
	rm -rf "$dir"
	mkdir -p "$dir" || return 1
	tar -C "$dir" --numeric-owner -xpf "$ROOT_TAR" || { root_err "unpacking $ROOT_TAR failed"; return 1; }
	# -o: install the binary already built (make check builds it first), never
	# rebuild it from here.
	make -s --no-print-directory -C "$ROOT_TOP" -o build/bootseed install DESTDIR="$dir" PREFIX=/usr ||
		{ root_err "make install DESTDIR=$dir failed"; return 1; }
	# What an administrator does after installing (README, "Installing").
	mkdir -p "$dir/etc/systemd/system/sysinit.target.wants"
	ln -sf /usr/lib/systemd/system/bootseed.service \
		"$dir/etc/systemd/system/sysinit.target.wants/bootseed.service"

	# A machine never booted: no machine-id, no seed, no ssh host keys.
	echo uninitialized >"$dir/etc/machine-id"
	rm -f "$dir"/etc/ssh/ssh_host_*_key "$dir"/etc/ssh/ssh_host_*_key.pub
	rm -rf "$dir/var/lib/bootseed" "$dir/var/lib/systemd/random-seed"
	echo testvm >"$dir/etc/hostname"
	# As Debian's installer writes it: read-write, checked at boot (pass 1).
	echo 'LABEL=bootseed-root / ext4 errors=remount-ro 0 1' >"$dir/etc/fstab"
	printf '%s\n' ahci sd_mod ext4 crc32c_generic >"$dir/etc/initramfs-tools/modules"
	# The fsck hook finds the root's type from its device, which a chroot
	# build cannot see: name it, so the image checks the root as on the
	# installed machine (and leaves /run/initramfs/fsck-root).
	echo FSTYPE=ext4 >"$dir/etc/initramfs-tools/conf.d/bootseed-test-fstype"
	# How the root is mounted when each initramfs hands over (the tests read it).
	install -D -m 0755 "$ROOT_LIB_DIR/init-bottom-bootseed-test" \
		"$dir/etc/initramfs-tools/scripts/init-bottom/bootseed-test" || return 1
	mkdir -p "$dir/usr/lib/dracut/modules.d/99bootseedtest" &&
		install -m 0755 "$ROOT_LIB_DIR"/dracut-bootseedtest/*.sh \
			"$dir/usr/lib/dracut/modules.d/99bootseedtest/" || return 1

	# Debian 12's ssh.service makes no host keys (openssh-server's postinst
	# does); a first-boot image needs a unit that makes them: this one, named
	# like Fedora's, runs ssh-keygen before ssh.service.
	for f in sshd-keygen.service bootseed-test-done.service; do
		install -m 0644 "$ROOT_LIB_DIR/$f" "$dir/etc/systemd/system/$f" || return 1
	done
	install -m 0755 "$ROOT_LIB_DIR/bootseed-test-done" "$dir/usr/local/sbin/bootseed-test-done" || return 1
	# e2scrub_reap has nothing to do here and takes a minute under TCG.
	ln -sf /dev/null "$dir/etc/systemd/system/e2scrub_reap.service"
	mkdir -p "$dir/etc/systemd/system/ssh.service.wants"
	ln -sf /etc/systemd/system/sshd-keygen.service \
		"$dir/etc/systemd/system/ssh.service.wants/sshd-keygen.service"
}

# root_initramfs DIR FLAVOUR OUT LOG: build the initramfs inside DIR, for
# kernel $ROOT_KVER, with dracut's modules $ROOT_DRACUT_MODULES if set (bench/).
root_initramfs() {
	local dir=${1:?root_initramfs DIR FLAVOUR OUT LOG} flavour=${2:?FLAVOUR} out=${3:?OUT}
	local log=${4:?LOG} img=/boot/initrd.test rc=0
	local drivers="ahci sd_mod ext4 crc32c_generic"
	# A short module list, not host-only (the build host is not the guest).
	local dmods=${ROOT_DRACUT_MODULES:-bootseed base rootfs-block fs-lib udev-rules bootseedtest}
	case $flavour in
	initramfs-tools)
		root_chroot "$dir" mkinitramfs -o "$img" "$ROOT_KVER" >"$log" 2>&1 || rc=$? ;;
	dracut-systemd)
		root_chroot "$dir" dracut --force --no-hostonly --no-early-microcode --compress=zstd \
			--modules "$dmods systemd systemd-initrd dracut-systemd" --drivers "$drivers" \
			"$img" "$ROOT_KVER" >"$log" 2>&1 || rc=$? ;;
	dracut-classic)
		root_chroot "$dir" dracut --force --no-hostonly --no-early-microcode --compress=zstd \
			--modules "$dmods" --omit "systemd systemd-initrd dracut-systemd" \
			--drivers "$drivers" "$img" "$ROOT_KVER" >"$log" 2>&1 || rc=$? ;;
	*) root_err "unknown flavour $flavour"; return 1 ;;
	esac
	if [ "$rc" -ne 0 ] || [ ! -s "$dir$img" ]; then
		root_err "$flavour: building the initramfs failed (rc $rc, $log)"
		return 1
	fi
	mv "$dir$img" "$out"
}

# root_image DIR OUT: an ext4 image of DIR (owners and modes kept).
root_image() {
	local dir=${1:?root_image DIR OUT} out=${2:?OUT} mb
	mb=$(du -sm "$dir" | cut -f1)
	rm -f "$out"
	truncate -s "$((mb + mb / 2 + 256))M" "$out" || return 1
	mkfs.ext4 -q -F -L bootseed-root -d "$dir" "$out" || { root_err "mkfs.ext4 -d $dir failed"; return 1; }
}
