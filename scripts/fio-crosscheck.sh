#!/usr/bin/env bash
# fio-crosscheck.sh: run fio's equivalent job and the matching writebench
# cell side by side, alternately, RUNS times each, on the same filesystem,
# and print (as Markdown) the median throughput of both and their ratio.
#
#   scripts/fio-crosscheck.sh [-n RUNS] [-d DIR] [-w "1 2 3 4"]
#
#   -n RUNS   alternations per workload (default 7, at least 5)
#   -d DIR    where both tools write (default /tmp); the same filesystem
#   -w LIST   workloads to run (default "1 2 3 4 5 6 7 8 9")
#
# Environment: WB_BIN, when set, is the writebench binary to run instead of
# building ./cmd/writebench (any program taking the same run flags and
# writing the same JSON will do).
#
# Workloads (issue 6, then issue 11: like-for-like settings named):
#   1  one 1 GiB file in 1 MiB writes, no sync      fio psync bs=1m fallocate=none  | chunked --chunk 1MiB (no prealloc)
#   2  the same with one sync at the end            fio end_fsync=1                 | --sync end
#   3  10,000 files of 4 KiB, no sync               fio nrfiles=10000 ...           | chunked, pool, semaphore
#   4  1,000 files of 4 KiB, fsync before close     fio fsync_on_close=1            | --sync close
#   5  1 GiB in 1 MiB writes, preallocated          fio default job (fallocate=native) | chunked --prealloc fallocate
#   6  1 GiB in 1 MiB O_DIRECT writes               fio --direct=1 (fallocate=native)  | direct --prealloc fallocate
#   7  1 GiB in 4 KiB writes, 32 in flight          fio io_uring iodepth=32 fallocate=none | uring --queue-depth 32
#   8  1 GiB in 4 KiB writes, one at a time         fio psync fallocate=none         | uring --queue-depth 1
#   9  the same, engine for engine                  fio io_uring iodepth=1 fallocate=none | uring --queue-depth 1
#
# Measure: wall-clock of the whole job's work for both tools, file creation
# included. fio: io_bytes / job_runtime (ms) from --output-format=json; its
# job_runtime spans opening, writing, syncing and closing every file, but
# not fio's start-up or the deletion of its files. writebench: the seconds
# of one counted repetition (--repeat 1 --warmup 0), i.e. its timed region
# (Strategy.Write plus the final syncfs for --sync end), not its start-up,
# verification or cleanup. Each run starts from fresh files in a fresh
# directory, after a sync(1) so neither tool pays for the other's dirty
# pages; the order of the tools alternates every run.
#
# fio is installed from Debian's fio package when missing (apt-get), and jq
# likewise. Exit status: 0, or 1 when a tool fails.
set -euo pipefail

RUNS=7
DIR=/tmp
WORKLOADS="1 2 3 4 5 6 7 8 9"
while getopts "n:d:w:h" opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	d) DIR=$OPTARG ;;
	w) WORKLOADS=$OPTARG ;;
	h) sed -n '2,38p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
if ((RUNS < 5)); then
	echo "fio-crosscheck: -n must be at least 5 (got $RUNS)" >&2
	exit 2
fi

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "fio-crosscheck: installing $2 (apt-get)" >&2
		(apt-get update -qq && apt-get install -y -qq "$2") >&2
	fi
}
need fio fio
need jq jq

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fio-crosscheck.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [[ -n ${WB_BIN:-} ]]; then
	WB=$WB_BIN
else
	WB=$WORK/writebench
	(cd "$ROOT" && go build -o "$WB" ./cmd/writebench)
fi

# fio_run ARGS...: run one fio job in a fresh directory under DIR; print bytes/s.
# The workload's ARGS name the engine and the preallocation (fio's default is
# fallocate=native; a later --fallocate overrides an earlier one).
fio_run() {
	local d
	d=$(mktemp -d "$DIR/fio-crosscheck-job.XXXXXX")
	sync
	fio --name=job --directory="$d" --rw=write --create_on_open=1 --output-format=json "$@" \
		>"$WORK/fio.json" || { rm -rf "$d"; return 1; }
	rm -rf "$d"
	jq -r '.jobs[0] | (.write.io_bytes / (.job_runtime / 1000))' "$WORK/fio.json"
}

