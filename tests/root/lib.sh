# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/root/lib.sh: a real Debian root (12 bookworm or 13 trixie) for the
# boot tests of bootseed's package, dracut module, initramfs-tools hook and
# systemd unit (sourced by bash, after tests/boot/lib.sh, whose boot_qemu
# boots it).
#
#   ROOT_RELEASE          bookworm (default) or trixie: every function below
#                         works on that release's root.
#   root_base_fetch       mmdebstrap --variant=minbase of the release's
#                         package list into a tarball in $BOOT_CACHE, keyed on
#                         a hash of the list, mirrors and recipe; built once,
#                         then reused. Sets ROOT_TAR, ROOT_KVER.
#   root_unpack DIR       the cached base, unpacked into DIR (nothing else).
#   root_stage DIR [HOW]  root_unpack, then bootseed put in by HOW: "deb"
#                         (default: `apt-get install ./bootseed_*.deb` in the
#                         root, the package from `make deb`) or "make"
#                         (`make install DESTDIR=DIR`, then what README says an
#                         administrator does); then the test-only units.
#   root_chroot DIR CMD.. run CMD in DIR in a private mount namespace with
#                         /proc, /sys, /dev (and a tmpfs /run, /tmp).
#   root_initramfs DIR FLAVOUR OUT
#                         FLAVOUR = initramfs-tools | dracut-systemd |
#                         dracut-classic: build the image inside DIR.
#   root_image DIR OUT    ext4 image of DIR (label bootseed-root).
#
# The kernel is installed into the root as a package (so both initramfs
# builders find /lib/modules): bookworm's 6.1, the one tests/boot/lib.sh
# fetches (boot_kernel_fetch 6.1 first), or trixie's own 6.12
# (linux-image-amd64 from trixie).

ROOT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_TOP=$(cd "$ROOT_LIB_DIR/../.." && pwd)
: "${BOOT_CACHE:=$ROOT_TOP/build/cache}"
: "${ROOT_RELEASE:=bookworm}"
: "${ROOT_DEB_DIR:=$ROOT_TOP/build/deb}"
# Per release: the mirrors, the packages and the cache directory.
case $ROOT_RELEASE in
bookworm)
	ROOT_MIRRORS=(
		"deb http://deb.debian.org/debian bookworm main"
		"deb http://deb.debian.org/debian bookworm-updates main"
		"deb http://deb.debian.org/debian-security bookworm-security main"
	)
	# The libraries of a dynamic bootseed are listed too (copy_exec and
	# dracut's inst copy them from the root); kept so the cached root
	# stays valid.
	ROOT_PKGS_BASE="systemd systemd-sysv udev kmod initramfs-tools busybox zstd
dracut-core openssh-server libkmod2 libtss2-sys1 libtss2-mu0 libtss2-tcti-device0"
	ROOT_EXTRA_DEBS=""
	ROOT_CACHE_DIR=$BOOT_CACHE/debian-root
	ROOT_NAME="Debian 12" ;;
trixie)
	ROOT_MIRRORS=(
		"deb http://deb.debian.org/debian trixie main"
		"deb http://deb.debian.org/debian trixie-updates main"
		"deb http://deb.debian.org/debian-security trixie-security main"
	)
	# Trixie's own kernel (6.12); dracut-core, not dracut, which conflicts
	# with initramfs-tools there (both builders in one root, as on bookworm).
	ROOT_PKGS_BASE="systemd systemd-sysv udev kmod initramfs-tools busybox zstd
dracut-core openssh-server linux-image-amd64"
	# dracut itself (it conflicts with initramfs-tools) is only downloaded,
	# into /opt/bootseed-test/debs, for the package test to switch to it.
	ROOT_EXTRA_DEBS="dracut"
	ROOT_CACHE_DIR=$BOOT_CACHE/debian-root-trixie
	ROOT_NAME="Debian 13" ;;
*)
	echo "root: unknown ROOT_RELEASE $ROOT_RELEASE (bookworm or trixie)" >&2
	return 1 ;;
esac

root_err() { echo "root: $*" >&2; }

