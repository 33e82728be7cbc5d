#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package (debian/) the way `make deb` asks for it:
#
#   build-aux/deb.sh OUTDIR [VERSION]
#
# A copy of the tree (without build/ and .git) in OUTDIR/src, built there by
# `dpkg-buildpackage -us -uc -b -nc` (-nc: no clean first). The copy gets the
# top-level static build with it (build/obj, build/bootseed, and
# build/third_party as a link), mtimes kept, so its `make` finds the binary
# current: the package ships the very binary `make` built and `make check`
# tests, and nothing is fetched or compiled twice. The .deb lands in OUTDIR. VERSION other than debian/changelog's (the
# tests' upgrade: the same source with a bumped version) is a new changelog
# entry in the copy only. debian/changelog must be in step with
# src/bootseed.h's BOOTSEED_VERSION: its upstream part is that version.
set -eu

out=${1:?usage: $0 OUTDIR [VERSION]}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out" && out=$(cd "$out" && pwd)
cd "$top"
[ -x build/bootseed ] || { echo "deb: no build/bootseed: run make first" >&2; exit 1; }

have=$(dpkg-parsechangelog -S Version)
want=${2:-$have}
code=$(sed -n 's/^#define BOOTSEED_VERSION "\(.*\)"$/\1/p' src/bootseed.h)
case $have in
"$code" | "$code"-* | "$code"+*) ;;
*)
	echo "deb: debian/changelog says $have, src/bootseed.h BOOTSEED_VERSION $code: add a changelog entry" >&2
	exit 1
	;;
esac

rm -rf "$out/src"
mkdir -p "$out/src"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$out/src" -xf -
mkdir -p "$out/src/build"
cp -a build/obj build/bootseed build/.link "$out/src/build/"
ln -s "$top/build/third_party" "$out/src/build/third_party"
if [ "$want" != "$have" ]; then
	{
		printf 'bootseed (%s) unstable; urgency=medium\n\n' "$want"
		printf '  * Rebuilt unchanged as %s (build-aux/deb.sh).\n\n' "$want"
		printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -S Maintainer)" "$(date -R)"
		cat debian/changelog
	} >"$out/src/debian/changelog"
fi
arch=$(dpkg --print-architecture)
rm -f "$out/bootseed_${want}_$arch.deb"
echo "deb: dpkg-buildpackage -us -uc -b in $out/src (log: $out/build.log)"
if ! (cd "$out/src" && dpkg-buildpackage -us -uc -b -nc) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
rm -rf "$out/src"
echo "deb: $out/bootseed_${want}_$arch.deb"
