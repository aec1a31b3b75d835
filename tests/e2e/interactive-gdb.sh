# The interactive session's commands (gdb/labctl/interactive.py) in a real
# GDB on the lab kernel, driven with -batch: lab-stop at connect's syscall
# instruction, lab-step to the call of do_syscall_64, lab-regs there,
# checked against what GDB itself says at that point (p *(struct pt_regs
# *)$rsp, ptype /o struct pt_regs), then lab-report's capture against a
# plain labctl trace of the same call.  The whole command (labctl trace
# --interactive in a terminal) is tested by the tmux test.
. "$(dirname "$0")/lib"

need_tools gdb qemu-system-x86_64 python3
need_kernel
export LABCTL_RUN_ROOT=$T/runs

# q FILE EXPR: a Python expression over the capture `c`, printed.
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# A plain trace: the reference capture, and the params.json labctl writes
# for lab-trace, which lab-stop takes as it is (its out and report_dir
# moved to $T/ipy).
expect_exit "trace connect (the reference)" 0 "$LABCTL" -q trace connect --out "$T/ref"
params=$(ls "$T"/runs/trace-*/params.json 2>/dev/null | head -1)
[ -s "$params" ] || { not_ok "trace connect left its params.json"; done_testing; exit 1; }
mkdir -p "$T/ipy"
python3 - "$params" "$T/ipy" <<'EOF'
import json, os, sys
p = json.load(open(sys.argv[1]))
p.update(out=os.path.join(sys.argv[2], 'capture.json'), report_dir=sys.argv[2], lang='en')
json.dump(p, open(os.path.join(sys.argv[2], 'params.json'), 'w'), indent=1)
EOF

# A paused guest of the same scenario, and GDB as labctl trace --interactive
# runs it (the package from this tree), driven with -batch.
"$LABCTL" -q boot --gdb --scenario connect --timeout 120 >"$T/gdbcmd" 2>"$T/gdberr" &
bootpid=$!
wait_for_line "$T/gdbcmd" $bootpid
cmd=$(head -1 "$T/gdbcmd")
vmlinux=$(echo "$cmd" | awk '{ print $3 }')
sock=$(echo "$cmd" | sed -n "s/.*target remote \([^']*\)'.*/\1/p")
check "boot --gdb printed a gdb command" test -n "$sock" -a -e "$vmlinux"
timeout 300 gdb -q -nx -batch -iex 'set auto-load off' \
	-iex "python import sys; sys.path.insert(0, '$ROOT/gdb')" "$vmlinux" \
	-ex "target remote $sock" -ex 'python import labctl.register' \
	-ex 'lab-step' \
	-ex "lab-stop $T/ipy/params.json" \
	-ex 'lab-regs' -ex 'echo @@step1\n' -ex 'lab-step' -ex 'echo @@step3\n' -ex 'lab-step 3' \
	-ex 'echo @@steps\n' -ex 'lab-step 100' \
	-ex 'echo @@regs\n' -ex 'lab-regs' \
	-ex 'echo @@where\n' -ex 'lab-where' \
	-ex 'echo @@gdb\n' -ex 'p/x *(struct pt_regs *)$rsp' -ex 'p/x $rsp' -ex 'p/x $rsi' \
	-ex 'echo @@ptype\n' -ex 'ptype /o struct pt_regs' \
	-ex 'echo @@report\n' -ex 'lab-report' \
	-ex 'echo @@after\n' -ex 'lab-step' \
	>"$T/session" 2>&1
kill $bootpid 2>/dev/null
wait $bootpid 2>/dev/null
# section NAME: the session's output between @@NAME and the next @@
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' "$T/session"; }
show() { sed 's/^/    session: /' "$T/session" | head -80; }

check "lab-step before lab-stop: no lab session" \
	grep -q '^no lab session: labctl trace SYSCALL --interactive starts one$' "$T/session" || show
check "lab-stop stops at connect's syscall instruction" \
	grep -q '^Stopped at lab_connect+0x[0-9a-f]* (tcp_client): .* system call 42 (connect)\.$' \
	"$T/session"
check "lab-regs at the syscall: none being built yet" \
	grep -q '^No struct pt_regs is being built yet' "$T/session"
check "the first lab-step is the syscall instruction: ring 3 to ring 0" \
	sh -c "echo \"\$1\" | grep -q 'privilege level 3 → 0'" _ "$(section step1)"
