# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/root/testlib.sh: boots of a real Debian root ($ROOT_RELEASE:
# bookworm, the default, or trixie; tests/root/lib.sh) with bootseed installed
# by its package (`apt-get install ./bootseed_*.deb`) or by `make install`, for
# one initramfs flavour (initramfs-tools, dracut-systemd, dracut-classic).
# rt_run FLAVOUR [deb|make] does it all: boots of one disk image under QEMU
# TCG with swtpm, its state kept from boot to boot (one machine, one TPM):
#   first   fresh image: machine-id "uninitialized", no seed, no ssh host keys
#           (on 6.2+ kernels, trixie's 6.12, the kernel credits the TPM's
#           hwrng itself: bootseed must not count it again)
#   second  the same disk again: the seed of the first boot; with
#           bootseed.tpm_bytes=128 bootseed.seed_foreign=no, to show the
#           command line reaches every stage
#   off     the same disk with bootseed=0
#   rw      the same disk mounted writable in the initramfs (the seed is
#           credited there, once)
#   seed    no TPM: only the seed, the root read-only and fstab read-write:
#           the late stage remounts it for the seed and credits it there
#           (classic dracut leaves no sign of its fsck: the kernel's jitter
#           makes the crng ready there instead)
#   noremount  the same with bootseed.seed_remount=no: mixed only in the
#           initramfs, the crng made ready by the kernel's jitter
#   nobs    (initramfs-tools) an initramfs without bootseed and an emptied
#           machine-id: systemd mounts a transient ID; the seed is not credited
#   bare    the disk reset to a device-less first boot (no seed, machine-id
#           uninitialized, no TPM): kernel-jitter in the initramfs, before
#           the ssh host keys
#   counter (initramfs-tools) two boots with bootseed.tpm_counter=yes and the
#           TPM's state kept between them: the first defines the counter and
#           credits no seed (the disk's has no counter value); the second
#           credits the seed in the read-only late initramfs stage, with no
#           remount, and bootseed.service does not credit it again
#   hostseed  (initramfs-tools) the disk reset to a golden image's first boot
#           again, no TPM, a host seed made by `bootseed host-seed` passed
#           through SMBIOS type 11: credited in the initramfs (late stage,
#           read-write window), before the ssh host keys; the same seed on
#           the next boot not credited; a new one credited again
# The guest's bootseed-test-done unit writes its journal, bootseed's report
# and the seed hashes to /var/log/bootseed-test/NAME/ and powers off; they are
# read back with debugfs and kept in build/test-artifacts/root[-RELEASE]-FLAVOUR/.
# Times of journal lines are the entries' own (_SOURCE_MONOTONIC_TIMESTAMP,
# the kernel's clock for kernel lines): journalctl 257 shows kernel lines
# logged before journald started at journald's start time.
# shellcheck source-path=SCRIPTDIR source=../boot/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../boot/testlib.sh"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RT_SEED=/var/lib/bootseed/seed.credit

# rt_boot NAME [KARGS...]: boot $RT_IMG, copy the guest's records to $ART.
rt_boot() {
	local name=$1 f
	shift
	BOOT_FSCK=1 boot_qemu "$ART/$name.log" "$RT_IMG" "bootseedtest.boot=$name" "$@"
	echo "    ($name: ${BOOT_SECONDS:-?} s, qemu rc ${BOOT_QEMU_RC:-?}, fsck rc ${BOOT_FSCK_RC:-?})"
	for f in journal.txt journal.json report.json status.txt seeds.txt machine-id.txt failed.txt \
		ssh-active.txt run-bootseed.txt entropy_avail.txt systemd-first-boot.txt; do
		boot_disk_cat "$RT_IMG" "/var/log/bootseed-test/$name/$f" >"$ART/$name.$f" 2>/dev/null ||
			rm -f "$ART/$name.$f"
	done
	boot_log_clean "$ART/$name.log" | grep -E 'bootseed|crng init|BOOTTEST' | sed 's/^/    | /'
	# Measured, not asserted: each run's peak RSS (VmHWM) and duration.
	jq -r '"    (report: " + ([.runs[] | "\(.stage) \(.maxrss_kb) KiB \(.elapsed_ms) ms"] | join(", ")) + ")"' \
		"$ART/$name.report.json" 2>/dev/null
	if ! boot_log_has "$ART/$name.log" "BOOTTEST: done $name"; then
		t_fail "$name: the boot did not reach bootseed-test-done (serial log $ART/$name.log)"
		return 1
	fi
	t_ok "$name: booted to the end and powered off"
}

