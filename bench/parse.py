#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/parse.py: one boot's records -> one JSON line (bench/run.sh).

    parse.py DIR key=value...
    parse.py DIR          (again, with the words in DIR/record.json)

DIR holds what bench_boot (bench/lib.sh) kept of one boot: serial.log (the
kernel's console, timestamps are the kernel's clock from its start),
journal.txt (journalctl -b -o short-monotonic, written by the guest),
report.json (bootseed's /run/bootseed/report.json, or "none"), host_seconds,
qemu_rc. The key=value words (kernel, scenario, config, rep, ...) are copied
into the record as they are. Every time is in seconds since the kernel
started, except the *_ms and *_us fields.
"""
import gzip
import json
import os
import re
import sys

# A kernel timestamp; on the serial console a line may start with what a
# script printed without a newline ("Begin: Running /scripts/init-bottom ...").
TS = re.compile(r"\[\s*(\d+\.\d+)\]\s?(.*)$")

# Userspace reads that block until the crng is ready (getrandom without
# GRND_NONBLOCK, or a read of /dev/urandom, which runs the jitter entropy
# generator once on 6.1); the kernel's jitter entropy then makes it ready,
# ~1 s later under TCG. A marker seen before "crng init done" means something
# stalled waiting for it. (systemd's "Initializing machine ID from random
# generator" is no such marker: 252 draws the ID with GRND_INSECURE.)
BLOCKERS = [
    ("random-seed", r"Kernel entropy pool is not initialized yet, waiting"),
    ("urandom", r"uninitialized urandom read"),
    ("ssh-keygen", r"BOOTTEST: ssh-keygen starts"),
]


def read(path):
    """A file's text without CRs and NULs; PATH.gz if only that exists."""
    try:
        if not os.path.exists(path) and os.path.exists(path + ".gz"):
            with gzip.open(path + ".gz", "rb") as f:
                data = f.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
    except OSError:
        return ""
    return data.replace(b"\r", b"").replace(b"\0", b"").decode("utf-8", "replace")


def timed_lines(text):
    out = []
    for line in text.splitlines():
        m = TS.search(line)
        if m:
            out.append((float(m.group(1)), m.group(2)))
    return out


def first(lines, pattern):
    rx = re.compile(pattern)
    for t, msg in lines:
        m = rx.search(msg)
        if m:
            return t, m
    return None, None


def num(path):
    try:
        return float(read(path).strip())
    except ValueError:
        return None


def report_runs(path):
    text = read(path).strip()
    if not text or text == "none":
        return []
    try:
        return json.loads(text).get("runs", [])
    except ValueError:
        return []


def bootseed_fields(runs, crng_s):
    """What bootseed's own report says: cost per stage, TPM commands, RSS."""
    r = {}
    loads = [x for x in runs if x.get("command") == "load"]
    if not loads:
        return r
    by_stage = {}
    for x in loads:
        by_stage.setdefault(x.get("stage") or "all", x)
    for stage, key in (("early", "early"), ("late", "late"), ("all", "root")):
        x = by_stage.get(stage)
        if x:
            r["bs_%s_ms" % key] = x.get("elapsed_ms")
            r["bs_%s_cpu_us" % key] = x.get("cpu_us")
    r["bs_elapsed_ms"] = sum(x.get("elapsed_ms") or 0 for x in loads)
    r["bs_cpu_us"] = sum(x.get("cpu_us") or 0 for x in loads)
    # ru_maxrss survives execve: it is at least the forking parent's RSS at
    # fork time. That of the initramfs runs (forked by a small shell) bounds
    # bootseed's own; the real root's (forked by systemd) mostly measures
    # systemd, so it is kept apart.
    initrd = [x for x in loads if x.get("stage") in ("early", "late")]
    if initrd:
        r["bs_maxrss_kb"] = max(x.get("maxrss_kb") or 0 for x in initrd)
    if by_stage.get("all"):
        r["bs_root_maxrss_kb"] = by_stage["all"].get("maxrss_kb")
    r["bs_runs"] = len(loads)
    # TPM cost per boot (issue 14): commands sent and the exchange's wall time,
    # as the tpm source's detail says (commands=N ... tpm_ms=M).
    cmds = tpm_ms = 0
    for x in loads:
        for s in x.get("sources", []):
            if "tpm" not in s.get("name", ""):
                continue
            m = re.search(r"\bcommands=(\d+)", s.get("detail") or "")
            if m:
                cmds += int(m.group(1))
            m = re.search(r"\btpm_ms=(\d+)", s.get("detail") or "")
            if m:
                tpm_ms += int(m.group(1))
    r["tpm_commands"] = cmds
    r["tpm_ms"] = tpm_ms
    r["bs_credited_initramfs"] = sum(x.get("credited_bits") or 0 for x in initrd)
    r["bs_credited_total"] = sum(x.get("credited_bits") or 0 for x in loads)
    late = by_stage.get("late")
    if late:
        r["bs_late_entropy_after"] = late.get("entropy_avail_after")
        # From the late stage's start to the crng ready, if that stage made it
        # ready (issue 12's target for a seed-only VM: <= 100 ms).
        if isinstance(late.get("crng_ready_ms"), (int, float)):
            r["crng_late_ms"] = late["crng_ready_ms"]
        r["bs_remount"] = late.get("remount") or ""
    r["ready_by"] = ready_by(loads)
    for x in loads:
        for s in x.get("sources", []):
            if s.get("name") != "kernel-jitter":
                continue
            m = re.search(r"\bwaited (\d+) ms", s.get("reason") or "")
            if m:
                r["jitter_wait_ms"] = int(m.group(1))
                r["jitter_ready"] = "made the crng ready" in s.get("reason", "")
    start = min(x.get("boottime_ms") or 0 for x in loads)
    r["bs_start_s"] = start / 1000.0
    # From bootseed's start to its credit that made the crng ready, in its
    # own clock (the report's crng_ready_ms). boottime_ms against the kernel
    # log's timestamps would mix two clocks: CLOCK_BOOTTIME and printk's
    # local_clock differ by tens of ms under TCG, either way.
    ready = [x.get("crng_ready_ms") for x in loads
             if isinstance(x.get("crng_ready_ms"), (int, float))]
    if ready:
        r["crng_after_bs_ms"] = ready[0]
    return r


def ready_by(loads):
    """Which bootseed run made the crng ready, and how, from its report:
    "STAGE:SOURCE" (STAGE early, late or root; SOURCE kernel-jitter, or the
    sources bootseed credited in that run, e.g. seed.credit, tpm),
    "STAGE:kernel" (ready during the run without a credit of bootseed's: the
    kernel credited a hwrng whose driver bootseed loaded), "before-bootseed",
    "after-bootseed" (not ready when bootseed's last run ended), or ""."""
    for x in loads:
        stage = {"all": "root"}.get(x.get("stage") or "all", x.get("stage"))
        if x.get("crng_ready_before") is True:
            return "before-bootseed" if x is loads[0] else "between-runs:%s" % stage
        if x.get("crng_ready_after") is not True:
            continue
        if not isinstance(x.get("crng_ready_ms"), (int, float)):
            return "%s:kernel" % stage
        srcs = x.get("sources", [])
        for s in srcs:
            if s.get("name") == "kernel-jitter" and "made the crng ready" in (s.get("reason") or ""):
                return "%s:kernel-jitter" % stage
        credited = [s.get("name", "?") for s in srcs if (s.get("credited_bits") or 0) > 0]
        return "%s:%s" % (stage, "+".join(dict.fromkeys(credited)) or "?")
    return "after-bootseed" if loads else ""


def classify(crng_s, handover_s, keygen_s, ssh_s, blockers):
    """Where the crng became ready: initramfs, root-before-keygen,
    root-after-keygen, or stall (a blocking read waited for it)."""
    if crng_s is None:
        return "never", ""
    if handover_s is not None and crng_s <= handover_s:
        return "initramfs", ""
    stalled = [name for name, t in blockers if t is not None and t <= crng_s]
    if stalled:
        return "stall", "+".join(stalled)
    ref = keygen_s if keygen_s is not None else ssh_s
    if ref is None or crng_s < ref:
        return "root-before-keygen", ""
    return "root-after-keygen", ""


def main():
    d = sys.argv[1]
    rec = {}
    if len(sys.argv) == 2:
        # Again, from the words an earlier parse recorded (bench/resummarize.sh).
        with open(os.path.join(d, "record.json")) as f:
            old = json.load(f)
        for k in ("name", "kernel", "kver", "scenario", "config", "rep", "phase"):
            if k in old:
                rec[k] = old[k]
    for kv in sys.argv[2:]:
        k, _, v = kv.partition("=")
        rec[k] = v
    serial_text = read(os.path.join(d, "serial.log"))
    serial = timed_lines(serial_text)
    jtext = read(os.path.join(d, "journal.txt"))
    journal = timed_lines(jtext)
    # Kernel-side lines (kmsg, also what the guest wrote to /dev/kmsg) come
    # from the serial console, which a failed boot leaves too; unit events
    # from the journal.
    kern = serial or journal
    name = rec.get("name", "")
    rec["ok"] = bool(re.search(r"^BOOTTEST: done %s$" % re.escape(name), serial_text, re.M))
    rec["journal"] = bool(journal)
    rec["qemu_rc"] = int(num(os.path.join(d, "qemu_rc")) or 0)
    rec["host_s"] = num(os.path.join(d, "host_seconds"))
    # Kernel lines take their time from the serial console. The journal is
    # only a fallback, and says so (kernel_ts_from): a journalctl that shows
    # kernel lines from before journald at journald's start (trixie's, in
    # short-monotonic) would put them seconds late.
    rec["kernel_ts_from"] = "serial" if serial else ("journal" if journal else "")
    crng_s, _ = first(kern, r"random: crng init done")
    if crng_s is None and kern is not journal:
        crng_s, _ = first(journal, r"random: crng init done")
        if crng_s is not None:
            rec["kernel_ts_from"] = "journal (crng)"
    handover_s, m = first(kern, r"BENCH: handover entropy_avail=(\d+)")
    if handover_s is None and kern is not journal:
        handover_s, m = first(journal, r"BENCH: handover entropy_avail=(\d+)")
        if handover_s is not None:
            rec["kernel_ts_from"] += " (handover: journal)"
    rec["handover_entropy"] = int(m.group(1)) if m else None
    # The probe runs just before the switch: initramfs-tools' init-bottom is
    # the last step before run-init; dracut's pre-pivot hooks run a little
    # before systemd logs "Switching root.", which is then the handover.
    switch_s, _ = first(journal, r"systemd\[1\]: Switching root\.")
    if switch_s is not None and (handover_s is None or switch_s > handover_s):
        handover_s = switch_s
    keygen_s, _ = first(kern, r"BOOTTEST: ssh-keygen starts")
    ssh_s, _ = first(journal, r"Starting ssh\.service")
    rec["poweroff_s"], _ = first(kern, r"reboot: Power down")
    rec["rngd_start_s"], _ = first(journal, r"Started rngd\.service")
    _, m = first(kern, r"BENCH: handover .*add_random=(\d)")
    rec["disk_add_random"] = int(m.group(1)) if m else None
    blockers = []
    for bname, rx in BLOCKERS:
        t, _ = first(journal if bname == "random-seed" else kern, rx)
        blockers.append((bname, t))
    rec["crng_s"] = crng_s
    rec["handover_s"] = handover_s
    rec["keygen_s"] = keygen_s
    rec["ssh_start_s"] = ssh_s
    rec["where"], rec["stall_by"] = classify(crng_s, handover_s, keygen_s, ssh_s, blockers)
    # How long the first stalled reader waited: the kernel's jitter time,
    # as a stock boot pays it (its start from the journal, for
    # random-seed: CLOCK_MONOTONIC at journald's receipt, against printk's
    # clock for "crng init done"; tens of ms apart under TCG).
    if rec["where"] == "stall":
        rec["stall_s"] = crng_s - min(t for _, t in blockers if t is not None and t <= crng_s)
    # Does systemd-random-seed credit the seed? (debug log, bench drop-in)
    m = re.search(r"systemd-random-seed\[\d+\]: (.*(?:credit|not yet initialized).*)$", jtext, re.M)
    rec["random_seed"] = m.group(1).strip() if m else ""
    rec["rngd"] = "; ".join(sorted(set(
        x.group(1).strip() for x in re.finditer(r"rngd\[\d+\]: (.*)$", jtext, re.M))))[:200]
    runs = report_runs(os.path.join(d, "report.json"))
    rec.update(bootseed_fields(runs, crng_s))
    ea = num(os.path.join(d, "entropy_avail.txt"))
    rec["entropy_at_end"] = int(ea) if ea is not None else None
    print(json.dumps(rec, sort_keys=True))


if __name__ == "__main__":
    main()
