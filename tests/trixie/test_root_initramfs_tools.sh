#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 13 (trixie) root, its own 6.12 kernel, bootseed installed by
# its package, the initramfs built by initramfs-tools inside the root, booted four times
# under QEMU TCG with swtpm: first, second, bootseed=0 and rw boots: the
# Debian 12 root tests, by ROOT_RELEASE (tests/root/testlib.sh).
set -u
ROOT_RELEASE=trixie
# shellcheck source-path=SCRIPTDIR source=../root/testlib.sh
. "$(dirname "$0")/../root/testlib.sh"
rt_run initramfs-tools
