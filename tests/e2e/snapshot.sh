# Traces from the saved guest (labctl/qemu/snapshot.h) against cold boots:
# the same captures field by field, but for what restoring changes by
# design (tests/e2e/fixtures/trace/same_trace.py says which and why); a
# clock that is the host's (the time system call's result against date
# +%s), random pools that differ; and a state that does not load (garbage,
# cut short), a changed image, a full disk: each said once, none a failed
# or hung trace.
. "$(dirname "$0")/lib"

need_tools gdb qemu-system-x86_64 python3 unshare
own_cache_with_kernel
FIX=$ROOT/tests/e2e/fixtures/trace
SNAPS=$T/cache/snapshots
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
states() { find "$SNAPS" -name '*.state' 2>/dev/null | wc -l; }

# trace OUT ARGS...: labctl -v trace ARGS, its stderr in OUT.err
trace() {
	local out=$1; shift
	"$LABCTL" -v trace "$@" --out "$out" --format json >/dev/null 2>"$out.err" ||
		{ local rc=$?; tail -3 "$out.err" >&2; return $rc; }
}

# The first restored trace saves the guest, once, and again at the traced
# step (the server listening, rootfs/init's labctl.hold=); the next ones
# restore it there.
expect_exit "trace connect (saves the guest)" 0 trace "$T/first" connect
check "the first trace saved the booted guest, once" \
	test "$(grep -c 'saving the booted guest once' "$T/first.err")" = 1
check "and the guest at its traced step, client, once" \
	test "$(grep -c 'saving the guest at step client once' "$T/first.err")" = 1 -a "$(states)" = 2
check "and traced the guest restored at step client" \
	grep -q 'the guest restored from .*, at step client$' "$T/first.err"
check "the server started before the hold (saved), not in the traced guest" \
	sh -c 'grep -q "server: listening" "$1/save-client/serial.log" &&
		grep -q "LABCTL waiting" "$1/save-client/serial.log" &&
		test -f "$1/serial.log" && ! grep -q "LABCTL step server" "$1/serial.log"' _ \
	"$(ls -d "$LABCTL_RUN_ROOT"/trace-2*/ | head -1)"
# connect's two states: the booted guest's, and the one held at step client
held=$(sed -n 's/.*the guest restored from \(.*\), at step client$/\1/p' "$T/first.err")
base=$(find "$SNAPS" -name '*.state' ! -path "$held")
check "connect's held state and the booted one are two files of the cache" \
	test -f "$held" -a -f "$base" -a "$held" != "$base"

