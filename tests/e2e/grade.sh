# labctl grade without the guest: submissions read through libgit2 or from a
# directory, the sandboxed compiler, verdicts and exit codes on hostile and
# broken submissions, the outputs, and many submissions at once.  The trace
# is a hand-made report.json (--trace-report) built against the real ELF.
. "$(dirname "$0")/lib"

EX=$ROOT/ci/example-submission
export LABCTL_RUN_ROOT=$T/runs
# A cache holding only the kernel's syscall table (its real format).
CACHE=$T/cache
mkdir -p "$CACHE/kernels/current/source/arch/x86/entry/syscalls"
printf '1\tcommon\twrite\t\t\tsys_write\n41\tcommon\tsocket\t\t\tsys_socket\n42\tcommon\tconnect\t\t\tsys_connect\n' \
	>"$CACHE/kernels/current/source/arch/x86/entry/syscalls/syscall_64.tbl"
grade() { "$LABCTL" --cache-dir "$CACHE" grade "$@"; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.org GIT_CONFIG_NOSYSTEM=1 HOME=$T
newrepo() { rm -rf "$1"; mkdir -p "$1"; git -C "$1" init -q -b main; }
commit() { git -C "$1" add -A && git -C "$1" commit -qm "$2"; }
# says FILE TEXT: the file contains TEXT
says() { grep -qF -- "$2" "$1"; }

if ! command -v bwrap >/dev/null; then
	skip "grade: bubblewrap is not installed"; exit 0
fi

# --- a good submission, as a directory -----------------------------------
expect_exit "good directory without a trace is a grader error" 3 grade --out "$T/g0" "$EX"
check "... which says the trace is missing" says "$T/err" "--trace-report"
check "... and still compiled the program" test -x "$T/g0/work/build/out/lab"
rip=$(objdump -d --no-show-raw-insn "$T/g0/work/build/out/lab" |
	awk '/^[0-9a-f]+ <main>:/,/^$/' | awk '/\tsyscall/ { print $1 }' | tr -d :)
# Inside libc's socket(): a syscall instruction the student did not write.
libc_rip=$(nm "$T/g0/work/build/out/lab" | awk '$3 == "__socket" { print $1; exit }')
libc_rip=$(printf '%x' $((0x$libc_rip + 16)))
report() {	# report RIP ORIG_AX > report.json
	cat <<JSON
{"kernel":{"version":"5.10.223"},"program":{"started":true,"exited":true,"exit_status":0},
 "syscall":{"nr":42,"orig_ax":$2,"user_rip":"0x$1","comm":"lab","pid":57,
  "args":["0x3","0x7ffc0000","0x10","0","0","0"],"ret":0,
  "decoded":{"fd_is_socket":true,"sockaddr":{"family":"AF_INET","addr":"127.0.0.1","port":8000}}},
 "scenario":{"server_listening":true},"handler":"tcp_v4_connect",
 "backtrace":["tcp_v4_connect","__inet_stream_connect","inet_stream_connect","__sys_connect",
  "__x64_sys_connect","do_syscall_64","entry_SYSCALL_64_after_hwframe"]}
JSON
}
rip=$(printf '%x' $((0x$rip + 2)))
report "$rip" 42 >"$T/good.json"
expect_exit "good directory with its trace passes" 0 grade --out "$T/g1" --trace-report "$T/good.json" "$EX"
check "... 100 of 100" says "$T/out" "passed 100/100"
check "grade.json is JSON with six checks" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))
assert g["score"] == 100 and len(g["checks"]) == 6 and g["syscall"]["name"] == "connect"
assert g["labctl_version"] and g["kernel_version"] == "5.10.223"' "$T/g1/grade.json"
check "results.json is Gradescope's format" python3 -c '
import json, sys; g = json.load(open(sys.argv[1]))
assert g["score"] == 100 and all(t["status"] == "passed" for t in g["tests"])' "$T/g1/results.json"
check "junit.xml is XML" python3 -c '
import sys, xml.etree.ElementTree as E; s = E.parse(sys.argv[1]).getroot()
assert s.get("tests") == "6" and s.get("failures") == "0"' "$T/g1/junit.xml"
check "the trace report is kept" test -s "$T/g1/trace-report.json"

report "$libc_rip" 42 >"$T/libc.json"
expect_exit "a syscall from libc fails the inline check" 1 \
	grade --out "$T/g2" --trace-report "$T/libc.json" "$EX"
check "... and says so" says "$T/g2/grade.json" "libc wrapper"
check "... costing that check's points only" says "$T/out" "failed 80/100"
report "$rip" 41 >"$T/wrong.json"
expect_exit "the wrong syscall number fails" 1 grade --out "$T/g3" --trace-report "$T/wrong.json" "$EX"
check "... naming the number seen" says "$T/g3/grade.json" "was number 41"

