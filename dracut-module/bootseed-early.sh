#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut pre-udev hook (classic initrd): the early stage of bootseed, from the
# devices. Sourced by dracut's init: no exit, no set -e; log and go on.
if [ -x /usr/sbin/bootseed ]; then
    /usr/sbin/bootseed load --stage early
    bootseed_rc=$?
    [ "$bootseed_rc" -eq 0 ] ||
        warn "bootseed: load --stage early: exit status $bootseed_rc, going on"
    unset bootseed_rc
fi