# The pc GDB first stopped the CPU at in the run of trace OUT (the run
# directory its stderr names): the reset vector when the guest booted.
first_pc() { grep -m1 -o '^0x[0-9a-f]* in ' "$(sed -n '1s/.*, logs in //p' "$1.err")/gdb.log" | cut -d' ' -f1; }
# GDB's memo of vmlinux (gdb/labctl/memo.py): the first cold trace learns
# without one, the others read what it kept.
memo=$(readlink -f "$KERNEL")/gdb-memo.json
memory() { q "$1" '[s.get("memory") for s in c["entry"]["steps"] + c["return"]["steps"]]'; }
for call in "connect" "getpid" "connect --abi i386"; do
	tag=${call// /}
	[ "$tag" != connect ] || rm -f "$memo"
	for n in 1 2; do
		expect_exit "trace $call --no-snapshot ($n)" 0 trace "$T/cold$n-$tag" $call --no-snapshot
	done
	[ "$tag" != connect ] || check "the first trace kept what GDB learnt slowly of vmlinux; the next read it: the same variables named" \
		sh -c 'python3 -c "import json, sys; sys.exit(not json.load(open(sys.argv[1]))[\"describe\"])" "$1" &&
			test "$2" = "$3" && echo "$2" | grep -q "cpu_tss_rw\."' _ \
		"$memo" "$(memory "$T/cold1-$tag/report.json")" "$(memory "$T/cold2-$tag/report.json")"
	expect_exit "trace $call (restored)" 0 trace "$T/restored-$tag" $call
	check "trace $call --no-snapshot booted: nothing restored" \
		lacks "$T/cold1-$tag.err" 'restored'
	# i386's trace comes with an x86-64 one beside it: two guests restored.
	# The generic program's step is its scenario's first: nothing runs
	# before it, and the booted state serves (no state per number).
	n=1 at_step=1
	[ "$tag" = connect--abii386 ] && n=2 at_step=2
	[ "$tag" = getpid ] && at_step=0
	check "trace $call was restored ($n), at its traced step ($at_step), the booted guest not saved again" \
		sh -c 'test "$(grep -c "the guest restored from" "$1")" = $2 &&
			test "$(grep -c "the guest restored from .*, at step" "$1")" = $3 &&
			! grep -q "saving the booted guest" "$1"' _ "$T/restored-$tag.err" $n $at_step
	check "trace $call: the captures say how the guest started, as GDB's first stop shows (reset vector: booted)" \
		sh -c 'test "$1" = "booted ok" -a "$2" = "restored ok"' _ \
		"$(q "$T/cold1-$tag/report.json" 'c["setup"]["guest"]["started"]') $(first_pc "$T/cold1-$tag" | grep -qx 0x0*fff0 && echo ok)" \
		"$(q "$T/restored-$tag/report.json" 'c["setup"]["guest"]["started"]') $(first_pc "$T/restored-$tag" | grep -qvx '0x0*fff0' && echo ok)"
	check "trace $call: restored and cold captures are the same, field by field" \
		python3 "$FIX/same_trace.py" "$T/cold1-$tag/report.json" "$T/cold2-$tag/report.json" \
		"$T/restored-$tag/report.json"
done

# The user's own program reaches the restored guest through its inbox
# (rootfs/programs/inbox.c): the same trace as booted with it appended.
cat >"$T/mine.c" <<'EOF'
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1234) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	long r;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	__asm__ volatile("syscall" : "=a"(r) : "a"(42), "D"(fd), "S"(&a), "d"(sizeof(a))
			 : "rcx", "r11", "memory");
	printf("connect returned %ld\n", r);
	return 0;
}
EOF
for n in 1 2; do
	expect_exit "trace connect --program mine.c --no-snapshot ($n)" 0 \
		trace "$T/own-cold$n" connect --program "$T/mine.c" --no-snapshot
done
expect_exit "trace connect --program mine.c (restored)" 0 trace "$T/own" connect --program "$T/mine.c"
check "trace --program: restored, the program in the inbox" grep -q 'the guest restored from' "$T/own.err"
check "trace --program: restored and cold captures are the same, field by field" \
	python3 "$FIX/same_trace.py" "$T/own-cold1/report.json" "$T/own-cold2/report.json" "$T/own/report.json"
check "trace --program: the traced program is the user's" \
	test "$(q "$T/own/report.json" 'c["user"]["task"]["exe"]')" = mine

# A submission graded restored (its programs in the inbox) and booted:
# the same verdicts, word for word but the pid a message names (the
# restored guest's init ran inbox, date and cpio before the program).
verdicts() { q "$1/grade.json" '[c["status"], c["score"]] + [(x["id"], x["passed"], __import__("re").sub(r"pid \d+", "pid N", x["message"])) for x in c["checks"]]'; }
expect_exit "grade the example submission (restored)" 0 "$LABCTL" -q grade "$ROOT/ci/example-submission" --out "$T/g"
expect_exit "grade the example submission --no-snapshot" 0 \
	"$LABCTL" -q grade "$ROOT/ci/example-submission" --out "$T/g-cold" --no-snapshot
# Where GDB first found the CPU: at the reset vector in a booted guest; in
# a restored one, wherever the save caught it (idle in the kernel, as a
# rule; in inbox itself when a loaded machine was slow to settle).
first_stop() { grep -m1 '^0x[0-9a-f]* in ' "$(ls -d "$1"/runs/trace-2*/ | head -1)/gdb.log"; }
check "grade: the guest was restored (GDB first stopped it elsewhere than the reset vector)" \
	sh -c 'echo "$1" | grep -q "^0x" && ! echo "$1" | grep -q "^0x0*fff0 in "' _ "$(first_stop "$T/g")"
check "grade: booted with --no-snapshot (GDB first stopped it at the reset vector)" \
	sh -c 'echo "$1" | grep -q "^0x0*fff0 in "' _ "$(first_stop "$T/g-cold")"
check "grade: the same verdicts restored as booted" \
	test "$(verdicts "$T/g")" = "$(verdicts "$T/g-cold")" -a -s "$T/g/grade.json"

