#!/usr/bin/env bash
# bench-overhead.sh: run writebench's harness-overhead Go benchmarks and
# print each figure next to its target.
#
#   scripts/bench-overhead.sh [-t BENCHTIME] [-c COUNT]
#
#   -t  go test -benchtime (default 1s)
#   -c  go test -count; the median of the counts is reported (default 5)
#
# Figures:
#   content generator   BenchmarkContent (MB/s), next to BenchmarkMemcpy: must be GB/s
#   content share       BenchmarkContent ns/op over BenchmarkWriteFile ns/op (a real
#                       chunked create+write+close of the same size in $TMPDIR): <= 2 %
#   runner per cell     BenchmarkRunner/cells=10/files=1/sink=discard ns/cell: <= 1 ms
#   runner per file     BenchmarkRunner/files=N/sink=discard ns/file: <= 2 us
#   verifier            BenchmarkVerify MB/s (no target; outside the timed region)
# The runner benchmarks run twice: scratch directories in $TMPDIR (a real disk:
# every repetition's mkdir/rmdir is paid there) and in /dev/shm (tmpfs: the
# runner's own cost). The raw benchmark output is kept in $OUT (default
# /tmp/bench-overhead.txt) for benchstat.
set -euo pipefail

BENCHTIME=1s
COUNT=5
while getopts "t:c:h" opt; do
	case $opt in
	t) BENCHTIME=$OPTARG ;;
	c) COUNT=$OPTARG ;;
	h) sed -n '2,21p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-/tmp/bench-overhead.txt}
cd "$ROOT"

{
	go test -run '^$' -bench 'Content|Memcpy|WriteFile|Path' -benchtime "$BENCHTIME" -count "$COUNT" ./strategies
	go test -run '^$' -bench 'Runner|Verify' -benchtime "$BENCHTIME" -count "$COUNT" .
	if [[ -d /dev/shm ]]; then
		WRITEBENCH_BENCH_DIR=/dev/shm go test -run '^$' -bench 'Runner' -benchtime "$BENCHTIME" -count "$COUNT" . |
			sed 's/^BenchmarkRunner\//BenchmarkRunner\/dir=tmpfs\//'
	fi
} >"$OUT"

# val NAME UNIT: the median over the counts of UNIT for benchmark NAME (no -P suffix).
val() {
	awk -v name="$1" -v unit="$2" '
		$1 ~ /^Benchmark/ {
			n = $1; sub(/-[0-9]+$/, "", n)
			if (n != name) next
			for (i = 3; i < NF; i++) if ($(i+1) == unit) v[++k] = $i
		}
		END {
			if (!k) { print "NaN"; exit }
			for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			print (k % 2) ? v[(k+1)/2] : (v[k/2] + v[k/2+1]) / 2
		}' "$OUT"
}
row() { printf '| %-52s | %14s | %-12s | %-4s |\n' "$1" "$2" "$3" "$4"; }
check() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { ok = (op == "<=") ? a <= b : a >= b; print ok ? "ok" : "MISS" }'; }
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }

echo "| figure | measured | target | |"
echo "|---|---:|---|---|"
for s in 4KiB 1MiB; do
	c=$(val "BenchmarkContent/size=$s" MB/s)
	m=$(val "BenchmarkMemcpy/size=$s" MB/s)
	row "content generator, $s files (memcpy: $(fmt "$(awk -v m="$m" 'BEGIN{print m/1000}')") GB/s)" "$(fmt "$(awk -v c="$c" 'BEGIN{print c/1000}')") GB/s" ">= 2 GB/s" "$(check "$c" ">=" 2000)"
done
for s in 4KiB 1MiB; do
	c=$(val "BenchmarkContent/size=$s" ns/op)
	w=$(val "BenchmarkWriteFile/strategy=chunked/size=$s" ns/op)
	share=$(awk -v c="$c" -v w="$w" 'BEGIN { print 100 * c / w }')
	row "content share of a $s file's timed work ($(fmt "$c") ns of $(fmt "$w" 0) ns)" "$(fmt "$share" 3) %" "<= 2 %" "$(check "$share" "<=" 2)"
done
r=$(val "BenchmarkContentRecords/size=1MiB/record=256" ns/op)
row "content for a 1MiB file in 256 B records" "$(fmt "$r" 0) ns" "" ""
for d in "" "dir=tmpfs/"; do
	where=${d:+ (tmpfs)}
	where=${where:- (\$TMPDIR disk)}
	c=$(val "BenchmarkRunner/${d}cells=10/files=1/sink=discard" ns/cell)
	row "runner per cell, 7 repetitions$where" "$(fmt "$(awk -v c="$c" 'BEGIN{print c/1e6}')" 3) ms" "<= 1 ms" "$(check "$c" "<=" 1000000)"
	for n in 10000 1000000; do
		f=$(val "BenchmarkRunner/${d}files=$n/sink=discard" ns/file)
		t=$(val "BenchmarkRunner/${d}files=$n/sink=discard" timed-ns/file)
		row "runner per file, $n files$where (timed part: $(fmt "$t" 0) ns)" "$(fmt "$f" 0) ns" "<= 2000 ns" "$(check "$f" "<=" 2000)"
	done
done
p=$(val "BenchmarkPath/api=worker" allocs/op)
q=$(val "BenchmarkWriteFile/strategy=chunked/size=4KiB" allocs/op)
row "allocations per file (path / whole chunked file)" "$p / $q" "0" "$(check "$((p + q))" "<=" 0)"
for v in files=1000/size=4KiB files=16/size=1MiB files=1/size=256MiB; do
	row "verifier, $v" "$(fmt "$(val "BenchmarkVerify/$v" MB/s)" 0) MB/s" "" ""
done
echo
echo "Raw output: $OUT"
