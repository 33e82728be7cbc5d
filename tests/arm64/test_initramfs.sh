#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The initramfs-tools hook and the dracut module on arm64: `make install
# ARCH=arm64` into the Debian 12 root of the root boot tests (tests/root/lib.sh,
# cached), Debian's arm64 6.1 modules put in its /lib/modules, then
# mkinitramfs and dracut run inside it for that kernel. The module paths are
# the same as on x86-64, the set is not (board and SoC drivers): each image must
# hold the arm64 binary and every module of drivers/char/hw_random and
# drivers/char/tpm of the arm64 tree, and the virtio transports. (The images'
# userspace is the root's, x86-64: they are listed and unpacked, not booted;
# the arm64 boots are test_boot.sh's.)
set -u
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/boot/lib.sh"
. "$T_TOP/tests/root/lib.sh"
t_need unshare chroot readelf cpio
W=$(mktemp -d /tmp/bootseed-arm64-initramfs-XXXXXX)
trap 'rm -rf "$W"' EXIT
[ -x "$T_TOP/build/arm64/bootseed" ] || { t_fail "no build/arm64/bootseed (make ARCH=arm64)"; t_done; }

# The root (x86-64, built once for the root boot tests) and the arm64 kernel.
if ! boot_kernel_fetch 6.1 || ! root_base_fetch; then
	t_fail "the Debian 12 root (tests/root/lib.sh root_base_fetch)"
	t_done
fi
if ! BOOT_ARCH=arm64 boot_kernel_fetch 6.1; then
	t_fail "Debian's arm64 6.1 kernel"
	t_done
fi
AKVER=$BOOT_KVER AMOD=$BOOT_MODDIR
R=$W/root
mkdir -p "$R" && tar -C "$R" --numeric-owner -xpf "$ROOT_TAR" ||
	{ t_fail "unpacking $ROOT_TAR"; t_done; }
# Hard links: nothing in the root writes to the module tree.
cp -al "$AMOD" "$R/lib/modules/$AKVER" 2>/dev/null || cp -a "$AMOD" "$R/lib/modules/$AKVER" ||
	{ t_fail "copying the arm64 modules into the root"; t_done; }
cp "$BOOT_KROOT/boot/config-$AKVER" "$R/boot/" || { t_fail "arm64 kernel config"; t_done; }
if ! make -s --no-print-directory -C "$T_TOP" -o build/arm64/bootseed install ARCH=arm64 \
	DESTDIR="$R" PREFIX=/usr >"$W/install.log" 2>&1; then
	cat "$W/install.log"
	t_fail "make install ARCH=arm64 DESTDIR=root"
	t_done
fi
t_check "make install ARCH=arm64: /usr/sbin/bootseed is the aarch64 binary" \
	cmp -s "$T_TOP/build/arm64/bootseed" "$R/usr/sbin/bootseed"

# The drivers the images must hold: the tree's, by path (as the hook finds them).
(cd "$AMOD" && find kernel/drivers/char/hw_random kernel/drivers/char/tpm -name '*.ko*') |
	sed 's/\.ko.*$//' | sort >"$W/want"
echo "    arm64 $AKVER RNG and TPM modules: $(sed 's|.*/||' "$W/want" | paste -sd' ')"
t_check "the arm64 set has the board drivers (bcm2835-rng, iproc-rng200, tpm_tis_spi)" \
	bash -c "grep -q '/bcm2835-rng\$' '$W/want' && grep -q '/iproc-rng200\$' '$W/want' && grep -q '/tpm_tis_spi\$' '$W/want'"

# check_image NAME IMAGE: unpacked in the root, then its contents checked.
check_image() {
	local n=$1 img=$2 u=$R/root/unpack-$1
	mkdir -p "$u"
	if ! root_chroot "$R" unmkinitramfs "${img#"$R"}" "${u#"$R"}" >"$W/unpack-$n.log" 2>&1; then
		cat "$W/unpack-$n.log"
		t_fail "$n: cannot unpack the image"
		return
	fi
	# unmkinitramfs puts the main archive in main/ when there is an early one.
	[ -d "$u/main" ] && u=$u/main
	t_check "$n: /usr/sbin/bootseed in the image is the arm64 binary" \
		cmp -s "$T_TOP/build/arm64/bootseed" "$u/usr/sbin/bootseed"
	(cd "$u/lib/modules/$AKVER" 2>/dev/null || cd "$u/usr/lib/modules/$AKVER" &&
		find kernel/drivers/char/hw_random kernel/drivers/char/tpm -name '*.ko*') |
		sed 's/\.ko.*$//' | sort >"$W/have-$n"
	t_check "$n: every arm64 hw_random and tpm module is in ($(wc -l <"$W/want"))" \
		bash -c "[ -s '$W/want' ] && [ -z \"\$(comm -23 '$W/want' '$W/have-$n')\" ]"
	t_check "$n: the virtio transports virtio_pci and virtio_mmio are in" \
		bash -c "find '$u' -name 'virtio_pci.ko*' | grep -q . && find '$u' -name 'virtio_mmio.ko*' | grep -q ."
	t_check "$n: /etc/bootseed.conf is in" test -f "$u/etc/bootseed.conf"
}

# initramfs-tools, as the root tests build it (MODULES=list).
if root_chroot "$R" mkinitramfs -o /boot/initrd.itools "$AKVER" >"$W/itools.log" 2>&1; then
	t_ok "initramfs-tools: mkinitramfs for $AKVER"
	check_image initramfs-tools "$R/boot/initrd.itools"
	t_check "initramfs-tools: the init-premount and local-bottom scripts are in" \
		bash -c "ls '$R'/root/unpack-initramfs-tools/{,main/}scripts/init-premount/bootseed \
			'$R'/root/unpack-initramfs-tools/{,main/}scripts/local-bottom/bootseed 2>/dev/null | grep -c . | grep -qx 2"
else
	tail -n 20 "$W/itools.log"
	t_fail "initramfs-tools: mkinitramfs for $AKVER"
fi

# dracut with the systemd initrd, not host-only, as the root tests build it.
if root_chroot "$R" dracut --force --no-hostonly --no-early-microcode --compress=gzip \
	--modules "bootseed base systemd systemd-initrd dracut-systemd" /boot/initrd.dracut "$AKVER" \
	>"$W/dracut.log" 2>&1; then
	t_ok "dracut: image for $AKVER"
	check_image dracut "$R/boot/initrd.dracut"
	t_check "dracut: the two units are in" \
		bash -c "find '$R/root/unpack-dracut' -name 'bootseed-early.service' | grep -q . &&
			find '$R/root/unpack-dracut' -name 'bootseed-late.service' | grep -q ."
else
	tail -n 20 "$W/dracut.log"
	t_fail "dracut: image for $AKVER"
fi
t_done
