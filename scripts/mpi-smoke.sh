#!/usr/bin/env bash
# mpi-smoke.sh: build writebench with -tags mpi, run a small sweep as NP
# ranks under Open MPI's mpirun on this machine, and check the result set.
# Exits non-zero on any failure; takes seconds.
#
#   scripts/mpi-smoke.sh [-n NP] [-k]
#
#   -n  number of ranks (default 4)
#   -k  keep the work directory (binaries, set, logs) and print its path
#
# Checks:
#   1. the default build (no MPI) started as NP ranks refuses with exit 2
#      and says to build with -tags mpi, writing nothing;
#   2. the -tags mpi build runs the sweep as NP ranks and exits 0;
#   3. one result set is written (by rank 0) and loads ('writebench report');
#      env.ranks == NP, env.hosts has NP entries, the set is complete, every
#      cell succeeded, was verified, has ranks == NP and per-rank samples
#      (rank_seconds) whose slowest equals the aggregate seconds;
#   4. only rank 0 printed a summary; no scratch file is left under --dir;
#   5. with --shared-dir (every rank's files in one directory) the sweep
#      exits 0, the set says env.shared_dir, every cell is verified on NP
#      ranks, and nothing is left under --dir;
#   6. when the last rank is given another --repeat (an MPMD command line),
#      the job ends with exit 2 before any work, naming that rank and
#      --repeat, and writes nothing.
#
# Needs Go, cgo with an MPI library and mpirun (Debian: apt-get install -y
# openmpi-bin libopenmpi-dev) and python3 for the set checks. MPIRUN_FLAGS
# overrides the launcher flags (default: --allow-run-as-root --oversubscribe,
# so CI containers running as root on few cores work).
set -euo pipefail

NP=4
KEEP=0
while getopts "n:kh" opt; do
	case $opt in
	n) NP=$OPTARG ;;
	k) KEEP=1 ;;
	h) sed -n '2,30p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done

fail() { echo "mpi-smoke: FAIL: $*" >&2; exit 1; }

command -v mpirun >/dev/null || fail "mpirun not found (apt-get install -y openmpi-bin libopenmpi-dev)"
command -v python3 >/dev/null || fail "python3 not found (needed to check the result set)"
MPIRUN_FLAGS=${MPIRUN_FLAGS:---allow-run-as-root --oversubscribe}

cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/mpi-smoke-XXXXXX")
if [ "$KEEP" = 1 ]; then
	echo "mpi-smoke: work directory $work"
else
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi
mkdir "$work/scratch" "$work/out"

echo "mpi-smoke: building (default and -tags mpi)"
go build -o "$work/writebench-nompi" ./cmd/writebench
CGO_ENABLED=1 go build -tags mpi -o "$work/writebench" ./cmd/writebench

sweep=(run --strategies bufio,chunked,pool --files 1,16 --sizes 64KiB,1MiB --repeat 3 --warmup 1
	--dir "$work/scratch" --progress never)

echo "mpi-smoke: 1. the default build refuses to run as $NP ranks"
set +e
# shellcheck disable=SC2086
mpirun $MPIRUN_FLAGS -np "$NP" "$work/writebench-nompi" "${sweep[@]}" --out "$work/out/nompi.json" \
	>"$work/nompi.out" 2>"$work/nompi.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "the build without MPI ran as $NP ranks (exit 0)"
grep -q -- "-tags mpi" "$work/nompi.err" || fail "the refusal does not say to build with -tags mpi: $(head -3 "$work/nompi.err")"
# mpirun exits with the first failing rank's status, and usually (not
# always) names it in an "Exit code: 2" block.
[ "$rc" -eq 2 ] || grep -q "exit code:.*2\|Exit code:.*2" "$work/nompi.err" ||
	fail "the refusal did not exit 2 (mpirun exit $rc): $(cat "$work/nompi.err")"
left=$(find "$work/scratch" "$work/out" -mindepth 1)
[ -z "$left" ] || fail "the refused run left files: $left"

echo "mpi-smoke: 2. $NP ranks: ${sweep[*]}"
# shellcheck disable=SC2086
mpirun $MPIRUN_FLAGS -np "$NP" "$work/writebench" "${sweep[@]}" --out "$work/out/set.json" \
	>"$work/run.out" 2>"$work/run.err" || { cat "$work/run.err" >&2; fail "mpirun -np $NP writebench run exited $?"; }

echo "mpi-smoke: 3. the result set"
"$work/writebench" report "$work/out/set.json" >"$work/report.out" || fail "writebench report cannot load the set"
python3 - "$work/out/set.json" "$NP" <<'PY' || fail "result set check"
import json, sys
path, np = sys.argv[1], int(sys.argv[2])
s = json.load(open(path))
errs = []
env = s["env"]
if env.get("ranks") != np:
    errs.append(f"env.ranks = {env.get('ranks')}, want {np}")
