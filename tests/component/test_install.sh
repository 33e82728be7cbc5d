#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install` (the path for systems without the package) into a staging
# tree: every file where README says, the binary's path written into the
# boot integration, and an existing /etc/bootseed.conf never overwritten (a
# second install keeps the administrator's file). The package and the roots
# that install it are tests/root/.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
[ -x "$T_TOP/build/bootseed" ] || { t_fail "no binary at build/bootseed (make)"; t_done; }
W=$(mktemp -d /tmp/bootseed-install-XXXXXX)
trap 'rm -rf "$W"' EXIT
D=$W/root

# -o: the binary make check built, never rebuilt from here.
# inst LOG: install, output to LOG.
inst() { make -s --no-print-directory -C "$T_TOP" -o build/bootseed install DESTDIR="$D" PREFIX=/usr >"$1" 2>&1; }

t_check "make install DESTDIR PREFIX=/usr" inst "$W/install1.log"
missing=""
for f in usr/sbin/bootseed etc/bootseed.conf usr/share/man/man8/bootseed.8 \
	usr/share/man/man5/bootseed.conf.5 usr/lib/dracut/modules.d/50bootseed/module-setup.sh \
	usr/lib/dracut/modules.d/50bootseed/bootseed-early.service \
	usr/lib/dracut/modules.d/50bootseed/bootseed-late.service \
	usr/share/initramfs-tools/hooks/bootseed usr/share/initramfs-tools/scripts/init-premount/bootseed \
	usr/share/initramfs-tools/scripts/local-bottom/bootseed usr/lib/systemd/system/bootseed.service; do
	[ -f "$D/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && echo "    all in place" || echo "    missing:$missing"
t_check "every file where README says" test -z "$missing"
t_check "the default configuration installed where there was none" cmp -s "$T_TOP/bootseed.conf" "$D/etc/bootseed.conf"
t_check "the binary's path written into the hook, the dracut module and the unit" \
	bash -c "grep -q '^BOOTSEED_BIN=/usr/sbin/bootseed$' '$D/usr/share/initramfs-tools/hooks/bootseed' &&
		grep -q '^bootseed_bin=/usr/sbin/bootseed$' '$D/usr/lib/dracut/modules.d/50bootseed/module-setup.sh' &&
		grep -q '^ExecStart=-/usr/sbin/bootseed load$' '$D/usr/lib/systemd/system/bootseed.service' &&
		! grep -rq '@SBINDIR@\|@SYSCONFDIR@' '$D'"

echo "seed_credit = no # the administrator's" >"$D/etc/bootseed.conf"
t_check "a second make install over it" inst "$W/install2.log"
sed 's/^/    | /' "$W/install2.log"
t_check "an existing /etc/bootseed.conf kept, unchanged" \
	grep -qx "seed_credit = no # the administrator's" "$D/etc/bootseed.conf"
t_check "and make install says it kept it" grep -q 'keeping .*/etc/bootseed.conf' "$W/install2.log"
t_done
