#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # moddir, initdir, systemdsystemunitdir: set by dracut
# dracut module for bootseed: seed the kernel RNG in the initramfs, early from
# the devices (TPM, hwrng, CPU, after loading their drivers) and late from the
# seed file on the root. Installed as modules.d/50bootseed (see README).
#
# systemd initrd: bootseed-early.service (before cryptsetup-pre.target and
# sysinit.target) and bootseed-late.service (after sysroot.mount, before
# initrd-root-fs.target). Classic initrd: a pre-udev hook and a pre-pivot
# hook. Never both: with dracut-systemd the hooks would run too.
#
# Why 50: the number orders only dracut's own install steps (the boot order
# comes from the units' After=/Before= and the hooks' priorities, 40 in
# pre-udev, 50 in pre-pivot). 50 keeps clear of the systemd modules (00-09)
# and dracut's core range (90kernel-modules .. 99base), in the range dracut
# uses for optional modules (50drm, 50plymouth); nothing depends on the order.

# Where `make install` put the binary on this system (substituted there).
bootseed_bin=@SBINDIR@/bootseed
bootseed_conf=@SYSCONFDIR@/bootseed.conf

# Included whenever bootseed is installed: every machine has a seed file to
# carry across boots, whatever its hardware; the host-only choice is made in
# installkernel().
check() {
    [ -x "$bootseed_bin" ] || return 1
    return 0
}

depends() {
    return 0
}

# The RNG drivers: in host-only mode dracut keeps those the host has loaded;
# otherwise all of hw_random and tpm (the set differs by architecture: the
# board and SoC drivers on arm64), and the virtio transports bootseed loads for
# virtio-rng: virtio_pci, and virtio_mmio (a module on Debian's arm64 kernels,
# for virtio-rng-device on QEMU's virt machine). The driver bootseed loads is
# useless without its bus.
installkernel() {
    # qemu_fw_cfg: fw_cfg, a channel of the host's seed in QEMU VMs.
    instmods '=drivers/char/hw_random' '=drivers/char/tpm' virtio_pci virtio_mmio qemu_fw_cfg
}

install() {
    # The binary always lands in /usr/sbin in the image; inst copies the
    # shared libraries it needs.
    inst "$bootseed_bin" /usr/sbin/bootseed
    [ -f "$bootseed_conf" ] && inst_simple "$bootseed_conf" /etc/bootseed.conf

    if dracut_module_included "systemd-initrd"; then
        inst_simple "$moddir/bootseed-early.service" \
            "$systemdsystemunitdir/bootseed-early.service"
        inst_simple "$moddir/bootseed-late.service" \
            "$systemdsystemunitdir/bootseed-late.service"
        mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants" \
            "$initdir$systemdsystemunitdir/initrd-root-fs.target.wants"
        ln_r "$systemdsystemunitdir/bootseed-early.service" \
            "$systemdsystemunitdir/sysinit.target.wants/bootseed-early.service"
        ln_r "$systemdsystemunitdir/bootseed-late.service" \
            "$systemdsystemunitdir/initrd-root-fs.target.wants/bootseed-late.service"
        # Tells the late stage that the root was checked (bootseed(8), remount).
        inst_simple "$moddir/bootseed-fsck.conf" \
            "$systemdsystemunitdir/systemd-fsck-root.service.d/50-bootseed.conf"
    else
        inst_hook pre-udev 40 "$moddir/bootseed-early.sh"
        inst_hook pre-pivot 50 "$moddir/bootseed-late.sh"
    fi
}
