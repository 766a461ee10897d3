#!/bin/sh
# claims.sh: run the workload of every claim in scripts/claims.txt (the
# advice's Python writers of scripts/python.exec next to the matching Go
# strategies), one result set per claim, and write the claims page from
# them (scripts/claimsdoc: automatic verdicts, nothing by hand).
#
# Usage: scripts/claims.sh [--doc]      (run from anywhere; it works in the repository root)
#
#   scripts/claims.sh                    # all claims, into a new temporary directory (printed)
#   OUT=/tmp/claims scripts/claims.sh    # into a directory you name (its claimN.* are replaced)
#   CLAIMS="1 6" scripts/claims.sh       # some of them
#   scripts/claims.sh --doc              # also write docs/claims.md (run on a quiet machine)
#   WRITEBENCH=./writebench RUN_FLAGS="--dir /mnt/ssd" scripts/claims.sh
#
# It reads nothing outside the repository (the claims, their workloads and
# the Python writers are all in scripts/), never writes into results/ unless
# OUT says so, and removes the binaries it builds. The Python cells need
# /usr/bin/python3 with aiofiles and uvloop (scripts/setup-python.sh), or
# they are skipped with the reason. The page it writes is OUT/claims.md;
# with --doc it is copied to docs/claims.md.
#
# Environment: OUT, CLAIMS (default: every claim with a workload), REPEAT
# (counted rounds per cell, default 10), RUN_FLAGS (extra run flags, e.g.
# --dir), WRITEBENCH (a prebuilt binary to use instead of building one).
# Exit status: 0 all ran, 1 a run failed (the page is still written), 2 a
# usage or build error.
set -u
doc=0
case ${1:-} in
--doc) doc=1 ;;
"") ;;
-h | --help)
	sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "claims.sh: unknown argument $1 (usage: scripts/claims.sh [--doc])" >&2
	exit 2
	;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -n "${OUT:-}" ]; then
	out=$OUT
	mkdir -p "$out" || exit 2
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/writebench-claims-XXXXXX") || exit 2
fi
wb=${WRITEBENCH:-$tmp/writebench}
if [ -z "${WRITEBENCH:-}" ]; then
	go build -o "$wb" ./cmd/writebench || exit 2
fi
go build -o "$tmp/claimsdoc" ./scripts/claimsdoc || exit 2

# workload N: the run flags of claim N in scripts/claims.txt.
workload() {
	awk -v n="$1" '$1 == "claim" { c = $2 } $1 == "run" && c == n { sub(/^run[ \t]+/, ""); print }' scripts/claims.txt
}
if [ -z "${CLAIMS:-}" ]; then
	CLAIMS=$(awk '$1 == "claim" { c = $2 } $1 == "run" && $2 != "none" { print c }' scripts/claims.txt | tr '\n' ' ')
fi
common="--repeat ${REPEAT:-10} --warmup 1 --budget 0 --progress never"
status=0
for c in $CLAIMS; do
	args=$(workload "$c")
	if [ -z "$args" ] || [ "$args" = none ]; then
		echo "claims.sh: claim $c has no workload in scripts/claims.txt" >&2
		exit 2
	fi
	echo "== claim $c: writebench run $args" >&2
	# The Python writers only where the workload names one: --exec-file
	# without them would replace a preset's own strategies.
	writers=""
	case " $args" in *" py-"* | *,py-*) writers="--exec-file scripts/python.exec" ;; esac
	# shellcheck disable=SC2086 # the flag lists are meant to be word-split
	"$wb" run $common $writers $args ${RUN_FLAGS:-} --out "$out/claim$c.json" >"$out/claim$c.txt" || status=1
done
"$tmp/claimsdoc" -claims scripts/claims.txt -sets "$out" -out "$out/claims.md" || exit 2
if [ $doc = 1 ]; then
	cp "$out/claims.md" docs/claims.md || exit 2
	echo "claims.sh: wrote docs/claims.md" >&2
fi
echo "claims.sh: result sets and claims.md in $out" >&2
exit $status
