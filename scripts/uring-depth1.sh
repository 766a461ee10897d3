#!/usr/bin/env bash
# uring-depth1.sh: where the time of io_uring writes at queue depth 1 goes.
# writebench's uring strategy and the bare liburing loop (scripts/limit/
# uring.c) write 1 GiB in 4 KiB writes, one in flight, alternating round by
# round; each line gives the pass time with the context switches, CPU
# migrations and CPU time of the whole process (perf stat) and the entries
# into the cpuidle state of every CPU (halts) during the run.
#
#   scripts/uring-depth1.sh [-r ROUNDS] [-d DIR] [plain|pinned|poll]...
#
#   plain   as the system runs it (default)
#   pinned  both tools pinned to one CPU (taskset -c 1): the submitter and
#           io_uring's worker share it, no CPU halts between them
#   poll    the guest polls 200 us before halting (cpuidle-haltpoll's
#           guest_halt_poll_ns, restored afterwards); skipped where the
#           module is absent
#
# Needs gcc, liburing-dev, perf (linux-perf), jq, Go; root for "poll". Writes
# only under a temporary directory in DIR (default /var/tmp), removed at the
# end. Exit status 0, 1 when a tool fails, 2 on bad arguments.
set -euo pipefail
ROUNDS=3
DIR=/var/tmp
MODES=()
while (($#)); do
	case $1 in
	-r) ROUNDS=$2; shift 2 ;;
	-d) DIR=$2; shift 2 ;;
	plain | pinned | poll) MODES+=("$1"); shift ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "uring-depth1: unknown argument $1 (see -h)" >&2; exit 2 ;;
	esac
done
((${#MODES[@]})) || MODES=(plain)
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "uring-depth1: -r must be a positive number (got $ROUNDS)" >&2; exit 2; }
[[ -d $DIR ]] || { echo "uring-depth1: -d $DIR: not a directory" >&2; exit 2; }
for t in gcc perf go jq; do
	command -v $t >/dev/null || { echo "uring-depth1: $t is missing" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "$DIR/uring-depth1.XXXXXX")
POLL=/sys/module/haltpoll/parameters/guest_halt_poll_ns
OLDPOLL=""
restore() {
	[[ -n $OLDPOLL ]] && echo "$OLDPOLL" >"$POLL"
	rm -rf "$WORK"
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
gcc -O2 -Wall -o "$WORK/limit-uring" "$ROOT/scripts/limit/uring.c" -luring
(cd "$ROOT" && go build -o "$WORK/writebench" ./cmd/writebench)
mkdir "$WORK/files"

halts() { # entries into a cpuidle state that halts (not POLL), every CPU, so far
	local s=0 d
	for d in /sys/devices/system/cpu/cpu*/cpuidle/state*; do
		[[ -r $d/usage && $(<"$d/name") != POLL ]] && s=$((s + $(<"$d/usage")))
	done
	echo $s
}
one() { # one pass of tool $2 in mode $1, round $3: one line
	local mode=$1 tool=$2 r=$3 pfx=() h0 h1 secs
	[[ $mode == pinned ]] && pfx=(taskset -c 1)
	sync
	h0=$(halts)
	if [[ $tool == loop ]]; then
		secs=$("${pfx[@]}" perf stat -x, -e context-switches,cpu-migrations,task-clock -o "$WORK/stat" \
			"$WORK/limit-uring" "$WORK/files" 1073741824 4096 1 2 | awk '/ pass=2 / { for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) print substr($i, 9) }')
	else
		"${pfx[@]}" perf stat -x, -e context-switches,cpu-migrations,task-clock -o "$WORK/stat" \
			"$WORK/writebench" run --strategies uring --files 1 --sizes 1GiB --chunk 4KiB --queue-depth 1 \
			--prealloc none --warmup 1 --repeat 1 --budget 0 --no-verify --dir "$WORK/files" --progress never \
			--format json --out "$WORK/wb.json" >/dev/null 2>"$WORK/wb.err" || { cat "$WORK/wb.err" >&2; return 1; }
		secs=$(jq -r '.results[0].seconds[0]' "$WORK/wb.json")
	fi
	h1=$(halts)
	awk -F, -v m="$mode" -v t="$tool" -v r="$r" -v s="$secs" -v h=$((h1 - h0)) '
		$3 == "context-switches" { cs = $1 } $3 == "cpu-migrations" { mg = $1 } $3 == "task-clock" { tc = $1 }
		END { printf "mode=%s tool=%s round=%s seconds=%s halts=%s context_switches=%s migrations=%s cpu_ms=%s\n", m, t, r, s, h, cs, mg, tc }' "$WORK/stat"
}
echo "uring-depth1: $(uname -sr), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); two passes per tool, the second timed" >&2
for mode in "${MODES[@]}"; do
	if [[ $mode == poll ]]; then
		if [[ ! -w $POLL ]]; then
			echo "uring-depth1: poll skipped: $POLL is not writable here (no cpuidle-haltpoll, or not root)" >&2
			continue
		fi
		OLDPOLL=$(<"$POLL")
		echo 200000 >"$POLL"
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		for tool in $(printf '%s\n' loop wb | shuf); do
			one "$mode" "$tool" "$r"
		done
	done
	if [[ $mode == poll ]]; then
		echo "$OLDPOLL" >"$POLL"
		OLDPOLL=""
	fi
done
