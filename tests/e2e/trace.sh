# labctl trace on the real kernel: what the capture says, checked against
# sources that do not go through labctl's GDB package (syscall_64.tbl, the
# ELF's disassembly, GDB's own ptype of struct pt_regs).  A throwaway guest
# built here (fixtures/trace) gives the failure cases and a decoy; the lab's
# own guest is traced at the end, in both ABIs, and its timelines.
. "$(dirname "$0")/lib"

KDIR=${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}/kernels/current
need_tools gcc gdb qemu-system-x86_64 objdump objcopy python3
need_kernel
FIX=$ROOT/tests/e2e/fixtures/trace
gcc -static -no-pie -O2 -o "$T/prog" "$FIX/prog.c" &&
	python3 "$FIX/mkcpio.py" "$T/guest.cpio" "$T/prog" "$FIX/init" ||
	{ not_ok "trace: build the fixture guest"; exit 1; }
TBL=$KDIR/source/arch/x86/entry/syscalls/syscall_64.tbl
SRC=$(readlink -f "$KDIR/source")
export LABCTL_RUN_ROOT=$T/runs

# q FILE EXPR: a Python expression over the capture `c`, printed.
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
num() { printf '%d' "$1"; }
# call_before FUNCTION ADDR: "indirect" when the instruction before ADDR in
# vmlinux is an indirect call, FUNCTION disassembled from its start (nm).
call_before() {
	local start
	start=$(nm "$KDIR/vmlinux" | awk -v f="$1" '$3 == f { print $1; exit }')
	[ -n "$start" ] || return 1
	objdump -d --no-show-raw-insn --start-address=0x$start --stop-address="$2" \
		"$KDIR/vmlinux" | awk '/^ *[0-9a-f]+:/ { last = $0 }
		END { if (last ~ /\tcall +\*/) print "indirect"; else print last }'
}
# The offsets of struct pt_regs as GDB itself prints them.
gdb -batch -nx -ex 'ptype /o struct pt_regs' "$KDIR/vmlinux" 2>/dev/null |
	sed -n 's|^/\*[[:space:]]*\([0-9][0-9]*\)[[:space:]]*|\1 |p' |
	awk '{ f = $NF; sub(/;$/, "", f); print $1, f }' >"$T/ptype"