# root_base_fetch: on bookworm, needs boot_kernel_fetch 6.1 to have resolved
# BOOT_KPKG.
root_base_fetch() {
	local pkgs key dir=$ROOT_CACHE_DIR kpkg=
	if [ "$ROOT_RELEASE" = bookworm ]; then
		[ -n "${BOOT_KPKG:-}" ] || { root_err "call boot_kernel_fetch 6.1 first"; return 1; }
		kpkg=$BOOT_KPKG
	fi
	# shellcheck disable=SC2086 # the list is split into words on purpose
	pkgs=$(echo $ROOT_PKGS_BASE $kpkg | tr ' ' '\n' | sort | tr '\n' ' ')
	# Bump v1 when the recipe below changes (the extra debs are recipe of
	# their own: none keeps the bookworm key as it was).
	key=$(printf '%s\n' "v1" "$pkgs" "${ROOT_MIRRORS[@]}" ${ROOT_EXTRA_DEBS:+"debs: $ROOT_EXTRA_DEBS"} |
		sha256sum | cut -c1-16)
	ROOT_TAR=$dir/root-$key.tar
	export ROOT_TAR
	if [ ! -f "$ROOT_TAR" ]; then
		_root_mmdebstrap "$pkgs" "$key" || return 1
	fi
	# The kernel version: bookworm's is the one boot_kernel_fetch unpacked;
	# trixie's is whatever linux-image-amd64 was when the root was made.
	if [ "$ROOT_RELEASE" = bookworm ]; then
		# shellcheck disable=SC2153 # BOOT_KVER: set by boot_kernel_fetch
		ROOT_KVER=$BOOT_KVER
	else
		[ -s "$ROOT_TAR.kver" ] ||
			tar -tf "$ROOT_TAR" | sed -n 's|^\./boot/vmlinuz-||p' | head -n 1 >"$ROOT_TAR.kver"
		ROOT_KVER=$(cat "$ROOT_TAR.kver")
		[ -n "$ROOT_KVER" ] || { root_err "no kernel in $ROOT_TAR"; rm -f "$ROOT_TAR.kver"; return 1; }
	fi
	export ROOT_KVER
}

