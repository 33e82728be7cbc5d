# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/root/package.sh: the package's life cycle in a real Debian root
# ($ROOT_RELEASE, tests/root/lib.sh), in a chroot as an image builder would
# run it (systemd not running): install, upgrade (the same source rebuilt
# with a bumped version), remove, purge, each with apt-get, each time checking
# the files, the unit's state and that the initramfs was regenerated (its
# bootseed files present or gone). On trixie, also the switch to dracut
# (which removes initramfs-tools there) and a removal under dracut, and
# (RP_LIVE=1, trixie's default) an installation on a running system, booted
# under QEMU: the postinst starts bootseed.service, so the first seed exists
# before the next boot. And lintian on the package. rp_run does it all.
# shellcheck source-path=SCRIPTDIR source=../boot/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../boot/testlib.sh"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RP_UNIT_LINK=/etc/systemd/system/sysinit.target.wants/bootseed.service
# What the package installs, relative to the root.
RP_FILES="usr/sbin/bootseed usr/lib/systemd/system/bootseed.service usr/share/man/man8/bootseed.8.gz
usr/share/man/man5/bootseed.conf.5.gz usr/share/doc/bootseed/README.md.gz
usr/share/doc/bootseed/copyright usr/lib/dracut/modules.d/50bootseed/module-setup.sh
usr/lib/dracut/modules.d/50bootseed/bootseed-early.service
usr/lib/dracut/modules.d/50bootseed/bootseed-late.service
usr/lib/dracut/modules.d/50bootseed/bootseed-early.sh
usr/lib/dracut/modules.d/50bootseed/bootseed-late.sh
usr/share/initramfs-tools/hooks/bootseed usr/share/initramfs-tools/scripts/init-premount/bootseed
usr/share/initramfs-tools/scripts/local-bottom/bootseed"
# What the initramfs holds when bootseed is in it (initramfs-tools; dracut
# has the same binary and configuration, and its units instead of scripts).
RP_IMG_ITOOLS='usr/sbin/bootseed$ etc/bootseed\.conf$ scripts/init-premount/bootseed$ scripts/local-bottom/bootseed$'
RP_IMG_DRACUT='usr/sbin/bootseed$ etc/bootseed\.conf$ bootseed-early\.service$ bootseed-late\.service$'

rp_in() { root_chroot "$RP_ROOT" "$@"; }

# rp_files_present / rp_files_absent: every file of the package is there /
# none is (the configuration aside).
rp_files_present() {
	local f miss=""
	for f in $RP_FILES; do [ -e "$RP_ROOT/$f" ] || miss="$miss $f"; done
	[ -z "$miss" ] || echo "    missing:$miss"
	[ -z "$miss" ]
}

rp_files_absent() {
	local f left=""
	for f in $RP_FILES; do
		[ -e "$RP_ROOT/$f" ] && left="$left $f"
	done
	[ -z "$left" ] || echo "    left:$left"
	[ -z "$left" ]
}

rp_conffile() {
	[ -f "$RP_ROOT/etc/bootseed.conf" ] &&
		rp_in dpkg-query -W -f='${Conffiles}\n' bootseed | grep -Eq '^ /etc/bootseed\.conf [0-9a-f]{32}'
}

