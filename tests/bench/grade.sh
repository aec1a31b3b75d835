#!/usr/bin/env bash
# Benchmark: `labctl grade --jobs J` with a warm kernel, through the real trace.
#   tests/bench/grade.sh [N]             N generated submissions (default 20): copies
#                                        of ci/example-submission with other student ids
#                                        (their report check fails: each copies the example);
#                                        prints submissions per minute and the median
#                                        seconds per submission (grade.json's "seconds")
#   tests/bench/grade.sh --repeat [N]    one submission graded N times (default 100);
#                                        checks every verdict is the same
# Each roster is graded three times, side by side in one run: from the saved
# guest with --jobs 1 and --jobs J, and booted (--no-snapshot) with --jobs J;
# the same verdicts are wanted from all.  JOBS=J sets J (default 2).
# Targets: issue 14, >= 150 submissions per minute with --jobs 2 on 2 cores;
# issue 5, >= 40, the same verdicts on 100 repeated gradings.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LABCTL=${LABCTL:-$ROOT/bin/labctl}
JOBS=${JOBS:-2}
REPEAT=
if [ "${1:-}" = --repeat ]; then REPEAT=1; shift; N=${1:-100}; else N=${1:-20}; fi
T=$(mktemp -d /tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

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

# grade NAME ARGS...: the roster graded into $T/NAME, its wall time in $T/NAME.wall
grade() {
	local name=$1 t0 t1 rc=0; shift
	t0=$(date +%s.%N)
	LABCTL_RUN_ROOT=$T/$name "$LABCTL" -q grade --roster "$T/roster" "$@" >/dev/null || rc=$?
	t1=$(date +%s.%N)
	echo "$t0 $t1 $rc" >"$T/$name.wall"
}
grade restored-j1 --jobs 1
grade restored --jobs "$JOBS"
grade booted --jobs "$JOBS" --no-snapshot

python3 - "$T" "$N" "$JOBS" "$REPEAT" <<'EOF'
import glob, json, statistics, sys
T, n, jobs, repeat = sys.argv[1:]
n = int(n)
rates, verdicts, ok = {}, {}, True
for name, label in (('restored-j1', 'restored, --jobs 1'), ('restored', 'restored, --jobs ' + jobs),
                    ('booted', 'booted,   --jobs ' + jobs)):
    t0, t1, rc = open('%s/%s.wall' % (T, name)).read().split()
    wall = float(t1) - float(t0)
    dirs = glob.glob('%s/%s/grade-batch-*/' % (T, name))
    grades = [json.load(open(p)) for p in sorted(glob.glob(dirs[0] + '/*/grade.json'))] if dirs else []
    secs = [g['seconds'] for g in grades] or [0]
    status = {}
    for g in grades:
        status[g['status']] = status.get(g['status'], 0) + 1
    rates[name] = len(grades) * 60 / wall
    print('%-20s %5.1f per minute: %d of %d in %.1f s (exit %s; %s); per submission median %.2f s'
          % (label, rates[name], len(grades), n, wall, rc,
             ', '.join('%d %s' % (v, k) for k, v in sorted(status.items())), statistics.median(secs)))
    verdicts[name] = sorted(json.dumps([g['status'], g['score']] + [(c['id'], c['passed']) for c in g['checks']])
                            for g in grades)
    ok = ok and len(grades) == n
print('ratio restored/booted throughput at --jobs %s: %.2f' % (jobs, rates['restored'] / rates['booted']))
print('targets: restored --jobs 2 >= 150 per minute (issue 14); >= 40 (issue 5)')
same = verdicts['restored'] == verdicts['booted'] == verdicts['restored-j1']
print('verdicts the same restored and booted: %s' % ('yes' if same else 'NO'))
ok = ok and same
if repeat:
    distinct = set(verdicts['restored'])
    print('distinct verdicts over the repeats: %d (want 1)' % len(distinct))
    ok = ok and len(distinct) == 1
sys.exit(0 if ok else 1)
EOF