for sc in connect bind getpid; do
	out=$T/out-$sc
	expect_exit "trace $sc" 0 "$LABCTL" -q trace "$sc" --program "$T/prog" \
		--initrd "$T/guest.cpio" --out "$out"
	j=$out/report.json
	[ -s "$j" ] || { not_ok "trace $sc: report.json"; continue; }
	check "trace $sc: report.md written" test -s "$out/report.md"
	nr=$(awk -v n="$sc" '$2 != "x32" && $3 == n { print $1 }' "$TBL")
	check "trace $sc: capture ok" test "$(q "$j" 'c["ok"]')" = True
	field() { q "$j" "next(f['value'] for f in c['pt_regs']['fields'] if f['field'] == '$1')"; }
	check "trace $sc: orig_ax = $nr from syscall_64.tbl" test "$(num "$(field orig_ax)")" -eq "$nr"
	# The user selectors as the CPU held them at the syscall instruction, and
	# what the GDT says they are: ring 3, 64-bit code.
	check "trace $sc: pt_regs cs = user cs" test "$(field cs)" = "$(q "$j" 'c["user"]["regs"]["cs"]')"
	check "trace $sc: pt_regs ss = user ss" test "$(field ss)" = "$(q "$j" 'c["user"]["regs"]["ss"]')"
	check "trace $sc: cs is a ring-3 64-bit code selector" \
		test "$(q "$j" 'c["user"]["cs_descriptor"]["dpl"] == 3 and c["user"]["cs_descriptor"]["long_mode"]')" = True
	check "trace $sc: ss is a ring-3 selector" test "$(q "$j" 'c["user"]["ss_descriptor"]["dpl"]')" = 3
	# The saved rip is the address right after a syscall instruction of the ELF.
	after=$(objdump -d --no-show-raw-insn "$T/prog" |
		awk -v f="<lab_$sc>:" '$2 == f { on = 1; next } on && /^$/ { on = 0 }
			on && $2 == "syscall" { s = 1; next } on && s { sub(":", "", $1); print $1; exit }')
	check "trace $sc: pt_regs ip = 0x$after, after syscall in lab_$sc" \
		test "$(num "$(field ip)")" -eq "$(num "0x$after")"
	check "trace $sc: pt_regs offsets match DWARF" test "$(q "$j" \
		'"\n".join("%d %s" % (f["offset"], f["field"]) for f in c["pt_regs"]["fields"])')" = "$(cat "$T/ptype")"
	check "trace $sc: every pushed word is its field's value" test "$(q "$j" '
all(next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == s["push"]["field"]) == s["push"]["word"]
    for s in c["entry"]["steps"] if "push" in s and s["push"]["field"])')" = True
	check "trace $sc: the user rsp saved before the switch reads back" test "$(q "$j" \
		'(c["entry"]["stack_switch"]["user_rsp_saved"]["matches"] and
		  c["entry"]["stack_switch"]["user_rsp"] == c["user"]["regs"]["rsp"])')" = True
	check "trace $sc: 21 pushes fill pt_regs" test "$(q "$j" \
		'len([s for s in c["entry"]["steps"] if "push" in s and s["push"]["field"]])')" = 21
	check "trace $sc: handler is __x64_sys_$sc" \
		test "$(q "$j" 'c["dispatch"]["hits"][0]["at"]["name"]')" = "__x64_sys_$sc"
	check "trace $sc: backtrace handler <- do_syscall_64 <- entry_SYSCALL_64" test "$(q "$j" \
		'" ".join(f["symbol"].split("+")[0] for f in c["dispatch"]["hits"][0]["backtrace"])')" = \
		"__x64_sys_$sc do_syscall_64 entry_SYSCALL_64"
	check "trace $sc: every frame's function, file:line and inlining are addr2line -i's" \
		python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$j"
	# Where the handler returned: after do_syscall_64's indirect call (its
	# disassembly), with the value the program got.
	ret=$(q "$j" 'int(c["dispatch"]["handler_return"]["pc"], 16)')
	check "trace $sc: the handler returns after do_syscall_64's call through the table (objdump)" \
		test "$(call_before do_syscall_64 "$ret")" = indirect
	call=$(table_call "$KDIR/vmlinux" do_syscall_64 sys_call_table)
	check "trace $sc: the dispatch is do_syscall_64's call through sys_call_table, at $call (objdump, nm)" \
		test "$(q "$j" 'c["setup"]["dispatch"]["kind"], c["setup"]["dispatch"]["insns"][-1]["addr"]')" \
		= "('table', '$call')" -a -n "$call"
	check "trace $sc: ... the report shows that instruction" grep -q "^$call <do_syscall_64+0x[0-9a-f]*>: *call" "$out/report.md"
	check "trace $sc: ... with the value sysret gives the program" test "$(q "$j" \
		'c["dispatch"]["handler_return"]["rax"] == c["return"]["regs_ax"]')" = True
	check "trace $sc: schedule() before the handler returned is a sleep in it, after it a resched" \
		test "$(q "$j" '([(h["what"], c["dispatch"]["hits"][0]["at"]["symbol"] in
			[f["symbol"].split("+")[0] for f in h["backtrace"]])
			for h in c["dispatch"]["hits"] if h["what"] in ("sleeps", "resched")]
			in ([], [("sleeps", True)], [("resched", False)]))')" = True
	check "trace $sc: the stack balances and user state is restored" test "$(q "$j" \
		'(all(v for k, v in c["return"]["checks"].items() if k != "pops_match_pushes") and
		  c["return"]["checks"]["pops_match_pushes"]["mismatched"] == 0)')" = True
done

j=$T/out-connect/report.json
if [ -s "$j" ]; then
	check "trace connect: the decoy at the same address was rejected" test "$(q "$j" \
		'[(r["exe"], r["reason"]) for r in c["filter"]["rejected_sample"]]')" = "[('decoy', 'another executable')]"
	check "trace connect: the task traced runs prog" test "$(q "$j" 'c["user"]["task"]["exe"]')" = prog
	# By what they are: connect may also sleep waiting for the handshake, or
	# be rescheduled on its way back (both seen under load).
	check "trace connect: __sys_connect, inet_stream_ops.connect = inet_stream_connect, tcp_v4_connect, hit" \
		test "$(q "$j" '(c["dispatch"]["socket"]["ops"]["name"] + " " +
			" ".join(h["at"]["name"] for h in c["dispatch"]["hits"]
				 if h["what"] in ("socket_layer", "ops_method", "proto_method")))')" = \
		"inet_stream_ops __sys_connect inet_stream_connect tcp_v4_connect"
	check "trace connect: sockaddr decoded" test "$(q "$j" \
		'"%s:%d" % (c["user"]["args"]["sockaddr"]["address"], c["user"]["args"]["sockaddr"]["port"])')" = 127.0.0.1:4242