if len(env.get("hosts") or []) != np:
    errs.append(f"env.hosts = {env.get('hosts')}, want {np} names")
if not s["complete"]:
    errs.append("the set is not complete")
if not s["results"]:
    errs.append("no cells")
for c in s["results"]:
    key = f"{c['strategy']} files={c['files']} size={c['file_size']}"
    if c["error"]:
        errs.append(f"{key}: failed: {c['error']}")
        continue
    if not c["verified"]:
        errs.append(f"{key}: not verified")
    if c.get("ranks") != np:
        errs.append(f"{key}: ranks = {c.get('ranks')}, want {np}")
    rs = c.get("rank_seconds") or []
    if len(rs) != len(c["seconds"]) or not rs:
        errs.append(f"{key}: {len(rs)} rank_seconds samples for {len(c['seconds'])} seconds")
    for k, (agg, ranks) in enumerate(zip(c["seconds"], rs)):
        if len(ranks) != np or max(ranks) != agg:
            errs.append(f"{key}: sample {k}: seconds {agg} is not the slowest of {ranks}")
for e in errs:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY

echo "mpi-smoke: 4. one summary, no scratch files"
n=$(grep -c "result set saved to" "$work/run.err" || true)
[ "$n" = 1 ] || fail "$n ranks reported saving a set, want rank 0 only"
# The summary's env line names the ranks: once, from rank 0.
n=$(grep -c "$NP MPI ranks on" "$work/run.out" || true)
[ "$n" = 1 ] || fail "$n summaries name the $NP ranks, want rank 0's only"
left=$(find "$work/scratch" -mindepth 1)
[ -z "$left" ] || fail "scratch entries left under --dir: $left"

echo "mpi-smoke: 5. $NP ranks sharing one directory (--shared-dir)"
shared=(run --strategies bufio,pool,uring --files 1,64 --sizes 4KiB --repeat 3 --warmup 1
	--shared-dir --dir "$work/scratch" --progress never)
# shellcheck disable=SC2086
mpirun $MPIRUN_FLAGS -np "$NP" "$work/writebench" "${shared[@]}" --out "$work/out/shared.json" \
	>"$work/shared.out" 2>"$work/shared.err" || { cat "$work/shared.err" >&2; fail "mpirun -np $NP writebench run --shared-dir failed"; }
python3 - "$work/out/shared.json" "$NP" <<'PY' || fail "--shared-dir result set check"
import json, sys
path, np = sys.argv[1], int(sys.argv[2])
s = json.load(open(path))
errs = []
if not s["env"].get("shared_dir"):
    errs.append("env.shared_dir is not true")
if s["env"].get("ranks") != np or not s["complete"] or not s["results"]:
    errs.append(f"ranks {s['env'].get('ranks')}, complete {s['complete']}, {len(s['results'])} cells")
for c in s["results"]:
    key = f"{c['strategy']} files={c['files']}"
    if c["error"] or c.get("skipped") or not c["verified"] or c.get("ranks") != np:
        errs.append(f"{key}: error {c['error']!r} skipped {c.get('skipped')!r} verified {c['verified']} ranks {c.get('ranks')}")
for e in errs:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
grep -q "sharing one directory" "$work/shared.out" || fail "the --shared-dir summary does not say the ranks shared one directory"
left=$(find "$work/scratch" -mindepth 1)
[ -z "$left" ] || fail "scratch entries left under --dir after --shared-dir: $left"

echo "mpi-smoke: 6. the last rank given another --repeat"
last=$((NP - 1))
set +e
# shellcheck disable=SC2086
timeout 60 mpirun $MPIRUN_FLAGS -np "$last" "$work/writebench" "${sweep[@]}" --out "$work/out/differ.json" : \
	-np 1 "$work/writebench" "${sweep[@]}" --repeat 5 --out "$work/out/differ.json" >"$work/differ.out" 2>"$work/differ.err"
rc=$?
set -e
[ "$rc" -ne 124 ] || fail "ranks given different --repeat hung (killed after 60 s)"
[ "$rc" -eq 2 ] || fail "ranks given different --repeat: exit $rc, want 2: $(head -5 "$work/differ.err")"
grep -q "rank $last (.*--repeat: 5 here, 3 on rank 0" "$work/differ.err" ||
	fail "the refusal does not name rank $last and --repeat: $(head -5 "$work/differ.err")"
left=$(find "$work/scratch" "$work/out" -mindepth 1 -name 'differ*' -o -mindepth 1 -name 'writebench-*')
[ -z "$left" ] || fail "the refused job left files: $left"

echo "mpi-smoke: ok ($NP ranks, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$work/out/set.json") cells)"
