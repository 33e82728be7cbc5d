#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh: what `make bench` runs (bench/README.md explains the method).
# Boots a real Debian 12 root under QEMU TCG in each scenario with each
# seeder configuration, several times, and writes bench/results.md,
# bench/crng-ready.png and bench/raw/*.csv; per-boot records, and the serial
# logs of failed boots, stay in build/bench/runs/<stamp>/ (build/bench/latest).
#
# As root on Debian 12. Environment:
#   BENCH_REPS=3          measured boots per configuration and scenario (at
#                         most: a scenario's :N can only lower it)
#   BENCH_SCENARIOS="tpm:2 virtio:2 tpm-seed:2 seed nothing tpm@6.12:2"
#                         scenario[@kernel series][:boots] (default kernel 6.1,
#                         default boots BENCH_REPS):
#                         tpm       swtpm TPM 2.0 only
#                         virtio    virtio-rng only
#                         tpm-seed  TPM and a seed file from an earlier boot
#                         seed      a seed file from an earlier boot, nothing else
#                         nothing   no device, no seed: the first boot of a
#                                   device-less VM (fresh disk)
#                         hostseed  a golden image's first boot (fresh disk),
#                                   no device, a fresh host seed through
#                                   SMBIOS type 11 (`bootseed host-seed`)
#                         hostseed-fresh  the same with bootseed.host_seed_fresh=yes
#                         tpm-counter  as tpm-seed, every boot (the preparation
#                                   boot too) with bootseed.tpm_counter=yes
#   BENCH_CONFIGS="stock rngd bootseed-itools bootseed-dracut"
#                         stock            Debian's initramfs-tools image, no
#                                          seeder but systemd-random-seed
#                         stock-dracut     the same with dracut's systemd initrd
#                                          (not in the default set; its image
#                                          is always built for the size figures)
#                         rngd             stock + rng-tools5's rngd in the root
#                         bootseed-itools  bootseed (make install), initramfs-tools
#                         bootseed-dracut  bootseed, dracut with the systemd initrd
#   BENCH_CONFIGS_612="stock bootseed-itools"
#                         the configurations booted in the @6.12 scenarios
#                         (of BENCH_CONFIGS): 6.12 differs only in that its
#                         kernel credits the TPM's hwrng itself
#   BENCH_DISK_NONROT=1   the disk reports itself non-rotating, so the kernel
#                         credits no disk timings, as on a VM's virtio-blk or
#                         SSD; 0: a rotating disk, as in the boot tests
#                         (bench/README.md, caveats)
#   BENCH_BOOT_TIMEOUT=240  seconds before a boot is killed (counted as failed)
#   BENCH_NO_DEPS=1       skip the apt-get checks (tests/install-deps.sh etc.)
#   BENCH_OUT=build/bench
set -u
BENCH_START=$(date +%s)
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh

REPS=${BENCH_REPS:-3}
# The default fits `make bench` in 30 minutes on a 2-core host (bench/README.md,
# "Running it"): 3 boots where issue 12 set targets (seed, nothing), 2 in
# the scenarios measured at 3 boots before it.
SCENARIO_WORDS=${BENCH_SCENARIOS:-tpm:2 virtio:2 tpm-seed:2 seed nothing tpm@6.12:2}
CONFIGS=${BENCH_CONFIGS:-stock rngd bootseed-itools bootseed-dracut}
CONFIGS_612=${BENCH_CONFIGS_612-stock bootseed-itools}
PY=/usr/bin/python3

die() { bench_err "$*"; exit 1; }

bench_deps() {
	[ "${BENCH_NO_DEPS:-0}" = 1 ] && return 0
	tests/install-deps.sh || die "tests/install-deps.sh failed"
	local p missing=""
	for p in gnuplot-nox python3; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	bench_log "installing:$missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing ||
		die "apt-get install$missing failed"
}

[ "$(id -u)" = 0 ] || die "must run as root (chroot, mkfs -d of root-owned trees, QEMU)"
case $REPS in '' | *[!0-9]* | 0) die "BENCH_REPS must be a positive number" ;; esac
for c in $CONFIGS $CONFIGS_612; do
	case $c in stock | stock-dracut | rngd | bootseed-itools | bootseed-dracut) ;;
	*) die "unknown configuration $c" ;; esac