# rt_jq NAME FILTER: the report the guest kept satisfies FILTER.
rt_jq() { jq -e "$2" "$ART/$1.report.json" >/dev/null 2>&1; }

# rt_disk_seed: hash of the seed on the disk now ("" if none).
rt_disk_seed() {
	boot_disk_exists "$RT_IMG" "$RT_SEED" || return 0
	boot_disk_cat "$RT_IMG" "$RT_SEED" | sha256sum | cut -c1-64
}

# rt_guest_seed NAME: hash of the seed at the end of boot NAME (before shutdown).
rt_guest_seed() {
	awk '$2 == "seed.credit" { print $1 }' "$ART/$1.seeds.txt" 2>/dev/null
}

# rt_mono NAME RE: monotonic time (s) of the first journal entry whose line
# ("IDENTIFIER: MESSAGE", as journalctl shows it) matches RE (a jq/Oniguruma
# regex; the EREs used here read the same): the entry's source time where it
# has one (kernel lines: the kernel's own timestamp), else the time journald
# received it.
rt_mono() {
	jq -r --arg re "$2" 'select((.MESSAGE | type) == "string") |
		select((if .SYSLOG_IDENTIFIER then .SYSLOG_IDENTIFIER + ": " else "" end) + .MESSAGE | test($re)) |
		((._SOURCE_MONOTONIC_TIMESTAMP // .__MONOTONIC_TIMESTAMP) | tonumber / 1e6)' \
		"$ART/$1.journal.json" 2>/dev/null | head -n 1
}

# rt_before NAME ERE1 ERE2: ERE1's first line is earlier than ERE2's.
rt_before() {
	local a b
	a=$(rt_mono "$1" "$2")
	b=$(rt_mono "$1" "$3")
	echo "    [$1] ${a:-?} s: $2"
	echo "    [$1] ${b:-?} s: $3"
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < b) }'
}

# Seed sources in the report are those whose name starts with "seed".
RT_SEED_BITS='[.runs[].sources[] | select(.name | test("^seed")) | .credited_bits] | add // 0'

# rt_kernel_credits_tpm: the root's kernel credits the TPM's hwrng itself
# (hwrng default quality 1024 since 6.2: KERNEL-FACTS.md).
rt_kernel_credits_tpm() {
	local v=${ROOT_KVER%%-*}
	awk -v v="$v" 'BEGIN { split(v, a, "."); exit !(a[1] > 6 || (a[1] == 6 && a[2] >= 2)) }'
}

rt_first() {
	local s_boot s_disk
	rt_boot first || return 1
	t_check "first: the report has an early (initramfs) run, a late one and the real root's" \
		rt_jq first '([.runs[].stage] | index("early") != null and index("late") != null and index("all") != null)'
	if rt_kernel_credits_tpm; then
		echo "    (kernel $ROOT_KVER credits the TPM's hwrng itself)"
		t_check "first: the kernel made the crng ready before the early stage (it credits the TPM)" \
			rt_jq first '.runs[] | select(.stage == "early") | .crng_ready_before == true'
		t_check "first: the TPM mixed without credit in the initramfs, saying the kernel credits it" \
			rt_jq first '[.runs[] | select(.stage == "early") | .sources[] | select(.name == "tpm")] |
				length == 1 and all(.credited_bits == 0 and (.reason | test("already credits")))'
		t_check "first: no run credited anything (no double count, no first-boot seed)" \
			rt_jq first '[.runs[].sources[].credited_bits] | add == 0'
		t_check "first: the kernel log agrees: 'crng init done' before the early stage's summary" \
			rt_before first 'random: crng init done' 'bootseed: load: .*\(stage early\)'
	else
		t_check "first: crng not ready before the early stage, ready after it" \
			rt_jq first '.runs[] | select(.stage == "early") | .crng_ready_before == false and .crng_ready_after == true'
		t_check "first: the TPM credited 256 bits in the initramfs" \
			rt_jq first '[.runs[] | select(.stage == "early") | .sources[] | select(.name | test("tpm")) | .credited_bits] | add == 256'
		t_check "first: nothing credited from any seed" rt_jq first "$RT_SEED_BITS == 0"
		t_check "first: the early stage's own credit made the crng ready (report: crng_ready_ms)" \
			rt_jq first '[.runs[] | select(.stage == "early") | .crng_ready_ms | numbers] | length == 1'
		t_check "first: the kernel log agrees: 'crng init done' before the early stage's summary" \
			rt_before first 'random: crng init done' 'bootseed: load: .*\(stage early\)'
	fi
	t_check "first: a seed was written at boot" rt_jq first '[.runs[] | select(.new_seed != null)] | length >= 1'
	s_boot=$(rt_guest_seed first)
	s_disk=$(rt_disk_seed)
	t_check "first: a seed was on disk at the end of the boot" test -n "$s_boot"
	t_check "first: and a new one was written at shutdown" test -n "$s_disk" -a "$s_disk" != "$s_boot"
	RT_S1=$s_disk
	t_check "first: the guest made and committed a machine-id" rt_machine_id_set
	t_check "first: 'crng init done' before the ssh host keys are made" \
		rt_before first 'random: crng init done' 'BOOTTEST: ssh-keygen starts'
	t_check "first: bootseed.service finished before the ssh host keys are made" \
		rt_before first 'Finished bootseed.service' 'Starting sshd-keygen.service'
	t_check "first: ssh host keys were made" boot_disk_exists "$RT_IMG" /etc/ssh/ssh_host_ed25519_key
	t_check "first: ssh.service is active" grep -qx active "$ART/first.ssh-active.txt"
	t_check "first: no bootseed unit failed" rt_no_failed first
}

