#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/native.py BOOTSEED N OUT.csv: what one `bootseed load --stage late`
costs in CPU on this machine itself, without QEMU's emulation (the boots run
under TCG, which multiplies every CPU time many times over).

Each run loads a 512-byte seed from a scratch root and writes the next one
(fsync'ed on this machine's disk), as the initramfs's late stage does; it is
the part of `load` with no device I/O but the seed file's. The CPU time is
the child's user + system time from wait4(2), so it covers the whole process
from exec to exit, the report and the log lines included; the report's own
cpu_us (taken before the report is written) is recorded next to it.

Side effects are kept off this machine: it runs (as root) in a private mount
namespace of its own (it re-executes itself under `unshare -m`), where it
mounts a tmpfs on /run for bootseed's report and markers; the config sets
seed_credit = no, so the seed bytes are mixed into this machine's pool but
never credited.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: native.py BOOTSEED N OUT.csv")
    binary, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if os.geteuid() != 0:
        sys.exit("native.py: must run as root (RNDADDENTROPY, mount)")
    # The tmpfs on /run must stay in a mount namespace of its own.
    if os.environ.get("BENCH_NATIVE_NS") != "1":
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", "env",
                              "BENCH_NATIVE_NS=1", sys.executable] + sys.argv)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"], check=True)
    work = tempfile.mkdtemp(prefix="bootseed-native-", dir=os.environ.get("BENCH_WORK"))
    rows = []
    try:
        root = os.path.join(work, "root")
        seeds = os.path.join(root, "var/lib/bootseed")
        os.makedirs(os.path.join(root, "etc"))
        os.makedirs(seeds, mode=0o700)
        with open(os.path.join(root, "etc/machine-id"), "w") as f:
            f.write("0123456789abcdef0123456789abcdef\n")
        conf = os.path.join(work, "bootseed.conf")
        with open(conf, "w") as f:
            f.write("seed_credit = no\n")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        for i in range(n):
            # Each run is a boot of its own: no marker or report from the last.
            shutil.rmtree("/run/bootseed", ignore_errors=True)
            for name in os.listdir(seeds):
                os.unlink(os.path.join(seeds, name))
            fd = os.open(os.path.join(seeds, "seed.credit"), os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, os.urandom(512))
            os.close(fd)
            t0 = time.monotonic()
            # posix_spawn (vfork-like in glibc): no copy of this Python
            # process's memory is charged to the child before the exec.
            pid = os.posix_spawn(binary, [binary, "load", "--stage", "late", "--root", root,
                                          "--config", conf], env,
                                 file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                               (os.POSIX_SPAWN_DUP2, 1, 2)])
            _, status, ru = os.wait4(pid, 0)
            wall_ms = (time.monotonic() - t0) * 1000
            code = os.waitstatus_to_exitcode(status)
            with open("/run/bootseed/report.json") as f:
                run = json.load(f)["runs"][-1]
            new_seed = run.get("new_seed") or {}
            if code != 0 or run.get("credited_bits") != 0 or not new_seed.get("bytes"):
                sys.exit("native.py: run %d: exit %d, credited %s, new seed %s" % (
                    i, code, run.get("credited_bits"), new_seed))
            rows.append({
                "run": i + 1,
                "cpu_us": round((ru.ru_utime + ru.ru_stime) * 1e6),
                "report_cpu_us": run.get("cpu_us"),
                "wall_ms": round(wall_ms, 2),
                "maxrss_kb": run.get("maxrss_kb"),
                "seed_bytes_read": next((s.get("bytes") for s in run.get("sources", [])
                                         if s.get("name", "").startswith("seed.")), None),
            })
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
