# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/boot/testlib.sh: what the boot test scripts share on top of lib.sh and
# ../lib.sh: the work and artifact directories, and the checks of a boot log.
#   bt_setup NAME: $ART (kept logs), $W (scratch, removed on exit)
#   bt_boot NAME IMAGE [KARGS...]: boot a copy-free IMAGE, log to $ART/NAME.log
#   bt_report LOG JQ: the report printed in the guest satisfies JQ
#   bt_crng_during_bootseed LOG: "crng init done" after init.sh's "bootseed
#                                starts" and before bootseed's summary
#   bt_crng_delay_ms LOG: ms from "bootseed starts" to "crng init done"
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bt_setup() {
	ART="$T_ARTIFACTS/$1"
	rm -rf "$ART"
	mkdir -p "$ART"
	W=$(mktemp -d "/tmp/bootseed-$1-XXXXXX")
	trap 'boot_cleanup; rm -rf "$W"' EXIT
	[ -x "$BOOTSEED_BIN" ] || { t_fail "no binary at $BOOTSEED_BIN (make)"; t_done; }
}

bt_boot() {
	local name=$1 img=$2
	shift 2
	boot_qemu "$ART/$name.log" "$img" "$@"
	echo "    ($name: ${BOOT_SECONDS:-?} s)"
	boot_log_section "$ART/$name.log" kmsg | sed 's/^/    | /'
	boot_log_has "$ART/$name.log" '^BOOTTEST: done' || { t_fail "$name: boot did not finish"; return 1; }
}

bt_report() { boot_log_section "$1" report | jq -e "$2" >/dev/null 2>&1; }

bt_crng_during_bootseed() {
	boot_log_section "$1" kmsg | awk '
		/boottest: bootseed starts/ && !start { start = NR }
		/crng init done/ { crng = NR }
		/bootseed: load: / { end = NR }
		END { exit !(start && crng > start && end > crng) }'
}

bt_crng_delay_ms() {
	boot_log_section "$1" kmsg | awk -F'[][]' '
		/boottest: bootseed starts/ && !s { s = $2 }
		/crng init done/ { c = $2 }
		END { if (s && c) printf "%.0f\n", (c - s) * 1000 }'
}
