#!/bin/sh
# ci-figures.sh: measure, on this machine, what the two CI gates of
# docs/ci.md can tell apart: `writebench ab` (false alarms on identical
# builds, detection of a known slowdown, wall time per decision) and a
# cross-run `writebench compare` of separate ci-preset runs (how often it
# fails, passes or is inconclusive on unchanged code). Run it on a quiet
# machine; figures taken under load are not figures.
#
# Usage: scripts/ci-figures.sh [RUNS]      (default 20 of each)
#
#   scripts/ci-figures.sh 20
#   OUT=/tmp/cifig AB_FLAGS="--strategies chunked --files 16 --sizes 1MiB" scripts/ci-figures.sh 10
#
# It builds writebench twice into a temporary directory (removed at the end):
# a plain build (BASE) and one with -tags wb_slowdown (SLOW), whose chunked
# writer takes SLOWDOWN (default 0.2, i.e. 20%) longer per file when
# WRITEBENCH_SLOWDOWN is set; ordinary builds never contain that code.
#
#   A/A   RUNS x  ab BASE BASE $AB_FLAGS           exit 1 = a false alarm
#   A/B   RUNS x  ab BASE SLOW $AB_FLAGS           exit 1 = the slowdown detected
#   cross RUNS x  run --preset ci, each compared with the first run
#                 (compare --threshold 10%): exit 0 pass, 1 fail (a false
#                 alarm: the code is the same), 3 inconclusive
#
# Result sets and outputs go to OUT (default: a new temporary directory,
# printed; nothing in the repository is written). Exit status 0, or 2 when
# the builds fail.
#
# Environment: OUT, SLOWDOWN (0.2), AB_FLAGS (default: the ci preset's cells,
# --preset ci --threshold 10%), RUN_FLAGS (extra flags for every run and ab,
# e.g. "--dir /mnt/data"), SETTLE (seconds between cross runs, default 30).
set -u
runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
(cd "$root" && go build -o "$tmp/base" ./cmd/writebench && go build -tags wb_slowdown -o "$tmp/slow" ./cmd/writebench) || {
	echo "ci-figures: go build failed" >&2
	exit 2
}
ab_flags=${AB_FLAGS:-"--preset ci --threshold 10%"}
slowdown=${SLOWDOWN:-0.2}
echo "ci-figures: writing to $out; $(uname -sr), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# now: seconds since the epoch with a fraction.
now() { date +%s.%N; }

# ab_series NAME NEWBIN: RUNS ab runs; prints "NAME: K of RUNS exited 1; median S s per decision".
ab_series() {
	name=$1 newbin=$2 alarms=0 i=1
	: >"$out/$name.times"
	while [ "$i" -le "$runs" ]; do
		t0=$(now)
		# shellcheck disable=SC2086 # the flag lists are meant to be word-split
		WRITEBENCH_SLOWDOWN=$slowdown "$tmp/base" ab "$tmp/base" "$newbin" $ab_flags ${RUN_FLAGS:-} \
			--progress never --out "$out/$name-$i.json" >"$out/$name-$i.txt" 2>&1
		rc=$?
		t1=$(now)
		echo "$t0 $t1" | awk '{printf "%.1f\n", $2-$1}' >>"$out/$name.times"
		case $rc in
		0) ;;
		1) alarms=$((alarms + 1)) ;;
		*) echo "ci-figures: $name run $i: ab exited $rc (see $out/$name-$i.txt)" >&2 ;;
		esac
		i=$((i + 1))
	done
	med=$(sort -n "$out/$name.times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$name: $alarms of $runs exited 1; median ${med} s per decision"
}

ab_series aa "$tmp/base"
ab_series ab-slow "$tmp/slow"

# Cross-run compare: separate runs of the ci preset on the same code.
pass=0 fail=0 inconclusive=0 i=1
while [ "$i" -le "$runs" ]; do
	sleep "${SETTLE:-30}"
	# shellcheck disable=SC2086
	"$tmp/base" run --preset ci ${RUN_FLAGS:-} --progress never --out "$out/ci-$i.json" >/dev/null 2>&1
	if [ "$i" -gt 1 ]; then
		"$tmp/base" compare "$out/ci-1.json" "$out/ci-$i.json" --threshold 10% >"$out/compare-$i.txt" 2>&1
		case $? in
		0) pass=$((pass + 1)) ;;
		1) fail=$((fail + 1)) ;;
		3) inconclusive=$((inconclusive + 1)) ;;
		*) echo "ci-figures: compare $i failed (see $out/compare-$i.txt)" >&2 ;;
		esac
	fi
	i=$((i + 1))
done
echo "cross-run compare (ci preset, 10%, unchanged code): $((runs - 1)) comparisons: $pass passed, $fail failed (false alarms), $inconclusive inconclusive"
