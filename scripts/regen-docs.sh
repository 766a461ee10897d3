#!/bin/sh
# regen-docs.sh re-renders the committed charts and Markdown page from a saved
# result set, with no re-run: results/plots/*.png|svg and results/README.md.
#
# Usage:
#   scripts/regen-docs.sh                 # from results/default.json
#   scripts/regen-docs.sh results/x.json  # from another set
#   scripts/regen-docs.sh --run           # measure a fresh plain run first (~1 min; keep the machine idle)
set -eu
cd "$(dirname "$0")/.."

run=0
if [ "${1:-}" = "--run" ]; then
	run=1
	shift
fi
set_file=${1:-results/default.json}
plots=results/plots
page=results/README.md

if [ "$run" = 1 ]; then
	go run ./cmd/writebench run --out "$set_file" >/dev/null
fi
mkdir -p "$plots"
go run ./cmd/writebench report "$set_file" --plots "$plots" --markdown "$page" >/dev/null
echo "regenerated $page and $plots/ from $set_file"
