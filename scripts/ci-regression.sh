#!/bin/sh
# ci-regression.sh: run writebench's ci preset and compare it against a
# baseline result set, for CI regression runs.
#
# Usage: scripts/ci-regression.sh BASELINE.json [compare flags...]
#
#   scripts/ci-regression.sh results/ci-baseline.json
#   scripts/ci-regression.sh results/ci-baseline.json --threshold 10%
#   NEW=out/ci.json RUN_FLAGS="--dir /mnt/data" scripts/ci-regression.sh base.json
#
# It builds writebench once (go run would turn every failing exit status into
# 1), checks that BASELINE is readable before spending time on the sweep,
# runs `writebench run --preset ci` (summary on stderr), then prints
# `writebench compare BASELINE NEW --format markdown` on stdout, ready to post
# as a pull-request comment, and exits with compare's status:
#
#   0  no regression, and at least one cell could have shown one
#   1  at least one cell significantly slower than the baseline (or newly failing)
#   2  usage error, unreadable baseline or new set, or the sweep could not run
#   3  inconclusive: no cell could detect a change of the threshold's size
#      (too noisy, too few samples); the comparison could not have failed,
#      so it is not reported as a pass
#
# Two separate runs on a shared CI runner are often too noisy for this gate
# (docs/ci.md); `writebench ab` runs both builds in one interleaved run and
# is the recommended gate.
#
# When the comparison finds a regression, the sweep is run once more (saved
# next to NEW as *-confirm.json) and compared again, and the script fails
# only when the re-run fails too: on a shared machine a whole run can be
# slowed by a neighbour, and one such run should not turn the build red (see
# results/false-positive.md). CONFIRM=0 turns this off.
#
# Environment:
#   NEW        where to save the new result set (default: results/ci-new.json)
#   CONFIRM    1 (default): re-run once to confirm a regression; 0: fail at once
#   SETTLE     seconds to wait before each run of the preset (default 30)
#   RUN_FLAGS  extra flags for `writebench run` (word-split), e.g. "--dir /mnt/data"
#   WRITEBENCH a prebuilt writebench binary to use instead of building one
set -u

usage() { sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in
-h | --help)
	usage
	exit 0
	;;
"")
	usage >&2
	echo "ci-regression: no baseline given" >&2
	exit 2
	;;
esac
baseline=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
new=${NEW:-$root/results/ci-new.json}
mkdir -p "$(dirname "$new")" || exit 2

if [ -n "${WRITEBENCH:-}" ]; then
	wb=$WRITEBENCH
else
	tmp=$(mktemp -d) || exit 2
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	wb=$tmp/writebench
	if ! (cd "$root" && go build -o "$wb" ./cmd/writebench); then
		echo "ci-regression: go build failed" >&2
		exit 2
	fi
fi

# Fail fast, with exit status 2 and a line naming the file, on a baseline that
# cannot be read, before the sweep runs (a set compared with itself may be
# inconclusive, 3: that is not an error here).
"$wb" compare "$baseline" "$baseline" --format json >/dev/null 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
	"$wb" compare "$baseline" "$baseline" --format json >/dev/null
	exit 2
fi

# runci OUT: run the ci preset into OUT. A cell that fails makes run exit 1
# but still saves the set; compare then reports it as a regression ("newly
# fails"). Any other status is fatal.
runci() {
	# shellcheck disable=SC2086 # RUN_FLAGS is meant to be word-split
	"$wb" run --preset ci --out "$1" --progress never ${RUN_FLAGS:-} >&2
	rs=$?
	if [ $rs -ne 0 ] && { [ $rs -ne 1 ] || [ ! -s "$1" ]; }; then
		echo "ci-regression: writebench run --preset ci failed (exit status $rs)" >&2
		[ $rs -ge 128 ] && exit $rs
		exit 2
	fi
}

# Let the filesystem settle after whatever ran before (a build, a checkout):
# right after heavy file churn this machine ran the ci preset up to 70%
# slower for tens of seconds (results/false-positive.md).
sleep "${SETTLE:-30}"
runci "$new"
"$wb" compare "$baseline" "$new" --format markdown "$@"
status=$?
if [ $status -eq 3 ]; then
	echo "ci-regression: INCONCLUSIVE: no cell could detect a change of the threshold's size; this gate could not have failed (see docs/ci.md: use writebench ab)" >&2
	exit 3
fi
if [ $status -ne 1 ] || [ "${CONFIRM:-1}" = 0 ]; then
	exit $status
fi

confirm=${new%.json}-confirm.json
echo "ci-regression: regression found; waiting ${SETTLE:-30}s, then running the ci preset once more to confirm" >&2
# On ext4, creating files right after many deletions is slower for about
# 30 s (the inode allocator skips recently deleted inodes), so a re-run
# straight after the first one would inherit its conditions.
sleep "${SETTLE:-30}"
runci "$confirm"
printf '\n**Re-run to confirm** (the build fails only if this shows a regression too):\n\n'
"$wb" compare "$baseline" "$confirm" --format markdown "$@"
status=$?
case $status in
0) echo "ci-regression: the re-run shows no regression: treating the first result as noise" >&2 ;;
3) echo "ci-regression: INCONCLUSIVE: the re-run could not detect a change of the threshold's size" >&2 ;;
esac
exit $status
