# ci/github/*.yml: GitHub's workflow schema (action-validator, from npm),
# then their jobs run as GitHub's runner runs container jobs (tests/ci/gha.py:
# the job's container, its options, env, outputs, matrix, cache and
# artifacts), in the same debian:12 as the GitLab tier.  The student's
# workflow grades a passing push; the course's grades a roster of three in
# chunks of two, a matrix job each, and writes the gradebook and the run's
# summary.  The kernel bundle comes from the cache both tiers keep (built in
# the student's job when there is none yet).
. "$(dirname "$0")/lib"

need_tools docker dockerd debootstrap rsync node npm git python3 tar zstd
docker_up
debian_image
npm_tools
AV=$CI_DIR/node_modules/.bin/action-validator
FIX=$ROOT/tests/e2e/fixtures/grade
EX=$ROOT/ci/example-submission

for wf in student-grade instructor-grade; do
	check "$wf.yml is a valid workflow (action-validator)" "$AV" "$ROOT/ci/github/$wf.yml"
done
sed 's/^    steps:/    stepz:/' "$ROOT/ci/github/student-grade.yml" >"$T/broken.yml"
expect_exit "action-validator refuses a workflow with a misspelt key" 1 "$AV" "$T/broken.yml"

labctl_repo "$T/labctl.git"
KREF=$(kernel_ref)
git --git-dir="$T/labctl.git" tag "$KREF" main
cached() { echo "$T/gha-$1/cache/labctl-kernel-$KREF/labctl-kernel.tar.zst"; }
# gha NAME WORKFLOW REPO ARGS...: the workflow's jobs, state (cache,
# artifacts, workspaces) in $T/gha-NAME
gha() {
	local name=$1 wf=$2 repo=$3; shift 3
	seed_bundle "$KREF" "$(cached "$name")"
	python3 "$CI_DIR/gha.py" "$ROOT/ci/github/$wf.yml" --repo "$repo" --state "$T/gha-$name" \
		--volume "$T/labctl.git:/labctl.git:ro" --var LABCTL_REPO=/labctl.git --var "LABCTL_REF=$KREF" \
		--sha "$(git -C "$repo" rev-parse HEAD)" --job-log "$T/$name.jobs.log" "$@" >"$T/$name.log" 2>&1
}
# show_jobs LOG: each job's outcome; all of LOG's end when none ran
show_jobs() { grep -q '^job ' "$1" && grep '^job ' "$1" | sed 's/^/    /' || tail -5 "$1" | sed 's/^/    /'; }

# -- the student's workflow ------------------------------------------------
S=$T/student
newrepo "$S"
cp "$EX"/* "$S"/
cp "$FIX/REPORT-en.md" "$S/REPORT.md"
commit "$S" "lab"
had_bundle=$(has_bundle "$KREF" && echo yes || echo no)
gha student student-grade "$S"
rc=$?
show_jobs "$T/student.log"
check "student-grade: the job succeeds (exit $rc)" test "$rc" = 0
if [ "$had_bundle" = yes ]; then
	check "student-grade: the kernel step took the cached bundle" grep -q 'cache hit: labctl-kernel-' "$T/student.log"
else
	check "student-grade: the kernel was built in the container, and cached" \
		sh -c 'grep -q "labctl: built Linux" "$1" && grep -q "cache saved: labctl-kernel-" "$2"' _ \
		"$T/student.jobs.log" "$T/student.log"
fi
keep_bundle "$KREF" "$(cached student)"
A=$T/gha-student/artifacts/labctl-grade-$(git -C "$S" rev-parse HEAD)
check "student-grade: the uploaded grade.json says passed 100/100 at the pushed commit (git)" \
	test "$(q "$A/grade.json" 'c["status"], c["score"], c["submission"]["commit"]')" = \
	"('passed', 100, '$(git -C "$S" rev-parse HEAD)')"

# -- the course's workflow: a roster in chunks, one gradebook ---------------
C=$T/course
newrepo "$C"
course_roster "$C/roster.txt"
commit "$C" "course"
gha course instructor-grade "$C" --volume "$T/subs:/subs:ro" --input roster=roster.txt --input chunk=2
rc=$?
show_jobs "$T/course.log"
check "instructor-grade: every job succeeds (exit $rc)" test "$rc" = 0
check "instructor-grade: the kernel job's chunk list reached the matrix (chunk 2 graded)" \
	grep -q '^job grade (2): success' "$T/course.log"
check "instructor-grade: two matrix jobs, one per chunk" \
	test "$(grep -c '^job grade (' "$T/course.log")" = 2
check "instructor-grade: the gradebook is each submission's status at its commit (git; python's csv)" \
	gradebook_ok "$T/gha-course/artifacts/gradebook/summary.csv"
check "instructor-grade: the run's summary is the gradebook's table" \
	test "$(find "$T/gha-course/work" -name step_summary -exec grep -h -c '^| /subs/s[123].git ' {} +)" = 3

done_testing
