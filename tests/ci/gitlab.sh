# ci/gitlab/gitlab-ci.yml in a real engine: GitLab's job semantics in
# gitlab-ci-local, docker executor, debian:12 (tests/ci/lib).  The jobs
# clone labctl from LABCTL_REPO (this tree, committed in a bare repository
# mounted into them) and install it with its own Makefile; the runner is
# configured as ci/README.md says (security_opt), but for the one run that
# checks the hint given without it.
#
#   a student's project: a passing push, then a failing one (the kernel built
#   or imported once, then taken from the cache); the same without the runner
#   setting: graded as a grader error whose line names the setting.
#   a course's project: a roster of three (passed, failed, invalid) in chunks
#   of two, the child pipeline run as GitLab would (gitlab-ci-local runs no
#   trigger: the test runs the generated file), one gradebook.
# Every verdict is checked against what the test knows independently: the
# commits from git, the statuses it built the submissions to have, the JUnit
# and CSV files through python's xml and csv parsers.
. "$(dirname "$0")/lib"

need_tools docker dockerd debootstrap rsync node npm git python3 tar zstd
docker_up
debian_image
npm_tools
GCL=$CI_DIR/node_modules/.bin/gitlab-ci-local
FIX=$ROOT/tests/e2e/fixtures/grade
EX=$ROOT/ci/example-submission

labctl_repo "$T/labctl.git"
KREF=$(kernel_ref)
git --git-dir="$T/labctl.git" tag "$KREF" main
docker_unconfined "$T/docker-unconfined"

# gcl DIR LOG ARGS...: gitlab-ci-local in the project DIR, its output in LOG;
# the runner as ci/README.md configures it unless RUNNER=docker.
gcl() {
	local dir=$1 log=$2; shift 2
	(cd "$dir" && "$GCL" --timestamps --color=false --container-executable "${RUNNER:-$T/docker-unconfined}" \
		--volume "$T/labctl.git:/labctl.git:ro" --variable LABCTL_REPO=/labctl.git \
		--variable "LABCTL_REF=$KREF" "$@") >"$log" 2>&1
}
# The project's gitlab-ci-local cache of the kernel bundle, seeded from KEEP.
cached() { echo "$1/.gitlab-ci-local/cache/labctl-kernel-$KREF/labctl-kernel.tar.zst"; }
# passes LOG JOB / fails LOG JOB: gitlab-ci-local's verdict line for JOB
passes() { grep -Eq "^ PASS +\[[^]]*\] $2( |$)" "$1"; }
fails() { grep -Eq "^ FAIL +\[[^]]*\] $2( |$)" "$1"; }
junit_ok() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
cases = r.findall(".//testcase")
bad = [c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None]
want = sys.argv[2]
assert len(cases) == 6, len(cases)
assert (bad == []) if want == "pass" else (bad != []), bad' "$@"
}