check "the next three: swapgs, rsp saved, the switch to the kernel stack" \
	test "$(section step3 | grep -c -e 'swapgs: gs_base' -e 'saved in cpu_tss_rw' \
		-e '(the kernel stack)$')" = 3
check "lab-step until the call fills every field once" test "$(section steps |
	grep -c '^ *push .* → pt_regs->[a-z0-9_]* (+[0-9]*) = 0x')" = 21
check "... and stops before call do_syscall_64" \
	sh -c "echo \"\$1\" | grep -q '^The entry is done: the next instruction calls do_syscall_64'" \
	_ "$(section steps)"
check "lab-where: the call, its entry_64.S line, its sentence" test "$(section where |
	grep -c -e '<entry_SYSCALL_64+0x[0-9a-f]*>  call 0x[0-9a-f]* <do_syscall_64>$' \
		-e '^arch/x86/entry/entry_64.S:[0-9]*: call' -e '^Calls do_syscall_64, the C part')" = 3

# lab-regs at the call against GDB's own reading of struct pt_regs at rsp
section regs | awk '$3 == "filled" || $3 == "empty" { sub(/^\+/, "", $1); print $1, $2, $3, $4 }' \
	>"$T/labregs"
section gdb | python3 -c '
import re, sys
text = sys.stdin.read()
body = text[text.index("{") + 1:text.index("}")]
for name, value in re.findall(r"(\w+) = (0x[0-9a-f]+)", body):
    print(name, value)
' >"$T/gdbregs"
section ptype | sed -n 's|^/\*[[:space:]]*\([0-9][0-9]*\)[[:space:]]*|\1 |p' |
	awk '{ f = $NF; sub(/;$/, "", f); print $1, f }' >"$T/ptype"
check "lab-regs: 21 slots, all filled" test "$(awk '$3 == "filled"' "$T/labregs" | wc -l)" = 21
check "lab-regs' offsets and fields are ptype /o struct pt_regs'" \
	test "$(awk '{ print $1, $2 }' "$T/labregs" | sort -n)" = "$(sort -n "$T/ptype")"
check "lab-regs' values are GDB's p/x *(struct pt_regs *)\$rsp" \
	test "$(awk '{ print $2, $4 }' "$T/labregs" | sort)" = "$(sort "$T/gdbregs")"
base=$(section regs | sed -n 's/^struct pt_regs at \(0x[0-9a-f]*\) .*/\1/p')
check "lab-regs' pt_regs is at rsp = rsi, the C entry's argument" test \
	"$(section gdb | sed -n 's/^\$[0-9]* = \(0x[0-9a-f]*\)$/\1/p' | sort -u)" = "$base"
check "every slot was written by a recorded push" \
	test "$(section regs | grep -c ' filled  *0x[0-9a-f]*  *#[0-9]* 0xffffffff[0-9a-f]* push ')" = 21

# lab-report: the capture and reports of a trace, the same steps as the reference
c=$T/ipy/capture.json
check "lab-report wrote the capture and the reports" test -s "$c" -a -s "$T/ipy/report.md" \
	-a -s "$T/ipy/report.html"
if [ -s "$c" ] && [ -s "$T/ref/report.json" ]; then
	check "lab-report's capture is ok" test "$(q "$c" 'c["ok"]')" = True
	shape='[(s["pc"], s["insn"], (s.get("push") or {}).get("field")) for s in c["entry"]["steps"]]'
	check "... its entry steps are the reference trace's" \
		test "$(q "$c" "$shape")" = "$(q "$T/ref/report.json" "$shape")"
	# Whether connect sleeps for the handshake depends on when the guest's
	# softirq ran (seen both ways, in CI): the scheduling events are the
	# run's own, the rest is the code's.
	rest='(c["entry"]["stack_switch"]["step"], [h["what"] for h in c["dispatch"]["hits"]
		if h["what"] not in ("sleeps", "resched")], c["return"]["path"], c["return"]["checks"])'
	check "... and so are its switch, dispatch and return" \
		test "$(q "$c" "$rest")" = "$(q "$T/ref/report.json" "$rest")"
fi
check "lab-step after lab-report: the session is over" \
	sh -c "echo \"\$1\" | grep -q '^the lab session is over'" _ "$(section after)"
done_testing
