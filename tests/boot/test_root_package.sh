#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The package's life cycle (install, upgrade, remove, purge) with apt-get in
# a Debian 12 root, and lintian on it (tests/root/package.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=../root/package.sh
. "$(dirname "$0")/../root/package.sh"
rp_run