fi

# report.html: self-contained, and it renders (headless Chromium's screenshot
# of a blank or broken page is a few kB; this one is hundreds).
html=$T/out-connect/report.html
check "trace connect: report.html written" test -s "$html"
check "report.html is self-contained" lacks "$html" -E '(src|href)="[^"#]'
check "report.html has the stack diagrams" test "$(grep -c '<svg' "$html")" -ge 2
if command -v chromium >/dev/null; then
	timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1300,2400 --screenshot="$T/shot.png" "file://$html" >/dev/null 2>&1
	check "report.html renders in headless Chromium" \
		test "$(stat -c %s "$T/shot.png" 2>/dev/null || echo 0)" -gt 100000
else
	skip "report.html rendering: no chromium"
fi

expect_exit "trace 42 is connect" 0 "$LABCTL" -q trace 42 --program "$T/prog" \
	--initrd "$T/guest.cpio" --out "$T/out-42" --format json
check "trace 42: only report.json" test -s "$T/out-42/report.json" -a ! -e "$T/out-42/report.md"

# Failures.
expect_exit "unknown syscall is a usage error" 2 "$LABCTL" trace conect --program "$T/prog" --initrd "$T/guest.cpio"
check "unknown syscall suggests connect" grep -q 'did you mean connect' "$T/err"
expect_exit "program without lab_SYSCALL" 4 "$LABCTL" trace read --program "$T/prog" --initrd "$T/guest.cpio"
expect_exit "bad --format" 2 "$LABCTL" trace connect --format pdf --program "$T/prog" --initrd "$T/guest.cpio"
expect_exit "program that never makes the call fails" 1 "$LABCTL" -q trace connect --scenario none \
	--program "$T/prog" --initrd "$T/guest.cpio" --out "$T/out-none" --timeout 30
check "... with one clear error line" grep -q 'guest ended before prog made system call 42' "$T/err"
check "... only one" test "$(wc -l <"$T/err")" -eq 1
check "... and nothing left running" test -z "$(pgrep -f "$T/runs" || true)"
# 20 s: the phase named is where the program waits, not GDB still starting
# on a busy machine.
expect_exit "a program that hangs is a timeout" 5 "$LABCTL" trace connect --timeout 20 \
	--scenario hang --program "$T/prog" --initrd "$T/guest.cpio" --out "$T/out-hang"
check "... naming the phase" grep -q "in phase 'user'" "$T/err"
check "... and nothing left running" test -z "$(pgrep -f "$T/runs" || true)"

# A vmlinux without debug information.
nodebug=$T/cache/kernels/nodebug
mkdir -p "$nodebug"
for f in bzImage config source obj kernel.json; do ln -s "$(readlink -f "$KDIR/$f")" "$nodebug/$f"; done
objcopy --strip-debug "$KDIR/vmlinux" "$nodebug/vmlinux"
ln -s nodebug "$T/cache/kernels/current"
expect_exit "vmlinux without debug info is bad input" 4 env LABCTL_CACHE_DIR="$T/cache" "$LABCTL" trace connect \
	--program "$T/prog" --initrd "$T/guest.cpio" --out "$T/out-nodebug"
check "... saying so" grep -q 'no debug information' "$T/err"

# The lab's own guest, with every default: the scenario named after the
# syscall, its traced program and function, the lab initramfs.
expect_exit "trace connect with the lab guest" 0 "$LABCTL" -q trace connect --out "$T/lab" --format json
j=$T/lab/report.json
check "lab trace: the traced task runs tcp_client" test "$(q "$j" 'c["user"]["task"]["exe"]')" = tcp_client
# Restored at the client's step, the server ran before the save: booted,
# the whole scenario runs under GDB, the server's bind at the client's
# syscall address included, and the server prints where it listens.
expect_exit "trace connect with the lab guest booted (--no-snapshot)" 0 "$LABCTL" -q trace connect \
	--no-snapshot --out "$T/lab-booted" --format json
