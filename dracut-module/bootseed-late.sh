#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut pre-pivot hook (classic initrd): the late stage of bootseed, the seed
# file under the mounted root. Sourced by dracut's init: no exit, no set -e;
# log and go on.
if [ -x /usr/sbin/bootseed ]; then
    /usr/sbin/bootseed load --stage late --root "${NEWROOT:-/sysroot}"
    bootseed_rc=$?
    [ "$bootseed_rc" -eq 0 ] ||
        warn "bootseed: load --stage late: exit status $bootseed_rc, going on"
    unset bootseed_rc
fi
