#!/usr/bin/env bash
# fio-crosscheck.sh: writebench, fio and a bare loop of the same system calls,
# case by case, warm, alternating in a shuffled order round by round; the
# paired per-round ratios (writebench / loop, fio / loop, writebench / fio)
# with writebench's own interval for a median of paired ratios. Regenerates
# results/fio-crosscheck.md.
#
#   scripts/fio-crosscheck.sh [-r ROUNDS] [-d DIR] [-c "CASES"] [-l MAXLOAD] [-o OUT] [-p MS] [--quick] [--force]
#
#   -r ROUNDS  rounds per case (default 10; 6 or more give a 95% interval)
#   -d DIR     where every tool writes (default /tmp); one filesystem for all
#   -c CASES   cases to run (default: all, in this order):
#                buffered  1 GiB, 1 MiB write(2)s, no preallocation
#                prealloc  the same after fallocate(2) of the whole file
#                direct    1 GiB, 1 MiB O_DIRECT writes, preallocated
#                uring32   1 GiB, 4 KiB buffered io_uring writes, 32 in flight
#                uring1    the same, one in flight
#                psync4k   1 GiB, 4 KiB write(2)s (what uring1 is held against)
#                files     10,000 files of 4 KiB, one after another
#   -l MAXLOAD the highest 1-minute load average before or after the run at
#              which results are written (default: cores / 2, i.e. 1.0 on 2)
#   -o OUT     the Markdown written (default results/fio-crosscheck.md)
#   -p MS      hold freed pages MS milliseconds before free page reporting may
#              return them to the host (sets /sys/module/page_reporting/
#              parameters/min_free_ms for the run and restores it after; root,
#              and a kernel with that parameter); without it the page says
#              what the machine had
#   --quick    a functional check: 64 MiB instead of 1 GiB, 1,000 files,
#              2 rounds; prints the Markdown and writes no file
#   --force    write OUT even when the load was above MAXLOAD (it says so)
#
# Each tool is warm when timed: writebench runs --warmup 1 --repeat 1 (its
# warm-up repetition is explicit); fio runs two identical jobs in one
# invocation (--stonewall) and only the second is kept; the loop (scripts/
# limit/, built here with gcc; io_uring through Debian's liburing-dev)
# makes two passes and only the second is kept. On a VM the first pass over
# fresh page cache is often several times slower (see docs/measurement.md).
# Every tool writes fresh files and removes them after its clock stops; a
# sync(1) precedes every run. Within a round the three run in a shuffled
# order (shuf), so none always follows another.
#
# Clocks: writebench's timed region (Strategy.Write: create, preallocate,
# write, close); fio's job_runtime (milliseconds; open, fallocate, I/O,
# close); the loop's CLOCK_MONOTONIC from first open to last close.
# fio settings that change its figure, set like for like and named in the
# output: fallocate (fio's default "native" preallocates: none unless the
# case preallocates), invalidate=0 (no page-cache invalidation at open;
# writebench and the loop do none), gtod_reduce=1 (no clock call per I/O;
# writebench and the loop time the whole pass only), scramble_buffers=1
# (fio's default: a few bytes of each buffer change per write, as
# writebench's per-block headers do), create_on_open=1 (the file is created
# inside the job's time, as writebench creates it inside its timed region;
# but fio then skips its layout and never calls fallocate, so the prealloc
# and direct cases set create_on_open=0: fio creates and preallocates the
# file before its clock starts, a millisecond of work for 1 GiB on ext4 that
# writebench and the loop time), unlink=1 (each job's files are removed
# after it, outside its job_runtime; the close that then frees the page
# cache is in fio's CPU figures, not in its time), iomem_align=4096 (fio's
# I/O buffer starts on a page boundary, as writebench's and the loop's do;
# fio's default buffer for buffered I/O comes from malloc, 16 bytes past a
# page, and the kernel's copy into the page cache is then slower:
# scripts/buffer-align.sh measures it).
#
# Free page reporting (a VM's virtio-balloon returning free memory to the
# host) decides what a "warm" pass is: a page the guest reported must be
# faulted in again by the host when it is reused. With min_free_ms 0 the
# pages a pass frees can be reported before the next pass reuses them, and
# that pass then runs up to 5x slower, by chance and more often the longer
# the gap between passes (fio starts its second job about 0.3 s after the
# first, the loop and writebench about 0.07 s). -p holds freed pages long
# enough that every tool's kept pass reuses backed memory; see
# docs/measurement.md.
#
# Exit status: 0; 1 when a tool fails; 2 on bad arguments; 3 when the load
# was above MAXLOAD (results printed, OUT not written; --force writes it).
set -euo pipefail

