#!/usr/bin/env bash
# coverage.sh: how often `writebench ab`'s printed 95% interval holds a known
# truth. BASE and NEW are the same external writer (scripts/coverage/
# slowed_writer.py), NEW slowed by FRACTION of its own work. The truth is the
# median per-round ratio NEW/BASE of a long interleaved `ab` run (TRUTH rounds,
# half before and half after the short runs); then RUNS `ab` runs of ROUNDS
# rounds each print their interval, and the script counts those that hold the
# truth. Everything goes to a temporary directory, removed at the end.
#
#   scripts/coverage.sh [RUNS [ROUNDS [TRUTH [FRACTION]]]]     defaults: 100 100 300 0.1
#
# For nominal 95% the count should be at least 93%. The run verdicts' intervals
# are measured the same way by the Go check in judge/coverage_test.go.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100} rounds=${2:-100} truth=${3:-300} fraction=${4:-0.1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/writebench-coverage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
go build -o "$tmp/writebench" ./cmd/writebench
writer="python3 $PWD/scripts/coverage/slowed_writer.py"
ab() { # ab ROUNDS OUT SEED
	"$tmp/writebench" ab "$writer 0" "$writer $fraction" --strategies cov --files 16 --sizes 64KiB \
		--repeat "$1" --seed "$3" --dir "$tmp" --out "$2" --progress never 2>/dev/null || [ $? -eq 1 ]
}
median_ratio() { # the median per-round NEW/BASE ratio of the sets given
	python3 - "$@" <<'PY'
import json, statistics, sys
ratios = []
for path in sys.argv[1:]:
    cells = json.load(open(path))["results"]
    side = {c["strategy"].split(".", 1)[0]: c for c in cells}
    base, new = side["base"], side["new"]
    at = dict(zip(base.get("rounds") or range(len(base["seconds"])), base["seconds"]))
    for r, s in zip(new.get("rounds") or range(len(new["seconds"])), new["seconds"]):
        if r in at:
            ratios.append(s / at[r])
print(statistics.median(ratios))
PY
}
ab $((truth / 2)) "$tmp/truth1.json" 1 >/dev/null
held=0 n=0
for i in $(seq 1 "$runs"); do
	line=$(ab "$rounds" "$tmp/run.json" $((i + 1)) | grep '^strategy=cov')
	iv=$(echo "$line" | sed -E 's/.*\[([0-9.]+), ([0-9.]+)\].*/\1 \2/')
	echo "$i $iv" >>"$tmp/intervals"
done
ab $((truth - truth / 2)) "$tmp/truth2.json" $((runs + 2)) >/dev/null
t=$(median_ratio "$tmp/truth1.json" "$tmp/truth2.json")
t1=$(median_ratio "$tmp/truth1.json")
t2=$(median_ratio "$tmp/truth2.json")
while read -r _ lo hi; do
	n=$((n + 1))
	if python3 -c "import sys; sys.exit(0 if $lo <= $t <= $hi else 1)"; then held=$((held + 1)); fi
done <"$tmp/intervals"
echo "command: scripts/coverage.sh $runs $rounds $truth $fraction"
echo "workload: 16 × 64KiB, sync none; NEW = BASE slowed by $fraction of its own work (slowed_writer.py)"
echo "truth (NEW/BASE, median of $truth paired rounds): $t (first half $t1, second half $t2)"
echo "ab's printed 95% intervals held it in $held of $n runs ($(python3 -c "print(f'{100*$held/$n:.1f}')")%)"
