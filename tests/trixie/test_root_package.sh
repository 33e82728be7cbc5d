#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The package's life cycle (install, upgrade, remove, purge) with apt-get in
# a Debian 13 root, then with dracut in place of initramfs-tools
# (tests/root/package.sh).
set -u
ROOT_RELEASE=trixie
# shellcheck source-path=SCRIPTDIR source=../root/package.sh
. "$(dirname "$0")/../root/package.sh"
RP_LIVE=${RP_LIVE:-1} rp_run