jb=$T/lab-booted/report.json
sockaddr='"%s:%d" % (c["user"]["args"]["sockaddr"]["address"], c["user"]["args"]["sockaddr"]["port"])'
check "booted: the server's syscalls at that address were stops turned down, none taken" \
	test "$(q "$jb" 'c["filter"]["rejected"] > 0 and all(r["exe"] == "tcp_server" for r in c["filter"]["rejected_sample"])')" = True
check "booted: the sockaddr is the server's, as it printed it" test "$(q "$jb" "$sockaddr")" = \
	"$(tr -d '\r' <"$T/runs/trace-latest/serial.log" | sed -n 's/^server: listening on //p')"
check "lab trace (restored at the client's step): the same sockaddr, the server's" \
	test "$(q "$j" "$sockaddr")" = "$(q "$jb" "$sockaddr")"
check "lab trace: the filter stopped at the client's syscall alone" \
	test "$(q "$j" '[c["filter"]["stops"], c["filter"]["rejected"], c["setup"]["guest"]]')" = \
	"[1, 0, {'started': 'restored', 'step': 'client'}]"
check "lab trace: handler __x64_sys_connect" \
	test "$(q "$j" 'c["dispatch"]["hits"][0]["at"]["name"]')" = __x64_sys_connect
check "lab trace: every frame's function, file:line and inlining are addr2line -i's" \
	python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$j"
check "lab trace: no source path outside the tree" test "$(q "$j" \
	'[f["file"] for h in c["dispatch"]["hits"] for f in h["backtrace"] if f["file"].startswith("/")]')" = "[]"
expect_exit "trace a syscall without a scenario (getppid) through the generic program" 0 \
	"$LABCTL" -q trace getppid --out "$T/lab-getppid" --format json
check "generic trace: orig_ax = 110" test "$(q "$T/lab-getppid/report.json" \
	'int(next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "orig_ax"), 16)')" = \
	"$(awk '$3 == "getppid" { print $1 }' "$TBL")"
check "generic trace: no warning for a call the kernel has" lacks "$T/err" 'warning'
expect_exit "generic trace: an argument the program refuses is a usage error" 2 \
	"$LABCTL" -q trace getpid xyz --out "$T/lab-badarg"
