#!/usr/bin/env bash
# page-reuse.sh: how long a warm page-cache pass takes as a function of the
# time since the previous pass freed its memory. Each sample is one process
# of the bare loop (scripts/limit, mode buffered: 1 GiB in 1 MiB write(2)s
# into a fresh file, removed after the clock stops) started GAP seconds
# after the previous one ended; gaps alternate. On a VM whose free page
# reporting returns freed memory to the host, a longer gap leaves more of
# that memory to be faulted in again by the host inside the next pass.
#
#   scripts/page-reuse.sh [-r ROUNDS] [-d DIR] [-g "GAPS"] [-p MS]
#
#   -r ROUNDS  rounds (default 6); each round runs every gap once
#   -d DIR     where the loop writes (default /var/tmp)
#   -g GAPS    seconds between passes (default "0.1 4")
#   -p MS      hold freed pages MS milliseconds before reporting (sets
#              /sys/module/page_reporting/parameters/min_free_ms for the run,
#              restores it after; root, and a kernel with that parameter)
#
# Output: one line per pass (gap, seconds, KiB returned to the host during
# the gap and the pass where the kernel counts it), then the median seconds
# per gap. The first pass warms nothing in particular and is printed but
# not counted. Exit status 0; 1 when the loop fails; 2 on bad arguments.
set -euo pipefail

ROUNDS=6
DIR=/var/tmp
GAPS="0.1 4"
HOLD=""
while (($#)); do
	case $1 in
	-r) ROUNDS=$2; shift 2 ;;
	-d) DIR=$2; shift 2 ;;
	-g) GAPS=$2; shift 2 ;;
	-p) HOLD=$2; shift 2 ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) echo "page-reuse: unknown argument $1 (see -h)" >&2; exit 2 ;;
	esac
done
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1)); then
	echo "page-reuse: -r must be a positive number of rounds (got $ROUNDS)" >&2
	exit 2
fi
for g in $GAPS; do
	if ! [[ $g =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
		echo "page-reuse: -g: $g is not a number of seconds" >&2
		exit 2
	fi
done
if [[ ! -d $DIR ]]; then
	echo "page-reuse: -d $DIR: not a directory" >&2
	exit 2
fi
command -v gcc >/dev/null || { echo "page-reuse: gcc not found (apt-get install gcc)" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/hold-pages.sh
. "$ROOT/scripts/hold-pages.sh"
[[ -z $HOLD ]] || hold_check page-reuse "$HOLD"
WORK=$(mktemp -d "$DIR/page-reuse.XXXXXX")
cleanup() {
	rm -rf "$WORK"
	hold_restore
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
gcc -O2 -Wall -o "$WORK/limit" "$ROOT/scripts/limit/limit.c"
mkdir "$WORK/d"
[[ -z $HOLD ]] || hold_start "$HOLD"
echo "page-reuse: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), min_free_ms $(hold_setting)"
pass() { "$WORK/limit" buffered "$WORK/d" 1073741824 1048576 1 | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
echo "first pass (not counted): $(pass) s"
SAMPLES=$WORK/samples
: >"$SAMPLES"
for ((r = 1; r <= ROUNDS; r++)); do
	for g in $GAPS; do
		k0=$(reported_kib)
		sleep "$g"
		s=$(pass)
		k1=$(reported_kib)
		rep="?"
		[[ -n $k0 && -n $k1 ]] && rep=$((k1 - k0))
		echo "round=$r gap=$g seconds=$s reported_kib=$rep"
		echo "$g $s" >>"$SAMPLES"
	done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for g in $GAPS; do
	awk -v g="$g" '$1 == g {print $2}' "$SAMPLES" | sort -g |
		awk -v g="$g" '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "gap %s s: median %.3f s over %d passes (min %.3f, max %.3f)\n", g, m, NR, a[1], a[NR]}'
done
