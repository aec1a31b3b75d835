# The grading corpus (fixtures/submissions/corpus.py): the ways students
# place the call, the classes of calls, libc and syscall(), wrong and
# missing calls, each graded on the real kernel and held to its expected
# verdicts; every output read back with python3's parsers.
. "$(dirname "$0")/lib"

need_tools bwrap gcc gdb qemu-system-x86_64 python3
need_kernel
export LABCTL_CACHE_DIR=${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}
export LABCTL_RUN_ROOT=$T/runs
export TMPDIR=$T/tmp    # its own: whatever is left in it after grading is the grader's
mkdir -p "$TMPDIR"
FIX=$ROOT/tests/e2e/fixtures/submissions

python3 "$FIX/corpus.py" "$T/corpus" || { not_ok "corpus: written"; exit 1; }
n=0
start=$(date +%s%N)
for d in "$T"/corpus/*/; do
	name=$(basename "$d")
	# a case's own options (--compare a classmate), paths relative to the corpus
	mapfile -t args < <(python3 -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))[sys.argv[2]]["args"]))' "$T/corpus/expected.json" "$name" | sed '/^$/d')
	(cd "$T/corpus" && "$LABCTL" -q grade --out "$T/out/$name" "${args[@]}" "$d") >"$T/out-$name.txt" 2>&1
	n=$((n + 1))
done
end=$(date +%s%N)
python3 "$FIX/verify.py" "$T/corpus/expected.json" "$T/out" || not_ok "corpus: the verifier ran to its end"
echo "    $n submissions graded one at a time in $(( (end - start) / 1000000 )) ms"
check "corpus: $n submissions, as many as expected.json names" \
	test "$n" = "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$T/corpus/expected.json")"
check "corpus: nothing of the grader's left in \$TMPDIR" test -z "$(ls -A "$TMPDIR")"

# The same submissions (those without options of their own) as one batch,
# two at a time: each worker's traces served by one GDB, vmlinux loaded once
# (labctl/trace/gdb-session.h), and nothing of a grading left for the next:
# every verdict is the one the submission got graded alone, but the report
# check's (a batch compares its reports with one another's).  Pids aside
# (getpid's, fork's: returned values of two digits or more), as the guest's
# kernel threads come and go with its timing; the verify.py run above holds
# every value to what the corpus expects.
mapfile -t plain < <(python3 -c 'import json, sys
e = json.load(open(sys.argv[1])); print("\n".join(n for n in sorted(e) if not e[n]["args"]))' \
	"$T/corpus/expected.json")
(cd "$T/corpus" && "$LABCTL" -q grade --jobs 2 --out "$T/batch" "${plain[@]}") >"$T/batch.txt" 2>&1
check "corpus as one batch: ${#plain[@]} gradings, each as it was alone (the report check aside)" \
	python3 - "$T/out" "$T/batch" "${plain[@]}" <<'PY'
import json, re, sys
out, batch, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def verdict(path):
    pids = lambda m: re.sub(r'\b(pid \d+|returned \d\d+)', 'PID', m)
    return [(c['id'], c['passed'], pids(c['message']))
            for c in json.load(open(path))['checks'] if c['id'] != 'report']
assert names
for i, name in enumerate(names):
    alone, together = verdict('%s/%s/grade.json' % (out, name)), verdict('%s/%03d/grade.json' % (batch, i + 1))
    assert alone == together, (name, alone, together)
PY
check "... each worker's traces served by one GDB it kept (lab-serve)" \
	python3 - "$T/batch" "${#plain[@]}" <<'PY'
import glob, re, sys
batch, n = sys.argv[1], int(sys.argv[2])
traced = glob.glob('%s/[0-9][0-9][0-9]/runs/trace-*[0-9]/gdb.log' % batch)
jobs = {}
for log in traced:
    m = re.search(r'^labctl-served: job (\d+) of GDB (\d+)$', open(log).read(), re.M)
    assert m, '%s: not served' % log
    jobs.setdefault(m.group(2), []).append(int(m.group(1)))
assert len(traced) >= n // 2, (len(traced), n)
assert len(jobs) < len(traced) and max(len(j) for j in jobs.values()) >= 2, jobs
for pid, js in jobs.items():
    assert sorted(js) == list(range(1, len(js) + 1)), (pid, js)
PY
done_testing