# --- git: the exact commit, local and by URL ------------------------------
R=$T/repo; newrepo "$R"; cp "$EX"/* "$R"/; commit "$R" "lab"
echo "uncommitted junk" >"$R/lab.c"	# the worktree is never read
head=$(git -C "$R" rev-parse HEAD)
expect_exit "a git repository is graded at its commit" 0 \
	grade --out "$T/g4" --trace-report "$T/good.json" --ref main "$R"
check "... and the commit is recorded" says "$T/g4/grade.json" "\"commit\": \"$head\""
expect_exit "a file:// URL is cloned bare and graded" 0 \
	grade --out "$T/g5" --trace-report "$T/good.json" --ref main "file://$R"
check "... at the same commit" says "$T/g5/grade.json" "$head"
check "... without a checkout" test ! -e "$T/g5/work/repo.git/lab.c"
git clone -q --bare "$R" "$T/bare.git"
expect_exit "a bare repository is graded at its HEAD" 0 \
	grade --out "$T/g5b" --trace-report "$T/good.json" "$T/bare.git"
check "... and the commit is recorded" says "$T/g5b/grade.json" "$head"
check "the kernel's version is recorded" says "$T/g5b/grade.json" '"kernel_version": "5.10.223"'
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
check "... and nothing of the host file is copied" sh -c "! grep -rq 'root:' '$T/h1' '$T/h2'"

S=$T/shadow; mkdir -p "$S"; cp "$EX"/* "$S"/; printf '#include "/etc/shadow"\n' >>"$S/lab.c"
expect_exit "#include \"/etc/shadow\" does not compile" 1 grade --out "$T/h3" "$S"
check "... because the sandbox has no /etc/shadow" says "$T/h3/grade.json" "/etc/shadow: No such file"
check "... and no line of it leaks" sh -c "! grep -rq 'root:' '$T/h3'"

A=$T/incbin; mkdir -p "$A"; cp "$EX"/* "$A"/; printf 'asm(".incbin \\"/etc/shadow\\"");\n' >>"$A/lab.c"
expect_exit "asm(.incbin \"/etc/shadow\") does not assemble" 1 grade --out "$T/h3b" "$A"
check "... the assembler cannot see it either" says "$T/h3b/grade.json" "file not found: /etc/shadow"
check "... and nothing of it is in the program" sh -c "! grep -rq 'root:' '$T/h3b'"

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

M=$T/make; newrepo "$M"; cp "$EX"/* "$M"/
printf 'all:\n\ttouch %s/make-ran\n' "$T" >"$M/Makefile"
printf 'shell touch %s/gdbinit-ran\n' "$T" >"$M/.gdbinit"
commit "$M" "with a Makefile and a .gdbinit"
expect_exit "a repository with a Makefile and .gdbinit is graded" 0 \
	grade --out "$T/h5" --trace-report "$T/good.json" --ref HEAD "$M"
check "... the Makefile never ran" test ! -e "$T/make-ran"
check "... the .gdbinit never ran" test ! -e "$T/gdbinit-ran"
check "... neither was even copied" sh -c "! find '$T/h5' -name Makefile -o -name .gdbinit | grep -q ."

G=$T/garbage; mkdir -p "$G"; cp "$EX"/* "$G"/
printf '[student]\nid = $(reboot)\n[lab]\nsources = ../../etc/passwd\n' >"$G/labctl.ini"
expect_exit "a manifest with garbage values is invalid" 4 grade --out "$T/h6" "$G"
check "... naming the bad value" says "$T/err" "id = \$(reboot)"
N=$T/notc; mkdir -p "$N"; cp "$EX"/* "$N"/; echo 'this is not C at all' >"$N/lab.c"
expect_exit "a source that is not C fails check 1" 1 grade --out "$T/h7" "$N"
check "... with the compiler's error" says "$T/h7/grade.json" "error"
check "... and the other checks are not run" says "$T/h7/grade.json" "no static program"
X=$T/big; mkdir -p "$X"; cp "$EX"/* "$X"/; head -c 300000 /dev/zero | tr '\0' ' ' >>"$X/lab.c"
expect_exit "an oversized source is invalid" 4 grade --out "$T/h8" "$X"
check "... as too large" says "$T/err" "too large"
U=$T/submod; newrepo "$U"; cp "$EX"/* "$U"/; commit "$U" "lab"; git -C "$U" rm -q lab.c
git -C "$U" update-index --add --cacheinfo 160000,"$(git -C "$U" rev-parse HEAD)",lab.c; git -C "$U" commit -qm sub
expect_exit "a source that is a submodule is refused" 4 grade --out "$T/h9" "$U"
check "... as a submodule" says "$T/err" "submodule"

# --- the grader's own failures are never the student's --------------------
expect_exit "no sandbox: refuse to grade" 3 env PATH=/nonexistent "$LABCTL" --cache-dir "$CACHE" grade --out "$T/e1" "$EX"
check "... and say why" says "$T/err" "refusing"
expect_exit "--no-sandbox compiles without it" 0 \
	grade --no-sandbox --out "$T/e2" --trace-report "$T/good.json" "$EX"
expect_exit "a broken rubric is a grader error" 3 grade --rubric /nonexistent --out "$T/e3" "$EX"

expect_exit "grade --help" 0 "$LABCTL" grade --help
check "... prints the usage on stdout" grep -q '^usage: labctl grade' "$T/out"
expect_exit "grade without a submission is a usage error" 2 grade
expect_exit "grade --jobs 0 is a usage error" 2 grade --jobs 0 "$EX"

# --- many submissions -----------------------------------------------------
printf '# roster\n%s main\n%s\n\n%s\n' "$R" "$E" "$G" >"$T/roster"
expect_exit "a roster with broken submissions grades them all" 3 \
	grade --jobs 2 --roster "$T/roster" "$N"
sum=$(ls -d "$T"/runs/grade-batch-*/ | head -1)
check "summary.csv has one row per submission" test "$(wc -l <"$sum/summary.csv")" -eq 5
check "... the good one compiled and waits for its trace" says "$sum/summary.csv" '"error",0,100'
check "... the empty repository is invalid" grep -q 'empty.*"invalid"' "$sum/summary.csv"
check "... the broken source failed" grep -q 'notc.*"failed"' "$sum/summary.csv"
check "summary.md is a table" grep -q '^| submission |' "$sum/summary.md"

# The sandboxed compiler runs as nobody (other builds on this machine do not).
# Zombies are not running: an init that does not reap keeps bwrap's own.
no_compiler() { ! ps -u 65534 -o stat= | grep -qv '^Z' && ! pgrep -f "labctl-sandbo[x]" >/dev/null; }
check "no compiler is left running" no_compiler