# A timeline restored: the same calls, in the same order, with the same
# results as booted (its events' jiffies, pids, addresses and ports are the
# guest's history, as above).
calls() { q "$1" '[(e["step"], e["call"], e.get("ret")) for s in c["scenarios"] for e in s["events"]]'; }
expect_exit "trace --timeline hello-hi --no-snapshot" 0 trace "$T/tl-cold" --timeline hello-hi --no-snapshot
expect_exit "trace --timeline hello-hi (restored)" 0 trace "$T/tl" --timeline hello-hi
check "timeline hello-hi: restored, not booted" grep -q 'the guest restored from' "$T/tl.err"
check "timeline hello-hi: the same calls and results restored as booted" \
	test "$(calls "$T/tl/report.json")" = "$(calls "$T/tl-cold/report.json")" -a \
	"$(q "$T/tl/report.json" 'len(c["scenarios"][0]["events"])')" -gt 5

# Two restored guests do not share a random pool: the stack's randomization
# (from the kernel's get_random_*) differs between them.
expect_exit "trace connect (restored again)" 0 trace "$T/again" connect
check "two restored guests place the user stack apart (their random pools differ)" test \
	"$(q "$T/first/report.json" 'c["user"]["regs"]["rsp"]')" != "$(q "$T/again/report.json" 'c["user"]["regs"]["rsp"]')"

# The restored guest's clock is the host's: time(2)'s result, traced.
before=$(date +%s)
expect_exit "trace time (restored)" 0 trace "$T/time" time
after=$(date +%s)
got=$(q "$T/time/report.json" 'c["dispatch"]["handler_return"]["signed"]')
check "the restored guest's time() is the host's ($before..$after, date +%s)" \
	test "$((got))" -ge "$before" -a "$((got))" -le "$((after + 1))"

