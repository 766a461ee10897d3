#!/bin/sh
# claims.sh: run the workloads of the claims in /work/shared/CLAIMS.md
# (see docs/claims.md) with the Python writers of scripts/python.exec next
# to the matching Go strategies, one result set per claim in $OUT (default
# results/claims). Run from the repository root; needs /usr/bin/python3 with
# aiofiles and uvloop (scripts/setup-python.sh), or their cells are skipped.
#
#   scripts/claims.sh                 # all claims, ~3-6 minutes on 2 cores
#   CLAIMS="1 5" scripts/claims.sh    # some of them
#   WRITEBENCH=./writebench RUN_FLAGS="--dir /mnt/ssd" scripts/claims.sh
set -u
OUT=${OUT:-results/claims}
CLAIMS=${CLAIMS:-"1 2 3 4 5 7"}
RUN_FLAGS=${RUN_FLAGS:-}
if [ -z "${WRITEBENCH:-}" ]; then
	WRITEBENCH=$(mktemp -d)/writebench
	go build -o "$WRITEBENCH" ./cmd/writebench || exit 2
fi
mkdir -p "$OUT"
common="--exec-file scripts/python.exec --repeat 6 --warmup 1 --budget 0 --progress never"
status=0
for c in $CLAIMS; do
	case $c in
	1) args="--strategies unbuffered,bufio,py-aiofiles-unbuf,py-aiofiles-buf,py-open-buffered --files 1 --sizes 4MiB --record 256" ;;
	2) args="--strategies bufio,py-open-buffered,py-aiofiles-buf,py-to-thread,py-executor-batch --files 1 --sizes 64MiB --record 4096" ;;
	3) args="--strategies chunked,py-executor-batch --files 1 --sizes 64MiB --chunk 4KiB,64KiB,1MiB,16MiB,64MiB" ;;
	4) args="--strategies chunked,mmap,py-mmap,py-executor-batch --files 1 --sizes 512MiB --chunk 1MiB" ;;
	5) args="--strategies semaphore,pool,py-gather-sem,py-gather-sem-uvloop,py-to-thread --files 1000 --sizes 4KiB --concurrency 1,10,100" ;;
	7) args="--strategies chunked,py-open-buffered --files 16 --sizes 64KiB --sync none,close" ;;
	*) echo "claims.sh: no workload for claim $c" >&2; exit 2 ;;
	esac
	echo "== claim $c: writebench run $args" >&2
	# shellcheck disable=SC2086
	"$WRITEBENCH" run $common $args $RUN_FLAGS --out "$OUT/claim$c.json" >"$OUT/claim$c.txt" || status=1
done
# The answer per claim: the verdict lines writebench printed for each
# workload (per-round paired ratios; see docs/verdicts.md), next to the
# claim's text. docs/claims.md reads them against each claim.
echo
echo "Claims, as measured on this machine ($(uname -sr), $(nproc) cores):"
for c in $CLAIMS; do
	claim=$(grep -E "^$c\. " /work/shared/CLAIMS.md 2>/dev/null | cut -c1-110)
	echo "claim ${claim:-$c}"
	grep -E '^[0-9]+ × ' "$OUT/claim$c.txt" | sed 's/^/    /'
	grep -E '^for [0-9]+ × ' "$OUT/claim$c.txt" | sed 's/^/    → /'
done
exit $status
