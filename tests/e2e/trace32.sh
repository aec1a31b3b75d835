# labctl trace NAME --abi i386 for calls without an i386 scenario: the
# generic program built for i386 (syscall32) makes the call with int $0x80,
# its default the calls.h row of the same name.  What the captures say is
# checked against routes that do not go through labctl's GDB package:
# syscall_32.tbl and syscall_64.tbl, objdump and nm of the program, nm of
# vmlinux, the kernel's uapi headers, addr2line, and what the same program
# printed in an untraced boot.
. "$(dirname "$0")/lib"

KDIR=${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}/kernels/current
need_tools gdb qemu-system-x86_64 objdump nm python3
need_kernel
FIX=$ROOT/tests/e2e/fixtures/trace
SRC=$(readlink -f "$KDIR/source")
TBL32=$SRC/arch/x86/entry/syscalls/syscall_32.tbl
TBL64=$SRC/arch/x86/entry/syscalls/syscall_64.tbl
export LABCTL_RUN_ROOT=$T/runs

q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
num() { printf '%d' "$1"; }
nr32() { awk -v n="$1" '$2 == "i386" && $3 == n { print $1 }' "$TBL32"; }
nr64() { awk -v n="$1" '$2 != "x32" && $3 == n { print $1 }' "$TBL64"; }
define() { sed -n "s/^#define[[:space:]]*$1[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p" "$2"; }
# untraced NR: the program's own console lines, booted without GDB
untraced() {
	"$LABCTL" -q boot --scenario syscall32 --args "$1" --timeout 60 >/dev/null 2>&1
	tr -d '\r' <"$T/runs/boot-latest/serial.log"
}

for sc in getpid exit write pause; do
	out=$T/$sc
	expect_exit "trace $sc --abi i386 (generic program)" 0 "$LABCTL" -q trace "$sc" --abi i386 \
		--out "$out" --format json,md
	j=$out/report.json
	[ -s "$j" ] || { not_ok "trace $sc --abi i386: report.json"; continue; }
	field() { q "$j" "next(f['value'] for f in c['pt_regs']['fields'] if f['field'] == '$1')"; }
	check "i386 $sc: the traced program is syscall32, function lab_syscall" test "$(q "$j" \
		'(c["user"]["task"]["exe"], c["setup"]["program"]["function"], c["setup"]["program"]["abi"])')" = \
		"('syscall32', 'lab_syscall', 'i386')"
	check "i386 $sc: orig_ax = $(nr32 $sc) from syscall_32.tbl" test "$(num "$(field orig_ax)")" -eq "$(nr32 $sc)"
	check "i386 $sc: entered through entry_INT80_compat" \
		test "$(q "$j" 'c["entry"]["start"]["name"]')" = entry_INT80_compat
	prog=$(q "$j" 'c["setup"]["program"]["path"]')
	after=$(objdump -d --no-show-raw-insn "$prog" |
		awk '$2 == "<lab_syscall>:" { on = 1; next } on && /^$/ { on = 0 }
			on && $2 == "int" && $3 == "$0x80" { s = 1; next } on && s { sub(":", "", $1); print $1; exit }')
	check "i386 $sc: pt_regs ip = 0x$after, after int \$0x80 in lab_syscall (objdump)" \
		test "$(num "$(field ip)")" -eq "$(num "0x${after:-0}")"
	# The handler: ia32_sys_call_table's entry is __ia32_sys_NAME (a call
	# without arguments shares its address with __x64_sys_NAME, nm says).
	check "i386 $sc: the handler is at __ia32_sys_$sc's address (nm vmlinux)" test "$(q "$j" \
		'"%016x" % int(c["dispatch"]["hits"][0]["at"]["addr"], 16)')" = "$(nm "$KDIR/vmlinux" |
		awk -v s="__ia32_sys_$sc" '$3 == s { print $1; exit }')"
	call=$(table_call "$KDIR/vmlinux" do_int80_syscall_32 ia32_sys_call_table)
	check "i386 $sc: the dispatch is do_int80_syscall_32's call through ia32_sys_call_table, at $call (objdump, nm)" \
		test "$(q "$j" 'c["setup"]["dispatch"]["kind"], c["setup"]["dispatch"]["insns"][-1]["addr"]')" \
		= "('table', '$call')" -a -n "$call"
	check "i386 $sc: every frame's function, file:line and inlining are addr2line -i's" \
		python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$j"
	check "i386 $sc: beside the x86-64 trace of $sc ($(nr64 $sc) in syscall_64.tbl)" test "$(q "$j" \
		'(c["compare"]["entry"]["start"]["name"], c["compare"]["setup"]["syscall"]["name"],
		  c["compare"]["setup"]["syscall"]["nr"])')" = "('entry_SYSCALL_64', '$sc', $(nr64 $sc))"
	check "i386 $sc: report.md compares the two ways in" grep -q '^## 7. The two ways in, side by side' "$out/report.md"
done

# What each call did, against the program's own words in an untraced boot.
j=$T/getpid/report.json
check "i386 getpid: returned the traced task's pid, back through iret" test "$(q "$j" \
	'(int(c["return"]["regs_ax"], 16) == c["user"]["task"]["pid"], c["return"]["path"])')" = "(True, 'iret')"