rp_status() { rp_in dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' bootseed 2>/dev/null; }

rp_enabled() {
	local st
	st=$(rp_in systemctl is-enabled bootseed.service 2>&1)
	echo "    systemctl is-enabled: $st"
	[ "$st" = enabled ] && [ -L "$RP_ROOT$RP_UNIT_LINK" ]
}

rp_disabled() {
	local st
	st=$(rp_in systemctl is-enabled bootseed.service 2>&1)
	echo "    systemctl is-enabled: $st"
	[ "$st" != enabled ] && [ ! -e "$RP_ROOT$RP_UNIT_LINK" ] && [ ! -L "$RP_ROOT$RP_UNIT_LINK" ]
}

# rp_img_stamp: the initramfs's change time in ns and its hash ("" if none).
rp_img_stamp() {
	local img=$RP_ROOT/boot/initrd.img-$ROOT_KVER
	[ -f "$img" ] || return 0
	echo "$(stat -c %Z.%z "$img") $(sha256sum <"$img" | cut -c1-16)"
}

# rp_regenerated OLD: the image exists and is not the one stamped OLD.
rp_regenerated() {
	local now
	now=$(rp_img_stamp)
	[ -n "$now" ] && [ "$now" != "$1" ]
}

# rp_img_list: the files in the root's initramfs (the lister of the tool
# that made it: lsinitramfs, or dracut's lsinitrd).
rp_img_list() {
	if [ -x "$RP_ROOT/usr/bin/lsinitramfs" ]; then
		rp_in lsinitramfs "/boot/initrd.img-$ROOT_KVER"
	else
		rp_in lsinitrd "/boot/initrd.img-$ROOT_KVER"
	fi
}

# rp_img_has PATTERNS / rp_img_hasnt PATTERNS: each / none of the EREs
# matches a file in the image.
rp_img_has() {
	local list p
	list=$(rp_img_list) || return 1
	for p in $1; do grep -Eq -- "$p" <<<"$list" || { echo "    not in the image: $p"; return 1; }; done
}

rp_img_hasnt() {
	local list p
	list=$(rp_img_list) || return 1
	[ -n "$list" ] || return 1
	for p in $1; do ! grep -Eq -- "$p" <<<"$list" || { echo "    still in the image: $p"; return 1; }; done
}

rp_apt() {
	local step=$1
	shift
	root_apt "$RP_ROOT" "$ART/apt-$step.log" "$@" ||
		{ tail -n 15 "$ART/apt-$step.log" | sed 's/^/    | /'; return 1; }
}

rp_install() {
	local before
	before=$(rp_img_stamp)
	t_check "install: apt-get install ./$(basename "$RP_DEB")" rp_apt install install "./opt/bootseed-test/$(basename "$RP_DEB")"
	t_check "install: dpkg has bootseed $RP_V1 installed" test "$(rp_status)" = "ii  $RP_V1"
	t_check "install: every file in place" rp_files_present
	t_check "install: the binary is the one make built (the one make check tests)" \
		cmp -s "$RP_ROOT/usr/sbin/bootseed" "$ROOT_TOP/build/bootseed"
	t_check "install: /etc/bootseed.conf is a conffile" rp_conffile
	t_check "install: bootseed.service enabled (sysinit.target.wants)" rp_enabled
	t_check "install: not started in a chroot (systemd not running): no seed written into the image" \
		test ! -e "$RP_ROOT/var/lib/bootseed"
	t_check "install: the initramfs was regenerated (update-initramfs trigger)" rp_regenerated "$before"
	t_check "install: and holds bootseed" rp_img_has "$RP_IMG_ITOOLS"
}

rp_upgrade() {
	local before
	# An administrator's change, which the upgrade must keep.
	echo "verbose = yes # rp_upgrade" >>"$RP_ROOT/etc/bootseed.conf"
	# A seed, as a booted machine has (for remove to keep and purge to drop).
	mkdir -p "$RP_ROOT/var/lib/bootseed" && chmod 0700 "$RP_ROOT/var/lib/bootseed"
	head -c 32 /dev/urandom >"$RP_ROOT/var/lib/bootseed/seed.credit"
	chmod 0400 "$RP_ROOT/var/lib/bootseed/seed.credit"
	before=$(rp_img_stamp)
	sleep 1
	t_check "upgrade: apt-get install ./$(basename "$RP_DEB2")" rp_apt upgrade install "./opt/bootseed-test/$(basename "$RP_DEB2")"
	t_check "upgrade: dpkg has bootseed $RP_V2 installed" test "$(rp_status)" = "ii  $RP_V2"
	t_check "upgrade: every file in place" rp_files_present
	t_check "upgrade: the administrator's /etc/bootseed.conf kept" grep -q 'rp_upgrade' "$RP_ROOT/etc/bootseed.conf"
	t_check "upgrade: bootseed.service still enabled" rp_enabled
	t_check "upgrade: the initramfs was regenerated" rp_regenerated "$before"
	t_check "upgrade: and holds bootseed" rp_img_has "$RP_IMG_ITOOLS"
}

rp_remove() {
	local before
	before=$(rp_img_stamp)
	sleep 1
	t_check "remove: apt-get remove bootseed" rp_apt remove remove bootseed
	t_check "remove: dpkg keeps only its configuration (rc)" test "$(rp_status)" = "rc  $RP_V2"
	t_check "remove: every file gone" rp_files_absent
	t_check "remove: /etc/bootseed.conf kept, with the change" grep -q 'rp_upgrade' "$RP_ROOT/etc/bootseed.conf"
	t_check "remove: the seed kept (state goes on purge)" test -f "$RP_ROOT/var/lib/bootseed/seed.credit"
	t_check "remove: bootseed.service disabled (no sysinit.target.wants link)" rp_disabled
	t_check "remove: the initramfs was regenerated" rp_regenerated "$before"
	t_check "remove: and holds no bootseed file" rp_img_hasnt "$RP_IMG_ITOOLS"
}

# /run is a tmpfs of each chroot call: this boot's report is made and purged
# in one call.
rp_purge() {
	local rc=0
	root_chroot "$RP_ROOT" sh -c 'mkdir -p /run/bootseed && echo "{}" >/run/bootseed/report.json &&
		DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 purge bootseed &&
		test ! -e /run/bootseed' >"$ART/apt-purge.log" 2>&1 || rc=$?
	t_check "purge: apt-get purge bootseed, and /run/bootseed is gone" test "$rc" = 0
	t_check "purge: dpkg knows no bootseed" test -z "$(rp_status | grep -v '^un ')"
	t_check "purge: /etc/bootseed.conf gone" test ! -e "$RP_ROOT/etc/bootseed.conf"
	t_check "purge: /var/lib/bootseed gone" test ! -e "$RP_ROOT/var/lib/bootseed"
	t_check "purge: no deb-systemd-helper state left" \
		bash -c "! ls '$RP_ROOT'/var/lib/systemd/deb-systemd-helper-*/*bootseed* >/dev/null 2>&1"
	t_check "purge: nothing named bootseed left in the root" rp_nothing_left
	t_check "no dpkg warning in any step" rp_no_dpkg_warning
}

rp_no_dpkg_warning() {
	! grep -H 'dpkg: warning' "$ART"/apt-*.log
}

rp_nothing_left() {
	local left
	# The test root's own files are named bootseed-test*.
	left=$(cd "$RP_ROOT" && find . -xdev -name '*bootseed*' ! -name 'bootseed-test*' ! -path './opt/bootseed-test/*' -print)
	[ -z "$left" ] || echo "    left: $left"
	[ -z "$left" ]
}

# rp_dracut: trixie's dracut package (which removes initramfs-tools) answers
# the same trigger: with bootseed installed its image holds bootseed's units,
# after removing bootseed it does not.
rp_dracut() {
	local deb before
	deb=$(cd "$RP_ROOT/opt/bootseed-test/debs" 2>/dev/null && ls dracut_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { t_fail "dracut: no dracut package in the cached root"; return; }
	t_check "dracut: apt-get install ./$(basename "$RP_DEB")" rp_apt dracut-install-bootseed install "./opt/bootseed-test/$(basename "$RP_DEB")"
	before=$(rp_img_stamp)
	sleep 1
	t_check "dracut: apt-get install ./$deb (removes initramfs-tools)" \
		rp_apt dracut-install install "./opt/bootseed-test/debs/$deb"
	t_check "dracut: initramfs-tools is gone" test "$(rp_in dpkg-query -W -f='${db:Status-Abbrev}' initramfs-tools 2>/dev/null | cut -c1-2)" != ii
	t_check "dracut: dracut made the initramfs anew" rp_regenerated "$before"
	t_check "dracut: and it holds bootseed (binary, configuration, units)" rp_img_has "$RP_IMG_DRACUT"
	before=$(rp_img_stamp)
	sleep 1
	t_check "dracut: apt-get purge bootseed" rp_apt dracut-purge purge bootseed
	t_check "dracut: the initramfs was regenerated by dracut" rp_regenerated "$before"
	t_check "dracut: and holds no bootseed file" rp_img_hasnt "$RP_IMG_DRACUT"
	t_check "dracut: nothing named bootseed left in the root" rp_nothing_left
}

# rp_live: the root (bootseed purged, initramfs-tools' image without it)
# booted under QEMU; a test-only unit installs the package on the running
# system. Its postinst must start bootseed.service once (a seed on the disk
# before the next boot). The initramfs is not rebuilt in the guest
# (update_initramfs=no): that takes minutes under TCG, and the trigger's
# rebuild is what the chroot steps above check.
rp_live() {
	local deb img=/boot/initrd.img-$ROOT_KVER kargs
	deb=/opt/bootseed-test/$(basename "$RP_DEB")
	sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$RP_ROOT/etc/initramfs-tools/update-initramfs.conf"
	# A machine that has booted before: a machine-id, its ssh keys.
	echo 0123456789abcdef0123456789abcdef >"$RP_ROOT/etc/machine-id"
	echo 'LABEL=bootseed-root / ext4 defaults 0 0' >"$RP_ROOT/etc/fstab"
	install -m 0644 "$ROOT_LIB_DIR/bootseed-test-done.service" "$RP_ROOT/etc/systemd/system/" &&
		install -m 0755 "$ROOT_LIB_DIR/bootseed-test-done" "$RP_ROOT/usr/local/sbin/" ||
		{ t_fail "live: cannot add the test units"; return; }
	ln -sf /dev/null "$RP_ROOT/etc/systemd/system/e2scrub_reap.service"
	cat >"$RP_ROOT/etc/systemd/system/bootseed-test-install.service" <<-UNIT
	# Test root only: apt-get install the package on the running system.
	[Unit]
	After=multi-user.target
	Before=bootseed-test-done.service
	[Service]
	Type=oneshot
	Environment=DEBIAN_FRONTEND=noninteractive
	StandardOutput=journal+console
	ExecStart=/bin/sh -c 'apt-get install -y -q -o Dpkg::Use-Pty=0 $deb; echo "BOOTTEST: install rc=\$?" >/dev/kmsg'
	UNIT
	cp "$RP_ROOT$img" "$W/initrd" && cp "$RP_ROOT/boot/vmlinuz-$ROOT_KVER" "$W/vmlinuz" &&
		root_image "$RP_ROOT" "$W/disk.img" || { t_fail "live: cannot make the disk image"; return; }
	kargs="root=/dev/sda ro console=ttyS0 panic=-1 systemd.mask=getty.target"
	kargs="$kargs systemd.wants=bootseed-test-install.service systemd.wants=bootseed-test-done.service"
	kargs="$kargs bootseedtest.boot=live"
	BOOT_VMLINUZ=$W/vmlinuz BOOT_INITRD=$W/initrd BOOT_APPEND=$kargs BOOT_MEM=1024 BOOT_TIMEOUT=400 \
		BOOT_FSCK=1 boot_qemu "$ART/live.log" "$W/disk.img"
	echo "    (live: ${BOOT_SECONDS:-?} s, qemu rc ${BOOT_QEMU_RC:-?})"
	boot_log_clean "$ART/live.log" | grep -E 'bootseed|BOOTTEST|Setting up|Processing triggers' | sed 's/^/    | /'
	t_check "live: booted, installed the package on the running system (apt-get rc 0)" \
		boot_log_has "$ART/live.log" '^(\[ *[0-9.]+\] )?BOOTTEST: install rc=0'
	t_check "live: booted to the end" boot_log_has "$ART/live.log" 'BOOTTEST: done live'
	boot_disk_cat "$W/disk.img" /var/log/bootseed-test/live/report.json >"$ART/live.report.json" 2>/dev/null
	boot_disk_cat "$W/disk.img" /var/log/bootseed-test/live/bootseed-active.txt >"$ART/live.bootseed-active.txt" 2>/dev/null
	t_check "live: the postinst started bootseed.service: active" grep -qx active "$ART/live.bootseed-active.txt"
	t_check "live: it ran once (one report run, in the real root)" \
		rp_jq_live '[.runs[].stage] == ["all"]'
	t_check "live: a seed on the disk for the next boot" \
		boot_disk_exists "$W/disk.img" /var/lib/bootseed/seed.credit
	sed -i 's/^update_initramfs=.*/update_initramfs=yes/' "$RP_ROOT/etc/initramfs-tools/update-initramfs.conf"
}

rp_jq_live() { jq -e "$1" "$ART/live.report.json" >/dev/null 2>&1; }

rp_control_deps() {
	[ -z "$(dpkg-deb -f "$RP_DEB" Depends Pre-Depends)" ] &&
		[ "$(dpkg-deb -f "$RP_DEB" Recommends)" = "initramfs-tools | dracut" ]
}

rp_built_using() {
	local want have
	want=$(sed -n 's/^[A-Z]*_PIN="\([^ ]*\) \([^ ]*\) .*/\1 (= \2)/p' "$ROOT_TOP/build-aux/third-party.sh" |
		paste -sd, | sed 's/,/, /g')
	have=$(dpkg-deb -f "$RP_DEB" Built-Using)
	echo "    Built-Using: $have"
	[ -n "$have" ] && [ "$have" = "$want" ] && grep -q '^kmod ' <<<"$have" && grep -q 'tpm2-tss ' <<<"$have"
}

rp_lintian() {
	local out
	out=$(lintian --tag-display-limit 0 "$RP_DEB" 2>&1 | grep -v 'running with root privileges')
	[ -n "$out" ] && echo "$out" | sed 's/^/    lintian: /'
	! grep -q '^E: ' <<<"$out"
}

# rp_run: the whole life cycle, in a root of $ROOT_RELEASE.
rp_run() {
	local name=package
	[ "$ROOT_RELEASE" = bookworm ] || name=package-$ROOT_RELEASE
	t_need mmdebstrap unshare dpkg-deb lintian
	bt_setup "$name"
	if [ "$ROOT_RELEASE" = bookworm ]; then
		boot_kernel_fetch 6.1 || { t_fail "cannot resolve the Debian 6.1 kernel"; t_done; }
	fi
	RP_DEB=$(root_deb)
	[ -f "$RP_DEB" ] || { t_fail "no package $RP_DEB (make deb)"; t_done; }
	RP_V1=$(dpkg-deb -f "$RP_DEB" Version)
	RP_V2=$RP_V1+test1
	t_check "lintian: no error on $(basename "$RP_DEB")" rp_lintian
	t_check "control: no run-time Depends, Recommends initramfs-tools | dracut" rp_control_deps
	t_check "control: Built-Using names the kmod and tpm2-tss sources third-party.sh pins" rp_built_using
	# The upgrade: the same source built again as a higher version.
	make -s --no-print-directory -C "$ROOT_TOP" deb DEB_VERSION="$RP_V2" >"$ART/deb-bump.log" 2>&1 ||
		{ cat "$ART/deb-bump.log"; t_fail "make deb DEB_VERSION=$RP_V2 failed"; t_done; }
	RP_DEB2=$(root_deb "$RP_V2")
	root_base_fetch || { t_fail "cannot build the $ROOT_NAME root (mmdebstrap)"; t_done; }
	RP_ROOT=$W/root
	root_unpack "$RP_ROOT" || { t_fail "cannot unpack the $ROOT_NAME root"; t_done; }
	mkdir -p "$RP_ROOT/opt/bootseed-test" && cp "$RP_DEB" "$RP_DEB2" "$RP_ROOT/opt/bootseed-test/" ||
		{ t_fail "cannot copy the packages into the root"; t_done; }
	# The machine's initramfs, as an installed system has one (with what it
	# needs to mount its root disk, for rp_live to boot it).
	printf '%s\n' ahci sd_mod ext4 crc32c_generic >"$RP_ROOT/etc/initramfs-tools/modules"
	rp_in update-initramfs -c -k "$ROOT_KVER" >"$ART/update-initramfs.log" 2>&1 &&
		rp_img_hasnt "$RP_IMG_ITOOLS" >/dev/null ||
		{ t_fail "cannot make the root's initramfs without bootseed ($ART/update-initramfs.log)"; t_done; }
	t_ok "$ROOT_NAME root ($ROOT_KVER) with an initramfs, no bootseed in it"
	rp_install
	rp_upgrade
	rp_remove
	rp_purge
	if [ "${RP_LIVE:-0}" = 1 ]; then rp_live; fi
	if [ -d "$RP_ROOT/opt/bootseed-test/debs" ]; then rp_dracut; fi
	t_done
}