ROUNDS=10
DIR=/tmp
CASES="buffered prealloc direct uring32 uring1 psync4k files"
MAXLOAD=""
OUT=""
QUICK=0
FORCE=0
HOLD=""
ARGS="" # the arguments quoted, so the page shows a command that can be pasted
(($#)) && ARGS=$(printf '%q ' "$@") && ARGS=${ARGS% }
while (($#)); do
	case $1 in
	-r) ROUNDS=$2; shift 2 ;;
	-d) DIR=$2; shift 2 ;;
	-c) CASES=$2; shift 2 ;;
	-l) MAXLOAD=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-p) HOLD=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--force) FORCE=1; shift ;;
	-h | --help) sed -n '2,75p' "$0"; exit 0 ;;
	*) echo "fio-crosscheck: unknown argument $1 (see -h)" >&2; exit 2 ;;
	esac
done
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1)); then
	echo "fio-crosscheck: -r must be a positive number of rounds (got $ROUNDS)" >&2
	exit 2
fi
if [[ ! -d $DIR ]]; then
	echo "fio-crosscheck: -d $DIR: not a directory" >&2
	exit 2
fi
for c in $CASES; do
	case $c in buffered | prealloc | direct | uring32 | uring1 | psync4k | files) ;;
	*) echo "fio-crosscheck: -c: unknown case $c (known: buffered prealloc direct uring32 uring1 psync4k files)" >&2; exit 2 ;;
	esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/hold-pages.sh
. "$ROOT/scripts/hold-pages.sh"
[[ -z $HOLD ]] || hold_check fio-crosscheck "$HOLD"
[[ -n $MAXLOAD ]] || MAXLOAD=$(awk -v n="$(nproc)" 'BEGIN {print n / 2}')
BIG=1073741824 BIGFIO=1g BIGWB=1GiB NFILES=10000
if ((QUICK)); then
	ROUNDS=2 BIG=67108864 BIGFIO=64m BIGWB=64MiB NFILES=1000
fi

[[ -n $OUT ]] || OUT=$ROOT/results/fio-crosscheck.md

