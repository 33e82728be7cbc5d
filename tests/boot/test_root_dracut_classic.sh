#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 12 root with bootseed installed by `make install`, its
# initramfs built by dracut-classic inside the root, booted four times under QEMU TCG
# with swtpm: first, second, bootseed=0 and rw boots (tests/root/testlib.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=../root/testlib.sh
. "$(dirname "$0")/../root/testlib.sh"
# The one root test that installs by `make install` (README, other systems).
rt_run dracut-classic make