check "  ... in the program's own words, one line" test "$(grep -c \
	"^labctl: error: syscall: bad argument 'xyz' .*(the guest's step syscall exited 2 before the call" "$T/err")" = 1

# The lab kernel has every call of 0-99: no table entry is a stub, by nm (a
# COND_SYSCALL stub is a weak __x64_sys_NAME, or sys_ni_syscall itself).
check "lab kernel: none of the calls 0-99 of syscall_64.tbl is an -ENOSYS stub (nm)" python3 -c '
import subprocess, sys
syms = {}
for line in subprocess.run(["nm", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines():
    p = line.split()
    if len(p) == 3:
        syms.setdefault(p[2], (p[0], p[1]))
ni = {a for n, (a, t) in syms.items() if n.endswith("sys_ni_syscall")}
rows = [l.split() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
rows = [r for r in rows if len(r) >= 4 and r[1] in ("common", "64") and int(r[0]) < 100]
stubs = [r[2] for r in rows if syms.get("__x64_" + r[3], ("", "W"))[1] == "W"
         or syms["__x64_" + r[3]][0] in ni]
print("    %d calls, stubs: %s" % (len(rows), stubs))
sys.exit(0 if len(rows) == 100 and not stubs else 1)' "$KDIR/vmlinux" "$TBL"

# A call the lab kernel is built without (kexec_load: no CONFIG_KEXEC) is
# named as a stub, with the option, in a warning line and the report.
expect_exit "trace kexec_load (compiled out) still traces the stub" 0 \
	"$LABCTL" -q trace kexec_load --out "$T/lab-stub"
check "  ... nm: __x64_sys_kexec_load is a weak stub" \
	grep -q ' W __x64_sys_kexec_load$' <(nm "$KDIR/vmlinux")
check "  ... kernel/Makefile builds kexec.o under CONFIG_KEXEC, which is not set" \
	sh -c "grep -q '^obj-\$(CONFIG_KEXEC)[[:space:]]*+= kexec.o' '$KDIR/source/kernel/Makefile' &&
		! grep -q '^CONFIG_KEXEC=y' '$KDIR/config'"
check "  ... one warning line names the stub and CONFIG_KEXEC" test "$(grep -c \
	'^labctl: warning: sys_call_table\[246\] is __x64_sys_kexec_load, an -ENOSYS stub of kernel/sys_ni.c: .*(kernel/kexec.c, built by CONFIG_KEXEC)$' \
	"$T/err")" = 1
check "  ... report.md says so, with the option" grep -q \
	'^The call is defined in kernel/kexec.c, which `CONFIG_KEXEC` builds' "$T/lab-stub/report.md"
check "  ... the stub's frame is in kernel/sys_ni.c, as addr2line says" \
	python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$T/lab-stub/report.json"

# Calls that do not come back.  What the guest's own init saw (its console)
# and the source tree's signal numbers are the independent routes.
SIGNAL_H=$KDIR/source/arch/x86/include/uapi/asm/signal.h
expect_exit "trace exit 7: a call that never returns" 0 "$LABCTL" -q trace exit 7 --out "$T/lab-exit"
j=$T/lab-exit/report.json
# (the trace stops the guest at do_task_dead: the same call untraced, for
# what init sees)
"$LABCTL" boot --scenario syscall --args 60,7 >"$T/boot-exit.out" 2>&1
check "  ... untraced, init sees the program exit with status 7" \
	grep -q '^LABCTL step syscall exit 7' <(tr -d '\r' <"$T/boot-exit.out")
check "  ... the capture ends in do_exit with status 7, and has no return" test "$(q "$j" \
	'(c["end"]["how"], c["end"]["status"], "return" in c)')" = "('exit', 7, False)"
check "  ... do_exit, then do_task_dead, hit in the task" test "$(q "$j" \
	'[h["what"] for h in c["dispatch"]["hits"]]')" = "['handler', 'do_exit', 'do_task_dead']"
check "  ... report.md says there is no sysret" grep -q 'there is no sysret for this call' "$T/lab-exit/report.md"
check "  ... every frame as addr2line -i gives it" python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$j"

# (an argument: the generic program's default call has a real frame)
expect_exit "trace rt_sigreturn without a signal frame" 0 "$LABCTL" -q trace rt_sigreturn 0 --out "$T/lab-rt"
j=$T/lab-rt/report.json
segv=$(awk '$1 == "#define" && $2 == "SIGSEGV" { print $3 }' "$SIGNAL_H")
"$LABCTL" boot --scenario syscall --args 15,0 >"$T/boot-rt.out" 2>&1
check "  ... untraced, init sees the program killed by SIGSEGV ($segv from signal.h)" \
	grep -q "^LABCTL step syscall exit $((128 + segv))" <(tr -d '\r' <"$T/boot-rt.out")
check "  ... the call rewrote its frame, and the task died of signal $segv" test "$(q "$j" \
	'(c["end"]["frame_replaced"]["ip"] != c["user"]["next_pc"], c["end"]["signal"], c["end"]["signal_name"])')" = \
	"(True, $segv, 'SIGSEGV')"
check "  ... the kernel delivered it on the way back (get_signal in do_exit's backtrace)" test "$(q "$j" \
	'"get_signal" in [f["function"] for h in c["dispatch"]["hits"] if h["what"] == "do_exit" for f in h["backtrace"]]')" = True

# fork returns twice: the child's own pt_regs and first return to user mode,
# against the untraced program's two printed lines and objdump.
expect_exit "trace fork: the parent's return and the child's" 0 "$LABCTL" -q trace fork --out "$T/lab-fork"
j=$T/lab-fork/report.json
"$LABCTL" boot --scenario syscall --args 57 >"$T/boot-fork.out" 2>&1
check "  ... untraced, the parent prints the child's pid" grep -q '^syscall 57 returned [1-9][0-9]*$' \
	<(tr -d '\r' <"$T/boot-fork.out")
check "  ... the child is the pid the parent got, its pt_regs ax 0" test "$(q "$j" \
	'(c["child"]["task"]["pid"] == int(c["return"]["regs_ax"], 16),
	  [int(f["value"], 16) for f in c["child"]["pt_regs"]["fields"] if f["field"] == "ax"])')" = "(True, [0])"
prog=$(q "$j" 'c["setup"]["program"]["path"]')
after=$(objdump -d --no-show-raw-insn "$prog" |
	awk '$2 == "<lab_syscall>:" { on = 1; next } on && /^$/ { on = 0 }
		on && $2 == "syscall" { s = 1; next } on && s { sub(":", "", $1); print $1; exit }')
check "  ... the child first runs in user mode at 0x$after, after lab_syscall's syscall (objdump), rax 0" \
	test "$(q "$j" '(int(c["child"]["user_pc"], 16), int(c["child"]["user_rax"], 16))')" = "($((0x$after)), 0)"

# A call that blocks for ever: the time limit stops the guest, and what was
# seen is written, marked incomplete.
# (an argument: the generic program's default pause is woken by an alarm)
expect_exit "trace pause (blocks for ever) times out" 5 "$LABCTL" trace pause 0 --timeout 12 --out "$T/lab-pause"
check "  ... the error line names the phase and the partial report" grep -q \
	"^labctl: error: trace timed out: time limit reached in phase 'dispatch' .*; what it saw: $T/lab-pause/report.md\$" "$T/err"
check "  ... stdout lists the reports written" test "$(cat "$T/out")" = \
	"$(printf '%s\n' "$T/lab-pause/report.json" "$T/lab-pause/report.md" "$T/lab-pause/report.html")"
check "  ... report.md is marked incomplete" grep -q '^## Incomplete trace$' "$T/lab-pause/report.md"
check "  ... and shows where the task sleeps: schedule() called by pause's handler" test "$(q "$T/lab-pause/report.json" \
	'[[f["function"] for f in h["backtrace"][:2]] for h in c["dispatch"]["hits"] if h["what"] == "sleeps"]')" = \
	"[['schedule', '__do_sys_pause']]"
check "  ... every frame as addr2line -i gives it" \
	python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$T/lab-pause/report.json"

# The report in Chinese, rendered by GDB's Python from params.json's lang.
expect_exit "trace getpid --lang zh" 0 "$LABCTL" -q trace getpid --lang zh --format md --out "$T/lab-zh"
check "  ... report.md has the Chinese heading" grep -q "^# 系统调用 \`getpid\`（$(awk '$2 != "x32" && $3 == "getpid" { print $1 }' "$TBL") 号）在 Linux " \
	"$T/lab-zh/report.md"
check "  ... and the Chinese sections" grep -q '^## 2\. 用户态：`syscall` 指令$' "$T/lab-zh/report.md"

# The 32-bit path: the i386 client through int $0x80 and socketcall, beside
# the same call the x86-64 way.
NET_H=$KDIR/source/include/uapi/linux/net.h
TBL32=$KDIR/source/arch/x86/entry/syscalls/syscall_32.tbl
expect_exit "trace connect --abi i386" 0 "$LABCTL" -q trace connect --abi i386 --out "$T/lab32"
j=$T/lab32/report.json
check "i386 trace: entered through entry_INT80_compat" \
	test "$(q "$j" 'c["entry"]["start"]["name"]')" = entry_INT80_compat
check "i386 trace: every frame's function, file:line and inlining are addr2line -i's" \
	python3 "$FIX/frames.py" "$KDIR/vmlinux" "$SRC" "$j"
check "i386 trace: orig_ax = socketcall from syscall_32.tbl" test "$(q "$j" \
	'int(next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "orig_ax"), 16)')" = \
	"$(awk '$3 == "socketcall" { print $1 }' "$TBL32")"
check "i386 trace: ebx = SYS_CONNECT from net.h" test "$(q "$j" 'c["user"]["args"]["socketcall"]["call"]')" = \
	"$(awk '$2 == "SYS_CONNECT" { print $3 }' "$NET_H")"
check "i386 trace: the CPU pushed the user ip, cs, flags, sp, ss on the stack TSS.sp0 names" test "$(q "$j" \
	'(" ".join(w["field"] for w in c["entry"]["hardware_frame"]["words"]),
	  c["entry"]["hardware_frame"]["top_is_tss_sp0"],
	  int(c["entry"]["hardware_frame"]["words"][0]["word"], 16) == int(c["user"]["next_pc"], 16))')" = \
	"('ip cs flags sp ss', True, True)"
check "i386 trace: down to __sys_connect and tcp_v4_connect" test "$(q "$j" \
	'" ".join(h["at"]["name"] for h in c["dispatch"]["hits"]
		 if h["what"] in ("handler", "socket_layer", "ops_method", "proto_method"))')" = \
	"__ia32_compat_sys_socketcall __sys_connect inet_stream_connect tcp_v4_connect"
check "i386 trace: back through iret, the stack balanced" test "$(q "$j" \
	'(c["return"]["path"] == "iret" and all(v for k, v in c["return"]["checks"].items() if k != "pops_match_pushes")
	  and c["return"]["checks"]["pops_match_pushes"]["mismatched"] == 0)')" = True
check "i386 trace: beside the x86-64 trace of connect" test "$(q "$j" \
	'(c["compare"]["entry"]["start"]["name"], c["compare"]["setup"]["syscall"]["name"])')" = \
	"('entry_SYSCALL_64', 'connect')"
check "i386 trace: report.md compares the two ways in" grep -q '^## 7. The two ways in, side by side' "$T/lab32/report.md"

# Timelines: every socket call of the scenario's programs, in order.
expect_exit "timeline of hello-hi" 0 "$LABCTL" -q trace --timeline hello-hi --out "$T/tl" --format json,md,html
j=$T/tl/report.json
# lane EXE: the calls of that program, in order
lane() { q "$1" "' '.join(e['call'] for e in c['scenarios'][${3:-0}]['events'] if e['task']['exe'] == '$2')"; }
check "timeline hello-hi: the server hi: socket setsockopt bind listen accept recvfrom sendto" \
	test "$(lane "$j" hi)" = "socket setsockopt bind listen accept recvfrom sendto"
check "timeline hello-hi: the client hello: socket connect sendto recvfrom" \
	test "$(lane "$j" hello)" = "socket connect sendto recvfrom"
check "timeline hello-hi: the server listens before the client connects" test "$(q "$j" '
([e["seq"] for e in c["scenarios"][0]["events"] if e["call"] == "listen"][0] <
 [e["seq"] for e in c["scenarios"][0]["events"] if e["call"] == "connect"][0])')" = True
# first EXE CALL: the text of that program's first such call (the two
# programs' calls interleave as the guest's scheduler ran them)
first() { q "$j" "next(e['text'] for e in c['scenarios'][0]['events'] if e['task']['exe'] == '$1' and e['call'] == '$2')"; }
check "timeline hello-hi: hello sent \"hello\"" test "$(first hello sendto)" = 'sendto(3, "hello", 5, 0, NULL, 0)'
check "timeline hello-hi: hi received it" test "$(first hi recvfrom)" = 'recvfrom(3, "hello", 63, 0, NULL, 0)'
check "timeline hello-hi: every call returned before the power-off" test "$(q "$j" \
	'(c["scenarios"][0]["unfinished"], c["scenarios"][0]["ended"], all("ret" in e for e in c["scenarios"][0]["events"]))')" = \
	"([], 'the guest powered off', True)"
check "timeline hello-hi: no BusyBox process in it" test "$(q "$j" \
	'sorted({e["task"]["exe"] for e in c["scenarios"][0]["events"]})')" = "['hello', 'hi']"
check "timeline hello-hi: report.md has the table" grep -q '^| # | t (ms) | pid |' "$T/tl/report.md"
check "timeline hello-hi: report.html has the sequence diagram" grep -q 'aria-label="sequence of socket calls"' "$T/tl/report.html"

expect_exit "timeline of connect, udp, unix side by side" 0 "$LABCTL" -q trace --timeline connect,udp,unix \
	--out "$T/tl3" --format json,md
j=$T/tl3/report.json
# dispatch N: "proto_ops proto" of the scenario's connect
dispatch() { q "$j" "next(e['socket']['ops']['name'] + ' ' + e['socket']['proto']['name']
	for e in c['scenarios'][$1]['events'] if e['call'] == 'connect')"; }
check "dispatch: TCP connect reaches inet_stream_ops and tcp_prot" test "$(dispatch 0)" = "inet_stream_ops tcp_prot"
check "dispatch: UDP connect reaches inet_dgram_ops and udp_prot" test "$(dispatch 1)" = "inet_dgram_ops udp_prot"
check "dispatch: UNIX connect reaches unix_stream_ops and unix_proto" test "$(dispatch 2)" = "unix_stream_ops unix_proto"
check "dispatch: the methods used" test "$(q "$j" "[next(e['socket']['ops_method']['name'] + ' ' +
	(e['socket']['proto_method'] or {}).get('name', '-') for e in s['events'] if e['call'] == 'connect')
	for s in c['scenarios']]")" = \
	"['inet_stream_connect tcp_v4_connect', 'inet_dgram_connect ip4_datagram_connect', 'unix_stream_connect -']"
check "connect, udp, unix: every call returned" test "$(q "$j" '[s["unfinished"] for s in c["scenarios"]]')" = "[[], [], []]"
check "dispatch: report.md has the side-by-side table" grep -q '^| call | connect | udp | unix |' "$T/tl3/report.md"
check "connect, udp, unix: one GDB, kept, ran the three (vmlinux loaded once)" test "$(
	for s in connect udp unix; do sed -n 's/^labctl-served: job \([0-9]*\) of GDB \([0-9]*\)$/\1 \2/p' \
		"$LABCTL_RUN_ROOT"/timeline-latest/$s/gdb.log; done | awk '{ print $1; pid[$2] } END { print length(pid) }' |
	paste -sd' ')" = "1 2 3 1"

