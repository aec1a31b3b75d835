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
done_testing
