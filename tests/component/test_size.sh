#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped binary (build/bootseed, `make`): fully static, musl, stripped,
# within the size budget, so that it runs copied alone into any initramfs.
# Also checks the stand-ins the static build links in place of musl's own
# (build-aux/musl-compat/): fnmatch against musl's on libkmod's real module
# alias patterns and on random patterns, vfprintf against musl's on the
# callers' formats and random ones, malloc under a random workload.
#
#   SIZE_ARCH             amd64 (default) or arm64: the binary of `make` or of
#                         `make ARCH=arm64`; for arm64 the binary and the
#                         stand-in checks are cross-built and run by qemu-aarch64
#   BOOTSEED_SHIPPED_BIN  the binary (default build/bootseed, build/arm64/bootseed)
#   SIZE_BUDGET           bytes (default 131072 = 128 KiB, as in the Makefile,
#                         for both)
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
case ${SIZE_ARCH:-amd64} in
arm64)
	BIN=${BOOTSEED_SHIPPED_BIN:-$T_TOP/build/arm64/bootseed}
	BUDGET=${SIZE_BUDGET:-131072}
	MUSL_CC=aarch64-linux-musl-gcc MACHINE="ARM aarch64" RUN=qemu-aarch64
	t_need file readelf aarch64-linux-musl-gcc qemu-aarch64 ;;
*)
	BIN=${BOOTSEED_SHIPPED_BIN:-$T_TOP/build/bootseed}
	BUDGET=${SIZE_BUDGET:-131072}
	MUSL_CC=musl-gcc MACHINE="x86-64" RUN=
	t_need file readelf musl-gcc ;;
esac
[ -x "$BIN" ] || { t_fail "no binary at $BIN (make)"; t_done; }

W=$(mktemp -d /tmp/bootseed-size-XXXXXX)
trap 'rm -rf "$W"' EXIT

# --- the binary -------------------------------------------------------------------
desc=$(file -b "$BIN")
echo "    file: $desc"
t_check "file says statically linked" grep -q 'statically linked' <<<"$desc"
t_check "file says stripped" bash -c "grep -q ', stripped' <<<'$desc'"
t_check "file says $MACHINE" grep -q "$MACHINE" <<<"$desc"
readelf -lW "$BIN" >"$W/phdr" 2>&1
readelf -dW "$BIN" >"$W/dyn" 2>&1
t_check "has program headers (an ELF executable)" grep -q 'LOAD' "$W/phdr"
t_check "no PT_INTERP (no dynamic loader)" bash -c "! grep -q INTERP '$W/phdr'"
t_check "no DYNAMIC segment, no NEEDED libraries" \
	bash -c "! grep -q DYNAMIC '$W/phdr' && ! grep -q NEEDED '$W/dyn'"
# glibc's crt1.o brings a .note.ABI-tag; musl's does not.
t_check "linked with musl, not glibc (no GNU ABI tag note)" \
	bash -c "! readelf -nW '$BIN' 2>/dev/null | grep -q NT_GNU_ABI_TAG"
size=$(stat -c %s "$BIN")
echo "    size: $size bytes ($((size * 100 / BUDGET))% of $BUDGET)"
t_check "size $size <= budget $BUDGET bytes" test "$size" -le "$BUDGET"
t_check "runs${RUN:+ ($RUN)}: 'bootseed --help' prints usage" \
	bash -c "$RUN '$BIN' --help 2>&1 | grep -q 'usage: bootseed'"

# --- fnmatch stand-in against musl's --------------------------------------------
if $MUSL_CC ${RUN:+-static} -O2 -Wall -Wextra -o "$W/fnmatch_check" "$T_TOP/tests/component/size/fnmatch_check.c" \
	-x c - < <(sed 's/^int fnmatch(/int compat_fnmatch(/' "$T_TOP/build-aux/musl-compat/fnmatch.c") \
	2>"$W/cc.log"; then
	# Every alias pattern of the cached Debian kernels against: itself, itself
	# with the wildcards filled in (a match), and this machine's modaliases
	# (for arm64: those of the boards in test_modload.sh, not this host's).
	aliases=$(ls "$T_TOP"/build/cache/kernel-*/root/lib/modules/*/modules.alias 2>/dev/null)
	if [ -n "$RUN" ]; then
		printf '%s\n' 'of:NrngT(null)Cbrcm,bcm2835-rng' 'of:NrngT(null)Cbrcm,bcm2711-rng200' \
			'of:NtpmT(null)Cinfineon,slb9670Ctcg,tpm_tis-spi' 'of:Nvirtio_mmioT(null)Cvirtio,mmio' \
			'acpi:APMC0D18:' 'platform:smccc_trng' 'virtio:d00000004v554D4551' >"$W/host"
	else
		cat /sys/bus/*/devices/*/modalias >"$W/host" 2>/dev/null
	fi
	echo 'pci:v00001AF4d00001005sv00001AF4sd00000004bc00scFFi00' >>"$W/host"
	if [ -n "$aliases" ]; then
		# shellcheck disable=SC2086 # a list of files
		awk '$1 == "alias" { print $2 }' $aliases | sort -u >"$W/patterns"
		awk 'NR == FNR { host[++n] = $0; next }
			{ filled = $0; gsub(/\*/, "x", filled); gsub(/\?/, "0", filled)
			  gsub(/\[[^]]*\]/, "1", filled)
			  print $0 "\t" $0; print $0 "\t" filled
			  for (i = 1; i <= n; i++) print $0 "\t" host[i] }' \
			"$W/host" "$W/patterns" >"$W/pairs"
		echo "    $(wc -l <"$W/patterns") alias patterns, $(wc -l <"$W/pairs") pairs"
	else
		: >"$W/pairs"
		t_skip "fnmatch on real alias patterns: no cached kernel (run the boot tests once)"
	fi
	$RUN "$W/fnmatch_check" 300000 <"$W/pairs" >"$W/fn.log"
	rc=$?
	tail -n 5 "$W/fn.log" | sed 's/^/    /'
	t_check "fnmatch stand-in agrees with musl's (alias patterns, random patterns, all flags)" \
		test "$rc" -eq 0
