#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# src/modload.c against fake module trees made from the real Debian kernels
# (6.1: .ko, 6.12: .ko.xz; only the modules needed, depmod -b) and fake /sys
# trees of modalias files, through tests/component/modload/modload_probe.c:
# which drivers are chosen, the insert order libkmod reports in dry-run,
# blacklists and options (modprobe.d and the kernel command line), built-in and
# loaded modules, missing ones; then modload_wait_devices on a temp dir.
# The same against Debian's arm64 6.1 and 6.12 modules, with the device-tree
# and ACPI modaliases of a Raspberry Pi 3 (with an SPI TPM), a Pi 4, QEMU's
# virt machine (virtio-rng on PCI and over MMIO, a tpm-tis-device) and an
# ACPI arm64 server.
#
# libkmod reads /proc/cmdline and /sys/module of the live system; each run
# gets its own in a private mount namespace (ml_ns), so this needs root.
# This host's kernel has no module support, so nothing is really inserted: the
# non-dry path is followed up to the init_module syscall (strace), which fails
# with ENOSYS. Real inserts are proven by the QEMU boot tests.
# shellcheck disable=SC2317 # the helpers are called through t_check
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
. "$T_TOP/tests/component/modload/lib.sh"
t_need cc pkg-config depmod modprobe unshare mount strace xz
pkg-config --exists libkmod || { t_fail "libkmod-dev missing (pkg-config libkmod)"; t_done; }

W=$(mktemp -d /tmp/bootseed-modload-XXXXXX)
trap 'rm -rf "$W"' EXIT
PROBE=$W/modload_probe

# --- build the driver ---------------------------------------------------------------
# shellcheck disable=SC2046 # pkg-config output is word-split on purpose
if ! cc -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-unused-parameter -I"$T_TOP/src" -o "$PROBE" \
	"$T_TOP/tests/component/modload/modload_probe.c" "$T_TOP/src/modload.c" \
	"$T_TOP/src/fileio.c" $(pkg-config --libs libkmod) 2>"$W/cc.err"; then
	cat "$W/cc.err"
	t_fail "build modload_probe"
	t_done
fi
t_ok "build modload_probe (cc + src/modload.c src/fileio.c $(pkg-config --libs libkmod))"

# --- helpers ------------------------------------------------------------------------
# rng NAME ARGS...: the probe in its namespace ($W/cmdline, $W/sysmod); output in
# $W/out.NAME. The output is printed once, for the log.
rng() {
	local name=$1
	shift
	ml_ns "$W/cmdline" "$W/sysmod" "$PROBE" rng "$@" >"$W/out.$name" 2>"$W/err.$name"
	echo "# $name: $*" | sed "s|$W/||g"
	sed 's/^/#   /' "$W/out.$name" "$W/err.$name"
}
has() { grep -qxF -- "$2" "$W/out.$1"; }
lacks() { ! grep -qE -- "$2" "$W/out.$1"; }
inserts() { grep '^insert ' "$W/out.$1" | cut -d' ' -f2 | paste -sd' '; }
pos() { grep -nE "^insert $2( |$)" "$W/out.$1" | head -n1 | cut -d: -f1; }
before() {
	local a b
	a=$(pos "$1" "$2") b=$(pos "$1" "$3")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
nres() { grep -c '^result ' "$W/out.$1"; }
once() { [ "$(grep -cE "^insert $2( |$)" "$W/out.$1")" -eq 1 ]; }
# all FN OUT ARG...: FN OUT ARG for every ARG.
all() {
	local fn=$1 o=$2 a
	shift 2
	for a in "$@"; do "$fn" "$o" "$a" || return 1; done
}
# Each module after what it depends on (modules.dep), and the transport first.
virtio_order_ok() {
	before "$1" virtio_ring virtio && before "$1" virtio virtio_pci &&
		before "$1" virtio_pci_legacy_dev virtio_pci &&
		before "$1" virtio_pci_modern_dev virtio_pci &&
		before "$1" virtio_pci virtio_rng && before "$1" virtio virtio_rng
}
count_matches() {
	local n
	n=$(sed -n 's/^count //p' "$W/out.$1")
	[ -n "$n" ] && [ "$n" -eq "$(nres "$1")" ] && [ "$n" -eq "$2" ]
}
cmdline() { echo "BOOT_IMAGE=/vmlinuz-test root=/dev/vda ro $*" >"$W/cmdline"; }
sysmod() {
	local m
	rm -rf "$W/sysmod"
	mkdir -p "$W/sysmod"
	for m in "$@"; do
		case $m in
		*=*) mkdir -p "$W/sysmod/${m%%=*}" && echo "${m#*=}" >"$W/sysmod/${m%%=*}/initstate" ;;
		*) mkdir -p "$W/sysmod/$m" ;; # built in: a directory, no initstate
		esac
	done
}

