#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where the bytes of the shipped binary go. Relinks build/bootseed's objects
# (from `make`) unstripped with a link map, and writes bench/size.txt: the size
# against the budget, the sections, and a breakdown by origin (bootseed's
# sources, libkmod, tpm2-tss, the musl stand-ins, musl's libc) and by symbol.
#
# musl's libc.a is not LTO-built, so the link map gives its members exactly.
# Everything else is one LTO program: its symbols are attributed to their
# sources by name (globals from gcc-nm, static functions by their definition
# in the sources); strings and tables without a symbol are counted apart.
set -u
cd "$(dirname "$0")/.." || exit 1
OUT=${1:-bench/size.txt}
B=build
TP=$B/third_party
if ! [ -x $B/bootseed ] || ! [ -d $B/obj ] || ! [ -f $TP/.ok ]; then
	echo "size: run 'make' first (the static build)" >&2
	exit 1
fi
W=$(mktemp -d /tmp/bootseed-size-XXXXXX)
trap 'rm -rf "$W"' EXIT

# The same link as the Makefile's, without -s, with a map.
flags=$(make -s --no-print-directory -f - print <<'EOF'
include Makefile
print:
	@echo '$(SIZE_CFLAGS) $(filter-out -s,$(STATIC_LDFLAGS)) -L$(TP)/musl/lib'
EOF
) || exit 1
budget=$(make -s --no-print-directory -f - print <<'EOF'
include Makefile
print:
	@echo '$(SIZE_BUDGET)'
EOF
)
# shellcheck disable=SC2086 # flags are word lists
musl-gcc $flags -Wl,-Map="$W/map" -o "$W/bootseed" $B/obj/*.o \
	-lkmod -ltss2-tcti-device -ltss2-mu || exit 1

{
	for o in "$B"/obj/*.o; do
		case $o in
		*/compat-*) label=musl-compat ;;
		*) label=bootseed ;;
		esac
		gcc-nm --defined-only "$o" 2>/dev/null | awk -v a="$label" 'NF == 3 { print a, $3 }'
	done
	for a in libkmod libtss2-mu libtss2-tcti-device; do
		gcc-nm --defined-only "$TP/musl/lib/$a.a" 2>/dev/null |
			awk -v a="$a" 'NF == 3 { print a, $3 }'
	done
} >"$W/globals"

python3 - "$W/map" "$W/bootseed" "$W/globals" "$B/bootseed" "$budget" >"$OUT" <<'EOF'
import collections, glob, re, subprocess, sys

mapfile, unstripped, globals_file, shipped, budget = sys.argv[1:6]
budget = int(budget)
size = len(open(shipped, 'rb').read())

STAND_INS = 'musl stand-ins (build-aux/musl-compat)'

def origin_of(label):
    if label.startswith('libtss2'):
        return 'tpm2-tss'
    return {'musl-compat': STAND_INS}.get(label, label)

# libc members from the link map: (start, end) ranges of text/rodata/data.
libc = collections.Counter()
libc_ranges = []
lines = open(mapfile).read().split('\n')
start = lines.index('Linker script and memory map')
pending = None
for l in lines[start:]:
    m = re.match(r'^ (\.\S+)\s*$', l)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r'^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', l)
    if not m:
        continue
    sec = m.group(1) or pending
    pending = None
    if not sec or not sec.startswith(('.text', '.rodata', '.data', '.init', '.fini')):
        continue
    f = m.group(4)
    addr, sz = int(m.group(2), 16), int(m.group(3), 16)
    if 'libc.a(' in f or f.endswith(('crt1.o', 'crti.o', 'crtn.o', 'crtbeginS.o', 'crtendS.o',
                                     'crtbegin.o', 'crtend.o', 'crtbeginT.o')):
        member = re.sub(r'.*\((.*)\)', r'\1', f).split('/')[-1]
        libc[member] += sz
        libc_ranges.append((addr, addr + sz))

