#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/resummarize.sh [RUN]: parse every boot of a finished bench run again
# (after a change to bench/parse.py or bench/summarize.py) and rewrite
# bench/results.md, bench/raw/ and bench/crng-ready.png from it, without
# booting anything. RUN defaults to build/bench/latest.
set -eu -o pipefail
cd "$(dirname "$0")/.."
run=${1:-build/bench/latest}
[ -f "$run/env.txt" ] || { echo "resummarize: $run is not a finished bench run" >&2; exit 1; }
: >"$run/boots.jsonl.new"
: >"$run/prep.jsonl.new"
for rec in "$run"/boots/*/*/*/*/record.json; do
	[ -f "$rec" ] || continue
	/usr/bin/python3 bench/parse.py "$(dirname "$rec")" | jq -c '.phase = "measure"' >>"$run/boots.jsonl.new"
done
# The boots that made the seed scenarios' disks: a preparation boot's
# directory, or (.dir) the measured boot that was also one. Keep what the run
# found on the disk after it.
while read -r old; do
	d=$(echo "$old" | jq -r '.dir // ("boots/" + .kernel + "/" + .config + "/prep")')
	line=$(/usr/bin/python3 bench/parse.py "$run/$d")
	echo "$old" | jq -c --argjson new "$line" '$new + {seed_file, seed_on_disk, dir}' >>"$run/prep.jsonl.new"
done <"$run/prep.jsonl"
mv "$run/boots.jsonl.new" "$run/boots.jsonl"
mv "$run/prep.jsonl.new" "$run/prep.jsonl"
/usr/bin/python3 bench/summarize.py "$run" bench
gnuplot bench/crng-ready.gp
echo "resummarize: rewrote bench/results.md, bench/raw/, bench/crng-ready.png from $run"