need() {
	if ! command -v "$1" >/dev/null 2>&1 && ! dpkg -s "$2" >/dev/null 2>&1; then
		echo "fio-crosscheck: installing $2 (apt-get)" >&2
		(apt-get update -qq && apt-get install -y -qq "$2") >&2
	fi
}
need fio fio
need jq jq
need gcc gcc
[[ -f /usr/include/liburing.h ]] || need liburing-dev liburing-dev

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fio-crosscheck.XXXXXX")
# Every tool writes under RUNDIR (in DIR), removed with WORK however the run ends.
RUNDIR=$(mktemp -d "$DIR/fio-crosscheck.XXXXXX")
restore() {
	rm -rf "$WORK" "$RUNDIR"
	hold_restore
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
gcc -O2 -Wall -o "$WORK/limit" "$ROOT/scripts/limit/limit.c"
gcc -O2 -Wall -o "$WORK/limit-uring" "$ROOT/scripts/limit/uring.c" -luring
(cd "$ROOT" && go build -o "$WORK/writebench" ./cmd/writebench && go build -o "$WORK/crosscheck" ./scripts/crosscheck)
WB=$WORK/writebench

# Per case: writebench's run flags, fio's job flags, the loop's command
# (after DIR) and the bytes each pass writes.
declare -A WBF FIOF LOOP
WBF[buffered]="--strategies chunked --files 1 --sizes $BIGWB --chunk 1MiB --prealloc none"
FIOF[buffered]="--ioengine=psync --bs=1m --size=$BIGFIO --nrfiles=1 --fallocate=none"
LOOP[buffered]="limit buffered @ $BIG 1048576 2"
WBF[prealloc]="--strategies chunked --files 1 --sizes $BIGWB --chunk 1MiB --prealloc fallocate"
FIOF[prealloc]="--ioengine=psync --bs=1m --size=$BIGFIO --nrfiles=1 --fallocate=native --create_on_open=0"
LOOP[prealloc]="limit prealloc @ $BIG 1048576 2"
WBF[direct]="--strategies direct --files 1 --sizes $BIGWB --chunk 1MiB --prealloc fallocate"
FIOF[direct]="--ioengine=psync --bs=1m --size=$BIGFIO --nrfiles=1 --fallocate=native --create_on_open=0 --direct=1"
LOOP[direct]="limit direct @ $BIG 1048576 2"
WBF[uring32]="--strategies uring --files 1 --sizes $BIGWB --chunk 4KiB --queue-depth 32 --prealloc none"
FIOF[uring32]="--ioengine=io_uring --iodepth=32 --bs=4k --size=$BIGFIO --nrfiles=1 --fallocate=none"
LOOP[uring32]="limit-uring @ $BIG 4096 32 2"
WBF[uring1]="--strategies uring --files 1 --sizes $BIGWB --chunk 4KiB --queue-depth 1 --prealloc none"
FIOF[uring1]="--ioengine=io_uring --iodepth=1 --bs=4k --size=$BIGFIO --nrfiles=1 --fallocate=none"
LOOP[uring1]="limit-uring @ $BIG 4096 1 2"
WBF[psync4k]="--strategies chunked --files 1 --sizes $BIGWB --chunk 4KiB --prealloc none"
FIOF[psync4k]="--ioengine=psync --bs=4k --size=$BIGFIO --nrfiles=1 --fallocate=none"
LOOP[psync4k]="limit buffered @ $BIG 4096 2"
WBF[files]="--strategies chunked --files $NFILES --sizes 4KiB --chunk 64KiB --prealloc none"
FIOF[files]="--ioengine=psync --bs=4k --nrfiles=$NFILES --filesize=4k --size=$((NFILES * 4))k --openfiles=1 --fallocate=none"
LOOP[files]="limit files @ 4096 4096 2 $NFILES"
FIOCOMMON="--rw=write --create_on_open=1 --unlink=1 --invalidate=0 --gtod_reduce=1 --scramble_buffers=1 --iomem_align=4096"

# Each run_* prints one sample line: case tool round seconds bytes user sys.
run_wb() {
	local c=$1 r=$2 d
	d=$(mktemp -d "$RUNDIR/wb.XXXXXX")
	sync
	# shellcheck disable=SC2086
	if ! "$WB" run --dir "$d" ${WBF[$c]} --sync none --warmup 1 --repeat 1 --budget 0 --no-verify \
		--progress never --format json --out "$WORK/wb.json" >/dev/null 2>"$WORK/wb.err"; then
		cat "$WORK/wb.err" >&2
		rm -rf "$d"
		return 1
	fi
	rm -rf "$d"
	jq -r --arg c "$c" --arg r "$r" '.results[0] |
		if (.error // "") != "" then error(.error) elif (.skipped // "") != "" then error("skipped: " + .skipped) else . end |
		"case=\($c) tool=wb round=\($r) seconds=\(.seconds[0]) bytes=\(.files * .file_size) user=\(.user_seconds[0] // "") sys=\(.sys_seconds[0] // "")"' \
		"$WORK/wb.json"
}
run_fio() {
	local c=$1 r=$2 d
	d=$(mktemp -d "$RUNDIR/fio.XXXXXX")
	sync
	# shellcheck disable=SC2086
	if ! fio --output-format=json --directory="$d" $FIOCOMMON ${FIOF[$c]} --name=warm --name=run --stonewall \
		>"$WORK/fio.json" 2>"$WORK/fio.err"; then
		cat "$WORK/fio.err" >&2
		rm -rf "$d"
		return 1
	fi
	rm -rf "$d"
	jq -r --arg c "$c" --arg r "$r" '.jobs[1] | (.job_runtime / 1000) as $s |
		"case=\($c) tool=fio round=\($r) seconds=\($s) bytes=\(.write.io_bytes) user=\(.usr_cpu / 100 * $s) sys=\(.sys_cpu / 100 * $s)"' \
		"$WORK/fio.json"
}
run_loop() {
	local c=$1 r=$2 d cmd
	d=$(mktemp -d "$RUNDIR/loop.XXXXXX")
	sync
	cmd=${LOOP[$c]/@/$d}
	# shellcheck disable=SC2086
	if ! "$WORK"/$cmd >"$WORK/loop.out" 2>"$WORK/loop.err"; then
		cat "$WORK/loop.err" >&2
		rm -rf "$d"
		return 1
	fi
	rm -rf "$d"
	# The second pass; the first warmed the path.
	awk -v c="$c" -v r="$r" '/ pass=2 / {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "case=%s tool=loop round=%s seconds=%s bytes=%s user=%s sys=%s\n", c, r, v["seconds"], v["bytes"], v["user"], v["sys"]
	}' "$WORK/loop.out"
}

load1() { cut -d' ' -f1 /proc/loadavg; }
[[ -z $HOLD ]] || hold_start "$HOLD"
# What free page reporting did during the run, for the page.
reporting() {
	local m=/sys/module/page_reporting/parameters
	if [[ ! -d /sys/module/page_reporting ]]; then
		echo "no free page reporting (/sys/module/page_reporting absent)"
	elif [[ -r $m/min_free_ms ]]; then
		echo "free page reporting on, min_free_ms $(cat "$m/min_free_ms")${HOLD:+ (set by -p; it was $HOLD_WAS)}"
	else
		echo "free page reporting on (no min_free_ms parameter)"
	fi
}
REPORTING=$(reporting)
LOAD_BEFORE=$(cat /proc/loadavg)
START=$(date -u +%Y-%m-%dT%H:%MZ)
SAMPLES=$WORK/samples.txt
: >"$SAMPLES"
for c in $CASES; do
	for ((r = 1; r <= ROUNDS; r++)); do
		for t in $(printf '%s\n' wb fio loop | shuf); do
			echo "fio-crosscheck: $c round $r/$ROUNDS: $t (load $(load1))" >&2
			k0=$(reported_kib)
			sample=$("run_$t" "$c" "$r")
			k1=$(reported_kib)
			[[ -n $k0 && -n $k1 ]] && sample="$sample reported=$((k1 - k0))"
			echo "$sample" | tee -a "$SAMPLES" >&2
		done
	done
done
LOAD_AFTER=$(cat /proc/loadavg)

loaded=$(awk -v a="${LOAD_BEFORE%% *}" -v b="${LOAD_AFTER%% *}" -v m="$MAXLOAD" 'BEGIN {print (a > m || b > m) ? 1 : 0}')
fsname() { df -PT "$DIR" | awk 'NR==2 {print $2" on "$1}'; }
{
	echo "# fio cross-check"
	echo
	echo "Generated by \`scripts/fio-crosscheck.sh${ARGS:+ $ARGS}\` on $START (rounds: $ROUNDS)."
	if ((QUICK)); then
		echo
		echo "**Quick mode: small sizes, 2 rounds; a functional check, not figures.**"
	fi
	if ((loaded)); then
		echo
		echo "**The machine was loaded (1-minute load average above $MAXLOAD before or after): these are not figures.**"
	fi
	echo
	echo "## Machine"
	echo
	echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; RAM $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
	echo "- Kernel: $(uname -sr); $DIR: $(fsname) ($(findmnt -no OPTIONS -T "$DIR" 2>/dev/null || echo '?'))"
	echo "- $(fio --version), liburing $(dpkg-query -W -f '${Version}' liburing-dev 2>/dev/null || echo '?'), $(gcc --version | head -1), $(go version | cut -d' ' -f3), writebench $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "- Memory: $REPORTING"
	echo "- Load average (1, 5, 15 min) before: ${LOAD_BEFORE% * *}; after: ${LOAD_AFTER% * *}; threshold $MAXLOAD"
	echo
	echo "## Results"
	echo
	"$WORK/crosscheck" <"$SAMPLES"
	echo
	echo "## What each tool ran"
	echo
	echo "fio, every case: \`$FIOCOMMON\`, two jobs (\`--name=warm --name=run --stonewall\`), the second kept."
	echo "writebench, every case: \`writebench run --sync none --warmup 1 --repeat 1 --budget 0 --no-verify\`."
	echo "The loop: \`scripts/limit\` programs, two passes, the second kept (DIR stands for a fresh directory)."
	echo
	echo "CPU: writebench's user_seconds/sys_seconds and the loop's getrusage(RUSAGE_SELF) cover the whole process,"
	echo "io_uring's io-wq worker threads included; fio's usr_cpu/sys_cpu are its job thread's only (RUSAGE_THREAD),"
	echo "so for the io_uring cases fio's CPU column leaves out the kernel workers that do the copying."
	echo
	echo "| case | writebench | fio | loop |"
	echo "|---|---|---|---|"
	for c in $CASES; do
		echo "| $c | \`${WBF[$c]}\` | \`${FIOF[$c]}\` | \`${LOOP[$c]/@/DIR}\` |"
	done
	echo
	echo "## Every sample"
	echo
	echo '```'
	cat "$SAMPLES"
	echo '```'
} >"$WORK/out.md"

if ((QUICK)); then
	cat "$WORK/out.md"
	exit 0
fi
if ((loaded && !FORCE)); then
	cat "$WORK/out.md"
	echo "fio-crosscheck: load average above $MAXLOAD (before: ${LOAD_BEFORE%% *}, after: ${LOAD_AFTER%% *}): $OUT not written (--force writes it, marked)" >&2
	exit 3
fi
cp "$WORK/out.md" "$OUT"
echo "fio-crosscheck: wrote $OUT" >&2
