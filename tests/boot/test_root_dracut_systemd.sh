#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 12 root with bootseed installed by its package, its
# initramfs built by dracut-systemd inside the root, booted four times under QEMU TCG
# with swtpm: first, second, bootseed=0 and rw boots (tests/root/testlib.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=../root/testlib.sh
. "$(dirname "$0")/../root/testlib.sh"
rt_run dracut-systemd