else
	cat "$W/cc.log"
	t_fail "fnmatch check does not build"
fi

# --- strstr, strtol family, qsort stand-ins against musl's ----------------------
# compat_check NAME SED N WHAT: tests/component/size/NAME_check.c built against
# musl with build-aux/musl-compat/NAME.c, its functions renamed compat_* by the
# sed -E expression SED, run N times; it exits 0 when all agree.
compat_check() {
	local name=$1 rename=$2 n=$3 what=$4 out rc
	if $MUSL_CC -static -O2 -Wall -Wextra -o "$W/${name}_check" "$T_TOP/tests/component/size/${name}_check.c" \
		-x c - < <(sed -E "$rename" "$T_TOP/build-aux/musl-compat/$name.c") 2>"$W/cc.log"; then
		out=$($RUN "$W/${name}_check" "$n" 2>&1)
		rc=$?
		echo "    $out"
		t_check "$what" test "$rc" -eq 0
	else
		cat "$W/cc.log"
		t_fail "$name check does not build"
	fi
}
compat_check strstr 's/^char \*strstr\(/char *compat_strstr(/' "${RUN:+30000}${RUN:-300000}" \
	"strstr stand-in agrees with musl's (random haystacks and needles)"
compat_check strtol 's/^(unsigned long long|unsigned long|long long|long) strto(u?l{1,2})\(/\1 compat_strto\2(/' \
	"${RUN:+30000}${RUN:-300000}" \
	"strtol, strtoul, strtoll, strtoull stand-ins agree with musl's (value, end, errno)"
compat_check qsort 's/^void qsort\(/void compat_qsort(/' "${RUN:+2000}${RUN:-20000}" \
	"qsort stand-in sorts as musl's does (random, sorted, reversed, duplicate keys)"

# --- vfprintf stand-in against musl's -------------------------------------------
if $MUSL_CC -static -O2 -Wall -Wextra -Wno-format -Wno-format-extra-args -o "$W/vfprintf_check" \
	"$T_TOP/tests/component/size/vfprintf_check.c" \
	-x c - < <(sed 's/^int vfprintf(/int compat_vfprintf(/' "$T_TOP/build-aux/musl-compat/vfprintf.c") \
	2>"$W/cc.log"; then
	out=$($RUN "$W/vfprintf_check" "${RUN:+20000}${RUN:-50000}" 2>&1)
	rc=$?
	echo "$out" | tail -n 5 | sed 's/^/    /'
	t_check "vfprintf stand-in agrees with musl's (output, return, errno; floats refused)" \
		test "$rc" -eq 0
	# fmt_fp's prefix table, in musl's vfprintf.o and nowhere else.
	t_check "vfprintf stand-in replaces musl's in the binary (no fmt_fp)" \
		bash -c "! grep -a -q -e '-0X+0X 0X-0x+0x 0x' '$BIN'"
else
	cat "$W/cc.log"
	t_fail "vfprintf check does not build"
fi

# --- malloc stand-in -----------------------------------------------------------------
if $MUSL_CC -static -Os -flto -Wall -Wextra -o "$W/malloc_check" \
	"$T_TOP/tests/component/size/malloc_check.c" "$T_TOP/build-aux/musl-compat/malloc.c" \
	2>"$W/cc.log"; then
	# Under emulation every mmap costs: a tenth of the operations (7 s, not 70).
	out=$($RUN "$W/malloc_check" "${RUN:+30000}${RUN:-300000}" 2>&1)
	rc=$?
	echo "    $out"
	t_check "malloc stand-in: random malloc/calloc/realloc/free keep every byte" test "$rc" -eq 0
	t_check "malloc stand-in replaces musl's (no mallocng in the link)" \
		bash -c "! nm '$W/malloc_check' | grep -q alloc_slot"
else
	cat "$W/cc.log"
	t_fail "malloc check does not build"
fi
t_done
