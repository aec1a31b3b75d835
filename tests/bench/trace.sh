#!/usr/bin/env bash
# Benchmark: `labctl trace` against booting the same images without GDB,
# alternating, N times each; prints both medians and their ratio.
#   tests/bench/trace.sh [N]                 the lab guest: trace connect vs boot --scenario connect
#   ABI=i386 tests/bench/trace.sh            trace connect --abi i386 (two traces) vs boot connect32
#   TIMELINE=hello-hi tests/bench/trace.sh   trace --timeline hello-hi vs boot --scenario hello-hi
# Targets (issue 4): trace <= 1.3 x boot and <= 2.5 s median under TCG.
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
	trace() { "$LABCTL" -q trace --timeline "$TIMELINE" --out "$T/out" >/dev/null; }
elif [ "${ABI:-x86_64}" = i386 ]; then
	SCENARIO=connect32
	trace() { "$LABCTL" -q trace connect --abi i386 --out "$T/out" >/dev/null; }
else
	SCENARIO=connect
	trace() { "$LABCTL" -q trace connect --out "$T/out" >/dev/null; }
fi
boot() { "$LABCTL" -q boot --scenario "$SCENARIO" >/dev/null; }
# seconds COMMAND: wall-clock seconds the command took.
seconds() {
	local t0 t1
	t0=$(date +%s.%N); "$@" || { echo "bench: '$*' failed" >&2; exit 1; }; t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$T/boot"; : >"$T/trace"
for i in $(seq "$N"); do
	seconds boot >>"$T/boot"
	seconds trace >>"$T/trace"
done
b=$(median <"$T/boot"); t=$(median <"$T/trace")
printf 'boot  median %.3f s  (%s)\n' "$b" "$(tr '\n' ' ' <"$T/boot")"
printf 'trace median %.3f s  (%s)\n' "$t" "$(tr '\n' ' ' <"$T/trace")"
printf 'ratio %.2f  (targets: <= 1.30, trace <= 2.5 s)\n' "$(echo "$t / $b" | bc -l)"
[ -n "${TIMELINE:-}" ] ||
	python3 -c 'import json, sys; print("last trace phases:", json.load(open(sys.argv[1]))["timing"])' "$T/out/report.json"
