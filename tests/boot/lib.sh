# shellcheck shell=bash
# tests/boot/lib.sh - QEMU boot-test harness for bootseed (sourced by bash).
#
# Boots a stock Debian kernel (fetched with apt-get download, unpacked into
# build/cache, never installed) under QEMU/TCG with a busybox initramfs that
# runs tests/boot/init.sh, and an ext4 disk image built with mkfs.ext4 -d.
# BOOT_ARCH=arm64 does the same for Debian's arm64 kernel, busybox-static:arm64
# and build/arm64/bootseed on qemu-system-aarch64's virt machine.
#
# Host requirements (Debian 12, run as root): qemu-system-x86, busybox-static,
# kmod (depmod/modprobe), e2fsprogs, cpio, gzip, xz-utils, zstd; swtpm for
# BOOT_TPM=1.  apt-get download needs current package lists: the caller runs
# `apt-get update` once beforehand (this file never does).
#
# Functions (each returns non-zero and prints "boot: ..." to stderr on error):
#   boot_kernel_fetch SERIES          SERIES = 6.1 | 6.12 ; sets BOOT_KVER,
#                                     BOOT_KPKG, BOOT_VMLINUZ, BOOT_KROOT,
#                                     BOOT_MODDIR.  Cached, idempotent.
#   boot_initramfs OUT INIT [SRC[:DEST]...]
#                                     gzip newc cpio: busybox, INIT as /init,
#                                     $BOOTSEED_BIN as /bin/bootseed (alone if
#                                     static, else + ldd libs), ahci/sd/ext4
#                                     modules (+ deps and $BOOT_EXTRA_MODULES).
#                                     Sets BOOT_INITRD.
#   boot_disk_image OUT DIR SIZE_MB   mkfs.ext4 -d DIR (owners/modes kept).
#   boot_disk_fsck IMAGE              e2fsck -fy; rc 0 clean, 1 fixed, >1 bad.
#   boot_disk_exists IMAGE PATH       rc 0 if PATH exists in the image.
#   boot_disk_cat IMAGE PATH          file content to stdout (rc 1: missing).
#   boot_disk_stat IMAGE PATH         "type=regular mode=0400 uid=0 gid=0 size=32"
#   boot_disk_ls IMAGE PATH           debugfs "ls -l" listing.
#   boot_qemu LOG IMAGE [KARGS...]    boot once; serial console -> LOG.
#                                     Returns qemu's rc (124 = timeout).  Sets
#                                     BOOT_QEMU_RC, BOOT_FSCK_RC, BOOT_SECONDS.
#   boot_log_clean LOG                LOG without CRs / NULs (stdout).
#   boot_log_has LOG ERE              grep -Eq on the cleaned log.
#   boot_log_marker LOG KEY           value of "BOOTTEST: KEY=VALUE" (last one).
#   boot_log_section LOG NAME         lines between "BOOTTEST: NAME-begin/-end".
#   boot_cleanup                      kill a leftover swtpm (for EXIT traps).
#
# Environment:
#   BOOT_ARCH         amd64 (default) or arm64: the Debian architecture of the
#                     kernel, busybox and default BOOTSEED_BIN, and the QEMU
#                     machine (x86: q35, qemu64, ttyS0; arm64: virt with
#                     dtb-randomness=off, BOOT_CPU, ttyAMA0); both boot the
#                     disk on an AHCI controller, so no virtio is there unless
#                     asked for.  Read at each call.
#   BOOT_CPU          arm64 CPU model (default cortex-a57: no FEAT_RNG)
#   BOOT_CACHE        kernel cache root (default <repo>/build/cache)
#   BOOT_KERNEL_PKG   force the linux-image package for boot_kernel_fetch
#   BOOTSEED_BIN      bootseed binary (default <repo>/build/bootseed, with
#                     BOOT_ARCH=arm64 <repo>/build/arm64/bootseed)
#   BOOT_STATIC_BIN   1: BOOTSEED_BIN must be fully static (no PT_INTERP, no
#                     NEEDED) and goes in alone; 0: its ldd libraries are copied
#                     too (test builds).  Default 1 for the shipped binary
#                     (<repo>/build/bootseed, <repo>/build/arm64/bootseed), else 0.
#   BOOT_EXTRA_MODULES  extra modules (with deps) for the initramfs, e.g.
#                     "virtio_rng virtio_pci"; default none (no virtio at all)
#   BOOT_KEEP_COMPRESSED_MODULES  modules (with deps) copied as shipped,
#                     not decompressed (for bootseed's own libkmod to load)
#   BOOT_TIMEOUT      seconds before qemu is killed (default 120)
#   BOOT_MEM          guest RAM in MiB (default 512)
#   BOOT_APPEND       replaces the base cmdline (default "console=ttyS0
#                     random.trust_cpu=off panic=-1", ttyAMA0 on arm64)
#   BOOT_TPM=1        attach a fresh swtpm TPM 2.0 (tpm-tis) for this boot
#                     (x86 only: Debian's arm64 kernels have no tpm_tis driver)
#   BOOT_SWTPM_STATE  with BOOT_TPM=1: keep the TPM's state in this directory
#                     across boots (an NV counter, the owner seed); default a
#                     fresh state per boot
#   BOOT_SWTPM_ARGS   extra swtpm arguments (word-split); none are needed
#   BOOT_SWTPM_LOGLEVEL  swtpm --log level (default 1), log in LOG.tpm/
#   BOOT_VIRTIO_RNG=1 add -device virtio-rng-pci (=device: virtio-rng-device,
#                     virtio over MMIO, arm64's virt only)
#   BOOT_QEMU_ARGS    extra qemu arguments (word-split)
#   BOOT_FSCK=0       skip the e2fsck -fy of IMAGE after the boot
#
# QEMU exits 0 even after a guest panic (-no-reboot, panic=-1): judge a boot
# by the BOOTTEST markers in LOG, e.g. `boot_log_has "$log" '^BOOTTEST: done'`.