# wb_run FILES SIZE ARGS...: one counted repetition of one writebench cell; print bytes/s.
wb_run() {
	local files=$1 size=$2
	shift 2
	sync
	"$WB" run --dir "$DIR" --files "$files" --sizes "$size" --repeat 1 --warmup 0 \
		--out "$WORK/wb.json" --format json "$@" >/dev/null 2>"$WORK/wb.err" || { cat "$WORK/wb.err" >&2; return 1; }
	jq -r '.results[0] | if (.error // "") != "" then error(.error) elif (.skipped // "") != "" then error("skipped: " + .skipped) else (.files * .file_size / .seconds[0]) end' "$WORK/wb.json"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mbs() { awk -v x="$1" 'BEGIN {printf "%.1f", x/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

declare -A TITLE FIO TARGET WBARGS WBFILES WBSIZE
TITLE[1]="1 × 1 GiB, 1 MiB writes, no sync"
FIO[1]="--ioengine=psync --fallocate=none --bs=1m --size=1g --nrfiles=1"
TARGET[1]=1.0
WBFILES[1]=1 WBSIZE[1]=1GiB
WBARGS[1]="chunked:--strategies chunked --chunk 1MiB --sync none"

TITLE[2]="1 × 1 GiB, 1 MiB writes, sync at the end"
FIO[2]="--ioengine=psync --fallocate=none --bs=1m --size=1g --nrfiles=1 --end_fsync=1"
TARGET[2]=1.0
WBFILES[2]=1 WBSIZE[2]=1GiB
WBARGS[2]="chunked:--strategies chunked --chunk 1MiB --sync end"

TITLE[3]="10,000 × 4 KiB, no sync"
FIO[3]="--ioengine=psync --fallocate=none --bs=4k --nrfiles=10000 --filesize=4k --size=40000k --openfiles=1"
TARGET[3]=1.2
WBFILES[3]=10000 WBSIZE[3]=4KiB
WBARGS[3]="chunked:--strategies chunked --sync none|pool:--strategies pool --sync none|semaphore:--strategies semaphore --sync none"

TITLE[4]="1,000 × 4 KiB, fsync before close"
FIO[4]="--ioengine=psync --fallocate=none --bs=4k --nrfiles=1000 --filesize=4k --size=4000k --openfiles=1 --fsync_on_close=1"
TARGET[4]=0.95
WBFILES[4]=1000 WBSIZE[4]=4KiB
WBARGS[4]="chunked:--strategies chunked --sync close|pool:--strategies pool --sync close|semaphore:--strategies semaphore --sync close"

TITLE[5]="1 × 1 GiB, 1 MiB writes, preallocated (fallocate)"
FIO[5]="--ioengine=psync --bs=1m --size=1g --nrfiles=1"
TARGET[5]=1.0
WBFILES[5]=1 WBSIZE[5]=1GiB
WBARGS[5]="chunked:--strategies chunked --chunk 1MiB --prealloc fallocate --sync none"

TITLE[6]="1 × 1 GiB, 1 MiB O_DIRECT writes, preallocated"
FIO[6]="--ioengine=psync --bs=1m --size=1g --nrfiles=1 --direct=1"
TARGET[6]=0.95
WBFILES[6]=1 WBSIZE[6]=1GiB
WBARGS[6]="direct:--strategies direct --chunk 1MiB --prealloc fallocate --sync none"

TITLE[7]="1 × 1 GiB, 4 KiB writes, io_uring depth 32"
FIO[7]="--ioengine=io_uring --iodepth=32 --fallocate=none --bs=4k --size=1g --nrfiles=1"
TARGET[7]=0.9
WBFILES[7]=1 WBSIZE[7]=1GiB
WBARGS[7]="uring:--strategies uring --chunk 4KiB --queue-depth 32 --sync none"

TITLE[8]="1 × 1 GiB, 4 KiB writes, one at a time (fio psync)"
FIO[8]="--ioengine=psync --fallocate=none --bs=4k --size=1g --nrfiles=1"
TARGET[8]=0.9
WBFILES[8]=1 WBSIZE[8]=1GiB
WBARGS[8]="uring:--strategies uring --chunk 4KiB --queue-depth 1 --sync none"

TITLE[9]="1 × 1 GiB, 4 KiB writes, io_uring depth 1"
FIO[9]="--ioengine=io_uring --iodepth=1 --fallocate=none --bs=4k --size=1g --nrfiles=1"
TARGET[9]=0.9
WBFILES[9]=1 WBSIZE[9]=1GiB
WBARGS[9]="uring:--strategies uring --chunk 4KiB --queue-depth 1 --sync none"

echo "# fio cross-check"
echo
echo "Generated by \`${WB_BIN:+WB_BIN=$WB_BIN }scripts/fio-crosscheck.sh -n $RUNS -d $DIR -w \"$WORKLOADS\"\` on $(date -u +%Y-%m-%dT%H:%MZ)."
echo
echo "## Machine"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; RAM $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "- Kernel: $(uname -sr); filesystem of $DIR: $(df -PT "$DIR" | awk 'NR==2 {print $2" on "$1}') ($(findmnt -no OPTIONS -T "$DIR" 2>/dev/null || echo '?'))"
echo "- $(fio --version), $(go version | cut -d' ' -f3), writebench $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- Shared machine (other jobs running): every figure is a median of $RUNS alternated runs."
echo
echo "## Results"
echo
echo "Throughput = bytes written / wall-clock of the job (file creation, writes, syncs, close; see the script header)."
echo
echo "| # | workload | fio MB/s | writebench cell | writebench MB/s | ratio wb/fio | target | met |"
echo "|---|---|---:|---|---:|---:|---:|---|"
RAW=""
for w in $WORKLOADS; do
	IFS='|' read -r -a cells <<<"${WBARGS[$w]}"
	fio_s=()
	declare -A wb_s=()
	for ((r = 1; r <= RUNS; r++)); do
		# Rotate the order: fio first on odd runs, last on even runs.
		if ((r % 2)); then
			fio_s+=("$(fio_run ${FIO[$w]})")
		fi
		for c in "${cells[@]}"; do
			name=${c%%:*}
			wb_s[$name]+="$(wb_run "${WBFILES[$w]}" "${WBSIZE[$w]}" ${c#*:}) "
		done
		if ((r % 2 == 0)); then
			fio_s+=("$(fio_run ${FIO[$w]})")
		fi
	done
	fmed=$(printf '%s\n' "${fio_s[@]}" | median)
	RAW+=$'\n'"- workload $w fio MB/s: $(for x in "${fio_s[@]}"; do printf '%s ' "$(mbs "$x")"; done)"
	best="" bestmed=0
	for c in "${cells[@]}"; do
		name=${c%%:*}
		wmed=$(printf '%s\n' ${wb_s[$name]} | median)
		RAW+=$'\n'"- workload $w writebench $name MB/s: $(for x in ${wb_s[$name]}; do printf '%s ' "$(mbs "$x")"; done)"
		if awk -v a="$wmed" -v b="$bestmed" 'BEGIN {exit !(a > b)}'; then
			best=$name bestmed=$wmed
		fi
	done
	for c in "${cells[@]}"; do
		name=${c%%:*}
		wmed=$(printf '%s\n' ${wb_s[$name]} | median)
		rt=$(ratio "$wmed" "$fmed")
		met=""
		if [[ $name == "$best" ]]; then
			met=$(awk -v r="$rt" -v t="${TARGET[$w]}" 'BEGIN {print (r >= t) ? "yes" : "**no**"}')
			name="**$name** (best)"
		fi
		[[ ${#cells[@]} -eq 1 ]] && name=${name% (best)} && name=${name//\*/}
		echo "| $w | ${TITLE[$w]} | $(mbs "$fmed") | ${c#*:} → $name | $(mbs "$wmed") | $rt | ≥ ${TARGET[$w]} | $met |"
	done
	unset wb_s
done
echo
echo "The target applies to the best writebench cell of each workload (the only one for 1 and 2)."
echo
echo "### Every run (MB/s, in run order)"
echo "$RAW"