expect_exit "timeline of hello-hi, i386" 0 "$LABCTL" -q trace --timeline hello-hi --abi i386 --out "$T/tl32" --format json
# The same programs, compiled for i386, make the same calls through socketcall:
# its call values named by net.h's SYS_* must be the x86-64 calls (send and
# recv being sendto and recvfrom without an address).
calls32() {
	q "$T/tl32/report.json" "' '.join(str(e['socketcall']['call']) for e in c['scenarios'][0]['events']
		if e['task']['exe'] == '$1')" |
		tr ' ' '\n' | while read -r v; do awk -v v="$v" '$3 == v { print tolower(substr($2, 5)) }' "$NET_H"; done |
		sed 's/^send$/sendto/; s/^recv$/recvfrom/' | paste -sd' '
}
check "i386 timeline: every call is socketcall" test "$(q "$T/tl32/report.json" \
	'{e["syscall"] for e in c["scenarios"][0]["events"]}')" = "{'socketcall'}"
check "i386 timeline: hi32's socketcall values are hi's calls" test "$(calls32 hi32)" = "$(lane "$T/tl/report.json" hi)"
check "i386 timeline: hello32's socketcall values are hello's calls" test "$(calls32 hello32)" = "$(lane "$T/tl/report.json" hello)"
# A call still in the kernel at power-off is data: a program's child left
# blocked in accept() (the program prints its pid: the route the timeline's
# pid is checked against).
D=$T/data
mkdir -p "$D"
cp -R "$ROOT/kernel-config" "$ROOT/rootfs" "$ROOT/scenarios" "$ROOT/gdb" "$D/"
cp "$FIX/orphan.c" "$D/rootfs/programs/"
cp "$FIX/orphan.ini" "$D/scenarios/"
LABCTL_DATADIR=$D expect_exit "timeline with a call still in the kernel at power-off" 0 \
	"$LABCTL" -q trace --timeline orphan --out "$T/tlo" --format json,md,html