rt_machine_id_set() { boot_disk_cat "$RT_IMG" /etc/machine-id | grep -Eqx '[0-9a-f]{32}'; }

# rt_no_failed NAME: no bootseed unit in the guest's list of failed units.
rt_no_failed() {
	[ -f "$ART/$1.failed.txt" ] || return 1
	[ -s "$ART/$1.failed.txt" ] && sed 's/^/    failed: /' "$ART/$1.failed.txt"
	! grep -q bootseed "$ART/$1.failed.txt"
}

# The second boot also carries two bootseed.* words, to show the kernel
# command line reaches every stage: tpm_bytes (read in the early stage) and
# seed_foreign=no (systemd's random-seed, on the disk since the first boot, is
# then left alone by the late stage and by bootseed.service).
rt_second() {
	local s_boot s_disk
	t_check "second: systemd's random-seed is on the disk (for seed_foreign=no to matter)" \
		boot_disk_exists "$RT_IMG" /var/lib/systemd/random-seed
	rt_boot second bootseed.tpm_bytes=128 bootseed.seed_foreign=no || return 1
	t_check "second: bootseed.tpm_bytes=128 applied in the initramfs (early stage)" \
		rt_jq second '[.runs[] | select(.stage == "early") | .sources[] | select(.name == "tpm") | .bytes] == [128]'
	t_check "second: bootseed.seed_foreign=no applied in the late stage and bootseed.service" \
		rt_jq second '([.runs[] | select(.stage == "late" or .stage == "all")] | length == 2) and
			([.runs[].sources[] | select(.name | test("random-seed"))] | length == 0)'
	t_check "second: the seed was read in the initramfs (late stage)" \
		rt_jq second '[.runs[] | select(.stage == "late") | .sources[] | select(.name | test("^seed")) | .bytes] | add > 0'
	t_check "second: the seed was credited exactly once, 256 bits" rt_jq second "$RT_SEED_BITS == 256"
	t_check "second: by one run only" \
		rt_jq second '[.runs[] | select([.sources[] | select(.name | test("^seed")) | .credited_bits] | add > 0)] | length == 1'
	if rt_jq second '.runs[] | select(.stage == "late") | .sources[] | select(.name | test("^seed")) | .reason | test("read-only")'; then
		echo "    (the root was read-only in the initramfs: bootseed.service credits)"
		t_check "second: the real root's run (bootseed.service) credited the seed" \
			rt_jq second '[.runs[] | select(.stage == "all") | .sources[] | select(.name | test("^seed")) | .credited_bits] | add == 256'
	fi
	t_check "second: the kernel log says the seed was credited 256 bits" \
		grep -q 'bootseed: seed.credit: 32 bytes, credited 256 bits' "$ART/second.journal.txt"
	s_boot=$(rt_guest_seed second)
	s_disk=$(rt_disk_seed)
	t_check "second: a new seed during the boot, another at shutdown" \
		test -n "$s_boot" -a -n "$s_disk" -a "$s_boot" != "$RT_S1" -a "$s_disk" != "$s_boot" -a "$s_disk" != "$RT_S1"
	RT_S2=$s_disk
	t_check "second: 'crng init done' before sshd starts" \
		rt_before second 'random: crng init done' 'Start(ing|ed) ssh.service'
	t_check "second: no bootseed unit failed" rt_no_failed second
}