check "  ... untraced, syscall32 prints a pid" grep -q "^syscall $(nr32 getpid) returned [1-9][0-9]*\$" \
	<(untraced "$(nr32 getpid)")

j=$T/write/report.json
untraced "$(nr32 write)" >"$T/write.log"
check "i386 write: the calls.h row's 16 bytes in edx" test "$(num "$(q "$j" 'c["user"]["regs"]["rdx"]')")" = 16
check "i386 write: returned what the untraced program printed ($(sed -n "s/^syscall $(nr32 write) returned //p" "$T/write.log"))" \
	test "$(num "$(q "$j" 'c["return"]["regs_ax"]')")" = "$(sed -n "s/^syscall $(nr32 write) returned //p" "$T/write.log")"

j=$T/exit/report.json
check "i386 exit: untraced, init sees syscall32 exit with status 7" \
	grep -q '^LABCTL step syscall exit 7' <(untraced "$(nr32 exit)")
check "i386 exit: the capture ends in do_exit with status 7, and has no return" test "$(q "$j" \
	'(c["end"]["how"], c["end"]["status"], "return" in c)')" = "('exit', 7, False)"
check "i386 exit: the handler, do_exit, then do_task_dead" test "$(q "$j" \
	'[h["what"] for h in c["dispatch"]["hits"]]')" = "['handler', 'do_exit', 'do_task_dead']"
check "i386 exit: report.md says there is no iret" grep -q 'there is no iret for this call' "$T/exit/report.md"
check "i386 exit: the comparison shows both ending with status 7" \
	grep -q '^| back to user mode | with exit status 7 | with exit status 7 |$' "$T/exit/report.md"

# pause's row: +alarm:500, a SIGALRM handler woken into.  On the way back
# the kernel points the task at the handler (an i386 frame: the signal in
# eax), so the task next runs there, not after int $0x80.
j=$T/pause/report.json
SIGNAL_H=$SRC/arch/x86/include/uapi/asm/signal.h
ERRNO_H=$SRC/include/uapi/asm-generic/errno-base.h
untraced "$(nr32 pause)" >"$T/pause.log"
check "i386 pause: untraced, it returned -EINTR ($(define EINTR "$ERRNO_H") from errno-base.h)" \
	grep -q "^syscall $(nr32 pause) returned -$(define EINTR "$ERRNO_H")\$" "$T/pause.log"
check "  ... after the SIGALRM handler ran ($(define SIGALRM "$SIGNAL_H") from signal.h)" \
	grep -q "^syscall: signal $(define SIGALRM "$SIGNAL_H") handled" "$T/pause.log"
prog=$(q "$j" 'c["setup"]["program"]["path"]')
handler=$(nm "$prog" | awk '$3 == "on_signal" { print $1 }')
check "i386 pause: the task slept in schedule() called by pause's handler" test "$(q "$j" \
	'[[f["function"] for f in h["backtrace"][:2]] for h in c["dispatch"]["hits"] if h["what"] == "sleeps"]')" = \
	"[['schedule', '__do_sys_pause']]"
check "i386 pause: it next ran in user mode at on_signal (0x$handler, nm) with eax = SIGALRM" test "$(q "$j" \
	'(c["end"]["how"], int(c["end"]["user_pc"], 16), int(c["end"]["frame_replaced"]["ax"]))')" = \
	"('user', $((0x${handler:-0})), $(define SIGALRM "$SIGNAL_H"))"
check "i386 pause: the i386 signal frame on the user stack holds pause's -EINTR and its ip" test "$(q "$j" \
	'(lambda s: (s["name"], s["frame_type"], s["saved_ax_signed"], s["errno"], s["saved_ip"] == c["user"]["next_pc"]))(c["end"]["frame_replaced"]["signal"])')" = \
	"('SIGALRM', 'struct sigframe_ia32', -$(define EINTR "$ERRNO_H"), 'EINTR', True)"

# The defaults that have no i386 row, and a call x86-64 does not have.
expect_exit "i386 mmap has no default: a usage error saying why" 2 "$LABCTL" -q trace mmap --abi i386 --out "$T/mmap"
check "  ... in the program's words" grep -q "^labctl: error: syscall: mmap ($(nr32 mmap)) has no i386 default (i386's mmap is old_mmap" "$T/err"
expect_exit "i386 accept is not in syscall_32.tbl" 2 "$LABCTL" trace accept --abi i386
check "  ... and syscall_32.tbl indeed lacks it" test -z "$(nr32 accept)"
expect_exit "i386 waitpid, which x86-64 lacks: traced alone" 0 "$LABCTL" trace waitpid --abi i386 \
	--out "$T/waitpid" --format json
check "  ... syscall_64.tbl indeed lacks it" test -z "$(nr64 waitpid)"
check "  ... saying there is nothing to compare with" grep -q '^labctl: waitpid is not in syscall_64.tbl' "$T/err"
check "  ... orig_ax = $(nr32 waitpid), no comparison" test "$(q "$T/waitpid/report.json" \
	'(int(next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "orig_ax"), 16), "compare" in c)')" = \
	"($(nr32 waitpid), False)"
done_testing