done
# SCENARIOS: the words without their :N; SREPS[scenario]: its boots.
declare -A SREPS=()
SCENARIOS="" MAXREPS=0
for w in $SCENARIO_WORDS; do
	s=${w%%:*} n=$REPS
	case $w in *:*) n=${w#*:} ;; esac
	case $n in '' | *[!0-9]* | 0) die "bad number of boots in $w" ;; esac
	[ "$n" -gt "$REPS" ] && n=$REPS
	case ${s%@*} in tpm | virtio | tpm-seed | tpm-counter | seed | nothing | hostseed | hostseed-fresh) ;;
	*) die "unknown scenario $s" ;; esac
	case $s in *@*) case ${s#*@} in 6.1 | 6.12) ;; *) die "unknown kernel in $s" ;; esac ;; esac
	[ -n "${SREPS[$s]:-}" ] && die "scenario $s given twice"
	SREPS[$s]=$n SCENARIOS="${SCENARIOS:+$SCENARIOS }$s"
	[ "$n" -gt "$MAXREPS" ] && MAXREPS=$n
done
[ -n "$SCENARIOS" ] || die "no scenarios"
bench_deps
[ -x build/bootseed ] || die "no build/bootseed (run make, or make bench)"
for t in qemu-system-x86_64 swtpm mkfs.ext4 debugfs unshare gnuplot jq; do
	command -v "$t" >/dev/null || die "$t missing"
done
[ -x "$PY" ] || die "$PY missing (apt-get install python3)"

# --- what to build ------------------------------------------------------------------

has_word() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }
# "tpm 2, seed 3, ...": the boots per configuration in each scenario.
scen_reps_text() {
	local s out=""
	for s in $SCENARIOS; do out="${out:+$out, }$s ${SREPS[$s]}"; done
	echo "$out"
}
scen_kernel() { case $1 in *@*) echo "${1#*@}" ;; *) echo 6.1 ;; esac; }
config_image() {
	case $1 in stock | stock-dracut) echo stock ;; rngd) echo rngd ;; *) echo bootseed ;; esac
}
config_initrd() {
	case $1 in
	stock | rngd) echo stock-itools ;;
	stock-dracut) echo stock-dracut ;;
	bootseed-itools) echo bootseed-itools ;;
	bootseed-dracut) echo bootseed-dracut ;;
	esac
}

# scen_configs SCENARIO: the configurations booted in it.
scen_configs() {
	local c
	if [ "$(scen_kernel "$1")" = 6.1 ]; then
		echo "$CONFIGS"
		return
	fi
	for c in $CONFIGS; do has_word "$CONFIGS_612" "$c" && echo "$c"; done
}

# What the boots need: disk images (stock, rngd, bootseed) and initramfs
# images (PREFIX-BUILDER-KERNEL), and for "initramfs size added" the stock
# image of each builder and kernel bootseed is measured with.
KERNELS="6.1" NEED_IMAGES="" NEED_INITRDS=""
need() { has_word "$NEED_INITRDS" "$1" || NEED_INITRDS="$NEED_INITRDS $1"; }
for s in $SCENARIOS; do
	k=$(scen_kernel "$s")
	for c in $(scen_configs "$s"); do
		has_word "$KERNELS" "$k" || KERNELS="$KERNELS $k"
		i=$(config_image "$c")
		has_word "$NEED_IMAGES" "$i" || NEED_IMAGES="$NEED_IMAGES $i"
		i=$(config_initrd "$c")
		need "$i-$k"
		case $i in bootseed-*) need "stock-${i#bootseed-}-$k" ;; esac
	done
done
need stock-itools-6.1

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$BENCH_OUT/runs/$STAMP
mkdir -p "$RUN" "$BENCH_WORK" || die "cannot create $RUN"
ln -sfn "runs/$STAMP" "$BENCH_OUT/latest"
IMG=$BENCH_WORK/img
rm -rf "$IMG"   # nothing from an earlier run: the sizes list what is there
mkdir -p "$IMG"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
trap 'boot_cleanup; rm -rf "$BENCH_WORK/root" "$BENCH_WORK/boot.img"' EXIT
bench_log "run $RUN: scenarios (boots): $(scen_reps_text); configurations: $CONFIGS"