# A state QEMU cannot load: thrown away, saved again, with one message.
# The state held at connect's step (named by the trace's own line) alone:
# saved again from the booted one.
# corrupt garbage|short STATE: STATE (a state of the cache, nothing else) overwritten
corrupt() {
	test -f "$2" && case $2 in "$SNAPS"/*.state) ;; *) false ;; esac ||
		{ echo "not ok corrupt: $2 is not a saved state"; exit 1; }
	if [ $1 = garbage ]; then head -c 1048576 /dev/urandom >"$2"; else truncate -s 4096 "$2"; fi
}
for kind in garbage short; do
	corrupt $kind "$held"
	expect_exit "trace connect over a $kind held state" 0 trace "$T/held-$kind" connect
	check "a $kind held state: said once that it did not load, saved again at step client" test \
		"$(grep -c 'did not load' "$T/held-$kind.err")" = 1 -a \
		"$(grep -c 'saving the guest at step client once' "$T/held-$kind.err")" = 1 -a \
		"$(grep -c 'saving the booted guest' "$T/held-$kind.err")" = 0
	check "a $kind held state: replaced by a whole one" test "$(stat -c %s "$held")" -gt 10000000
	check "a $kind held state: the trace is the cold one's" python3 "$FIX/same_trace.py" \
		"$T/cold1-connect/report.json" "$T/cold2-connect/report.json" "$T/held-$kind/report.json"
done
# Both (the booted one too): the booted guest saved again, the trace
# restored from it, and the next trace held at its step again.
for kind in garbage short; do
	corrupt $kind "$base"
	corrupt $kind "$held"
	expect_exit "trace connect over $kind states" 0 trace "$T/$kind" connect
	check "$kind states: said that they did not load, the booted guest saved again, once" test \
		"$(grep -c 'did not load' "$T/$kind.err")" -ge 1 -a "$(grep -c 'saving the booted guest once' "$T/$kind.err")" = 1
	check "$kind states: the trace is the cold one's" python3 "$FIX/same_trace.py" \
		"$T/cold1-connect/report.json" "$T/cold2-connect/report.json" "$T/$kind/report.json"
	expect_exit "trace connect after $kind states" 0 trace "$T/$kind-next" connect
	check "after $kind states: restored at step client, nothing said of a state" sh -c \
		'grep -q "the guest restored from .*, at step client$" "$1" && ! grep -q "did not load" "$1"' _ "$T/$kind-next.err"
done
check "connect's states, booted and held, are whole again" \
	test "$(stat -c %s "$base")" -gt 10000000 -a "$(stat -c %s "$held")" -gt 10000000
# A held state without the console of its earlier steps (the server's
# words): no use, saved again with it.
check "the held state keeps the console of its steps before: the server's address" \
	grep -q '^server: listening on 127.0.0.1:1234' "${held%.state}.console"
rm "${held%.state}.console"
expect_exit "trace connect, its held state's console gone" 0 trace "$T/no-console" connect
check "no console: the guest saved again at step client, and restored there" sh -c \
	'grep -q "saving the guest at step client once" "$1" && grep -q "the guest restored from .*, at step client$" "$1"' \
	_ "$T/no-console.err"
check "... the run directory has the console of the steps before" \
	grep -q "^server: listening on 127.0.0.1:1234" "$LABCTL_RUN_ROOT"/trace-latest/serial-saved.log

# The states kept: the most recently used first, up to LABCTL_SNAPSHOTS_MB.
# A budget of two (90 MiB, states of 35-45): connect's two, then udp's held
# state, saved from the booted one (used again): connect's held one goes.
size_mb() { echo $(( $(stat -c %s "$1") >> 20 )); }
check "connect's states are 30-45 MiB each (the budgets below count on it)" \
	sh -c 'for m in "$@"; do test "$m" -ge 30 -a "$m" -le 45 || exit 1; done' _ \
	"$(size_mb "$base")" "$(size_mb "$held")"
export LABCTL_SNAPSHOTS_MB=90
expect_exit "trace connect --scenario udp, 90 MiB of saved guests kept" 0 trace "$T/udp" connect --scenario udp
udp_held=$(sed -n 's/.*the guest restored from \(.*\), at step client$/\1/p' "$T/udp.err")
check "udp's held state saved from the booted one, the least recently used (connect's held) removed" \
	sh -c 'test -f "$1" -a -f "$2" -a ! -e "$3" && test "$(find "$4" -name "*.state" | wc -l)" = 2' _ \
	"$udp_held" "$base" "$held" "$SNAPS"
check "... a held state's console goes with it, and stays with the one kept" \
	sh -c 'test ! -e "${1%.state}.console" -a -s "${2%.state}.console"' _ "$held" "$udp_held"
# A budget under one state: the one saved last alone is kept, and a trace
# saves again what it lacks, its results the same.
export LABCTL_SNAPSHOTS_MB=1
expect_exit "trace connect, 1 MiB of saved guests kept" 0 trace "$T/budget" connect
unset LABCTL_SNAPSHOTS_MB
check "a 1 MiB budget: one state kept, connect's held one, saved last" \
	sh -c 'test "$(find "$1" -name "*.state" | wc -l)" = 1 -a -f "$2"' _ "$SNAPS" \
	"$(sed -n 's/.*the guest restored from \(.*\), at step client$/\1/p' "$T/budget.err")"
check "a 1 MiB budget: the trace is the cold one's" python3 "$FIX/same_trace.py" \
	"$T/cold1-connect/report.json" "$T/cold2-connect/report.json" "$T/budget/report.json"

# A changed image is another guest: saved anew.
touch "$T/cache/images/current/initramfs.cpio"
expect_exit "trace connect after the image changed" 0 trace "$T/changed" connect
check "a changed image: the guest is saved anew, booted and at step client" test \
	"$(grep -c 'saving the booted guest once' "$T/changed.err")" = 1 -a \
	"$(grep -c 'saving the guest at step client once' "$T/changed.err")" = 1

# A full disk while saving: a cold boot, and the reason named.
rm -f "$SNAPS"/*.state "$SNAPS"/*.console	# a held state keeps its console beside it
expect_exit "trace connect with no room to save the guest" 0 unshare -rm sh -c \
	'mount -t tmpfs -o size=4m tmpfs "$1" && exec "$2" -v trace connect --out "$3" --format json 2>"$3.err"' \
	sh "$SNAPS" "$LABCTL" "$T/full"
check "a full disk: the reason named, the guest booted" \
	grep -q 'no saved guest (QEMU could not write the state: .*): booting it' "$T/full.err"
check "a full disk: the trace is the cold one's" python3 "$FIX/same_trace.py" \
	"$T/cold1-connect/report.json" "$T/cold2-connect/report.json" "$T/full/report.json"
check "a full disk: nothing half-written left" test "$(ls -A "$SNAPS" | wc -l)" = 0

# Every run directory above, restored, saved or booted, keeps files only:
# no socket of a QEMU that is gone (an artifact upload copies the directory).
check "no run directory keeps a socket (find -type s)" \
	sh -c 'test -n "$(find "$1" -name serial.log)" && test -z "$(find "$1" -type s)"' _ "$LABCTL_RUN_ROOT"

done_testing