cmdline
sysmod
if ! ml_ns "$W/cmdline" "$W/sysmod" true 2>"$W/ns.err"; then
	cat "$W/ns.err"
	t_skip "libkmod cases: no private mount namespace (need root and unshare -m)"
	SKIP_KMOD=1
else
	SKIP_KMOD=0
fi

# Devices, as /sys/bus/*/devices/* (modalias strings as the kernel writes them).
A_VIRTIO_RNG_PCI=pci:v00001AF4d00001005sv00001AF4sd00000004bc00scFFi00
A_VIRTIO_NET_PCI=pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00
A_E1000=pci:v00008086d0000100Esv00008086sd0000001Ebc02sc00i00
A_ICH_LPC=pci:v00008086d00002450sv00000000sd00000000bc06sc01i00
A_VIRTIO_RNG=virtio:d00000004v00001AF4
mksys() {
	local s=$W/sys-$1
	rm -rf "$s"
	case $1 in
	full)
		ml_device "$s" pci 0000:00:02.0 "$A_E1000"
		ml_device "$s" pci 0000:00:03.0 "$A_VIRTIO_RNG_PCI"
		ml_device "$s" pci 0000:00:04.0 "$A_VIRTIO_NET_PCI"
		ml_device "$s" pci 0000:00:1f.0 "$A_ICH_LPC"
		ml_device "$s" acpi MSFT0101:00 acpi:MSFT0101:
		ml_device "$s" acpi GOOG0005:00 acpi:GOOG0005:
		ml_device "$s" virtio virtio0 "$A_VIRTIO_RNG"
		ml_device "$s" platform serial8250 -
		ml_device "$s" platform empty ""
		;;
	virtio) ml_device "$s" virtio virtio0 "$A_VIRTIO_RNG" ;;
	nic) ml_device "$s" pci 0000:00:02.0 "$A_E1000" ;;
	tpm-nic)
		ml_device "$s" acpi MSFT0101:00 acpi:MSFT0101:
		ml_device "$s" pci 0000:00:04.0 "$A_VIRTIO_NET_PCI"
		;;
	vrng-gtpm)
		ml_device "$s" pci 0000:00:03.0 "$A_VIRTIO_RNG_PCI"
		ml_device "$s" acpi GOOG0005:00 acpi:GOOG0005:
		;;
	esac
}

WANT="virtio_rng virtio_pci e1000 intel_rng amd_rng via_rng tpm_vtpm_proxy tpm_tis_i2c_cr50"
POLICY_CONF="blacklist tpm_tis_i2c_cr50
blacklist amd_rng
install tpm_vtpm_proxy /bin/true"