j=$T/tlo/report.json
pid=$(tr -d '\r' <"$T/runs/timeline-latest/orphan/serial.log" | sed -n 's/^orphan: pid \([0-9]*\) listening$/\1/p')
check "unfinished: the child's accept, by the pid it printed ($pid)" test "$(q "$j" \
	'[(e["task"]["pid"], e["call"], "ret" in e) for e in c["scenarios"][0]["events"] if e["seq"] in c["scenarios"][0]["unfinished"]]')" = \
	"[(${pid:-none}, 'accept', False)]"
check "unfinished: its socket, bind and listen returned 0 or an fd" test "$(q "$j" \
	'[(e["call"], e["ret"] >= 0) for e in c["scenarios"][0]["events"] if "ret" in e]')" = \
	"[('socket', True), ('bind', True), ('listen', True)]"
check "unfinished: the guest powered off normally" test "$(q "$j" '(c["scenarios"][0]["ended"], c["scenarios"][0]["console"]["status"])')" = "('the guest powered off', 0)"
check "unfinished: report.md says so" grep -q '^Calls still in the kernel when the recording ended (the guest powered off): [0-9]* (orphan, accept)\.$' "$T/tlo/report.md"
check "unfinished: report.html's diagram (parsed as XML) draws the call" python3 -c '
import re, sys, xml.etree.ElementTree as ET
svgs = [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", open(sys.argv[1]).read(), re.S)]
texts = [t.text or "" for s in svgs for t in s.iter("{http://www.w3.org/2000/svg}text")]
sys.exit(not any(re.fullmatch(r"\d+\. accept.* = still in the kernel", t) for t in texts))' "$T/tlo/report.html"

expect_exit "timeline: a scenario without an i386 variant" 4 "$LABCTL" trace --timeline unix --abi i386
expect_exit "timeline: no system call with it" 2 "$LABCTL" trace connect --timeline connect
done_testing