PATH="$PATH:/usr/sbin:/sbin"

BOOT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BOOT_TOP=$(cd "$BOOT_LIB_DIR/../.." && pwd)
: "${BOOT_CACHE:=$BOOT_TOP/build/cache}"
BOOT_SWTPM_PID=""

# The Debian architecture of this run, checked.
_boot_arch() {
    case ${BOOT_ARCH:-amd64} in
        amd64 | x86_64) echo amd64 ;;
        arm64 | aarch64) echo arm64 ;;
        *) boot_err "BOOT_ARCH=$BOOT_ARCH: amd64 or arm64"; return 1 ;;
    esac
}

# The shipped binary of the architecture.
_boot_shipped_bin() {
    case $(_boot_arch) in
        arm64) echo "$BOOT_TOP/build/arm64/bootseed" ;;
        *) echo "$BOOT_TOP/build/bootseed" ;;
    esac
}
: "${BOOTSEED_BIN:=$(_boot_shipped_bin)}"

# Modules needed to mount an ext4 disk on the AHCI controller (q35's own;
# an ich9-ahci on virt's PCIe).
BOOT_BASE_MODULES="ahci sd_mod ext4 crc32c_generic"

boot_err() { echo "boot: $*" >&2; }

# --- kernel -----------------------------------------------------------------