# --- kernels, root, images ----------------------------------------------------------

declare -A KVER KVMLINUZ KPKG
for k in $(echo "$KERNELS" | tr ' ' '\n' | sort -r); do   # 6.1 last: root_base_fetch uses it
	boot_kernel_fetch "$k" || die "cannot fetch the Debian $k kernel"
	KVER[$k]=$BOOT_KVER KVMLINUZ[$k]=$BOOT_VMLINUZ KPKG[$k]=$BOOT_KPKG
done
root_base_fetch || die "cannot build the Debian 12 root (mmdebstrap)"
[ "$ROOT_KVER" = "${KVER[6.1]}" ] || die "the root's kernel $ROOT_KVER is not ${KVER[6.1]}"

# add_kernels DIR: the other kernels into the root (6.1 is there already).
add_kernels() {
	local k
	for k in $KERNELS; do
		[ "$k" = 6.1 ] && continue
		boot_kernel_fetch "$k" && bench_add_kernel "$1" || return 1
	done
	boot_kernel_fetch 6.1
}

# build_initrds DIR PREFIX BOOTSEED: PREFIX-{itools,dracut}-KERNEL.img as needed.
build_initrds() {
	local dir=$1 prefix=$2 with=$3 k flav short
	for short in itools dracut; do
		flav=initramfs-tools
		[ "$short" = dracut ] && flav=dracut-systemd
		for k in $KERNELS; do
			has_word "$NEED_INITRDS" "$prefix-$short-$k" || continue
			bench_log "building $prefix-$short-$k.img ($flav, ${KVER[$k]})"
			bench_initramfs "$dir" "$flav" "${KVER[$k]}" "$IMG/$prefix-$short-$k.img" \
				"$RUN/initramfs-$prefix-$short-$k.log" "$with" || return 1
		done
	done
}

R=$BENCH_WORK/root
t0=$SECONDS
bench_log "staging the stock root (no bootseed)"
bench_stage_stock "$R" || die "staging the stock root failed"
{ bench_add_probes "$R" && add_kernels "$R"; } || die "preparing the stock root failed"
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
SYSTEMD_VERSION=$(root_chroot "$R" dpkg-query -W -f='${Version}' systemd)
build_initrds "$R" stock 0 || die "stock initramfs failed"
if has_word "$NEED_IMAGES" stock; then
	root_image "$R" "$IMG/stock.img" || die "stock disk image failed"
fi
RNGD_VERSION=""
if has_word "$NEED_IMAGES" rngd; then
	bench_log "installing rng-tools5 (dpkg -i) for the rngd root"
	bench_add_rngd "$R" || die "installing rng-tools5 failed"
	RNGD_VERSION=$BENCH_RNGD_VERSION
	root_image "$R" "$IMG/rngd.img" || die "rngd disk image failed"
fi
rm -rf "$R"
if has_word "$NEED_IMAGES" bootseed; then
	bench_log "staging the root with bootseed (make install)"
	bench_stage_bootseed "$R" || die "staging the bootseed root failed"
	{ bench_add_probes "$R" && add_kernels "$R"; } || die "preparing the bootseed root failed"
	build_initrds "$R" bootseed 1 || die "bootseed initramfs failed"
	root_image "$R" "$IMG/bootseed.img" || die "bootseed disk image failed"
	rm -rf "$R"
fi
BUILD_S=$((SECONDS - t0))
bench_log "images built in ${BUILD_S} s"

# --- bootseed's own CPU cost, without emulation ------------------------------------

# Before the boots, on the idle host: 20 late-stage runs (bench/native.py
# keeps this machine's /run and its pool's credit untouched).
bench_log "bootseed's CPU cost on this machine itself (bench/native.py, 20 runs)"
BENCH_WORK=$BENCH_WORK "$PY" bench/native.py "$PWD/build/bootseed" 20 "$RUN/native.csv" ||
	bench_err "bench/native.py failed: the CPU target is judged under TCG only"

# --- sizes --------------------------------------------------------------------------

