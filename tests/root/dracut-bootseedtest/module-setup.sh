#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # moddir: set by dracut
# Test root only (modules.d/99bootseedtest): says how the root is mounted when
# the initramfs hands over, for the root boot tests. Included only when asked
# for (--modules).
check() { return 255; }
depends() { return 0; }
install() { inst_hook pre-pivot 99 "$moddir/handover.sh"; }
