#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the static archives the shipped (musl, static) bootseed links with:
# libkmod from Debian's kmod source and the tpm2-tss SAPI, marshalling and
# device TCTI from Debian's tpm2-tss source. Debian ships both only as shared
# libraries, built against glibc.
#
#   build-aux/third-party.sh DIR     (the Makefile passes build/third_party)
#
# Sources come from the Debian archive through apt-get source, with a private
# sources list, state and cache under DIR/apt (the machine's apt setup is never
# touched), pinned by version and by the sha256 of their .dsc; dpkg-source then
# checks every tarball against the .dsc. Results, cached in DIR:
#   DIR/musl/include   libkmod.h, tss2/*.h, and linux/ asm/ asm-generic/ links
#                      (musl has no kernel headers; these point at /usr/include)
#   DIR/musl/lib       libkmod.a libtss2-sys.a libtss2-mu.a libtss2-tcti-device.a
#   DIR/log/           the build logs
# Each library is rebuilt only when its pin, its flags, this script or its
# patches change (a stamp holds the hash of all of them); then this script
# takes a second or so. The two libraries build in parallel.
#
# Environment: MUSL_CC (musl-gcc), TP_CFLAGS (flags for the libraries); for a
# cross build (make ARCH=arm64) also TP_HOST (configure's --host,
# aarch64-linux-musl) and TP_CROSS (the binutils prefix, aarch64-linux-gnu-).
set -u

TP=${1:?usage: $0 DIR}
mkdir -p "$TP" && TP=$(cd "$TP" && pwd) || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
MUSL_CC=${MUSL_CC:-musl-gcc}
TP_CFLAGS=${TP_CFLAGS:--Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -flto}
TP_HOST=${TP_HOST:-}
TP_CROSS=${TP_CROSS:-}
JOBS=$(nproc 2>/dev/null || echo 2)

# Pins: package, version, suite, sha256 of the .dsc. bookworm's tpm2-tss 3.2.1
# is gone from the archive's source files; trixie's 4.1.3 builds here.
KMOD_PIN="kmod 30+20221128-1 bookworm 82be47e59807b9717641c1a9dd245618a23aa721709bcaf44409579f885f67a3"
TSS_PIN="tpm2-tss 4.1.3-1.2 trixie 84d79c94764446b6c7ff8d32ec739642646f6e9ddb98976c9b5609f06479c5fa"

say() { echo "third-party: $*"; }
die() { echo "third-party: $*" >&2; exit 1; }

# --- what the build needs ------------------------------------------------------

check_tools() {
	missing=""
	if [ -n "$TP_HOST" ]; then
		command -v "$MUSL_CC" >/dev/null 2>&1 || missing="$missing musl-dev:arm64"
		command -v "${TP_CROSS}gcc" >/dev/null 2>&1 || missing="$missing gcc-aarch64-linux-gnu"
	else
		command -v "$MUSL_CC" >/dev/null 2>&1 || missing="$missing musl-tools"
	fi
	command -v autoreconf >/dev/null 2>&1 || missing="$missing autoconf"
	command -v automake >/dev/null 2>&1 || missing="$missing automake"
	command -v libtoolize >/dev/null 2>&1 || missing="$missing libtool"
	[ -f /usr/share/aclocal/ltdl.m4 ] || missing="$missing libltdl-dev"
	[ -f /usr/share/aclocal/ax_check_compile_flag.m4 ] || missing="$missing autoconf-archive"
	command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
	command -v dpkg-source >/dev/null 2>&1 || missing="$missing dpkg-dev"
	command -v make >/dev/null 2>&1 || missing="$missing make"
	command -v apt-get >/dev/null 2>&1 || die "apt-get missing: the sources come from the Debian archive"
	[ -z "$missing" ] && return 0
	cat >&2 <<EOF
third-party: the static build of bootseed needs:$missing
third-party: install them with 'make deps' (tests/install-deps.sh, as root), or
third-party: build against the system's shared libraries with 'make STATIC=0'.
EOF
	exit 1
}

# --- sources -------------------------------------------------------------------