# --- per kernel -----------------------------------------------------------------------
kernel_cases() {
	local series=$1 kver tree moddir sfx ko
	# shellcheck source=tests/boot/lib.sh
	. "$T_TOP/tests/boot/lib.sh"
	if ! boot_kernel_fetch "$series" 2>"$W/fetch.err"; then
		cat "$W/fetch.err"
		t_fail "$series: Debian kernel package (tests/boot/lib.sh boot_kernel_fetch)"
		return
	fi
	kver=$BOOT_KVER
	tree=$W/tree-$series
	moddir=$tree/lib/modules/$kver
	# shellcheck disable=SC2086 # module list
	if ! ml_modtree "$BOOT_KROOT" "$kver" "$tree" $WANT >"$W/depmod.err" 2>&1; then
		cat "$W/depmod.err"
		t_fail "$series: fake module tree (depmod -b)"
		return
	fi
	ko=$(find "$moddir" -name 'virtio-rng.ko*' -printf '%P\n')
	sfx=${ko##*/virtio-rng}
	t_check "$series: tree from $BOOT_KPKG holds $ko (real path)" \
		test "$ko" = "kernel/drivers/char/hw_random/virtio-rng$sfx"
	# Preconditions, so that "not selected" below means something.
	t_check "$series: the e1000 alias resolves in the tree (modprobe -R)" \
		test "$(modprobe -d "$tree" -S "$kver" -R "$A_E1000" 2>/dev/null)" = e1000
	t_check "$series: acpi:MSFT0101: resolves to nothing (tpm_tis/tpm_crb built in, no alias)" \
		test -z "$(modprobe -d "$tree" -S "$kver" -R acpi:MSFT0101: 2>/dev/null)"

	[ "$SKIP_KMOD" = 0 ] || return

	local common=(--moddir "$moddir" --config-dir "$W/conf-empty")
	mkdir -p "$W/conf-empty"
	cmdline
	sysmod

	# Devices plus the configured list, no policy.
	mksys full
	rng "$series-full" --sysfs "$W/sys-full" "${common[@]}" --dry-run \
		--extra tpm_vtpm_proxy --extra tpm_crb --extra no_such_module \
		--extra virtio_rng --extra intel-rng
	local o=$series-full
	if [ "$series" = 6.1 ]; then
		t_check "$o: virtio_pci chosen for the virtio-rng PCI device (transport)" \
			has "$o" "result virtio_pci|dry run|$A_VIRTIO_RNG_PCI|0"
	else
		t_check "$o: virtio_pci reported built-in for the virtio-rng PCI device" \
			has "$o" "result virtio_pci|built-in|$A_VIRTIO_RNG_PCI|0"
	fi
	t_check "$o: virtio_rng chosen once, via the device" \
		has "$o" "result virtio_rng|dry run|$A_VIRTIO_RNG_PCI|0"
	t_check "$o: intel_rng chosen for the ICH LPC bridge" \
		has "$o" "result intel_rng|dry run|$A_ICH_LPC|0"
	t_check "$o: tpm_tis_i2c_cr50 chosen for ACPI GOOG0005" \
		has "$o" "result tpm_tis_i2c_cr50|dry run|acpi:GOOG0005:|0"
	t_check "$o: e1000 NIC driver not chosen, not inserted" lacks "$o" 'e1000'
	t_check "$o: virtio-net PCI device adds nothing" lacks "$o" "$A_VIRTIO_NET_PCI"
	t_check "$o: configured tpm_vtpm_proxy loaded (dry run)" \
		has "$o" "result tpm_vtpm_proxy|dry run|config|0"
	t_check "$o: configured tpm_crb is built-in" has "$o" "result tpm_crb|built-in|config|0"
	t_check "$o: configured no_such_module not found" \
		has "$o" "result no_such_module|not found|config|0"
	t_check "$o: 7 results, count matches, duplicates (virtio_rng, intel-rng) dropped" \
		count_matches "$o" 7
	if [ "$series" = 6.1 ]; then
		t_check "$o: insert order respects modules.dep: $(inserts "$o")" virtio_order_ok "$o"
		t_check "$o: each dependency inserted once" \
			all once "$o" virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_rng
	else
		t_check "$o: only virtio_rng for virtio (core and transport built in)" \
			test "$(grep -c '^insert virtio' "$W/out.$o")" -eq 1 -a "$(pos "$o" virtio_rng)" != ""
	fi
	local want="intel_rng tpm_tis_i2c_cr50 tpm_vtpm_proxy virtio_rng"
	[ "$series" = 6.1 ] && want="$want virtio virtio_pci virtio_pci_legacy_dev virtio_pci_modern_dev virtio_ring"
	t_check "$o: inserts exactly the chosen modules and their deps" \
		test "$(inserts "$o" | tr ' ' '\n' | sort | paste -sd' ')" = "$(echo "$want" | tr ' ' '\n' | sort | paste -sd' ')"

	# Only the virtio device: the plain libkmod dependency chain.
	mksys virtio
	rng "$series-virtio" --sysfs "$W/sys-virtio" "${common[@]}" --dry-run
	if [ "$series" = 6.1 ]; then
		t_check "$series-virtio: virtio_ring, virtio, virtio_rng in that order" \
			test "$(inserts "$series-virtio")" = "virtio_ring virtio virtio_rng"
	else
		t_check "$series-virtio: virtio_rng alone" test "$(inserts "$series-virtio")" = virtio_rng
	fi
	t_check "$series-virtio: one result, via the virtio alias" \
		has "$series-virtio" "result virtio_rng|dry run|$A_VIRTIO_RNG|0"

	# Only a NIC: nothing at all.
	mksys nic
	rng "$series-nic" --sysfs "$W/sys-nic" "${common[@]}" --dry-run
	t_check "$series-nic: a NIC alone loads nothing" count_matches "$series-nic" 0

	# Policy: modprobe.d blacklist/install, kernel command line blacklist and options.
	mkdir -p "$W/conf-policy"
	echo "$POLICY_CONF" >"$W/conf-policy/bootseed-test.conf"
	cmdline "quiet modprobe.blacklist=via_rng intel_rng.no_fwh_detect=-1"
	rng "$series-policy" --sysfs "$W/sys-full" --moddir "$moddir" --config-dir "$W/conf-policy" \
		--dry-run --extra amd_rng --extra via_rng --extra tpm_vtpm_proxy
	o=$series-policy
	t_check "$o: device driver blacklisted in modprobe.d" \
		has "$o" "result tpm_tis_i2c_cr50|blacklisted|acpi:GOOG0005:|0"
	t_check "$o: configured amd_rng blacklisted in modprobe.d" \
		has "$o" "result amd_rng|blacklisted|config|0"
	t_check "$o: configured via_rng blacklisted by modprobe.blacklist= (kernel cmdline)" \
		has "$o" "result via_rng|blacklisted|config|0"
	t_check "$o: blacklisted modules are not inserted" lacks "$o" '^insert (tpm_tis_i2c_cr50|amd_rng|via_rng)'
	# libkmod 30 leaves a trailing blank after options it joined; the kernel skips it.
	t_check "$o: option from the kernel command line passed to intel_rng" \
		grep -qE '^insert intel_rng no_fwh_detect=-1 ?$' "$W/out.$o"
	t_check "$o: modprobe.d install command honoured for tpm_vtpm_proxy" \
		has "$o" "insert tpm_vtpm_proxy install"
	cmdline

	# Already in the kernel (/sys/module): live, and a directory without initstate.
	sysmod virtio_ring=live virtio=live tpm_tis_i2c_cr50=live virtio_pci
	mksys vrng-gtpm
	rng "$series-loaded" --sysfs "$W/sys-vrng-gtpm" "${common[@]}" --dry-run
	o=$series-loaded
	t_check "$o: live module reported already loaded" \
		has "$o" "result tpm_tis_i2c_cr50|already loaded|acpi:GOOG0005:|0"
	if [ "$series" = 6.1 ]; then
		t_check "$o: /sys/module dir without initstate counts as loaded" \
			has "$o" "result virtio_pci|already loaded|$A_VIRTIO_RNG_PCI|0"
	fi
	t_check "$o: loaded dependencies are skipped, only virtio_rng inserted" \
		test "$(inserts "$o")" = virtio_rng
	sysmod

	# Truncation: max 1 still handles (and counts) every module.
	rng "$series-max1" --sysfs "$W/sys-full" "${common[@]}" --dry-run --max 1 --extra tpm_crb
	t_check "$series-max1: count 5 with one result stored" \
		test "$(nres "$series-max1")" -eq 1 -a "$(sed -n 's/^count //p' "$W/out.$series-max1")" = 5

	# The non-dry path, up to the syscall: this kernel has no module support.
	if [ -e /proc/modules ]; then
		t_skip "$series: real insert path (host kernel has modules; not inserting Debian's)"
	else
		cmdline "intel_rng.no_fwh_detect=-1"
		ml_ns "$W/cmdline" "$W/sysmod" strace -f -qq -e trace=init_module,finit_module \
			-o "$W/strace.$series" "$PROBE" rng --sysfs "$W/sys-virtio" "${common[@]}" \
			--extra intel_rng >"$W/out.$series-real" 2>&1
		cmdline
		echo "# $series-real:"
		sed 's/^/#   /' "$W/out.$series-real" "$W/strace.$series"
		local first want_len
		if [ "$series" = 6.1 ]; then first=virtio_ring; else first=virtio-rng; fi
		want_len=$(xz -dcf "$(find "$moddir" -name "$first.ko*")" | wc -c)
		t_check "$series-real: virtio_rng FAILED with -ENOSYS (no insert possible here)" \
			has "$series-real" "result virtio_rng|failed|$A_VIRTIO_RNG|-38"
		t_check "$series-real: first syscall loads $first ($want_len bytes uncompressed)" \
			grep -qE "^[0-9]+ +init_module\(0x[0-9a-f]+, $want_len, \"\"\)" "$W/strace.$series"
		t_check "$series-real: kernel cmdline option reaches init_module" \
			grep -qE 'init_module\(0x[0-9a-f]+, [0-9]+, "no_fwh_detect=-1 ?"\)' "$W/strace.$series"
		if [ "$series" = 6.12 ]; then
			t_check "6.12-real: .ko.xz decompressed by libkmod (init_module only, no finit_module)" \
				test "$(grep -c finit_module "$W/strace.$series")" -eq 0
		else
			t_check "6.1-real: plain .ko tried with finit_module first" \
				grep -q finit_module "$W/strace.$series"
		fi
	fi

	# Built-in modules matched by alias (synthetic: Debian's builtin modinfo has
	# no device aliases): the module tree, not the alias, decides.
	if [ "$series" = 6.12 ]; then
		cp -a "$tree" "$W/tree-synth"
		printf 'tpm_crb.alias=acpi*:MSFT0101:*\0virtio_pci.alias=pci:v00001AF4d*sv*sd*bc*sc*i*\0' \
			>>"$W/tree-synth/lib/modules/$kver/modules.builtin.modinfo"
		depmod -b "$W/tree-synth" "$kver"
		mksys tpm-nic
		rng synth --sysfs "$W/sys-tpm-nic" --moddir "$W/tree-synth/lib/modules/$kver" \
			--config-dir "$W/conf-empty" --dry-run
		t_check "synthetic builtin alias: tpm_crb (drivers/char/tpm) chosen, built-in" \
			has synth "result tpm_crb|built-in|acpi:MSFT0101:|0"
		t_check "synthetic builtin alias: built-in virtio_pci (drivers/virtio) not chosen" \
			count_matches synth 1
	fi
}
kernel_cases 6.1
kernel_cases 6.12

# --- arm64: device-tree and ACPI platforms -------------------------------------------
# Modaliases as the kernel writes them: "of:N<node>T<device_type>C<compat>..."
# (T(null) without a device_type) for platform and SPI devices made from the
# device tree, "acpi:<HID>:" for ACPI ones. The nodes are those of the
# upstream device trees (bcm2837/bcm2711, a tpm-slb9670 overlay) and of the
# tree QEMU 7.2 builds for virt.
O_PI_RNG="of:NrngT(null)Cbrcm,bcm2835-rng"
O_PI4_RNG="of:NrngT(null)Cbrcm,bcm2711-rng200"
O_PI_THERMAL="of:NthermalT(null)Cbrcm,bcm2837-thermal"
O_PI4_GENET="of:NethernetT(null)Cbrcm,bcm2711-genet-v5"
O_SPI_TPM="of:NtpmT(null)Cinfineon,slb9670Ctcg,tpm_tis-spi"
O_VIRTIO_MMIO="of:Nvirtio_mmioT(null)Cvirtio,mmio"
O_FW_CFG="of:Nfw-cfgT(null)Cqemu,fw-cfg-mmio"
O_TIS_MMIO="of:NtpmT(null)Ctcg,tpm-tis-mmio"
A_ICH9_AHCI=pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01
A_VIRTIO_RNG_MMIO=virtio:d00000004v554D4551
mksys_arm64() {
	local s=$W/sys-$1
	rm -rf "$s"
	case $1 in
	pi3)
		ml_device "$s" platform 3f104000.rng "$O_PI_RNG"
		ml_device "$s" platform soc:thermal "$O_PI_THERMAL"
		ml_device "$s" spi spi0.1 "$O_SPI_TPM"
		;;
	pi4)
		ml_device "$s" platform fe104000.rng "$O_PI4_RNG"
		ml_device "$s" platform fd580000.ethernet "$O_PI4_GENET"
		;;
	virt-pci)
		ml_device "$s" platform a000000.virtio_mmio "$O_VIRTIO_MMIO"
		ml_device "$s" platform 9020000.fw-cfg "$O_FW_CFG"
		ml_device "$s" pci 0000:00:01.0 "$A_ICH9_AHCI"
		ml_device "$s" pci 0000:00:02.0 "$A_VIRTIO_RNG_PCI"
		;;
	virt-mmio) # the transport bound the slots: the RNG is on the virtio bus
		ml_device "$s" platform a000000.virtio_mmio "$O_VIRTIO_MMIO"
		ml_device "$s" platform a000200.virtio_mmio "$O_VIRTIO_MMIO"
		ml_device "$s" platform 9020000.fw-cfg "$O_FW_CFG"
		ml_device "$s" virtio virtio0 "$A_VIRTIO_RNG_MMIO"
		;;
	virt-tpm) ml_device "$s" platform c000000.tpm_tis "$O_TIS_MMIO" ;;
	acpi)
		ml_device "$s" acpi APMC0D18:00 acpi:APMC0D18:
		ml_device "$s" platform APMC0D18:00 acpi:APMC0D18:
		ml_device "$s" acpi LNRO0005:00 acpi:LNRO0005:
		ml_device "$s" acpi MSFT0101:00 acpi:MSFT0101:
		ml_device "$s" acpi SMO0768:00 acpi:SMO0768:
		ml_device "$s" platform smccc_trng platform:smccc_trng
		;;
	esac
}
WANT_ARM64="bcm2835_rng iproc_rng200 virtio_rng virtio_mmio virtio_pci tpm_tis_spi xgene_rng
arm_smccc_trng qemu_fw_cfg bcm2835_thermal genet ahci"

