# hold-pages.sh: sourced (not run) by the measurement scripts for their
# -p MS option, which holds freed pages back from free page reporting for
# the run: page_reporting's min_free_ms is set to MS and restored after.
# See docs/measurement.md ("Warm-up").
#
#   hold_check NAME MS   exit 2 with NAME's message unless MS is a number of
#                        milliseconds and min_free_ms is writable (root, a
#                        kernel with that parameter)
#   hold_start MS        remember min_free_ms, then set it to MS
#   hold_restore         put back what hold_start found (call it on EXIT)
#   hold_setting         min_free_ms now, "-" where there is none
#   reported_kib         KiB returned to the host so far, empty where the
#                        kernel does not count them

PAGE_REPORTING=/sys/module/page_reporting/parameters
HOLD_WAS=""

hold_check() {
	if ! [[ $2 =~ ^[0-9]+$ ]] || [[ ! -w $PAGE_REPORTING/min_free_ms ]]; then
		echo "$1: -p needs a number of milliseconds (got $2) and a writable $PAGE_REPORTING/min_free_ms (root, a kernel with that parameter)" >&2
		exit 2
	fi
}

hold_start() {
	HOLD_WAS=$(cat "$PAGE_REPORTING/min_free_ms")
	echo "$1" >"$PAGE_REPORTING/min_free_ms"
}

hold_restore() {
	if [[ -n $HOLD_WAS ]]; then echo "$HOLD_WAS" >"$PAGE_REPORTING/min_free_ms"; fi
	HOLD_WAS=""
}

hold_setting() { cat "$PAGE_REPORTING/min_free_ms" 2>/dev/null || echo "-"; }

reported_kib() { cat "$PAGE_REPORTING/reported_kib" 2>/dev/null || true; }