# rt_only_disabled NAME: every bootseed line in the journal says "disabled".
rt_only_disabled() {
	local n
	grep 'bootseed: ' "$ART/$1.journal.txt" | grep -v 'bootseed\.service\|bootseed-' | sed 's/^/    /'
	n=$(grep 'bootseed: ' "$ART/$1.journal.txt" | grep -c 'disabled')
	[ "$n" -ge 1 ] && ! grep 'bootseed: ' "$ART/$1.journal.txt" | grep -qv 'disabled'
}

rt_off() {
	rt_boot off bootseed=0 || return 1
	t_check "off: bootseed only said it is disabled" rt_only_disabled off
	t_check "off: no report was written" grep -qx none "$ART/off.report.json"
	t_check "off: the seed was neither consumed nor rewritten" test "$(rt_disk_seed)" = "$RT_S2"
	t_check "off: ssh.service is active" grep -qx active "$ART/off.ssh-active.txt"
}

# rt_rw: the root mounted writable by the initramfs ("rw"): the late stage
# consumes and credits the seed there, and bootseed.service does not again.
rt_rw() {
	# "rw" in place of "ro": with both, classic dracut mounts read-only.
	BOOT_APPEND=${BOOT_APPEND/ ro / rw } rt_boot rw || return 1
	t_check "rw: the late stage (initramfs) credited the seed, 256 bits" \
		rt_jq rw '[.runs[] | select(.stage == "late") | .sources[] | select(.name | test("^seed")) | .credited_bits] | add == 256'
	t_check "rw: and no other run credited a seed (exactly once)" rt_jq rw "$RT_SEED_BITS == 256"
	t_check "rw: no bootseed unit failed" rt_no_failed rw
}

# rt_late NAME FILTER: the late (initramfs) run of boot NAME satisfies FILTER.
rt_late() { rt_jq "$1" "[.runs[] | select(.stage == \"late\")] | length == 1 and (.[0] | $2)"; }

# rt_fs_quiet NAME: no journal recovery, fsck complaint or ext4 error, and
# systemd-remount-fs did its job.
rt_fs_quiet() {
	local bad
	bad=$(grep -Ei 'recovery complete|not cleanly unmounted|EXT4-fs error|fsck failed|orphan' \
		"$ART/$1.journal.txt")
	[ -n "$bad" ] && printf '    %s\n' "$bad"
	[ -z "$bad" ] && grep -q 'Finished systemd-remount-fs.service' "$ART/$1.journal.txt"
}

rt_handover_ro() { grep -q 'BOOTTEST: root at hand-over: ro' "$ART/$1.journal.txt"; }

# rt_jitter_ready NAME: the late stage waited for the kernel's jitter, which
# made the crng ready (credited by the kernel, 0 by bootseed).
rt_jitter_ready() {
	rt_late "$1" '[.sources[] | select(.name == "kernel-jitter")] | length == 1 and
		(.[0].credited_bits == 0) and (.[0].reason | test("made the crng ready"))'
}

# rt_seed: only the seed, no TPM. Where the initramfs checked the root
# (initramfs-tools, dracut's systemd initrd), the late stage credits it.
rt_seed() {
	BOOT_TPM=0 rt_boot seed || return 1
	if [ "$RT_FLAVOUR" = dracut-classic ]; then
		echo "    (classic dracut: its fsck leaves no mark; the seed is mixed in the initramfs)"
		t_check "seed: not remounted, the reason reported" \
			rt_late seed '.remount | test("did not check it")'
		t_check "seed: the kernel's jitter made the crng ready in the late stage" rt_jitter_ready seed
		t_check "seed: bootseed.service credited the seed, and only it" \
			rt_jq seed "([.runs[] | select(.stage == \"all\") | .sources[] | select(.name | test(\"^seed\")) | .credited_bits] | add == 256) and (($RT_SEED_BITS) == 256)"
	else
		t_check "seed: the late stage remounted the root read-write for the seed" \
			rt_late seed '.remount | test("remounted read-write for [0-9]+ ms, then read-only")'
		t_check "seed: the late stage credited the seed, 256 bits" \
			rt_late seed '[.sources[] | select(.name | test("^seed")) | .credited_bits] | add == 256'
		t_check "seed: that credit made the crng ready (crng_ready_ms)" rt_late seed '.crng_ready_ms | numbers'
		t_check "seed: no other run credited a seed (exactly once)" rt_jq seed "$RT_SEED_BITS == 256"
		echo "    (seed: $(jq -r '.runs[] | select(.stage == "late") | "late stage: crng ready \(.crng_ready_ms) ms after it started; \(.remount)"' "$ART/seed.report.json"))"
	fi
	t_check "seed: 'crng init done' before the initramfs hands over" \
		rt_before seed 'random: crng init done' 'BOOTTEST: root at hand-over'
	t_check "seed: the root is read-only when the initramfs hands over" rt_handover_ro seed
	t_check "seed: no journal recovery or fsck complaint; systemd-remount-fs finished" rt_fs_quiet seed
	t_check "seed: no bootseed unit failed" rt_no_failed seed
}

