#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 12 root with bootseed installed by `make install`, its
# initramfs built by dracut-classic inside the root, booted three times under QEMU TCG
# with swtpm: first boot, second boot, bootseed=0 (tests/root/testlib.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=../root/testlib.sh
. "$(dirname "$0")/../root/testlib.sh"
rt_run dracut-classic