virtio_pci_order_ok() {
	before "$1" virtio_pci_legacy_dev virtio_pci && before "$1" virtio_pci_modern_dev virtio_pci &&
		before "$1" virtio_pci virtio_rng
}

arm64_cases() {
	local series=$1 kver tree moddir o
	if ! BOOT_ARCH=arm64 boot_kernel_fetch "$series" 2>"$W/fetch.err"; then
		cat "$W/fetch.err"
		t_fail "arm64 $series: Debian kernel package (BOOT_ARCH=arm64 boot_kernel_fetch)"
		return
	fi
	kver=$BOOT_KVER
	tree=$W/tree-arm64-$series
	moddir=$tree/lib/modules/$kver
	# shellcheck disable=SC2086 # module list
	if ! ml_modtree "$BOOT_KROOT" "$kver" "$tree" $WANT_ARM64 >"$W/depmod.err" 2>&1; then
		cat "$W/depmod.err"
		t_fail "arm64 $series: fake module tree (depmod -b)"
		return
	fi
	local a=arm64-$series
	xz -dcf "$(find "$moddir" -name 'bcm2835-rng.ko*' | head -n1)" >"$W/bcm2835-rng.ko"
	t_check "$a: tree from $BOOT_KPKG holds aarch64 modules (bcm2835-rng)" \
		bash -c "readelf -h '$W/bcm2835-rng.ko' | grep -q 'Machine: *AArch64'"
	# Preconditions: these devices' drivers exist, so "not chosen" means something.
	t_check "$a: the Pi's thermal, the Pi 4's genet and ich9-ahci resolve (modprobe -R)" \
		test "$(for x in "$O_PI_THERMAL" "$O_PI4_GENET" "$A_ICH9_AHCI"; do
			modprobe -d "$tree" -S "$kver" -R "$x" 2>/dev/null | sort -u; done | paste -sd' ')" = \
		"bcm2835_thermal genet ahci"
	t_check "$a: tcg,tpm-tis-mmio resolves to nothing (no CONFIG_TCG_TIS on arm64)" \
		test -z "$(modprobe -d "$tree" -S "$kver" -R "$O_TIS_MMIO" 2>/dev/null)"
	[ "$SKIP_KMOD" = 0 ] || return

	local common=(--moddir "$moddir" --config-dir "$W/conf-empty")
	cmdline
	sysmod

	mksys_arm64 pi3
	o=$a-pi3
	rng "$o" --sysfs "$W/sys-pi3" "${common[@]}" --dry-run
	t_check "$o: bcm2835_rng chosen for brcm,bcm2835-rng" \
		has "$o" "result bcm2835_rng|dry run|$O_PI_RNG|0"
	t_check "$o: tpm_tis_spi chosen for the SPI TPM (infineon,slb9670)" \
		has "$o" "result tpm_tis_spi|dry run|$O_SPI_TPM|0"
	t_check "$o: tpm_tis_core inserted before tpm_tis_spi: $(inserts "$o")" \
		before "$o" tpm_tis_core tpm_tis_spi
	t_check "$o: thermal driver not chosen; 2 results" \
		bash -c "! grep -q bcm2835_thermal '$W/out.$o' && [ \$(grep -c '^result ' '$W/out.$o') -eq 2 ]"
	t_check "$o: inserts exactly bcm2835_rng tpm_tis_core tpm_tis_spi" \
		test "$(inserts "$o" | tr ' ' '\n' | sort | paste -sd' ')" = "bcm2835_rng tpm_tis_core tpm_tis_spi"

	mksys_arm64 pi4
	o=$a-pi4
	rng "$o" --sysfs "$W/sys-pi4" "${common[@]}" --dry-run
	t_check "$o: iproc_rng200 chosen for brcm,bcm2711-rng200, alone" \
		bash -c "grep -qxF 'result iproc_rng200|dry run|$O_PI4_RNG|0' '$W/out.$o' &&
			[ '$(inserts "$o")' = iproc_rng200 ]"
	t_check "$o: genet NIC not chosen" count_matches "$o" 1

	mksys_arm64 virt-pci
	o=$a-virt-pci
	rng "$o" --sysfs "$W/sys-virt-pci" "${common[@]}" --dry-run
	if [ "$series" = 6.1 ]; then
		t_check "$o: virtio_pci (a module) chosen for virtio-rng-pci" \
			has "$o" "result virtio_pci|dry run|$A_VIRTIO_RNG_PCI|0"
		t_check "$o: virtio_pci after its deps, then virtio_rng: $(inserts "$o")" \
			virtio_pci_order_ok "$o"
		t_check "$o: inserts exactly these, virtio_mmio and qemu_fw_cfg, each once" \
			test "$(inserts "$o" | tr ' ' '\n' | sort | paste -sd' ')" = \
			"qemu_fw_cfg virtio_mmio virtio_pci virtio_pci_legacy_dev virtio_pci_modern_dev virtio_rng"
	else
		t_check "$o: virtio_pci built in on 6.12" \
			has "$o" "result virtio_pci|built-in|$A_VIRTIO_RNG_PCI|0"
		t_check "$o: inserts virtio_rng (pci sorts first), qemu_fw_cfg, virtio_mmio: $(inserts "$o")" \
			test "$(inserts "$o")" = "virtio_rng qemu_fw_cfg virtio_mmio"
	fi
	t_check "$o: virtio_rng chosen via the PCI device" \
		has "$o" "result virtio_rng|dry run|$A_VIRTIO_RNG_PCI|0"
	t_check "$o: virtio_mmio chosen for the virtio,mmio slots (transport)" \
		has "$o" "result virtio_mmio|dry run|$O_VIRTIO_MMIO|0"
	t_check "$o: qemu_fw_cfg chosen for the fw-cfg node (the host seed's channel)" \
		has "$o" "result qemu_fw_cfg|dry run|$O_FW_CFG|0"
	t_check "$o: ahci not chosen" bash -c "! grep -qE 'ahci' '$W/out.$o'"

	mksys_arm64 virt-mmio
	o=$a-virt-mmio
	rng "$o" --sysfs "$W/sys-virt-mmio" "${common[@]}" --dry-run
	t_check "$o: virtio_mmio once for two slots, then virtio_rng via the virtio bus" \
		bash -c "grep -qxF 'result virtio_mmio|dry run|$O_VIRTIO_MMIO|0' '$W/out.$o' &&
			grep -qxF 'result virtio_rng|dry run|$A_VIRTIO_RNG_MMIO|0' '$W/out.$o' &&
			[ '$(inserts "$o")' = 'qemu_fw_cfg virtio_mmio virtio_rng' ]"
	t_check "$o: 3 results (with qemu_fw_cfg for fw-cfg)" count_matches "$o" 3

	mksys_arm64 virt-tpm
	o=$a-virt-tpm
	rng "$o" --sysfs "$W/sys-virt-tpm" "${common[@]}" --dry-run
	t_check "$o: tpm-tis-device: nothing to load (no driver in Debian's arm64 kernels)" \
		count_matches "$o" 0

	mksys_arm64 acpi
	o=$a-acpi
	rng "$o" --sysfs "$W/sys-acpi" "${common[@]}" --dry-run
	t_check "$o: xgene_rng chosen for ACPI APMC0D18 (acpi and platform bus: once)" \
		bash -c "[ \$(grep -c '^result xgene_rng|dry run|acpi:APMC0D18:|0\$' '$W/out.$o') -eq 1 ]"
	t_check "$o: tpm_tis_spi chosen for ACPI SMO0768" \
		has "$o" "result tpm_tis_spi|dry run|acpi:SMO0768:|0"
	t_check "$o: arm_smccc_trng chosen for the firmware's SMCCC TRNG" \
		has "$o" "result arm_smccc_trng|dry run|platform:smccc_trng|0"
	t_check "$o: virtio_mmio chosen for ACPI LNRO0005" \
		has "$o" "result virtio_mmio|dry run|acpi:LNRO0005:|0"
	t_check "$o: 4 results (MSFT0101: tpm_crb built in, no alias)" count_matches "$o" 4
}
arm64_cases 6.1
arm64_cases 6.12