# rt_noremount: seed_remount = no: mixed in the initramfs, as before.
rt_noremount() {
	BOOT_TPM=0 rt_boot noremount bootseed.seed_remount=no || return 1
	t_check "noremount: not remounted: seed_remount = no" rt_late noremount '.remount | test("seed_remount = no")'
	t_check "noremount: the late stage mixed the seed without credit" \
		rt_late noremount '[.sources[] | select(.name | test("^seed"))] | length >= 1 and all(.credited_bits == 0)'
	t_check "noremount: the kernel's jitter made the crng ready in the initramfs" rt_jitter_ready noremount
	t_check "noremount: bootseed.service credited the seed, once" rt_jq noremount "$RT_SEED_BITS == 256"
	t_check "noremount: the root is read-only when the initramfs hands over" rt_handover_ro noremount
}

# rt_nobs: no bootseed stage in the initramfs and an emptied machine-id (as
# image pipelines leave it): the real root's run sees systemd's transient
# machine-id, and the seed on the disk is not credited.
rt_nobs() {
	boot_disk_put "$RT_IMG" /etc/machine-id "" 0444 || { t_fail "nobs: cannot empty the machine-id"; return 1; }
	BOOT_TPM=0 BOOT_INITRD=$W/initrd-nobs rt_boot nobs || return 1
	t_check "nobs: no initramfs stage ran" rt_jq nobs '[.runs[].stage] | index("early") == null and index("late") == null'
	t_check "nobs: the seed on the disk was read and not credited" \
		rt_jq nobs '[.runs[].sources[] | select(.name | test("^seed"))] | length >= 1 and all(.credited_bits == 0)'
	t_check "nobs: because it is a first boot (transient machine-id) or another machine's seed" \
		rt_jq nobs '[.runs[].sources[] | select(.name | test("^seed")) | .reason] | all(test("first boot|another machine-id"))'
	echo "    (nobs: $(jq -r '[.runs[].sources[] | select(.name | test("^seed")) | .reason][0]' "$ART/nobs.report.json"))"
}

# rt_bare: a device-less first boot: the disk reset to a fresh image (no
# seed, machine-id uninitialized, no ssh host keys), no TPM.
rt_bare() {
	boot_disk_rm "$RT_IMG" "$RT_SEED" /var/lib/bootseed/seed.no-credit /var/lib/systemd/random-seed \
		/etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub \
		/etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub \
		/etc/ssh/ssh_host_ecdsa_key /etc/ssh/ssh_host_ecdsa_key.pub &&
		boot_disk_put "$RT_IMG" /etc/machine-id uninitialized 0444 ||
		{ t_fail "bare: cannot reset the disk"; return 1; }
	BOOT_TPM=0 rt_boot bare || return 1
	t_check "bare: no seed and no device: nothing credited by bootseed" rt_jq bare '[.runs[].credited_bits] | add == 0'
	t_check "bare: the late stage waited for the kernel's jitter, which made the crng ready" rt_jitter_ready bare
	echo "    (bare: $(jq -r '.runs[] | select(.stage == "late") | .sources[] | select(.name == "kernel-jitter") | .reason' "$ART/bare.report.json" | grep -o 'waited [0-9]* ms'))"
	t_check "bare: 'crng init done' before the initramfs hands over" \
		rt_before bare 'random: crng init done' 'BOOTTEST: root at hand-over'
	t_check "bare: 'crng init done' before the ssh host keys are made" \
		rt_before bare 'random: crng init done' 'BOOTTEST: ssh-keygen starts'
	t_check "bare: ssh host keys were made" boot_disk_exists "$RT_IMG" /etc/ssh/ssh_host_ed25519_key
	t_check "bare: no bootseed unit failed" rt_no_failed bare
}

# rt_hs_bits NAME: the host-seed bits credited by all runs of boot NAME.
rt_hs_bits() { jq '[.runs[].sources[] | select(.name == "host-seed") | .credited_bits] | add // 0' "$ART/$1.report.json" 2>/dev/null; }