# _boot_resolve_kpkg SERIES: name of the real linux-image package.
_boot_resolve_kpkg() {
    local series=$1 arch pkg next i
    if [ -n "${BOOT_KERNEL_PKG:-}" ]; then
        echo "$BOOT_KERNEL_PKG"
        return 0
    fi
    arch=$(_boot_arch) || return 1
    case $series in
        6.1) pkg=linux-image-$arch ;;    # bookworm's default meta package
        *) pkg=linux-image-$series-$arch ;;
    esac
    # A foreign architecture's packages are named with it (dpkg
    # --add-architecture arm64, tests/install-deps.sh).
    [ "$arch" = amd64 ] || pkg=$pkg:$arch
    # Follow meta packages (linux-image-amd64 -> linux-image-6.1.0-NN-amd64,
    # linux-image-6.12-amd64 -> linux-image-6.12.NN+deb12-amd64).
    for i in 1 2 3; do
        next=$(apt-cache depends "$pkg" 2>/dev/null |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
        [ -n "$next" ] || break
        pkg=$next
        : "$i"
    done
    case $pkg in
        linux-image-"$series"*) echo "$pkg" ;;
        *)
            boot_err "cannot resolve a linux-image package for series $series" \
                "(got '$pkg'; did the caller run apt-get update?)"
            return 1
            ;;
    esac
}

_boot_kernel_vars() {
    local dir=$1
    BOOT_KVER=$(cat "$dir/kver")
    BOOT_KPKG=$(cat "$dir/pkg")
    BOOT_KROOT=$dir/root
    BOOT_VMLINUZ=$dir/root/boot/vmlinuz-$BOOT_KVER
    BOOT_MODDIR=$dir/root/lib/modules/$BOOT_KVER
    export BOOT_KVER BOOT_KPKG BOOT_KROOT BOOT_VMLINUZ BOOT_MODDIR
}