# Private apt: only the deb-src lines below, state and cache in DIR/apt.
apt_private() {
	apt-get -q -o Dir::Etc::sourcelist="$TP/apt/sources.list" \
		-o Dir::Etc::sourceparts="$TP/apt/sources.list.d" -o Dir::State="$TP/apt/state" \
		-o Dir::Cache="$TP/apt/cache" \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

apt_setup() {
	mkdir -p "$TP/apt/state/lists/partial" "$TP/apt/cache/archives/partial" \
		"$TP/apt/sources.list.d" || exit 1
	cat >"$TP/apt/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
	[ -f "$TP/apt/updated" ] && return 0
	say "apt-get update (private lists in $TP/apt)"
	apt_private update >"$TP/log/apt-update.log" 2>&1 ||
		{ cat "$TP/log/apt-update.log" >&2; die "apt-get update failed"; }
	touch "$TP/apt/updated"
}

dsc_ok() { # FILE SHA256
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# fetch PKG VERSION SUITE SHA256: the .dsc and its files in DIR/src.
fetch() {
	pkg=$1 ver=$2 suite=$3 sha=$4
	dsc=$TP/src/${pkg}_${ver#*:}.dsc
	dsc_ok "$dsc" "$sha" && return 0
	apt_setup
	mkdir -p "$TP/src"
	say "apt-get source $pkg/$suite ($ver)"
	if ! (cd "$TP/src" && apt_private source --download-only "$pkg/$suite") \
		>"$TP/log/fetch-$pkg.log" 2>&1; then
		# Stale lists name files the mirror no longer has: refresh once.
		rm -f "$TP/apt/updated"
		apt_setup
		(cd "$TP/src" && apt_private source --download-only "$pkg/$suite") \
			>"$TP/log/fetch-$pkg.log" 2>&1 ||
			{ cat "$TP/log/fetch-$pkg.log" >&2; die "apt-get source $pkg/$suite failed"; }
	fi
	[ -f "$dsc" ] || die "$pkg/$suite is no longer $ver (got: $(cd "$TP/src" && echo "${pkg}"_*.dsc)): update the pin in $0"
	dsc_ok "$dsc" "$sha" || die "$dsc: sha256 $(sha256sum "$dsc" | cut -d' ' -f1), pinned $sha"
}

# unpack PKG VERSION DEST: dpkg-source checks every file against the .dsc
# (sha256 required). The .dsc's OpenPGP signature cannot be checked without
# debian-keyring ("No public key"); apt checked the Sources index it came
# from against the archive key, and its sha256 is pinned above.
unpack() {
	rm -rf "$3"
	mkdir -p "$(dirname "$3")" || exit 1
	dpkg-source -q --require-strong-checksums -x "$TP/src/${1}_${2#*:}.dsc" "$3" ||
		die "dpkg-source -x $1 $2 failed"
}

# --- builds (each runs in the background, output in its log) -------------------

MUSL_INC=$TP/musl/include
CONF_ENV() {
	# No pkg-config: nothing optional may be found on the (glibc) host.
	env CC="$MUSL_CC" CFLAGS="$TP_CFLAGS -isystem $MUSL_INC" AR="${TP_CROSS}gcc-ar" \
		RANLIB="${TP_CROSS}gcc-ranlib" NM="${TP_CROSS}gcc-nm" PKG_CONFIG_LIBDIR=/nonexistent "$@"
}
# configure's --host for a cross build: then it runs nothing it compiled.
HOST_ARG() { [ -z "$TP_HOST" ] || echo "--host=$TP_HOST"; }

build_kmod() {
	src=$TP/build/kmod
	unpack kmod "$1" "$src"
	for p in "$HERE"/patches/kmod-*.patch; do
		patch -d "$src" -p1 -s <"$p" || die "patch $p failed"
	done
	cd "$src" || exit 1
	touch libkmod/docs/gtk-doc.make
	autoreconf -fi || exit 1
	# kmod refuses --enable-static; libkmod-internal.a holds every object.
	# Logging off: bootseed silences libkmod's log anyway (modload.c).
	# shellcheck disable=SC2046 # empty or one word
	CONF_ENV ./configure $(HOST_ARG) --disable-manpages --disable-logging --disable-test-modules \
		--disable-python --without-xz --without-zstd --without-zlib --without-openssl ||
		exit 1
	make -j"$JOBS" libkmod/libkmod-internal.la || exit 1
	cp libkmod/.libs/libkmod-internal.a "$TP/musl/lib/libkmod.a" &&
		cp libkmod/libkmod.h "$MUSL_INC/libkmod.h"
}

build_tss() {
	src=$TP/build/tpm2-tss
	unpack tpm2-tss "$1" "$src"
	cd "$src" || exit 1
	./bootstrap || exit 1
	# Only the SAPI, marshalling and the device TCTI: no ESYS, FAPI, policy,
	# crypto or other TCTIs; no log strings; no -fstack-protector-all/-fPIC
	# (the default flags), our size flags instead.
	# shellcheck disable=SC2046 # empty or one word
	CONF_ENV ./configure $(HOST_ARG) --enable-static --disable-shared --disable-defaultflags \
		--disable-esys --disable-fapi --disable-policy --disable-vendor \
		--with-crypto=none --with-maxloglevel=none --disable-log-file \
		--disable-doxygen-doc --disable-tcti-mssim --disable-tcti-swtpm \
		--disable-tcti-pcap --disable-tcti-libtpms --disable-tcti-cmd \
		--disable-tcti-spi-helper --disable-tcti-spi-ltt2go --disable-tcti-spidev \
		--disable-tcti-spi-ftdi --disable-tcti-i2c-helper --disable-tcti-i2c-ftdi ||
		exit 1
	make -j"$JOBS" src/tss2-sys/libtss2-sys.la src/tss2-mu/libtss2-mu.la \
		src/tss2-tcti/libtss2-tcti-device.la || exit 1
	mkdir -p "$MUSL_INC/tss2" &&
		cp include/tss2/*.h "$MUSL_INC/tss2/" &&
		cp src/tss2-sys/.libs/libtss2-sys.a src/tss2-mu/.libs/libtss2-mu.a \
			src/tss2-tcti/.libs/libtss2-tcti-device.a "$TP/musl/lib/"
}

# stamp_key NAME PIN: what the build of NAME depends on.
stamp_key() {
	{
		echo "$2"
		echo "$TP_CFLAGS $TP_HOST"
		"$MUSL_CC" -dumpfullversion 2>/dev/null || "$MUSL_CC" -dumpversion
		cat "$0" "$HERE"/patches/"$1"-*.patch 2>/dev/null
	} | sha256sum | cut -d' ' -f1
}

# start NAME OUTPUT PIN: fetch now, build in the background unless the stamp is
# current and OUTPUT (an archive it installs) is there. Sets $pid (or "").
start() {
	name=$1 out=$2 pid=""
	shift 2
	key=$(stamp_key "$name" "$*")
	if [ "$(cat "$TP/stamp-$name" 2>/dev/null)" = "$key" ] && [ -f "$TP/musl/lib/$out" ]; then
		return 0
	fi
	rm -f "$TP/stamp-$name"
	fetch "$@"
	say "building $name $2 with $MUSL_CC (log: $TP/log/$name.log)"
	(
		case $name in
		kmod) build_kmod "$2" ;;
		tss) build_tss "$2" ;;
		esac >"$TP/log/$name.log" 2>&1 || exit 1
		echo "$key" >"$TP/stamp-$name"
	) &
	pid=$!
}

# finish NAME PID: wait for its build; show the end of its log if it failed.
finish() {
	[ -n "$2" ] || return 0
	if ! wait "$2"; then
		tail -n 30 "$TP/log/$1.log" >&2
		echo "third-party: building $1 failed; full log: $TP/log/$1.log" >&2
		return 1
	fi
	say "$1 done"
}

check_tools
# Two makes at once (make check beside make) must not build in the same tree:
# the second waits, then finds the stamps current.
exec 9>"$TP/.lock"
flock 9 || die "cannot lock $TP/.lock"
mkdir -p "$TP/log" "$TP/musl/lib" "$MUSL_INC" || exit 1
for d in linux asm-generic; do
	ln -sfn "/usr/include/$d" "$MUSL_INC/$d"
done
# The asm/ headers of the target: /usr/include/aarch64-linux-gnu/asm for arm64
# (linux-libc-dev:arm64).
multiarch=$("$MUSL_CC" -print-multiarch 2>/dev/null)
ln -sfn "/usr/include/${multiarch:-x86_64-linux-gnu}/asm" "$MUSL_INC/asm"
[ -f "$MUSL_INC/linux/random.h" ] || die "no kernel headers in /usr/include/linux (install linux-libc-dev)"
[ -f "$MUSL_INC/asm/ioctl.h" ] ||
	die "no kernel asm headers in /usr/include/$multiarch/asm (install linux-libc-dev:$(dpkg-architecture -qDEB_HOST_ARCH -t "$multiarch" 2>/dev/null))"

# shellcheck disable=SC2086 # the pins are word lists
start kmod libkmod.a $KMOD_PIN
pid_kmod=$pid
# shellcheck disable=SC2086
start tss libtss2-sys.a $TSS_PIN
pid_tss=$pid
rc=0
finish kmod "$pid_kmod" || rc=1
finish tss "$pid_tss" || rc=1
exit "$rc"