# rt_hostseed: three boots with a seed from the host (SMBIOS type 11), no TPM,
# no virtio-rng, the first of them a golden image's first boot.
rt_hostseed() {
	local f=$W/host-seed.smbios arg
	boot_disk_rm "$RT_IMG" "$RT_SEED" /var/lib/bootseed/seed.no-credit /var/lib/bootseed/host-seeds \
		/var/lib/systemd/random-seed /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub \
		/etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_rsa_key.pub \
		/etc/ssh/ssh_host_ecdsa_key /etc/ssh/ssh_host_ecdsa_key.pub &&
		boot_disk_put "$RT_IMG" /etc/machine-id uninitialized 0444 ||
		{ t_fail "hostseed: cannot reset the disk"; return 1; }
	arg=$("$BOOTSEED_BIN" host-seed -o "$f") || { t_fail "hostseed: bootseed host-seed failed"; return 1; }
	BOOT_TPM=0 BOOT_QEMU_ARGS="$arg" rt_boot hs-first || return 1
	t_check "hs-first: the late stage (initramfs) credited the host seed, 256 bits" \
		rt_late hs-first '[.sources[] | select(.name == "host-seed")] | length == 1 and .[0].credited_bits == 256'
	t_check "hs-first: in the read-write window of the read-only root" \
		rt_late hs-first '.remount | test("remounted read-write for [0-9]+ ms, then read-only")'
	t_check "hs-first: that credit made the crng ready (crng_ready_ms)" rt_late hs-first '.crng_ready_ms | numbers'
	t_check "hs-first: credited once in the boot (early: later; bootseed.service: earlier this boot)" \
		test "$(rt_hs_bits hs-first)" = 256
	t_check "hs-first: no seed file credited (a first boot)" rt_jq hs-first "$RT_SEED_BITS == 0"
	t_check "hs-first: 'crng init done' before the initramfs hands over" \
		rt_before hs-first 'random: crng init done' 'BOOTTEST: root at hand-over'
	t_check "hs-first: 'crng init done' before the ssh host keys are made" \
		rt_before hs-first 'random: crng init done' 'BOOTTEST: ssh-keygen starts'
	t_check "hs-first: the root is read-only when the initramfs hands over" rt_handover_ro hs-first
	t_check "hs-first: the fingerprint list is on the disk" boot_disk_exists "$RT_IMG" /var/lib/bootseed/host-seeds
	t_check "hs-first: no bootseed unit failed" rt_no_failed hs-first
	echo "    (hs-first: $(jq -r '.runs[] | select(.stage == "late") | "late stage: crng ready \(.crng_ready_ms) ms after it started"' "$ART/hs-first.report.json"))"
	BOOT_TPM=0 BOOT_QEMU_ARGS="$arg" rt_boot hs-again || return 1
	t_check "hs-again: the same host seed: credited by no run" test "$(rt_hs_bits hs-again)" = 0
	t_check "hs-again: the reason: not fresh" \
		rt_late hs-again '.sources[] | select(.name == "host-seed") | .reason | test("the host gave this seed before: it is not fresh")'
	arg=$("$BOOTSEED_BIN" host-seed -o "$f") || { t_fail "hostseed: bootseed host-seed failed"; return 1; }
	BOOT_TPM=0 BOOT_QEMU_ARGS="$arg" rt_boot hs-new || return 1
	t_check "hs-new: a new seed from the host: credited again, once" test "$(rt_hs_bits hs-new)" = 256
	t_check "hs-new: no bootseed unit failed" rt_no_failed hs-new
}

# rt_initramfs_nobs: the same image without bootseed's hook and scripts.
rt_initramfs_nobs() {
	local d=$W/root/usr/share/initramfs-tools rc=0
	mkdir -p "$W/nobs/hooks" "$W/nobs/init-premount" "$W/nobs/local-bottom" &&
		mv "$d/hooks/bootseed" "$W/nobs/hooks/" &&
		mv "$d/scripts/init-premount/bootseed" "$W/nobs/init-premount/" &&
		mv "$d/scripts/local-bottom/bootseed" "$W/nobs/local-bottom/" || return 1
	root_initramfs "$W/root" initramfs-tools "$W/initrd-nobs" "$ART/initramfs-nobs-build.log" || rc=1
	mv "$W/nobs/hooks/bootseed" "$d/hooks/" &&
		mv "$W/nobs/init-premount/bootseed" "$d/scripts/init-premount/" &&
		mv "$W/nobs/local-bottom/bootseed" "$d/scripts/local-bottom/" || rc=1
	return "$rc"
}

