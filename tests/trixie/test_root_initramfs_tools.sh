#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Debian 13 (trixie) root, its own 6.12 kernel, bootseed installed by
# its package, the initramfs built by initramfs-tools inside the root, booted
# under QEMU TCG (with swtpm but for the seed-only boot): the Debian 12 root
# tests, by ROOT_RELEASE (tests/root/testlib.sh).
set -u
ROOT_RELEASE=trixie
# What differs on Debian 13 (systemd 257, 6.12, its initramfs tools): the TPM
# boot the kernel credits, the seed credited once, bootseed=0, the seed-only
# boot credited in the initramfs; the other cases are the Debian 12 suites'.
RT_BOOTS=${RT_BOOTS:-first second off seed}
# shellcheck source-path=SCRIPTDIR source=../root/testlib.sh
. "$(dirname "$0")/../root/testlib.sh"
rt_run initramfs-tools