{
	echo "item,bytes"
	echo "bootseed_binary,$(stat -c %s build/bootseed)"
	for f in "$IMG"/*-itools-*.img "$IMG"/*-dracut-*.img; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .img)
		echo "initramfs_$b,$(stat -c %s "$f")"
	done
} >"$RUN/sizes.csv"

# --- boots --------------------------------------------------------------------------

# Is anything else using the machine? The load average cannot tell: it still
# carries the build above. Just before the boots, nothing of the bench runs:
# the CPU time spent in 3 s, on all cores, is someone else's.
busy_pct() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
	sleep 3
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
	echo "$a $b" | awk '{ t = $4 - $2; printf "%.0f", (t > 0 ? 100 * ($3 - $1) / t : 0) }'
}
HOST_BUSY=$(busy_pct)
# A process's name is cut to 15 characters ("qemu-system-x86"): -x
# qemu-system-x86_64 never matched. No bench QEMU runs at this point.
OTHER_QEMU=$(pgrep -c '^qemu-system-' || true)
bench_log "before the boots: the host's CPUs were ${HOST_BUSY}% busy over 3 s; other QEMU processes: $OTHER_QEMU"

BOOTS="$RUN/boots.jsonl"
: >"$BOOTS"
is_seed_scen() { case ${1%@*} in tpm-seed | tpm-counter | seed) return 0 ;; esac; return 1; }
# With tpm-counter, the preparation boots run with the counter too (its seed
# must record a counter value); then no tpm scenario's boot can stand in for them.
PREP_SCEN=tpm
case " $SCENARIOS " in *" tpm-counter"*) PREP_SCEN=tpm-counter ;; esac

# one_boot LABEL BASEIMG CONFIG SCENARIO KERNEL REP DIR FSCK [KEEP]: copy
# BASEIMG, boot the copy, parse its records into BOOT_LINE; the disk after
# the boot is moved to KEEP if given, else removed.
one_boot() {
	local label=$1 base=$2 config=$3 scen=$4 k=$5 rep=$6 dir=$7 fsck=$8 keep=${9:-} name rc=0 line
	name=$(echo "$config-${scen%@*}-$rep" | tr -c 'a-zA-Z0-9-\n' '-')
	cp --sparse=auto "$base" "$BENCH_WORK/boot.img" || die "cp $base failed"
	# The machine's TPM goes with its disk (seeds are bound to the TPM's key):
	# a disk an earlier boot kept brings that boot's TPM state, a fresh one none.
	rm -rf "$BENCH_WORK/tpm" && mkdir -p "$BENCH_WORK/tpm"
	[ -d "$base.tpm" ] && cp -a "$base.tpm/." "$BENCH_WORK/tpm/"
	export BOOT_SWTPM_STATE=$BENCH_WORK/tpm
	BOOT_VMLINUZ=${KVMLINUZ[$k]}
	BOOT_INITRD=$IMG/$(config_initrd "$config")-$k.img
	export BOOT_VMLINUZ BOOT_INITRD
	bench_boot "$name" "$BENCH_WORK/boot.img" "$dir" "$scen" "$fsck" || rc=$?
	line=$("$PY" bench/parse.py "$dir" name="$name" kernel="$k" kver="${KVER[$k]}" \
		scenario="${scen%@*}" config="$config" rep="$rep" phase="$label")
	[ -n "$line" ] || line="{\"name\":\"$name\",\"ok\":false}"
	if [ "$rc" -ne 0 ]; then
		bench_err "$label $k $scen $config rep $rep: did not reach bootseed-test-done (log $dir/serial.log)"
	else
		# Failed boots keep everything; the others a compressed serial log.
		gzip -f "$dir/serial.log"
		rm -rf "$dir/serial.log.qemu" "$dir/serial.log.tpm"
	fi
	echo "$line" >"$dir/record.json"
	if [ -n "$keep" ]; then
		mv "$BENCH_WORK/boot.img" "$keep"
		rm -rf "$keep.tpm" && cp -a "$BENCH_WORK/tpm" "$keep.tpm"
	else
		rm -f "$BENCH_WORK/boot.img"
	fi
	echo "$line" | jq -r --arg l "$label" '"bench: \($l) \(.kernel) \(.scenario) \(.config) #\(.rep): " +
		(if .ok then "ok" else "FAILED" end) +
		", crng ready at \(if .crng_s then (.crng_s * 100 | round / 100) else "-" end) s (\(.where)\(if .stall_by != "" then ": " + .stall_by else "" end)\(if (.ready_by // "") != "" then "; by " + .ready_by else "" end))" +
		", poweroff at \(if .poweroff_s then (.poweroff_s * 10 | round / 10) else "-" end) s, host \(.host_s // "-") s"'
	BOOT_LINE=$line
	return "$rc"
}

# The seed scenarios start from the disk of an earlier boot: one per
# configuration and kernel, with a TPM, from the fresh image. Where the tpm
# scenario is measured for that kernel, that earlier boot is its first
# measured boot (the same boot either way); otherwise a preparation boot,
# whose numbers are discarded, makes the disk.
# tpm_scen KERNEL: the tpm scenario of SCENARIOS booted with KERNEL, if any.
tpm_scen() {
	local s
	[ "$PREP_SCEN" = tpm ] || return 0
	for s in $SCENARIOS; do
		[ "${s%@*}" = tpm ] && [ "$(scen_kernel "$s")" = "$1" ] && echo "$s" && return
	done
}
declare -A PREP=() PREP_MEASURED=()
nprep=0
for s in $SCENARIOS; do
	is_seed_scen "$s" || continue
	k=$(scen_kernel "$s")
	for c in $(scen_configs "$s"); do
		[ -n "${PREP[$k-$c]:-}" ] && continue
		PREP[$k-$c]=$IMG/prep-$c-$k.img
		ts=$(tpm_scen "$k")
		if [ -n "$ts" ] && has_word "$(scen_configs "$ts")" "$c"; then
			PREP_MEASURED[$k-$c]=1
		else
			nprep=$((nprep + 1))
		fi
	done
done
nmeas=0
for s in $SCENARIOS; do for c in $(scen_configs "$s"); do nmeas=$((nmeas + ${SREPS[$s]})); done; done
bench_log "$nprep preparation boots, $nmeas measured boots (${#PREP_MEASURED[@]} of them also make a seed scenario's disk)"

# measure_boot I SCENARIO KERNEL CONFIG REP [KEEP]: measured boot number I;
# with KEEP, its disk is kept there (and checked: fsck after the boot).
measure_boot() {
	local i=$1 s=$2 k=$3 c=$4 rep=$5 keep=${6:-} base dir fsck=0
	dir=$RUN/boots/$k/$c/${s%@*}/$rep
	base=$IMG/$(config_image "$c").img
	is_seed_scen "$s" && base=${PREP[$k-$c]}
	if [ ! -f "$base" ]; then
		mkdir -p "$dir"
		echo "{\"name\":\"-\",\"kernel\":\"$k\",\"kver\":\"${KVER[$k]}\",\"scenario\":\"${s%@*}\",\"config\":\"$c\",\"rep\":\"$rep\",\"phase\":\"measure\",\"ok\":false,\"where\":\"no-prep\",\"stall_by\":\"\"}" >>"$BOOTS"
		return 1
	fi
	[ -n "$keep" ] && fsck=1
	one_boot "[$i/$nmeas]" "$base" "$c" "$s" "$k" "$rep" "$dir" "$fsck" "$keep"
	local rc=$?
	echo "$BOOT_LINE" | jq -c '.phase = "measure"' >>"$BOOTS"
	return "$rc"
}

# seed_disk_check KEY DIR: after the boot that made the disk of KEY's seed
# scenarios, the seed file must be on it; the line goes to prep.jsonl.
seed_disk_check() {
	local key=$1 dir=$2 c=${1#*-} seedf=/var/lib/systemd/random-seed seed_ok=false
	case $c in bootseed-*) seedf=/var/lib/bootseed/seed.credit ;; esac
	[ -f "${PREP[$key]}" ] && boot_disk_exists "${PREP[$key]}" "$seedf" && seed_ok=true
	[ "$seed_ok" = true ] || bench_err "$c (${key%%-*}): no $seedf on the disk after the boot before its seed scenarios"
	echo "$BOOT_LINE" | jq -c --arg f "$seedf" --argjson ok "$seed_ok" --arg d "${dir#"$RUN"/}" \
		'.seed_file = $f | .seed_on_disk = $ok | .dir = $d' >>"$RUN/prep.jsonl"
}

: >"$RUN/prep.jsonl"
for key in $(printf '%s\n' "${!PREP[@]}" | sort); do
	[ -n "${PREP_MEASURED[$key]:-}" ] && continue
	k=${key%%-*} c=${key#*-}
	if ! one_boot prep "$IMG/$(config_image "$c").img" "$c" "$PREP_SCEN" "$k" 0 "$RUN/boots/$k/$c/prep" 1 \
		"${PREP[$key]}"; then
		bench_err "preparation boot of $c ($k) failed: its seed scenarios will be recorded as failed"
		rm -f "${PREP[$key]}"
	fi
	seed_disk_check "$key" "$RUN/boots/$k/$c/prep"
done

# Rep 1 of the tpm scenarios that make seed disks comes first, so that those
# disks exist before the seed scenarios need them.
declare -A BOOTED=()
i=0
for key in $(printf '%s\n' "${!PREP_MEASURED[@]}" | sort); do
	k=${key%%-*} c=${key#*-}
	s=$(tpm_scen "$k")
	i=$((i + 1))
	if ! measure_boot "$i" "$s" "$k" "$c" 1 "${PREP[$key]}"; then
		bench_err "its seed scenarios ($c, $k) will be recorded as failed"
		rm -f "${PREP[$key]}"
	fi
	seed_disk_check "$key" "$RUN/boots/$k/$c/tpm/1"
	BOOTED[$s-$c-1]=1
done
for rep in $(seq "$MAXREPS"); do
	for s in $SCENARIOS; do
		[ "$rep" -le "${SREPS[$s]}" ] || continue
		k=$(scen_kernel "$s")
		for c in $(scen_configs "$s"); do
			[ -n "${BOOTED[$s-$c-$rep]:-}" ] && continue
			i=$((i + 1))
			measure_boot "$i" "$s" "$k" "$c" "$rep"
		done
	done
done

# --- summary ------------------------------------------------------------------------

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host_cpu=$(LC_ALL=C lscpu | sed -n 's/^Model name: *//p' | head -n1)"
	echo "host_cores=$(nproc)"
	echo "host_mem_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
	echo "host_kernel=$(uname -r)"
	echo "host_load=at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "host_busy=$HOST_BUSY"
	echo "other_qemu=$OTHER_QEMU"
	echo "qemu=$(qemu-system-x86_64 --version | head -n1)"
	echo "swtpm=$(swtpm --version 2>&1 | head -n1)"
	disk="IDE (AHCI) disk, raw image, rotating (the kernel credits its timings)"
	[ "${BENCH_DISK_NONROT:-1}" = 1 ] &&
		disk="IDE (AHCI) disk, raw image, non-rotating (rotation_rate=1: no disk timings credited)"
	echo "machine=q35, -cpu qemu64,-svm (no RDRAND/RDSEED), -smp 1, -m ${BOOT_MEM:-1024}, TCG; $disk"
	echo "kernel_cmdline=$(bench_kargs NAME)"
	for k in $KERNELS; do echo "kernel_$k=${KPKG[$k]} (${KVER[$k]})"; done
	echo "systemd=$SYSTEMD_VERSION"
	echo "rng_tools5=$RNGD_VERSION"
	echo "bootseed=$(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "reps=$(scen_reps_text)"
	echo "scenarios=$SCENARIOS"
	echo "configs=$CONFIGS (on 6.12: $CONFIGS_612)"
	echo "build_s=$BUILD_S"
	echo "total_s=$(($(date +%s) - BENCH_START))"
} >"$RUN/env.txt"
"$PY" bench/summarize.py "$RUN" bench || die "summarize.py failed"
gnuplot bench/crng-ready.gp || die "gnuplot failed"
bench_log "wrote bench/results.md, bench/crng-ready.png, bench/raw/ ($(($(date +%s) - BENCH_START)) s in all)"
# The disk images are big (the records are kept); the initramfs images stay.
rm -f "$IMG"/stock.img "$IMG"/rngd.img "$IMG"/bootseed.img "$IMG"/prep-*.img
rm -rf "$IMG"/prep-*.img.tpm
nfail=$(jq -s '[.[] | select(.ok != true)] | length' "$BOOTS")
[ "$nfail" -eq 0 ] || bench_err "$nfail measured boots failed (see $RUN/boots/*/*/*/*/serial.log)"
exit 0