# rt_counter: the counter boots (see the top).
rt_counter() {
	local s_disk
	rt_boot counter1 bootseed.tpm_counter=yes || return 1
	t_check "counter1: the counter defined in the initramfs (one line, the early stage)" \
		grep -q 'bootseed: tpm: binding to this TPM; counter 0x1b5eed0 at 1 (new)' "$ART/counter1.journal.txt"
	t_check "counter1: the seed (written without the counter) credited by no stage, the reason" \
		rt_jq counter1 "($RT_SEED_BITS) == 0 and ([.runs[].sources[] | select(.name == \"seed.credit\") | .reason | test(\"no TPM counter value\")] | all)"
	s_disk=$(rt_disk_seed)
	rt_boot counter2 bootseed.tpm_counter=yes || return 1
	t_check "counter2: the late initramfs stage credited the seed's TPM-bound value, 256 bits, counter 2" \
		rt_late counter2 '[.sources[] | select(.name == "seed.credit") | select(.credited_bits == 256 and .detail == "bind=tpm counter=2")] | length == 1'
	t_check "counter2: without a read-write window (the increment consumed it)" \
		rt_late counter2 '(.remount // "") | test("remounted") | not'
	t_check "counter2: bootseed.service did not credit it again, the reason" \
		rt_jq counter2 '[.runs[] | select(.stage == "all") | .sources[] | select(.name == "seed.credit")] | length == 1 and .[0].credited_bits == 0 and (.[0].reason | test("already credited at this TPM counter value"))'
	t_check "counter2: exactly 256 seed bits in the whole boot" rt_jq counter2 "$RT_SEED_BITS == 256"
	t_check "counter2: the root is read-only when the initramfs hands over" rt_handover_ro counter2
	t_check "counter2: a new seed on the disk" test -n "$s_disk" -a "$(rt_disk_seed)" != "$s_disk"
	t_check "counter2: no bootseed unit failed" rt_no_failed counter2
	echo "    (counter2: TPM $(jq -r '.runs[] | select(.stage == "early") | .sources[] | select(.name == "tpm") | .detail' "$ART/counter2.report.json" 2>/dev/null))"
}

# rt_want NAME: boot NAME is one of $RT_BOOTS (default: all of them, in the
# order above; a later boot starts from the disk an earlier one left).
rt_want() {
	case " ${RT_BOOTS:-first second off rw seed noremount counter nobs bare hostseed} " in *" $1 "*) ;; *) return 1 ;; esac
}

# rt_run FLAVOUR [HOW]: build the root ($ROOT_RELEASE) with bootseed put in
# by HOW (deb, the default: its package; make: `make install`) and its
# initramfs, then the boots.
rt_run() {
	local flavour=$1 how=${2:-deb} kargs name=root-$1
	[ "$ROOT_RELEASE" = bookworm ] || name=root-$ROOT_RELEASE-$1
	t_need mmdebstrap qemu-system-x86_64 swtpm mkfs.ext4 debugfs e2fsck jq unshare
	bt_setup "$name"
	if [ "$ROOT_RELEASE" = bookworm ]; then
		boot_kernel_fetch 6.1 || { t_fail "cannot resolve the Debian 6.1 kernel"; t_done; }
	fi
	root_base_fetch || { t_fail "cannot build the $ROOT_NAME root (mmdebstrap)"; t_done; }
	root_stage "$W/root" "$how" "$ART/apt-install.log" ||
		{ t_fail "cannot stage the $ROOT_NAME root with bootseed installed by $how"; t_done; }
	t_ok "$ROOT_NAME root ($ROOT_KVER), bootseed installed by $(rt_how "$how")"
	root_initramfs "$W/root" "$flavour" "$W/initrd" "$ART/initramfs-build.log" ||
		{ t_fail "$flavour: cannot build the initramfs (log $ART/initramfs-build.log)"; t_done; }
	t_ok "$flavour: initramfs built in the root ($(du -k "$W/initrd" | cut -f1) KiB)"
	rt_initramfs_has "$flavour"
	RT_FLAVOUR=$flavour
	if [ "$flavour" = initramfs-tools ] && rt_want nobs; then
		rt_initramfs_nobs || t_fail "cannot build an initramfs without bootseed"
	fi
	BOOT_VMLINUZ=$W/vmlinuz
	cp "$W/root/boot/vmlinuz-$ROOT_KVER" "$BOOT_VMLINUZ" || { t_fail "no kernel in the root"; t_done; }
	BOOT_INITRD=$W/initrd
	RT_IMG=$W/disk.img
	root_image "$W/root" "$RT_IMG" || { t_fail "cannot make the disk image"; t_done; }
	rm -rf "$W/root"
	kargs="root=/dev/sda ro console=ttyS0 random.trust_cpu=off panic=-1"
	kargs="$kargs systemd.mask=getty.target systemd.wants=bootseed-test-done.service"
	kargs="$kargs systemd.firstboot=off rd.shell=0 rd.emergency=poweroff"
	export BOOT_VMLINUZ BOOT_INITRD
	export BOOT_APPEND=$kargs BOOT_TPM=1 BOOT_MEM=${BOOT_MEM:-1024} BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
	# One machine, one TPM: its state kept from boot to boot (seeds are bound
	# to the TPM's key, tpm_bind = auto; the counter boots need it too).
	export BOOT_SWTPM_STATE=$W/tpm
	mkdir -p "$BOOT_SWTPM_STATE"
	RT_S1="" RT_S2=""
	rt_want first && rt_first
	if rt_want second; then
		if [ -n "$RT_S1" ]; then rt_second; else t_skip "second: no seed from the first boot"; fi
	fi
	local b
	for b in off rw seed noremount; do
		rt_want "$b" || continue
		[ "$b" = noremount ] && [ "$flavour" = dracut-classic ] && continue # never remounts
		if [ -n "$RT_S2" ]; then "rt_$b"; else t_skip "$b: no seed from the second boot"; fi
	done
	if rt_want counter && [ "$flavour" = initramfs-tools ]; then
		if [ -n "$RT_S2" ]; then rt_counter; else t_skip "counter: no seed from the second boot"; fi
	fi
	rt_want nobs && [ -f "$W/initrd-nobs" ] && rt_nobs
	rt_want bare && rt_bare
	[ "$flavour" = initramfs-tools ] && rt_want hostseed && rt_hostseed
	t_done
}