# _root_mmdebstrap PKGS KEY: build $ROOT_TAR (once, under a lock).
_root_mmdebstrap() {
	local pkgs=$1 key=$2 dir=$ROOT_CACHE_DIR
	command -v mmdebstrap >/dev/null || { root_err "mmdebstrap missing (tests/install-deps.sh)"; return 1; }
	local -a hook=()
	[ -z "$ROOT_EXTRA_DEBS" ] ||
		hook=(--customize-hook="mkdir -p \"\$1/opt/bootseed-test/debs\" && chroot \"\$1\" sh -c 'cd /opt/bootseed-test/debs && for p in $ROOT_EXTRA_DEBS; do apt-get download -q \$p || exit 1; done'")
	mkdir -p "$dir" || return 1
	(
		flock 9
		[ -f "$ROOT_TAR" ] && exit 0
		echo "root: building the $ROOT_NAME root ($key), once" >&2
		# MODULES=list (and an empty list) before the kernel's postinst runs
		# keeps the throw-away initramfs it builds small and quick.
		# shellcheck disable=SC2016 # $1 is mmdebstrap's, expanded by its hook
		mmdebstrap --variant=minbase --mode=root --format=tar \
			--include="$(echo "$pkgs" | tr ' ' ',' | sed 's/,$//')" \
			--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list >"$1/etc/initramfs-tools/conf.d/bootseed-test"' \
			--customize-hook='rm -f "$1"/boot/initrd.img-*' \
			${hook[@]+"${hook[@]}"} \
			"$ROOT_RELEASE" "$ROOT_TAR.tmp" "${ROOT_MIRRORS[@]}" >"$dir/mmdebstrap.log" 2>&1 ||
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

# root_unpack DIR: the cached base in DIR, nothing else.
root_unpack() {
	local dir=${1:?root_unpack DIR}
	[ -f "${ROOT_TAR:-}" ] || { root_err "call root_base_fetch first"; return 1; }
	rm -rf "$dir"
	mkdir -p "$dir" || return 1
	tar -C "$dir" --numeric-owner -xpf "$ROOT_TAR" || { root_err "unpacking $ROOT_TAR failed"; return 1; }
}

# root_deb [VERSION]: the path of the package `make deb` built (default: the
# version debian/changelog names).
# shellcheck disable=SC2120 # VERSION is optional (tests/root/package.sh passes one)
root_deb() {
	local v=${1:-}
	[ -n "$v" ] || v=$(cd "$ROOT_TOP" && dpkg-parsechangelog -S Version) || return 1
	echo "$ROOT_DEB_DIR/bootseed_${v}_$(dpkg --print-architecture).deb"
}

# root_apt DIR LOG APT-ARGS...: apt-get in the root, offline (the package
# brings no dependency the root lacks), output to LOG.
root_apt() {
	local dir=$1 log=$2
	shift 2
	root_chroot "$dir" env DEBIAN_FRONTEND=noninteractive \
		apt-get -q -y -o Dpkg::Use-Pty=0 "$@" >"$log" 2>&1
}

# root_install_deb DIR DEB LOG: `apt-get install ./DEB` inside DIR, as a user
# installs the package (README, "Installing").
root_install_deb() {
	local dir=$1 deb=$2 log=$3
	[ -f "$deb" ] || { root_err "no package $deb (make deb)"; return 1; }
	mkdir -p "$dir/opt/bootseed-test" && cp "$deb" "$dir/opt/bootseed-test/" || return 1
	root_apt "$dir" "$log" install "./opt/bootseed-test/${deb##*/}" ||
		{ tail -n 20 "$log" >&2; root_err "apt-get install ${deb##*/} failed ($log)"; return 1; }
}

# root_stage DIR [HOW [LOG]]: the cached base with bootseed installed by HOW
# (make: `make install` as README says for other systems, then the unit
# enabled by hand; deb: `apt-get install ./bootseed_*.deb`, whose scripts
# enable it; apt's output in LOG), then a machine never booted and the
# test-only units.
root_stage() {
	local dir=${1:?root_stage DIR [HOW [LOG]]} how=${2:-make} log=${3:-/dev/null}
	root_unpack "$dir" || return 1
	case $how in
	make)
		# -o: install the binary already built (make check builds it
		# first), never rebuild it from here.
		make -s --no-print-directory -C "$ROOT_TOP" -o build/bootseed install DESTDIR="$dir" PREFIX=/usr ||
			{ root_err "make install DESTDIR=$dir failed"; return 1; }
		# What an administrator does after installing (README, "Installing").
		mkdir -p "$dir/etc/systemd/system/sysinit.target.wants"
		ln -sf /usr/lib/systemd/system/bootseed.service \
			"$dir/etc/systemd/system/sysinit.target.wants/bootseed.service" ;;
	deb)
		root_install_deb "$dir" "$(root_deb)" "$log" || return 1 ;;
	*) root_err "root_stage: HOW is make or deb, not $how"; return 1 ;;
	esac

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

	install -m 0644 "$ROOT_LIB_DIR/bootseed-test-done.service" "$dir/etc/systemd/system/" || return 1
	install -m 0755 "$ROOT_LIB_DIR/bootseed-test-done" "$dir/usr/local/sbin/bootseed-test-done" || return 1
	# e2scrub_reap has nothing to do here and takes a minute under TCG.
	ln -sf /dev/null "$dir/etc/systemd/system/e2scrub_reap.service"
	if [ "$ROOT_RELEASE" = bookworm ]; then
		# Debian 12's ssh.service makes no host keys (openssh-server's
		# postinst does); a first-boot image needs a unit that makes them:
		# this one, named like Fedora's and trixie's, runs ssh-keygen
		# before ssh.service.
		install -m 0644 "$ROOT_LIB_DIR/sshd-keygen.service" "$dir/etc/systemd/system/" || return 1
		mkdir -p "$dir/etc/systemd/system/ssh.service.wants"
		ln -sf /etc/systemd/system/sshd-keygen.service \
			"$dir/etc/systemd/system/ssh.service.wants/sshd-keygen.service"
	else
		# Debian 13 has its own sshd-keygen.service (ssh-keygen -A on the
		# first boot, before ssh.service): only a marker in the kernel log
		# for the tests to time it by.
		mkdir -p "$dir/etc/systemd/system/sshd-keygen.service.d"
		install -m 0644 "$ROOT_LIB_DIR/sshd-keygen-marker.conf" \
			"$dir/etc/systemd/system/sshd-keygen.service.d/" || return 1
	fi
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
