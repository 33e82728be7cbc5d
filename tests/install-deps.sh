#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing bootseed needs on Debian 12 (as root).
# The static build (build-aux/third-party.sh) needs musl-tools, the autotools,
# libltdl-dev and autoconf-archive (to bootstrap tpm2-tss) and dpkg-dev;
# make deb needs debhelper, and the package test lintian.
# The fault, sanitize and fuzz layers need clang with libclang-rt-14-dev (ASan,
# UBSan, libFuzzer) and python3 (BLAKE2s fingerprints).
# The arm64 build and layer (make ARCH=arm64) need the arm64 dpkg architecture
# (added here): musl-dev:arm64 and linux-libc-dev:arm64 with
# gcc-aarch64-linux-gnu to cross-compile, and its package lists to download
# Debian's arm64 kernels and busybox-static:arm64; qemu-system-arm boots them,
# qemu-user runs the arm64 build's own tests.
# Only missing packages are installed; apt-get update runs only when needed.
set -u

PKGS="build-essential pkg-config jq strace shellcheck libkmod-dev libtss2-dev socat
qemu-system-x86 qemu-utils swtpm swtpm-tools busybox-static
e2fsprogs cpio gzip xz-utils zstd kmod dpkg-dev debhelper lintian
clang libclang-rt-14-dev python3
mmdebstrap
musl-tools autoconf automake libtool libltdl-dev autoconf-archive file
gcc-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev:arm64 qemu-system-arm qemu-user"

# Only root can add the architecture; without it the :arm64 packages show as missing.
if [ "$(id -u)" = 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64 || exit 1
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
# The boot tests fetch the Debian kernel with apt-get download: that needs lists.
need_update=0
for p in linux-image-amd64 linux-image-arm64:arm64; do
	apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]' || need_update=1
done
[ -z "$missing" ] && [ "$need_update" = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$need_update" = 1 ]; then
	apt-get update -q || exit 1
fi
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q || exit 1
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing || exit 1
fi
