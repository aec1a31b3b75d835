#!/usr/bin/env bash
# Benchmark: `labctl trace` (from the saved guest) against booting the same
# images without GDB, and against itself booting (--no-snapshot, the cold
# path), alternating, N times each; prints the medians and their ratios.
#   tests/bench/trace.sh [N]                 the lab guest: trace connect vs boot --scenario connect
#   ABI=i386 tests/bench/trace.sh            trace connect --abi i386 (two traces) vs boot connect32
#   TIMELINE=hello-hi tests/bench/trace.sh   trace --timeline hello-hi vs boot --scenario hello-hi
# Targets (issue 14): trace <= 0.7 x boot and <= 0.5 s median under TCG
# (issue 4's, for the cold path: <= 1.3 x boot, <= 2.5 s).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LABCTL=${LABCTL:-$ROOT/bin/labctl}
N=${1:-5}
T=$(mktemp -d /tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LABCTL_RUN_ROOT=$T/runs

"$LABCTL" -q build >/dev/null
if [ -n "${TIMELINE:-}" ]; then
	SCENARIO=$TIMELINE
	trace() { "$LABCTL" -q trace --timeline "$TIMELINE" --out "$T/out" "$@" >/dev/null; }
elif [ "${ABI:-x86_64}" = i386 ]; then
	SCENARIO=connect32
	trace() { "$LABCTL" -q trace connect --abi i386 --out "$T/out" "$@" >/dev/null; }
else
	SCENARIO=connect
	trace() { "$LABCTL" -q trace connect --out "$T/out" "$@" >/dev/null; }
fi
boot() { "$LABCTL" -q boot --scenario "$SCENARIO" >/dev/null; }
cold() { trace --no-snapshot; }
trace >/dev/null	# the first saves the guest: not measured
# seconds COMMAND: wall-clock seconds the command took.
seconds() {
	local t0 t1
	t0=$(date +%s.%N); "$@" || { echo "bench: '$*' failed" >&2; exit 1; }; t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$T/boot"; : >"$T/trace"; : >"$T/cold"
for i in $(seq "$N"); do
	seconds boot >>"$T/boot"
	seconds trace >>"$T/trace"
	seconds cold >>"$T/cold"
done
b=$(median <"$T/boot"); t=$(median <"$T/trace"); c=$(median <"$T/cold")
printf 'boot          median %.3f s  (%s)\n' "$b" "$(tr '\n' ' ' <"$T/boot")"
printf 'trace         median %.3f s  (%s)\n' "$t" "$(tr '\n' ' ' <"$T/trace")"
printf 'trace, booted median %.3f s  (%s)\n' "$c" "$(tr '\n' ' ' <"$T/cold")"
printf 'ratio trace/boot %.2f  (targets: <= 0.70, trace <= 0.5 s)\n' "$(echo "$t / $b" | bc -l)"
printf 'ratio booted/boot %.2f  (issue 4: <= 1.30)\n' "$(echo "$c / $b" | bc -l)"
printf 'ratio trace/booted %.2f  (what restoring saves)\n' "$(echo "$t / $c" | bc -l)"
[ -n "${TIMELINE:-}" ] ||
	python3 -c 'import json, sys; print("last trace phases:", json.load(open(sys.argv[1]))["timing"])' "$T/out/report.json"
