# labctl grade on the real kernel: submissions read through libgit2 or from
# a directory, the sandboxed compiler, the program run in the lab's guest
# under the real trace, verdicts and exit codes on hostile and broken
# submissions (real programs, no hand-written trace), the outputs, and many
# submissions at once.
. "$(dirname "$0")/lib"

EX=$ROOT/ci/example-submission
# Reports written apart from the example's, for copies of its program that
# are not copies of its report.
FIX=$ROOT/tests/e2e/fixtures/grade
export LABCTL_RUN_ROOT=$T/runs
grade() { "$LABCTL" grade "$@"; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.org GIT_CONFIG_NOSYSTEM=1
newrepo() { rm -rf "$1"; mkdir -p "$1"; git -C "$1" init -q -b main; }
commit() { git -C "$1" add -A && git -C "$1" commit -qm "$2"; }
# says FILE TEXT: the file contains TEXT
says() { grep -qF -- "$2" "$1"; }
# check_says G.JSON ID PASSED TEXT: check ID passed (True/False) saying TEXT
check_is() {
	python3 -c '
import json, sys
g = json.load(open(sys.argv[1])); c = next(c for c in g["checks"] if c["id"] == sys.argv[2])
ok = str(c["passed"]) == sys.argv[3] and sys.argv[4] in c["message"]
print("   ", c["id"], c["passed"], c["message"]) if not ok else None
sys.exit(0 if ok else 1)' "$@"
}
# variant DIR: the example's program to break, with a report of its own (Chinese)
variant() { rm -rf "$1"; mkdir -p "$1"; cp "$EX"/* "$1"/; cp "$FIX/REPORT-zh.md" "$1/REPORT.md"; }

need_tools bwrap gcc gdb qemu-system-x86_64 python3 git
need_kernel
# The user's cache (the built kernel), kept when HOME moves for git's sake.
export LABCTL_CACHE_DIR=${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}
export HOME=$T

# --- the example submission, as a directory, through the real trace -------
expect_exit "the example submission passes every check" 0 grade --out "$T/g1" "$EX"
check "... 100 of 100" says "$T/out" "passed 100/100"
check "grade.json is JSON with six passed checks and the versions" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))
assert g["score"] == 100 and len(g["checks"]) == 6 and g["syscall"]["name"] == "connect"
assert all(c["passed"] for c in g["checks"])
assert g["labctl_version"] and g["kernel_version"].startswith("5.")' "$T/g1/grade.json"
check "results.json is Gradescope's format" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))
assert g["score"] == 100 and all(t["status"] == "passed" for t in g["tests"])' "$T/g1/results.json"
check "junit.xml is XML" python3 -c '
import sys, xml.etree.ElementTree as E; s = E.parse(sys.argv[1]).getroot()
assert s.get("tests") == "6" and s.get("failures") == "0"' "$T/g1/junit.xml"
check "the trace's report.json (labctl-trace/1) and report.md are kept" python3 -c '
import json, sys; c = json.load(open(sys.argv[1] + "/report.json"))
assert c["schema"] == "labctl-trace/1" and c["ok"] and c["user"]["task"]["exe"] == "lab"
open(sys.argv[1] + "/report.md").read()' "$T/g1/trace"
# What the kernel saw, checked against the ELF (objdump, not labctl's reader).
sc=$(objdump -d --no-show-raw-insn "$T/g1/work/build/out/lab" |
	awk '/^[0-9a-f]+ <main>:/,/^$/' | awk '$2 == "syscall" { sub(":", "", $1); print $1; exit }')
check "the inline check names main's syscall instruction, 0x$sc" \
	check_is "$T/g1/grade.json" inline True "at 0x$sc is in your function main()"
check "the args check saw connect return 0 from the scenario's server" \
	check_is "$T/g1/grade.json" args True "AF_INET 127.0.0.1:1234, 16) returned 0"
check "the report check found the protocol handler" \
	check_is "$T/g1/grade.json" report True "names the handler tcp_v4_connect"
check "the program's output is kept" says "$T/g1/program-output.txt" "connect returned 0"
check "the guest's image is not kept per submission" test ! -e "$T/g1/work/guest.cpio"
# Restored at its scenario's step run (rootfs/grade.sh): the server started
# before the save, so its words are in serial-saved.log, not serial.log.
check "the grading's guest was restored at step run" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))["setup"]["guest"]
assert g == {"started": "restored", "step": "run"}, g' "$T/g1/trace/report.json"
check "... the server's listening line is the saved console's" \
	grep -q '^server: listening on 127.0.0.1:1234' "$T"/g1/runs/trace-*[0-9]/serial-saved.log
check "... and the run's console is the program's only" sh -c \
	"! grep -q 'listening on' $T/g1/runs/trace-*[0-9]/serial.log && grep -q '^| connect returned 0' $T/g1/runs/trace-*[0-9]/serial.log"

# --- what students get wrong, as real programs ----------------------------
L=$T/libc; variant "$L"
sed -i 's/ret = my_connect(fd, &sa);/ret = connect(fd, (struct sockaddr *)\&sa, sizeof(sa));/' "$L/lab.c"
expect_exit "a libc wrapper instead of inline asm fails" 1 grade --out "$T/g2" "$L"
check "... the inline check, naming libc's function" check_is "$T/g2/grade.json" inline False \
	"in __libc_connect(), which is not a function of your own source files"
check "... while the kernel still saw the call" check_is "$T/g2/grade.json" syscall True "orig_ax = 42"
check "... costing that check's points only" says "$T/out" "failed 80/100"
check "... the report, in Chinese, passes" check_is "$T/g2/grade.json" report True "names the handler"

# --- the report: the student's own -----------------------------------------
C=$T/copied; variant "$C"; cp "$EX/REPORT.md" "$C/"
expect_exit "the example's REPORT.md handed in with a working program fails" 1 \
	grade --out "$T/c1" "$C"
check "... the report check only, 80/100" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))
assert g["score"] == 80, g["score"]
assert [c["id"] for c in g["checks"] if not c["passed"]] == ["report"]' "$T/c1/grade.json"
check "... naming the example and the share copied" \
	check_is "$T/c1/grade.json" report False "copies 100% of ci/example-submission/REPORT.md"

W=$T/wrong; variant "$W"; sed -i 's/"a"(42L)/"a"(41L)/' "$W/lab.c"
expect_exit "the wrong syscall number fails" 1 grade --run-timeout 10 --out "$T/g3" "$W"
check "... check 3, naming the number it made and the one asked" check_is "$T/g3/grade.json" syscall False \
	"ran with rax = 41, but your system call is 42 (connect)"
check "... and it is the student's failure, not the grader's" says "$T/g3/grade.json" '"status": "failed"'

V=$T/never; variant "$V"; sed -i 's/ret = my_connect(fd, &sa);/ret = 0; (void)my_connect;/' "$V/lab.c"
expect_exit "a program that never makes the syscall fails" 1 grade --run-timeout 10 --out "$T/g4" "$V"
check "... check 3, saying so" check_is "$T/g4/grade.json" syscall False "never made system call 42"
check "... but it ran and finished" check_is "$T/g4/grade.json" runs True "exited with status 0"

hostile() {	# hostile NAME CODE-BEFORE-SOCKET: a program that misbehaves first
	local d=$T/$1; variant "$d"
	sed -i "s|int fd = socket(AF_INET, SOCK_STREAM, 0);|$2 int fd = socket(AF_INET, SOCK_STREAM, 0);|" "$d/lab.c"
	local start=$(date +%s)
	expect_exit "$1: graded as the student's failure" 1 grade --run-timeout 3 --out "$T/h-$1" "$d"
	check "$1: ... within the time limits" test $(( $(date +%s) - start )) -lt 60
	check "$1: ... the runs check says it did not finish" \
		check_is "$T/h-$1/grade.json" runs False "did not finish by itself"
	check "$1: ... nothing of the guest is left" test -z "$(pgrep -f "$T/h-$1" || true)"
}
hostile loop 'for (volatile int spin = 1; spin;) ;'
check "loop: ... saying it was stopped after 3 s" check_is "$T/h-loop/grade.json" runs False "after 3 s"
hostile forkbomb 'for (;;) fork();'
hostile gigabytes 'for (long i = 0; i < (1L << 32); i++) puts("gigabytes of output, gigabytes of output");'
check "gigabytes: ... the logs stay small" test "$(du -sk "$T/h-gigabytes" | cut -f1)" -lt 10000
check "gigabytes: ... the output kept is capped" test "$(wc -c <"$T/h-gigabytes/program-output.txt")" -lt 20000

# --- git: the exact commit, local and by URL ------------------------------
R=$T/repo; newrepo "$R"; cp "$EX"/* "$R"/; cp "$FIX/REPORT-en.md" "$R/REPORT.md"; commit "$R" "lab"
echo "uncommitted junk" >"$R/lab.c"	# the worktree is never read
head=$(git -C "$R" rev-parse HEAD)
expect_exit "a git repository is graded at its commit" 0 \
	grade --out "$T/r4" --ref main "$R"
check "... and the commit is recorded" says "$T/r4/grade.json" "\"commit\": \"$head\""
expect_exit "a file:// URL is cloned bare and graded" 0 \
	grade --out "$T/g5" --ref main "file://$R"
check "... at the same commit" says "$T/g5/grade.json" "$head"
check "... without a checkout" test ! -e "$T/g5/work/repo.git/lab.c"
git clone -q --bare "$R" "$T/bare.git"
expect_exit "a bare repository is graded at its HEAD" 0 \
	grade --out "$T/g5b" "$T/bare.git"
check "... and the commit is recorded" says "$T/g5b/grade.json" "$head"
check "the kernel's version is recorded" says "$T/g5b/grade.json" '"kernel_version": "5.'
expect_exit "a missing ref is an invalid submission" 4 grade --out "$T/g6" --ref nosuch "$R"
check "... naming the ref" says "$T/err" "no commit 'nosuch'"
E=$T/empty; newrepo "$E"
expect_exit "an empty repository is invalid" 4 grade --out "$T/g7" "$E"
check "... and says it is empty" says "$T/err" "empty"
check "an invalid submission still writes grade.json" says "$T/g7/grade.json" '"status": "invalid"'

# --- hostile and broken submissions ---------------------------------------
H=$T/hostile; newrepo "$H"; cp "$EX"/* "$H"/; ln -sf /etc/passwd "$H/lab.c"; commit "$H" "symlink"
expect_exit "a source that is a symlink (git) is refused" 4 grade --out "$T/h1" "$H"
check "... as a symbolic link" says "$T/err" "symbolic link"
D=$T/dir; mkdir -p "$D"; cp "$EX"/* "$D"/; ln -sf /etc/passwd "$D/lab.c"
expect_exit "a source that is a symlink (directory) is refused" 4 grade --out "$T/h2" "$D"
check "... as a symbolic link" says "$T/err" "symbolic link"
check "... and nothing of the host file is copied" sh -c "[ -e '$T/h1' ] && [ -e '$T/h2' ] && ! grep -rq 'root:' '$T/h1' '$T/h2'"

S=$T/shadow; mkdir -p "$S"; cp "$EX"/* "$S"/; printf '#include "/etc/shadow"\n' >>"$S/lab.c"
expect_exit "#include \"/etc/shadow\" does not compile" 1 grade --out "$T/h3" "$S"
check "... because the sandbox has no /etc/shadow" says "$T/h3/grade.json" "/etc/shadow: No such file"
check "... and no line of it leaks" lacks "$T/h3" -r -e 'root:'

A=$T/incbin; mkdir -p "$A"; cp "$EX"/* "$A"/; printf 'asm(".incbin \\"/etc/shadow\\"");\n' >>"$A/lab.c"
expect_exit "asm(.incbin \"/etc/shadow\") does not assemble" 1 grade --out "$T/h3b" "$A"
check "... the assembler cannot see it either" says "$T/h3b/grade.json" "file not found: /etc/shadow"
check "... and nothing of it is in the program" lacks "$T/h3b" -r -e 'root:'

B=$T/bomb; mkdir -p "$B"; cp "$EX"/* "$B"/
# 2^40 tokens of valid C: the wall clock or the memory limit stops it.
{ printf '#define A0 1+\n'; for i in $(seq 1 40); do printf '#define A%d A%d A%d\n' $i $((i-1)) $((i-1)); done
  printf 'int y = A40 0;\n'; } >>"$B/lab.c"
start=$(date +%s)
expect_exit "a compile that never ends is stopped" 1 grade --out "$T/h4" --compile-timeout 5 "$B"
check "... within its time limit" test $(( $(date +%s) - start )) -lt 30
check "... and the student is told why" says "$T/h4/grade.json" "and was stopped"

I=$T/loop; mkdir -p "$I"; cp "$EX"/* "$I"/; printf '#include __FILE__\n' >>"$I/lab.c"
expect_exit "an #include loop fails check 1" 1 grade --out "$T/h4b" "$I"
check "... naming the student's file, not the sandbox's" says "$T/h4b/grade.json" "did not compile: lab.c:"

M=$T/make; newrepo "$M"; cp "$EX"/* "$M"/; cp "$FIX/REPORT-en.md" "$M/REPORT.md"
printf 'all:\n\ttouch %s/make-ran\n' "$T" >"$M/Makefile"
printf 'shell touch %s/gdbinit-ran\n' "$T" >"$M/.gdbinit"
commit "$M" "with a Makefile and a .gdbinit"
expect_exit "a repository with a Makefile and .gdbinit is graded" 0 \
	grade --out "$T/h5" --ref HEAD "$M"
check "... the Makefile never ran" test ! -e "$T/make-ran"
check "... the .gdbinit never ran" test ! -e "$T/gdbinit-ran"
check "... neither was even copied" sh -c "! find '$T/h5' -name Makefile -o -name .gdbinit | grep -q ."

G=$T/garbage; mkdir -p "$G"; cp "$EX"/* "$G"/
printf '[student]\nid = $(reboot)\n[lab]\nsources = ../../etc/passwd\n' >"$G/labctl.ini"
expect_exit "a manifest with garbage values is invalid" 4 grade --out "$T/h6" "$G"
check "... naming the bad value" says "$T/err" "id = \$(reboot)"
N=$T/notc; variant "$N"; echo 'this is not C at all' >"$N/lab.c"
expect_exit "a source that is not C fails check 1" 1 grade --out "$T/h7" "$N"
check "... with the compiler's error" says "$T/h7/grade.json" "error"
check "... and the other checks are not run" says "$T/h7/grade.json" "no static program"
N2=$T/notc2; variant "$N2"; cp "$N/lab.c" "$N2/"
expect_exit "--compare: a report another submission has too fails" 1 \
	grade --compare "$N" --out "$T/h7b" "$N2"
check "... naming that submission" check_is "$T/h7b/grade.json" report False \
	"copies 100% of the report of $N (student 20231042)"
expect_exit "--compare with itself is no copy" 1 grade --compare "$N2" --out "$T/h7c" "$N2"
check "... the report is not checked against itself" check_is "$T/h7c/grade.json" report False \
	"no trace of your system call"
X=$T/big; mkdir -p "$X"; cp "$EX"/* "$X"/; head -c 300000 /dev/zero | tr '\0' ' ' >>"$X/lab.c"
expect_exit "an oversized source is invalid" 4 grade --out "$T/h8" "$X"
check "... as too large" says "$T/err" "too large"
U=$T/submod; newrepo "$U"; cp "$EX"/* "$U"/; commit "$U" "lab"; git -C "$U" rm -q lab.c
git -C "$U" update-index --add --cacheinfo 160000,"$(git -C "$U" rev-parse HEAD)",lab.c; git -C "$U" commit -qm sub
expect_exit "a source that is a submodule is refused" 4 grade --out "$T/h9" "$U"
check "... as a submodule" says "$T/err" "submodule"

# --- outputs, secrets and temporary directories ---------------------------
# outputs_ok DIR: grade.json, results.json (strict UTF-8, python3's json) and
# junit.xml (xml.etree) parse, each with all six checks.
outputs_ok() {
	python3 -c '
import json, sys, xml.etree.ElementTree as E
d = sys.argv[1]
g = json.loads(open(d + "/grade.json", "rb").read().decode("utf-8"))
r = json.loads(open(d + "/results.json", "rb").read().decode("utf-8"))
x = E.parse(d + "/junit.xml").getroot()
keys = ["static", "runs", "syscall", "inline", "args", "report"]
assert [c["id"] for c in g["checks"]] == keys, g["checks"]
assert len(r["tests"]) == 6 and [t.get("name") for t in x.findall("testcase")] == keys' "$1"
}
# pid_of_run DIR: the pid of the labctl that graded into DIR (its trace's name)
pid_of_run() { local t; t=$(readlink "$1/runs/trace-latest") && echo "${t##*-}"; }
# leftovers PID: what labctl left in its $TMPDIR, $T/tmp (any name: only
# this suite's grades use it), and what labctl PID left in the shared /tmp.
mkdir -p "$T/tmp"
leftovers() { ls -d "$T"/tmp/labctl-grade-* /tmp/labctl-sandbox-"$1"-* 2>/dev/null; }

F=$T/ff; variant "$F"; printf '#include "\377\376.h"\n' >>"$F/lab.c"
expect_exit "a compile error quoting a 0xff byte fails check 1" 1 grade --out "$T/o1" "$F"
check "... grade.json, results.json and junit.xml parse, with every check" outputs_ok "$T/o1"
check "... the static check quotes the error, the byte replaced" \
	check_is "$T/o1/grade.json" static False $'\xef\xbf\xbd\xef\xbf\xbd.h: No such file'

P=$T/secret; variant "$P"; printf '\t.include "/proc/1/environ"\n' >"$P/leak.S"
sed -i 's/^sources = .*/sources = lab.c net.h leak.S/' "$P/labctl.ini"
# A newline in the value: the assembler quotes the line after it whole.
expect_exit "a .S that includes /proc/1/environ does not assemble" 1 \
	env LABCTL_TEST_SECRET=$'x\nleaked_s3cr3t_token' "$LABCTL" grade --out "$T/o2" "$P"
check "... the assembler did read it" says "$T/o2/work/compile.log" "/proc/1/environ:1: Error"
check "... and the grader's environment is nowhere in the run directory" \
	lacks "$T/o2" -r -e leaked_s3cr3t -e LABCTL_TEST_SECRET

Q=$T/big-report; variant "$Q"
for h in a b c d; do head -c 250000 /dev/zero | tr '\0' '\n' >"$Q/$h.h"; done
head -c 200000 /dev/zero | tr '\0' 'x' >>"$Q/REPORT.md"
sed -i 's/^sources = .*/sources = lab.c net.h a.h b.h c.h d.h/' "$Q/labctl.ini"
printf '#error the report is the point here\n' >>"$Q/lab.c"
expect_exit "a report past the submission's 1 MiB fails" 1 grade --out "$T/o3" "$Q"
check "... the report check says it is too large, not missing" \
	check_is "$T/o3/grade.json" report False "REPORT.md is too large"

Y=$T/twice; variant "$Y"; sed -i 's/^sources = .*/sources = lab.c net.h lab.c/' "$Y/labctl.ini"
expect_exit "a source listed twice is graded once, and passes" 0 \
	env TMPDIR="$T/tmp" "$LABCTL" grade --out "$T/o4" "$Y"
check "... 100 of 100" says "$T/out" "passed 100/100"
pid=$(pid_of_run "$T/o4")
check "... and it left no temporary directory" test -n "$pid" -a -z "$(leftovers "$pid")"

long=$T/a-grading-directory-with-a-name-long-enough-for-the-trace-socket-to-need-a-link
expect_exit "a run directory past a socket's path length is graded" 0 \
	env TMPDIR="$T/tmp" "$LABCTL" grade --out "$long" "$EX"
pid=$(pid_of_run "$long")
check "... it left no temporary directory" test -n "$pid" -a -z "$(leftovers "$pid")"
check "... and the trace's logs are in its runs/" test -s "$long/runs/trace-latest/serial.log"

# kill_at NAME PATTERN ARGS...: labctl grade ARGS killed with SIGKILL once
# PATTERN (with PID for its pid) names a directory; sets KILLED.
kill_at() {
	local name=$1 pattern=$2 i; shift 2
	TMPDIR="$T/tmp" "$LABCTL" grade "$@" >/dev/null 2>&1 & KILLED=$!
	for i in $(seq 1200); do
		compgen -G "${pattern//PID/$KILLED}" >/dev/null && break
		kill -0 "$KILLED" 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	kill -9 "$KILLED"; wait "$KILLED" 2>/dev/null
	check "$name: SIGKILLed, it left its directory" test -n "$(leftovers "$KILLED")"
}
B2=$T/bomb2; mkdir -p "$B2"; cp "$B"/* "$B2"/
if [ "$(id -u)" = 0 ]; then
	kill_at "mid-compile" "/tmp/labctl-sandbox-PID-*/src/lab.c" --compile-timeout 120 --out "$T/k1" "$B2"
	k1=$KILLED
else
	skip "mid-compile kill: the sandbox's directory is in /tmp only for root"; k1=
fi
# A program that spins before its call: killed a second in, the grade is
# in its trace, however fast a trace is (a restored guest's is under one).
S=$T/spins; variant "$S"
sed -i "s|int fd = socket(AF_INET, SOCK_STREAM, 0);|for (volatile int spin = 1; spin;) ; int fd = socket(AF_INET, SOCK_STREAM, 0);|" "$S/lab.c"
kill_at "mid-trace" "$T/tmp/labctl-grade-PID-*" --out "$long-2" "$S"
k2=$KILLED
expect_exit "the next grade runs" 4 env TMPDIR="$T/tmp" "$LABCTL" grade --out "$T/o5" "$G"
check "... and removes what the killed ones left" test -z "$(leftovers "$k2"; [ -z "$k1" ] || leftovers "$k1")"
check "... and the killed grades' guests are gone" test -z "$(pgrep -f "qemu-system.*$long-2" || true)"

# A grader error: the student reads that it will be regraded; the TA the rest.
mkdir -p "$T/empty-cache"
expect_exit "no kernel in the cache is a grader error" 3 \
	env LABCTL_CACHE_DIR="$T/empty-cache" "$LABCTL" grade --out "$T/o6" "$EX"
check "... results.json tells the student, without the grader's paths" python3 -c '
import json, sys; r = json.load(open(sys.argv[1] + "/results.json"))
g = json.load(open(sys.argv[1] + "/grade.json"))
assert g["status"] == "error" and "labctl build" in g["why"], g["why"]
o = r["output"]; assert "grader failed" in o and "regraded" in o, o
assert "/" not in json.dumps(r), r' "$T/o6"

# --- the grader's own failures are never the student's --------------------
expect_exit "no sandbox: refuse to grade" 3 env PATH=/nonexistent "$LABCTL" grade --out "$T/e1" "$EX"
check "... and say why" says "$T/err" "refusing"
expect_exit "--no-sandbox compiles without it" 0 grade --no-sandbox --out "$T/e2" "$EX"
# QEMU that does not start: the trace fails before the program runs.
mkdir -p "$T/fakebin"; printf '#!/bin/sh\necho "fake qemu: broken" >&2; exit 1\n' >"$T/fakebin/qemu-system-x86_64"
chmod +x "$T/fakebin/qemu-system-x86_64"
expect_exit "a QEMU that does not start is a grader error" 3 \
	env PATH="$T/fakebin:$PATH" "$LABCTL" grade --out "$T/e4" "$EX"
check "... status error, not a zero for the student" says "$T/e4/grade.json" '"status": "error"'
check "... saying the trace failed" says "$T/err" "the trace exited with status 1"
check "... the student reads the grader failed, and no path of the grader's" python3 -c '
import json, sys; r = json.load(open(sys.argv[1]))
assert "grader failed" in r["output"] and "/" not in json.dumps(r), r' "$T/e4/results.json"
expect_exit "a broken rubric is a grader error" 3 grade --rubric /nonexistent --out "$T/e3" "$EX"

expect_exit "grade --help" 0 "$LABCTL" grade --help
check "... prints the usage on stdout" grep -q '^usage: labctl grade' "$T/out"
expect_exit "grade without a submission is a usage error" 2 grade
expect_exit "grade --jobs 0 is a usage error" 2 grade --jobs 0 "$EX"
expect_exit "grade --trace-report is gone" 2 grade --trace-report x.json "$EX"

# --- many submissions -----------------------------------------------------
printf '# roster\n%s main\n%s\n\n%s\n' "$R" "$E" "$G" >"$T/roster"
cores=$(nproc)
expect_exit "a roster with broken submissions grades them all" 4 \
	grade --jobs 64 --roster "$T/roster" "$N" "$N2"
check "--jobs is capped at the $cores cores" says "$T/err" "capped at $cores"
sum=$(ls -d "$T"/runs/grade-batch-*/ | head -1)
check "summary.csv has one row per submission" test "$(wc -l <"$sum/summary.csv")" -eq 6
check "... the good one passed" grep -q 'repo.*"passed",100,100' "$sum/summary.csv"
check "... the empty repository is invalid" grep -q 'empty.*"invalid"' "$sum/summary.csv"
check "... the broken source failed" grep -q 'notc.*"failed"' "$sum/summary.csv"
check "summary.md is a table" grep -q '^| submission |' "$sum/summary.md"
# The operands first, then the roster's lines: 001 is notc, 002 notc2.
copy_each_other() {
	check_is "$sum/001/grade.json" report False "of the report of $N2 (student 20231042)" &&
	check_is "$sum/002/grade.json" report False "of the report of $N (student 20231042)"
}
check "two reports alike in one batch: each fails, naming the other" copy_each_other
check "summary.csv has each check's points, adding up to the score (python's csv)" python3 -c '
import csv, json, sys, os
rows = list(csv.DictReader(open(sys.argv[1] + "/summary.csv")))
checks = ["static", "runs", "syscall", "inline", "args", "report"]
graded = 0
for r in rows:
    g = json.load(open(os.path.join(r["run_dir"], "grade.json")))
    if g["checks"]:
        graded += 1
        assert [int(r[k]) for k in checks] == [c["points"] for c in g["checks"]], (r, g["checks"])
        assert sum(int(r[k]) for k in checks) == int(r["score"]), r
    else:
        assert all(r[k] == "" for k in checks), r
assert graded >= 3, graded' "$sum"

# One gradebook of batches graded apart (a CI job per chunk), and of a single grading.
expect_exit "grade --gradebook of a batch and a grading" 4 \
	"$LABCTL" -q grade --gradebook --out "$T/book" "$sum" "$T/g1"
check "--gradebook: the batch's rows, then the grading's" python3 -c '
import csv, sys
book = list(csv.DictReader(open(sys.argv[1] + "/summary.csv")))
batch = list(csv.DictReader(open(sys.argv[2] + "/summary.csv")))
assert [r["submission"] for r in book[:len(batch)]] == [r["submission"] for r in batch], (book, batch)
assert [r["status"] for r in book[:len(batch)]] == [r["status"] for r in batch]
assert len(book) == len(batch) + 1 and book[-1]["status"] == "passed", book[-1]' "$T/book" "$sum"
expect_exit "--gradebook without --out is a usage error" 2 "$LABCTL" grade --gradebook "$sum"
mkdir -p "$T/no-gradings/sub"
expect_exit "--gradebook of a directory without gradings is bad input" 4 \
	"$LABCTL" grade --gradebook --out "$T/book2" "$T/no-gradings"

# The sandboxed compiler runs as nobody (other builds on this machine do not).
# Zombies are not running: an init that does not reap keeps bwrap's own.
no_compiler() { ! ps -u 65534 -o stat= | grep -qv '^Z' && ! pgrep -f "labctl-sandbo[x]" >/dev/null; }
check "no compiler is left running" no_compiler
check "no QEMU or GDB of this suite is left running" \
	test -z "$(pgrep -f "qemu-system.*$T|gdb.*$T" || true)"
check "no labctl of this suite is left running" test -z "$(pgrep -f "labctl.*$T" || true)"
done_testing