# Program symbols from the unstripped binary.
syms = []
for l in subprocess.run(['nm', '-S', '--size-sort', unstripped], capture_output=True,
                        text=True).stdout.split('\n'):
    p = l.split()
    if len(p) == 4 and p[2] in 'tTrRdDwWvV':
        syms.append((int(p[0], 16), int(p[1], 16), p[3]))

glob_origin = {}
for l in open(globals_file):
    a, s = l.split()
    glob_origin.setdefault(s, origin_of(a))

sources = {
    STAND_INS: glob.glob('build-aux/musl-compat/*.c'),
    'bootseed': glob.glob('src/*.c'),
    'libkmod': glob.glob('build/third_party/build/kmod/libkmod/*.c') +
               glob.glob('build/third_party/build/kmod/shared/*.c'),
    'tpm2-tss': glob.glob('build/third_party/build/tpm2-tss/src/tss2-sys/**/*.c', recursive=True) +
                glob.glob('build/third_party/build/tpm2-tss/src/tss2-mu/*.c') +
                glob.glob('build/third_party/build/tpm2-tss/src/tss2-tcti/*.c') +
                glob.glob('build/third_party/build/tpm2-tss/src/util*/*.c'),
}
texts = {k: '\n'.join(open(f, errors='replace').read() for f in v) for k, v in sources.items()}

def origin(name):
    base = re.sub(r'\.(lto_priv|constprop|isra|part|cold|localalias)(\.\d+)?', '', name)
    base = re.sub(r'\.\d+$', '', base)
    if base in glob_origin:
        return glob_origin[base]
    for k in sources:
        if re.search(r'(^|[\s*])' + re.escape(base) + r'\s*(\(|\[|=|;)', texts[k], re.M):
            return k
    return 'unattributed'

def in_libc(addr):
    return any(a <= addr < b for a, b in libc_ranges)

by_origin = collections.Counter()
rows = []
prog_syms = 0
for addr, sz, name in syms:
    if in_libc(addr):
        continue
    o = origin(name)
    by_origin[o] += sz
    prog_syms += sz
    rows.append((sz, name, o))

# Section totals of the shipped binary (what counts is the file).
sect = subprocess.run(['size', '-A', shipped], capture_output=True, text=True).stdout
alloc_total = 0
for l in sect.split('\n'):
    p = l.split()
    if len(p) == 3 and p[0].startswith(('.text', '.rodata', '.data', '.init', '.fini')):
        alloc_total += int(p[1])
libc_total = sum(libc.values())
unnamed = alloc_total - libc_total - prog_syms

print(f'bootseed (static, musl, stripped): {size} bytes = {size / 1024:.1f} KiB, '
      f'budget {budget} ({budget // 1024} KiB): {budget - size} bytes to spare')
print()
print('Sections (size -A build/bootseed):')
for l in sect.strip().split('\n')[2:]:
    if l.strip() and not l.startswith('Total'):
        print('  ' + l)
print()
print('By origin (code + read-only data + data; bss takes no file space):')
allrows = [(libc_total, "musl libc.a (exact, from the link map)")]
allrows += [(v, k) for k, v in by_origin.items()]
allrows.append((unnamed, 'strings and tables without a symbol (all LTO code)'))
for v, k in sorted(allrows, reverse=True):
    print(f'  {v:7d}  {k}')
print(f'  {alloc_total:7d}  total; file overhead (ELF and program headers, section '
      f'headers, alignment): {size - alloc_total}')
print()
print('Largest musl members:')
for k, v in libc.most_common(25):
    print(f'  {v:7d}  {k}')
print()
print('Largest symbols outside libc (after LTO):')
for sz, name, o in sorted(rows, reverse=True)[:40]:
    print(f'  {sz:7d}  {name}  [{o}]')
EOF
echo "size: wrote $OUT"
head -n 1 "$OUT"
