#!/usr/bin/env bash
# buffer-align.sh: what the alignment of the source buffer costs a
# page-cache write. 1 GiB in 1 MiB writes into a fresh file, one warm pass
# each, in a shuffled order every round:
#
#   loop      the bare loop (scripts/limit), buffer on a page boundary
#   loop16    the same, buffer 16 bytes past a page (LIMIT_OFFSET=16), as a
#             buffer from malloc is
#   fio       fio's psync engine with its default I/O buffer (malloc; for
#             buffered I/O fio does not align it)
#   fio4096   the same with --iomem_align=4096 (buffer on a page boundary)
#
# Prints every pass, then per variant the median seconds and the median of
# its per-round speed relative to loop. The fio cross-check sets
# iomem_align=4096 because of what this measures.
#
#   scripts/buffer-align.sh [-r ROUNDS] [-d DIR] [-p MS]
#
#   -r ROUNDS  rounds (default 20)
#   -d DIR     where every variant writes (default /var/tmp)
#   -p MS      hold freed pages from free page reporting for MS ms during
#              the run (see scripts/fio-crosscheck.sh -h)
#
# Exit status 0; 1 when a tool fails; 2 on bad arguments.
set -euo pipefail

ROUNDS=20
DIR=/var/tmp
HOLD=""
while (($#)); do
	case $1 in
	-r) ROUNDS=$2; shift 2 ;;
	-d) DIR=$2; shift 2 ;;
	-p) HOLD=$2; shift 2 ;;
	-h | --help) sed -n '2,24p' "$0"; exit 0 ;;
	*) echo "buffer-align: unknown argument $1 (see -h)" >&2; exit 2 ;;
	esac
done
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1)); then
	echo "buffer-align: -r must be a positive number of rounds (got $ROUNDS)" >&2
	exit 2
fi
if [[ ! -d $DIR ]]; then
	echo "buffer-align: -d $DIR: not a directory" >&2
	exit 2
fi
for t in fio gcc jq; do
	command -v "$t" >/dev/null || { echo "buffer-align: $t not found (apt-get install $t)" >&2; exit 1; }
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/hold-pages.sh
. "$ROOT/scripts/hold-pages.sh"
[[ -z $HOLD ]] || hold_check buffer-align "$HOLD"
WORK=$(mktemp -d "$DIR/buffer-align.XXXXXX")
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
FIO="--output-format=json --directory=$WORK/d --rw=write --create_on_open=1 --unlink=1 --invalidate=0 --gtod_reduce=1
	--scramble_buffers=1 --ioengine=psync --bs=1m --size=1g --nrfiles=1 --fallocate=none --name=run"
loop() { LIMIT_OFFSET=$1 "$WORK/limit" buffered "$WORK/d" 1073741824 1048576 1 | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
# shellcheck disable=SC2086
fiorun() { fio $FIO "$@" >"$WORK/fio.json" && jq '.jobs[0].job_runtime / 1000' "$WORK/fio.json"; }
echo "buffer-align: $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg), min_free_ms $(hold_setting)"
loop 0 >/dev/null # warms the path
SAMPLES=$WORK/samples
: >"$SAMPLES"
for ((r = 1; r <= ROUNDS; r++)); do
	for v in $(printf '%s\n' loop loop16 fio fio4096 | shuf); do
		case $v in
		loop) s=$(loop 0) ;;
		loop16) s=$(loop 16) ;;
		fio) s=$(fiorun) ;;
		fio4096) s=$(fiorun --iomem_align=4096) ;;
		esac
		echo "round=$r variant=$v seconds=$s" | tee -a "$SAMPLES"
	done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
# median of the numbers on stdin, one per line
median() { sort -g | awk '{a[NR] = $1} END {if (NR) printf "%.3f", (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2}'; }
for v in loop loop16 fio fio4096; do
	secs=$(awk -v v="$v" -F'[ =]' '$4 == v {print $6}' "$SAMPLES" | median)
	# per round: loop's seconds over this variant's, i.e. its speed relative to loop
	rel=$(awk -v v="$v" -F'[ =]' '{s[$4, $2] = $6} END {for (k in s) {split(k, p, SUBSEP); if (p[1] == v) print s["loop", p[2]] / s[k]}}' "$SAMPLES" | median)
	echo "$v: median $secs s, speed relative to loop $rel (median of $ROUNDS paired rounds)"
done