# _boot_kernel_fetch_locked SERIES DIR: download, unpack, depmod into DIR.
_boot_kernel_fetch_locked() {
    local series=$1 dir=$2 pkg tmp deb kver
    command -v depmod >/dev/null ||
        { boot_err "depmod missing: apt-get install kmod"; return 1; }
    pkg=$(_boot_resolve_kpkg "$series") || return 1
    rm -rf "$dir"
    mkdir -p "$dir/dl" || return 1
    # apt-get download writes into the cwd; _apt cannot write there as
    # we run as root, which only yields a harmless "unsandboxed" warning.
    if ! (cd "$dir/dl" && apt-get download -q "$pkg" >/dev/null 2>"$dir/dl/apt.err"); then
        cat "$dir/dl/apt.err" >&2
        boot_err "apt-get download $pkg failed"
        return 1
    fi
    deb=$(ls "$dir"/dl/*.deb) || return 1
    tmp=$dir/root.tmp
    dpkg-deb -x "$deb" "$tmp" || { boot_err "dpkg-deb -x $deb failed"; return 1; }
    kver=$(ls "$tmp/lib/modules" 2>/dev/null | head -n1)
    if [ -z "$kver" ] || [ ! -f "$tmp/boot/vmlinuz-$kver" ]; then
        boot_err "$pkg: no vmlinuz/modules found"
        return 1
    fi
    depmod -b "$tmp" "$kver" || { boot_err "depmod failed"; return 1; }
    mv "$tmp" "$dir/root"
    rm -rf "$dir/dl"
    echo "$kver" >"$dir/kver"
    echo "$pkg" >"$dir/pkg"
    touch "$dir/ok"
}

# boot_kernel_fetch SERIES: cached in $BOOT_CACHE/kernel-SERIES (arm64:
# kernel-arm64-SERIES; the "ok" stamp marks a complete unpack; concurrent
# callers serialise on a flock).
boot_kernel_fetch() {
    local series=${1:?boot_kernel_fetch SERIES} arch dir
    arch=$(_boot_arch) || return 1
    dir=$BOOT_CACHE/kernel-$series
    [ "$arch" = amd64 ] || dir=$BOOT_CACHE/kernel-$arch-$series
    if [ ! -f "$dir/ok" ]; then
        mkdir -p "$BOOT_CACHE" || return 1
        (
            flock 9
            [ -f "$dir/ok" ] || _boot_kernel_fetch_locked "$series" "$dir"
        ) 9>"$dir.lock" || return 1
    fi
    _boot_kernel_vars "$dir"
}

# --- initramfs ----------------------------------------------------------------

# _boot_is_static BIN: rc 0 if BIN is an ELF with no interpreter and no
# shared libraries, i.e. runs copied alone into any initramfs.
_boot_is_static() {
    local hdr
    hdr=$(LC_ALL=C readelf -ldW "$1" 2>/dev/null) || return 1
    case $hdr in *"Program Headers:"*) ;; *) return 1 ;; esac
    ! printf '%s\n' "$hdr" | grep -Eq 'INTERP|\(NEEDED\)'
}

# _boot_elf_arch BIN: the Debian architecture BIN is for (readelf's Machine).
_boot_elf_arch() {
    case $(LC_ALL=C readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p') in
        *X86-64*) echo amd64 ;;
        *AArch64*) echo arm64 ;;
        *) echo unknown ;;
    esac
}

# _boot_busybox: the busybox-static of BOOT_ARCH: this machine's, or for
# arm64 busybox-static:arm64 unpacked (apt-get download) in the cache.
_boot_busybox() {
    local arch dir deb
    arch=$(_boot_arch) || return 1
    if [ "$arch" = amd64 ]; then
        [ -x /bin/busybox ] || { boot_err "busybox-static missing"; return 1; }
        echo /bin/busybox
        return 0
    fi
    dir=$BOOT_CACHE/busybox-$arch
    if [ ! -x "$dir/root/bin/busybox" ]; then
        rm -rf "$dir" && mkdir -p "$dir/dl" || return 1
        (cd "$dir/dl" && apt-get download -q "busybox-static:$arch" >/dev/null 2>"$dir/dl/apt.err") ||
            { cat "$dir/dl/apt.err" >&2; boot_err "apt-get download busybox-static:$arch failed"; return 1; }
        deb=$(ls "$dir"/dl/*.deb) && dpkg-deb -x "$deb" "$dir/root" ||
            { boot_err "dpkg-deb -x busybox-static:$arch failed"; return 1; }
    fi
    [ "$(_boot_elf_arch "$dir/root/bin/busybox")" = "$arch" ] ||
        { boot_err "$dir/root/bin/busybox is not for $arch"; return 1; }
    echo "$dir/root/bin/busybox"
}

# _boot_busybox_applets BUSYBOX: its applets (--list-full), the foreign one
# run by qemu-user.
_boot_busybox_applets() {
    case $(_boot_elf_arch "$1") in
        amd64) "$1" --list-full ;;
        arm64) qemu-aarch64 "$1" --list-full ;;
        *) return 1 ;;
    esac
}

# _boot_copy_libs STAGE BIN: copy BIN's ldd dependencies (incl. ELF interp).
_boot_copy_libs() {
    local stage=$1 bin=$2 lib
    # ldd fails ("not a dynamic executable") for static binaries and scripts.
    ldd "$bin" 2>/dev/null | awk '
        $2 == "=>" && $3 ~ /^\// { print $3; next }
        $1 ~ /^\// { print $1 }' |
        while read -r lib; do
            mkdir -p "$stage$(dirname "$lib")"
            cp -L "$lib" "$stage$lib" || exit 1
        done
}

# _boot_copy_modules STAGE MODULE...: modules + deps (+softdeps) from BOOT_KROOT.
# _boot_copy_mod_deps STAGE MODULE...: copy modules and their dependencies.
_boot_copy_mod_deps() {
    local stage=$1 m line path rel
    shift
    for m in "$@"; do
        modprobe -d "$BOOT_KROOT" -S "$BOOT_KVER" --show-depends "$m" >"$stage/.deps" ||
            { boot_err "module $m not found for $BOOT_KVER"; return 1; }
        while read -r line path _; do
            [ "$line" = insmod ] || continue   # "builtin X" needs nothing
            rel=${path#"$BOOT_KROOT"/}
            [ -e "$stage/${rel%.*}" ] && continue  # already there, decompressed
            mkdir -p "$stage/$(dirname "$rel")"
            cp "$path" "$stage/$rel"
        done <"$stage/.deps"
    done
}

_boot_copy_modules() {
    local stage=$1 f
    shift
    _boot_copy_mod_deps "$stage" "$@" || return 1
    rm -f "$stage/.deps"
    # busybox modprobe/insmod may not read compressed modules: decompress.
    find "$stage/lib/modules" -name '*.ko.xz' -exec xz -d {} + || return 1
    find "$stage/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} + || return 1
    find "$stage/lib/modules" -name '*.ko.gz' -exec gzip -d {} + || return 1
    for f in modules.order modules.builtin modules.builtin.modinfo; do
        if [ -f "$BOOT_MODDIR/$f" ]; then
            cp "$BOOT_MODDIR/$f" "$stage/lib/modules/$BOOT_KVER/"
        fi
    done
    if [ -f "$stage/lib/modules/$BOOT_KVER/modules.order" ]; then
        sed -i -e 's/\.ko\.\(xz\|zst\|gz\)$/.ko/' "$stage/lib/modules/$BOOT_KVER/modules.order"
    fi
    # Modules for bootseed itself to load stay as the kernel package ships
    # them (.ko.xz on 6.12): libkmod must cope with that, not busybox.
    # shellcheck disable=SC2086 # word-split module lists on purpose
    _boot_copy_mod_deps "$stage" ${BOOT_KEEP_COMPRESSED_MODULES:-} || return 1
    rm -f "$stage/.deps"
    depmod -b "$stage" "$BOOT_KVER" || { boot_err "depmod (initramfs) failed"; return 1; }
}

# boot_initramfs OUT INIT_SCRIPT [SRC[:DEST]...]
boot_initramfs() {
    local out=${1:?boot_initramfs OUT INIT [SRC[:DEST]...]} init=${2:?INIT missing}
    shift 2
    local stage spec src dest applet applets bin rc=0
    [ -n "${BOOT_KVER:-}" ] || { boot_err "call boot_kernel_fetch first"; return 1; }
    [ -f "$init" ] || { boot_err "no init script $init"; return 1; }
    [ -x "$BOOTSEED_BIN" ] || { boot_err "no executable BOOTSEED_BIN=$BOOTSEED_BIN"; return 1; }
    local arch busybox
    arch=$(_boot_arch) || return 1
    busybox=$(_boot_busybox) || return 1
    [ "$(_boot_elf_arch "$BOOTSEED_BIN")" = "$arch" ] ||
        { boot_err "$BOOTSEED_BIN is not for $arch (BOOT_ARCH)"; return 1; }
    # The build runs in the staging dir: make every input path absolute.
    init=$(realpath "$init") || return 1
    out=$(realpath -m "$out") || return 1
    local -a extra=()
    for spec in "$@"; do
        src=${spec%%:*}
        dest=${spec#*:}
        [ "$dest" != "$spec" ] || dest=/$(basename "$src")
        extra+=("$(realpath "$src"):$dest")
    done
    bin=$(realpath "$BOOTSEED_BIN") || return 1
    local static=${BOOT_STATIC_BIN:-}
    if [ -z "$static" ]; then
        static=0
        [ "$bin" = "$(realpath -m "$(_boot_shipped_bin)")" ] && static=1
    fi
    # The shipped binary must run alone: no loader, no libraries beside it.
    if [ "$static" = 1 ] && ! _boot_is_static "$bin"; then
        boot_err "$bin is not a static binary (PT_INTERP or NEEDED): the shipped" \
            "bootseed must run alone in an initramfs (build it with 'make', not" \
            "'make STATIC=0'; BOOT_STATIC_BIN=0 boots a dynamic test build)"
        return 1
    fi
    stage=$(mktemp -d "${TMPDIR:-/tmp}/boot-initramfs.XXXXXX") || return 1
    (
        set -e
        cd "$stage"
        mkdir -p bin sbin usr/bin usr/sbin dev proc sys run mnt tmp etc root
        chmod 1777 tmp
        mknod -m 600 dev/console c 5 1
        mknod -m 666 dev/null c 1 3
        cp "$busybox" bin/busybox
        applets=$(_boot_busybox_applets bin/busybox)
        for applet in $applets; do
            [ -e "$applet" ] || ln -s /bin/busybox "$applet"
        done
        install -m 0755 "$init" init
        install -m 0755 "$bin" bin/bootseed
        if [ "$static" = 1 ]; then
            # Nothing but busybox may be beside it: no lib dirs at all.
            [ ! -e lib ] && [ ! -e lib64 ] && [ ! -e usr/lib ] ||
                { echo "boot: libraries in the initramfs of a static bootseed" >&2; exit 1; }
        else
            _boot_copy_libs "$stage" "$bin"
        fi
        # shellcheck disable=SC2086 # word-split module lists on purpose
        _boot_copy_modules "$stage" $BOOT_BASE_MODULES ${BOOT_EXTRA_MODULES:-}
        for spec in ${extra[@]+"${extra[@]}"}; do
            src=${spec%%:*}
            dest=${spec#*:}
            mkdir -p "./$(dirname "$dest")"
            cp -a "$src" "./$dest"
        done
        find . -mindepth 1 | LC_ALL=C sort | sed 's|^\./||' |
            cpio -o -H newc -R 0:0 --quiet | gzip -6 >"$out.tmp"
    ) || rc=$?
    rm -rf "$stage"
    if [ "$rc" -ne 0 ]; then
        rm -f "$out.tmp"
        boot_err "building initramfs $out failed"
        return 1
    fi
    mv "$out.tmp" "$out"
    BOOT_INITRD=$out
    export BOOT_INITRD
}

# --- disk image ----------------------------------------------------------------

# boot_disk_image OUT DIR SIZE_MB.  DIR's owners and modes are copied as they
# are, so build DIR as root (chown 0:0, chmod exact) before calling this.
boot_disk_image() {
    local out=${1:?boot_disk_image OUT DIR SIZE_MB} dir=${2:?DIR} size=${3:?SIZE_MB}
    rm -f "$out"
    truncate -s "${size}M" "$out" || return 1
    mkfs.ext4 -q -F -L bootseed-test -d "$dir" "$out" ||
        { boot_err "mkfs.ext4 -d $dir failed"; return 1; }
}

# boot_disk_fsck IMAGE: replay the journal / repair after an unclean guest.
boot_disk_fsck() {
    local rc=0
    e2fsck -fy "${1:?IMAGE}" >"$1.fsck.log" 2>&1 || rc=$?
    return "$rc"
}

_boot_debugfs() {
    debugfs -R "$2" "$1" 2>/dev/null
}

boot_disk_exists() {
    _boot_debugfs "${1:?IMAGE}" "stat \"${2:?PATH}\"" | grep -q '^Inode:'
}

boot_disk_cat() {
    boot_disk_exists "$1" "$2" || { boot_err "$2: not in $1"; return 1; }
    _boot_debugfs "$1" "cat \"$2\""
}

boot_disk_stat() {
    boot_disk_exists "$1" "$2" || { boot_err "$2: not in $1"; return 1; }
    _boot_debugfs "$1" "stat \"$2\"" | awk '
        /^Inode:/ { for (i = 1; i < NF; i++) {
                        if ($i == "Type:") t = $(i + 1)
                        if ($i == "Mode:") m = $(i + 1) } }
        /^User:/  { for (i = 1; i < NF; i++) {
                        if ($i == "User:") u = $(i + 1)
                        if ($i == "Group:") g = $(i + 1)
                        if ($i == "Size:") s = $(i + 1) } }
        END { printf "type=%s mode=%s uid=%s gid=%s size=%s\n", t, m, u, g, s }'
}

boot_disk_ls() {
    boot_disk_exists "$1" "$2" || { boot_err "$2: not in $1"; return 1; }
    _boot_debugfs "$1" "ls -l \"$2\""
}

# boot_disk_rm IMAGE PATH...: remove files from IMAGE (absent ones are fine).
boot_disk_rm() {
    local img=${1:?boot_disk_rm IMAGE PATH...} p
    shift
    for p in "$@"; do
        boot_disk_exists "$img" "$p" || continue
        debugfs -w -R "rm \"$p\"" "$img" >/dev/null 2>&1 || return 1
    done
}

# boot_disk_put IMAGE PATH TEXT MODE: PATH in IMAGE holds TEXT (a newline
# added unless TEXT is empty), owned by root with the octal MODE.
boot_disk_put() {
    local img=${1:?boot_disk_put IMAGE PATH TEXT MODE} p=${2:?PATH} mode=${4:?MODE} tmp
    tmp=$(mktemp) || return 1
    [ -n "$3" ] && printf '%s\n' "$3" >"$tmp"
    boot_disk_rm "$img" "$p" &&
        debugfs -w -R "write $tmp \"$p\"" "$img" >/dev/null 2>&1 &&
        debugfs -w -R "sif \"$p\" mode 0100$mode" "$img" >/dev/null 2>&1 &&
        debugfs -w -R "sif \"$p\" uid 0" "$img" >/dev/null 2>&1 &&
        debugfs -w -R "sif \"$p\" gid 0" "$img" >/dev/null 2>&1
    local rc=$?
    rm -f "$tmp"
    return "$rc"
}

# --- qemu ---------------------------------------------------------------------

boot_cleanup() {
    if [ -n "$BOOT_SWTPM_PID" ]; then
        kill "$BOOT_SWTPM_PID" 2>/dev/null
        wait "$BOOT_SWTPM_PID" 2>/dev/null
        BOOT_SWTPM_PID=""
    fi
    return 0
}

# _boot_swtpm_start DIR: fresh TPM 2.0 state in DIR, control socket DIR/sock.
# No --flags: QEMU's tpm-emulator sends CMD_INIT over the control channel and
# SeaBIOS (which also runs for -kernel boots) sends TPM2_Startup(CLEAR).
_boot_swtpm_start() {
    local dir=$1 i
    command -v swtpm >/dev/null || { boot_err "swtpm missing"; return 1; }
    local state=${BOOT_SWTPM_STATE:-$dir/state}
    rm -rf "$dir"
    mkdir -p "$dir" "$state"
    swtpm socket --tpm2 --tpmstate dir="$state" \
        --ctrl type=unixio,path="$dir/sock" --terminate \
        --log "file=$dir/swtpm.log,level=${BOOT_SWTPM_LOGLEVEL:-1}" \
        ${BOOT_SWTPM_ARGS:-} &
    BOOT_SWTPM_PID=$!
    for i in $(seq 50); do
        [ -S "$dir/sock" ] && return 0
        sleep 0.1
        : "$i"
    done
    boot_err "swtpm did not create $dir/sock"
    boot_cleanup
    return 1
}

# boot_qemu LOG IMAGE [extra kernel args...]
boot_qemu() {
    local log=${1:?boot_qemu LOG IMAGE [KARGS...]} image=${2:?IMAGE}
    shift 2
    local append tmo start arch rc=0
    local -a qemu
    arch=$(_boot_arch) || return 1
    [ -f "${BOOT_VMLINUZ:-}" ] || { boot_err "BOOT_VMLINUZ unset: call boot_kernel_fetch"; return 1; }
    [ -f "${BOOT_INITRD:-}" ] || { boot_err "BOOT_INITRD unset: call boot_initramfs"; return 1; }
    [ -f "$image" ] || { boot_err "no disk image $image"; return 1; }
    tmo=${BOOT_TIMEOUT:-120}
    if [ "$arch" = arm64 ]; then
        append="${BOOT_APPEND:-console=ttyAMA0 random.trust_cpu=off panic=-1}"
        # dtb-randomness=off: else /chosen/rng-seed seeds the kernel before
        # it starts (KERNEL-FACTS.md). The disk on an AHCI controller on
        # PCIe, as on q35: no virtio unless a test adds it.
        qemu=(qemu-system-aarch64 -accel tcg -M "virt,dtb-randomness=off"
            -cpu "${BOOT_CPU:-cortex-a57}"
            -device "ich9-ahci,id=ahci" -device "ide-hd,drive=d0,bus=ahci.0")
    else
        append="${BOOT_APPEND:-console=ttyS0 random.trust_cpu=off panic=-1}"
        qemu=(qemu-system-x86_64 -accel tcg -M q35 -cpu "qemu64,-svm"
            -device "ide-hd,drive=d0,bus=ide.0")
    fi
    [ $# -gt 0 ] && append="$append $*"
    qemu+=(-m "${BOOT_MEM:-512}" -smp 1 -nodefaults -display none -no-reboot
        -serial "file:$log" -monitor none
        -kernel "$BOOT_VMLINUZ" -initrd "$BOOT_INITRD" -append "$append"
        -drive "if=none,id=d0,file=$image,format=raw")
    case ${BOOT_VIRTIO_RNG:-0} in
        1) qemu+=(-device virtio-rng-pci) ;;
        device) qemu+=(-device virtio-rng-device) ;;
    esac
    if [ "${BOOT_TPM:-0}" = 1 ]; then
        _boot_swtpm_start "$log.tpm" || return 1
        qemu+=(-chardev "socket,id=chrtpm,path=$log.tpm/sock"
            -tpmdev "emulator,id=tpm0,chardev=chrtpm"
            -device "tpm-tis,tpmdev=tpm0")
    fi
    # shellcheck disable=SC2206 # extra qemu args are word-split on purpose
    qemu+=(${BOOT_QEMU_ARGS:-})
    rm -f "$log"
    printf '%q ' "${qemu[@]}" >"$log.cmd"
    echo >>"$log.cmd"
    start=$(date +%s.%N)
    timeout --kill-after=5 "$tmo" "${qemu[@]}" </dev/null >"$log.qemu" 2>&1 || rc=$?
    BOOT_SECONDS=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
    boot_cleanup
    BOOT_QEMU_RC=$rc
    [ "$rc" -eq 124 ] && boot_err "qemu timed out after ${tmo}s ($log)"
    BOOT_FSCK_RC=
    if [ "${BOOT_FSCK:-1}" = 1 ]; then
        BOOT_FSCK_RC=0
        boot_disk_fsck "$image" || BOOT_FSCK_RC=$?
    fi
    export BOOT_QEMU_RC BOOT_FSCK_RC BOOT_SECONDS
    return "$rc"
}

# --- log helpers --------------------------------------------------------------

boot_log_clean() {
    tr -d '\r\000' <"${1:?LOG}"
}

boot_log_has() {
    boot_log_clean "$1" | grep -Eq -- "${2:?ERE}"
}

# boot_log_marker LOG KEY -> VALUE of the last "BOOTTEST: KEY=VALUE" line.
boot_log_marker() {
    boot_log_clean "$1" | sed -n "s/^BOOTTEST: ${2:?KEY}=//p" | tail -n1
}

# boot_log_section LOG NAME -> lines between BOOTTEST: NAME-begin and NAME-end.
boot_log_section() {
    boot_log_clean "$1" |
        awk -v b="BOOTTEST: ${2:?NAME}-begin" -v e="BOOTTEST: $2-end" '
            $0 == e { on = 0 } on { print } $0 == b { on = 1 }'
}