# --- errors ------------------------------------------------------------------------------
if [ "$SKIP_KMOD" = 0 ]; then
	rng nomod --sysfs "$W/sys-nic" --moddir "$W/no-such-dir" --dry-run
	t_check "missing module tree: -ENOENT, nothing tried" has nomod "error -2"
	mkdir -p "$W/sys-nobus"
	rng nobus --sysfs "$W/sys-nobus" --moddir "$W/tree-6.1/lib/modules/$(ls "$W/tree-6.1/lib/modules")" --dry-run
	t_check "sysfs without bus/: -ENOENT" has nobus "error -2"
	rng nosysfs --moddir "$W/tree-6.1/lib/modules/$(ls "$W/tree-6.1/lib/modules")" \
		--config-dir "$W/conf-empty" --dry-run --extra virtio_rng
	t_check "no sysfs_dir: only the configured list" count_matches nosysfs 1
	t_check "no sysfs_dir: ... which is loaded" has nosysfs "result virtio_rng|dry run|config|0"
fi

# --- modload_wait_devices --------------------------------------------------------------------
# wait NAME TIMEOUT [DELAY_S NODE]...: nodes created in the background after delays.
wait_case() {
	local name=$1 tmo=$2 d=$W/dev-$1
	shift 2
	mkdir -p "$d"
	while [ $# -ge 2 ]; do
		(sleep "$1" && touch "$d/$2") &
		shift 2
	done
	"$PROBE" wait "$d" "$tmo" >"$W/wait.$name"
	wait
	echo "# wait $name: $(cat "$W/wait.$name")"
}
wait_mask() { [ "$(cut -d' ' -f2 "$W/wait.$1")" -eq "$2" ]; }
wait_ms_in() {
	local ms
	ms=$(cut -d' ' -f4 "$W/wait.$1")
	[ "$ms" -ge "$2" ] && [ "$ms" -le "$3" ]
}

wait_case hwrng 2000 0.1 hwrng
t_check "wait: hwrng appearing after 100 ms is found (mask 4)" wait_mask hwrng 4
t_check "wait: ... and returned soon after it appeared (90..600 ms)" wait_ms_in hwrng 90 600
wait_case none 300
t_check "wait: nothing appears: 0" wait_mask none 0
t_check "wait: ... after the timeout, bounded (300..400 ms)" wait_ms_in none 300 400
wait_case tpm 2000 0.1 tpm0 0.13 tpmrm0
t_check "wait: tpm0 then tpmrm0 30 ms later: both (mask 3)" wait_mask tpm 3
wait_case tpm12 2000 0.05 tpm0
t_check "wait: tpm0 alone (TPM 1.2): mask 2 after the 100 ms grace" wait_mask tpm12 2
t_check "wait: ... grace bounded (140..600 ms)" wait_ms_in tpm12 140 600
mkdir -p "$W/dev-ready" && touch "$W/dev-ready/tpmrm0" "$W/dev-ready/tpm0" "$W/dev-ready/hwrng"
"$PROBE" wait "$W/dev-ready" 2000 >"$W/wait.ready"
t_check "wait: all present: mask 7" wait_mask ready 7
t_check "wait: ... at once (< 50 ms)" wait_ms_in ready 0 49
"$PROBE" wait "$W/no-such-dev-dir" 0 >"$W/wait.zero"
t_check "wait: timeout 0 on a missing dir: 0" wait_mask zero 0
t_check "wait: ... at once (< 20 ms)" wait_ms_in zero 0 19

t_done