rt_how() {
	case $1 in
	deb) echo "apt-get install ./$(basename "$(root_deb)")" ;;
	*) echo "make install" ;;
	esac
}

# rt_initramfs_has FLAVOUR: the image holds bootseed, its config, the stage
# hooks or units of this flavour and the RNG drivers.
rt_initramfs_has() {
	RT_LIST=$(rt_initramfs_list "$W/initrd") || { t_fail "$1: cannot list the initramfs"; return; }
	echo "$RT_LIST" | grep -E 'bootseed|hw_random/virtio|tpm/tpm_tis_spi|virtio_pci\.' | sed 's/^/    initramfs: /'
	t_check "$1: initramfs holds /usr/sbin/bootseed and /etc/bootseed.conf" \
		rt_has 'usr/sbin/bootseed$' 'etc/bootseed\.conf$'
	t_check "$1: initramfs holds virtio_rng and tpm_tis_spi" \
		rt_has '/virtio[-_]rng\.ko' '/tpm_tis_spi\.ko'
	t_check "$1: initramfs holds qemu_fw_cfg (the host seed's fw_cfg channel)" rt_has '/qemu_fw_cfg\.ko'
	# Trixie's 6.12 builds virtio_pci into the kernel; Debian 12's 6.1 does not.
	if grep -q '/virtio_pci\.ko$' "$W/root/lib/modules/$ROOT_KVER/modules.builtin"; then
		t_check "$1: virtio_pci is built into $ROOT_KVER, not in the image" rt_hasnt '/virtio_pci\.ko'
	else
		t_check "$1: initramfs holds virtio_pci" rt_has '/virtio_pci\.ko'
	fi
	case $1 in
	initramfs-tools)
		t_check "$1: init-premount and local-bottom scripts" \
			rt_has 'scripts/init-premount/bootseed$' 'scripts/local-bottom/bootseed$' ;;
	dracut-systemd)
		t_check "$1: the two units, wanted" \
			rt_has 'sysinit\.target\.wants/bootseed-early\.service$' \
			'initrd-root-fs\.target\.wants/bootseed-late\.service$'
		t_check "$1: no shell hooks (dracut-systemd would run them as well)" rt_hasnt 'hooks/.*bootseed' ;;
	dracut-classic)
		t_check "$1: pre-udev and pre-pivot hooks" \
			rt_has 'hooks/pre-udev/40-bootseed-early\.sh$' 'hooks/pre-pivot/50-bootseed-late\.sh$'
		t_check "$1: no units" rt_hasnt 'bootseed-(early|late)\.service' ;;
	esac
}

rt_has() {
	local p
	for p in "$@"; do grep -Eq -- "$p" <<<"$RT_LIST" || return 1; done
}

rt_hasnt() { ! grep -Eq -- "$1" <<<"$RT_LIST"; }

# rt_initramfs_list IMAGE: the file names in IMAGE, by initramfs-tools'
# lsinitramfs inside the staged root (it reads both builders' images).
rt_initramfs_list() {
	cp "$1" "$W/root/boot/initrd.list" || return 1
	root_chroot "$W/root" lsinitramfs /boot/initrd.list
	rm -f "$W/root/boot/initrd.list"
}
