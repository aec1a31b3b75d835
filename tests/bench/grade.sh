#!/usr/bin/env bash
# Benchmark: `labctl grade --jobs J` with a warm kernel, through the real trace.
#   tests/bench/grade.sh [N]             N generated submissions (default 20): copies
#                                        of ci/example-submission with other student ids
#                                        (their report check fails: each copies the example);
#                                        prints submissions per minute and the median
#                                        seconds per submission (grade.json's "seconds")
#   tests/bench/grade.sh --repeat [N]    one submission graded N times (default 100);
#                                        checks every verdict is the same
# JOBS=J sets --jobs (default 2).  Targets (issue 5): >= 40 submissions per
# minute on a 2-core machine, the same verdicts on 100 repeated gradings.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LABCTL=${LABCTL:-$ROOT/bin/labctl}
JOBS=${JOBS:-2}
REPEAT=
if [ "${1:-}" = --repeat ]; then REPEAT=1; shift; N=${1:-100}; else N=${1:-20}; fi
T=$(mktemp -d /tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LABCTL_RUN_ROOT=$T/runs

"$LABCTL" -q build >/dev/null
"$LABCTL" -q image >/dev/null		# the lab's initramfs, warm as the kernel
: >"$T/roster"
for i in $(seq "$N"); do
	if [ -n "$REPEAT" ]; then
		echo "$ROOT/ci/example-submission" >>"$T/roster"
		continue
	fi
	d=$T/sub/$i
	mkdir -p "$d"
	cp "$ROOT"/ci/example-submission/* "$d"/
	# A different student each time; the last two digits keep connect (42).
	sed -i "s/^id = [0-9]*/id = 2024$(printf %04d "$i")42/" "$d/labctl.ini"
	echo "$d" >>"$T/roster"
done

t0=$(date +%s.%N)
rc=0
"$LABCTL" -q grade --jobs "$JOBS" --roster "$T/roster" >/dev/null || rc=$?
t1=$(date +%s.%N)
dir=$(ls -d "$T"/runs/grade-batch-*/ | head -1)

python3 - "$dir" "$N" "$t0" "$t1" "$JOBS" "$rc" "$REPEAT" <<'EOF'
import glob, json, statistics, sys
dir, n, t0, t1, jobs, rc, repeat = sys.argv[1:]
n, wall = int(n), float(t1) - float(t0)
grades = [json.load(open(p)) for p in sorted(glob.glob(dir + "/*/grade.json"))]
secs = [g["seconds"] for g in grades]
status = {}
for g in grades:
    status[g["status"]] = status.get(g["status"], 0) + 1
print("graded %d of %d submissions with --jobs %s in %.1f s (exit %s): %s"
      % (len(grades), n, jobs, wall, rc, ", ".join("%d %s" % (v, k) for k, v in sorted(status.items()))))
print("throughput %.1f submissions per minute  (target >= 40)" % (len(grades) * 60 / wall))
print("per submission: median %.2f s, min %.2f s, max %.2f s"
      % (statistics.median(secs), min(secs), max(secs)))
ok = len(grades) == n
if repeat:
    verdicts = {json.dumps([g["status"], g["score"]] + [(c["id"], c["passed"]) for c in g["checks"]])
                for g in grades}
    messages = {json.dumps([c["message"] for c in g["checks"]]) for g in grades}
    print("distinct verdicts: %d (want 1); distinct sets of messages: %d" % (len(verdicts), len(messages)))
    for v in sorted(verdicts):
        print("  ", v)
    ok = ok and len(verdicts) == 1
sys.exit(0 if ok else 1)
EOF