# -- a student's project ------------------------------------------------
S=$T/student
newrepo "$S"
cp "$EX"/* "$S"/
cp "$FIX/REPORT-en.md" "$S/REPORT.md"
cp "$ROOT/ci/gitlab/gitlab-ci.yml" "$S/.gitlab-ci.yml"
commit "$S" "lab"
seed_bundle "$KREF" "$(cached "$S")"
had_bundle=$(has_bundle "$KREF" && echo yes || echo no)
t0=$(date +%s)
gcl "$S" "$T/student1.log"
rc=$?
t1=$(date +%s)
check "student, a passing push: the pipeline passes (exit $rc, $((t1 - t0)) s)" test "$rc" = 0
check "student: the kernel job passes" passes "$T/student1.log" kernel
if [ "$had_bundle" = yes ]; then
	check "student: the kernel came from the cache (kept under $KREF)" \
		grep -q 'kernel: from the cached bundle' "$T/student1.log"
else
	check "student: the kernel was built in the container and exported" \
		grep -q 'labctl: built Linux' "$T/student1.log"
fi
keep_bundle "$KREF" "$(cached "$S")"
check "student: the grade job passes" passes "$T/student1.log" grade
A=$S/.gitlab-ci-local/artifacts/grade/results
check "student: grade.json says passed 100/100, at the pushed commit (git)" \
	test "$(q "$A/grade.json" 'c["status"], c["score"], c["submission"]["commit"]')" = \
	"('passed', 100, '$(git -C "$S" rev-parse HEAD)')"
check "student: junit.xml has the six checks, none failing (python's xml)" junit_ok "$A/junit.xml" pass
sed -n 's/^.*kernel *finished in \(.*\)$/    kernel job: \1/p; s/^.*grade *finished in \(.*\)$/    grade job: \1/p' "$T/student1.log"

# A failing push: connect's number replaced by socket's.
sed -i 's/"a"(42L)/"a"(41L)/' "$S/lab.c"
commit "$S" "wrong call"
gcl "$S" "$T/student2.log"
rc=$?
check "student, a failing push: the pipeline fails (exit $rc)" test "$rc" != 0
check "student: its kernel job took the cached bundle" grep -q 'kernel: from the cached bundle' "$T/student2.log"
check "student: the grade job fails" fails "$T/student2.log" grade
check "student: grade.json says failed at the new commit, the syscall check failed" \
	test "$(q "$A/grade.json" 'c["status"], c["submission"]["commit"], [x["passed"] for x in c["checks"] if x["id"] == "syscall"]')" = \
	"('failed', '$(git -C "$S" rev-parse HEAD)', [False])"
check "student: junit.xml has the six checks, one failing" junit_ok "$A/junit.xml" fail

# The runner without the setting: docker's defaults refuse the sandbox.
RUNNER=docker gcl "$S" "$T/student3.log"
rc=$?
check "student, a runner without the setting: the pipeline fails (exit $rc)" test "$rc" != 0
check "student: the grade job says which runner setting is missing" \
	grep -q 'this container refuses user namespaces: run the container with --security-opt seccomp=unconfined' "$T/student3.log"
check "student: graded as the grader's error, not the student's" \
	test "$(q "$A/grade.json" 'c["status"]')" = error

# -- a course's project: a roster in chunks, one gradebook ---------------
C=$T/course
newrepo "$C"
cp "$ROOT/ci/gitlab/gitlab-ci.yml" "$C/.gitlab-ci.yml"
course_roster "$C/roster.txt"
commit "$C" "course"
seed_bundle "$KREF" "$(cached "$C")"
t0=$(date +%s)
gcl "$C" "$T/course1.log" --volume "$T/subs:/subs:ro" --variable ROSTER=roster.txt --variable CHUNK=2
rc=$?
check "course: the parent pipeline's kernel job passes, from the cache" \
	sh -c 'grep -Eq "^ PASS +\[[^]]*\] kernel( |$)" "$1" && grep -q "kernel: from the cached bundle" "$1"' _ "$T/course1.log"
check "course: the chunks job wrote the child pipeline" \
	test -s "$C/.gitlab-ci-local/artifacts/roster-chunks/child.yml"
check "course: the student's grade job is not in the course's pipeline" \
	sh -c '! grep -Eq "^ (PASS|FAIL) +\[[^]]*\] grade( |$)" "$1"' _ "$T/course1.log"
cp "$C/.gitlab-ci-local/artifacts/roster-chunks/child.yml" "$C/child.yml"
check "course: 3 submissions in chunks of 2 are 2 chunk jobs and a gradebook" \
	test "$(grep -c '^chunk-[0-9]*:' "$C/child.yml") $(grep -c '^gradebook:' "$C/child.yml")" = "2 1"
gcl "$C" "$T/course2.log" --volume "$T/subs:/subs:ro" --file child.yml --variable ROSTER=roster.txt
rc=$?
t1=$(date +%s)
check "course: the child pipeline passes (exit $rc, $((t1 - t0)) s for both)" test "$rc" = 0
for j in chunk-1 chunk-2 gradebook; do
	check "course: job $j passes" passes "$T/course2.log" "$j"
done
G=$C/.gitlab-ci-local/artifacts/gradebook/gradebook
check "course: the gradebook is each submission's status at its commit (git), with each check's points (python's csv)" \
	gradebook_ok "$G/summary.csv"
check "course: summary.md is a table of the three" \
	test "$(grep -c '^| /subs/s[123].git ' "$G/summary.md")" = 3
check "course: each chunk's gradings have their junit.xml (python's xml)" python3 -c '
import glob, sys, xml.etree.ElementTree as ET
files = glob.glob(sys.argv[1] + "/.gitlab-ci-local/artifacts/chunk-*/results/chunk-*/*/junit.xml")
assert len(files) == 3, files
for f in files:
    ET.parse(f)' "$C"
sed -n 's/^.*\] \([a-z0-9-]*\) *finished in \(.*\)$/    \1 job: \2/p' "$T/course1.log" "$T/course2.log"

done_testing
