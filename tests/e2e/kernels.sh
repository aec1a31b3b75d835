# The kernel matrix: Debian 12's linux-source-6.1 (or $LABCTL_TEST_KERNELS_VERSION,
# 6.12 by hand: 15 minutes cold) built beside the lab's
# 5.10 (`--kernel`), and traced.  Its dispatch is x64_sys_call's switch, not
# the table: checked against objdump and nm (fixtures/switch_case.py reads
# the case from the switch's jump table), ptype /o, syscall_64.tbl and
# addr2line of that kernel; the system's own apt says which versions of the
# package exist.  The first run on a machine builds 6.1 cold (its time is
# printed, and kept in kernel.json).
. "$(dirname "$0")/lib"

need_tools gdb qemu-system-x86_64 objdump nm python3 apt-cache
need_kernel
CACHE=$(user_cache)
KV=${LABCTL_TEST_KERNELS_VERSION:-6.1}
FIX=$ROOT/tests/e2e/fixtures/trace
export LABCTL_RUN_ROOT=$T/runs

q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
mk() { awk -v v="$2" '$1 == v && $2 == "=" { print $3; exit }' "$1/Makefile"; }

start=$(date +%s)
expect_exit "build --kernel $KV" 0 "$LABCTL" -q build --kernel $KV
echo "# build --kernel $KV: $(( $(date +%s) - start )) s here; the cold build took" \
	"$(q "$CACHE/kernels/$KV/kernel.json" 'round(c["build_seconds"])' 2>/dev/null) s"
KX=$CACHE/kernels/$KV
V=$KX/vmlinux
SRC=$(readlink -f "$KX/source")
check "  ... it printed the kernel that kernels/$KV points to" \
	test "$(head -1 "$T/out")" = "$(readlink -f "$KX")"
check "  ... kernels/current is it too (the last built)" \
	test "$(readlink -f "$CACHE/kernels/current")" = "$(readlink -f "$KX")"
check "  ... its source's Makefile says $KV" test "$(mk "$SRC" VERSION).$(mk "$SRC" PATCHLEVEL)" = "$KV"
origin=$(q "$KX/kernel.json" 'c["source"]')
check "  ... from Debian's package, a version the system's apt knows ($origin)" \
	sh -c 'apt-cache madison "linux-source-$2" | awk -F"|" "{ gsub(/ /, \"\", \$2); print \$2 }" |
		grep -qxF "$1"' _ "${origin#debian:linux-source-$KV }" "$KV"
check "  ... and the 5.10 beside it is untouched" test -e "$CACHE/kernels/5.10/vmlinux" -a \
	"$(readlink -f "$CACHE/kernels/5.10")" != "$(readlink -f "$KX")"

# ptype /o's members of struct pt_regs itself (4 spaces in); an anonymous
# union (6.12's FRED cs and ss) by its first member, which names the slot
# in C (regs->cs)
gdb -batch -nx -ex 'ptype /o struct pt_regs' "$V" 2>/dev/null | awk '
	/^\/\* *[0-9]+ *\| *[0-9]+ \*\/    [^ ]/ { off = $2; f = $NF; sub(/;$/, "", f)
		if (f == "{") { union = off; next } print off, f; next }
	union != "" && /^\/\* +[0-9]+ \*\/        [^ ]/ { f = $NF; sub(/;$/, "", f); print union, f; union = "" }
' >"$T/ptype"
call=$(objdump -d --no-show-raw-insn --disassemble=do_syscall_64 "$V" |
	awk '$2 == "call" && $4 == "<x64_sys_call>" { sub(":", "", $1); print "0x" $1 }')
check "objdump: $KV's do_syscall_64 calls x64_sys_call ($call)" test -n "$call"
check "objdump: ... and calls through no table" test -z "$(table_call "$V" do_syscall_64 sys_call_table)"

for sc in getpid connect; do
	out=$T/$sc
	start=$(date +%s.%N)
	expect_exit "trace $sc --kernel $KV" 0 "$LABCTL" -q trace "$sc" --kernel $KV --out "$out"
	echo "# trace $sc --kernel $KV: $(echo "$(date +%s.%N) - $start" | bc) s"
	j=$out/report.json
	[ -s "$j" ] || { not_ok "trace $sc --kernel $KV: report.json"; continue; }
	nr=$(awk -v n="$sc" '$2 != "x32" && $3 == n { print $1 }' "$SRC/arch/x86/entry/syscalls/syscall_64.tbl")
	read -r case handler name < <(python3 "$ROOT/tests/e2e/fixtures/switch_case.py" "$V" x64_sys_call "$nr")
	check "  ... the capture is $KV's: $(mk "$SRC" VERSION).$(mk "$SRC" PATCHLEVEL).$(mk "$SRC" SUBLEVEL)" \
		test "$(q "$j" 'c["setup"]["kernel"]["release"].split("-")[0]')" = \
		"$(mk "$SRC" VERSION).$(mk "$SRC" PATCHLEVEL).$(mk "$SRC" SUBLEVEL)"
	check "  ... orig_ax = $nr from $KV's syscall_64.tbl" test "$(q "$j" \
		'next(int(f["value"], 16) for f in c["pt_regs"]["fields"] if f["field"] == "orig_ax")')" = "$nr"
	check "  ... dispatch: the switch, through do_syscall_64's call at $call (objdump)" \
		test "$(q "$j" '[c["setup"]["dispatch"][k] for k in ("kind", "switch")] + [c["setup"]["dispatch"]["insns"][-1]["addr"]]')" = \
		"['switch', 'x64_sys_call', '$call']"
	check "  ... its case for $nr at $case calls $handler (objdump: the jump table's word $nr)" \
		test "$(q "$j" '(c["setup"]["dispatch"]["case"][0]["addr"], c["setup"]["dispatch"]["case"][-1]["asm"].split()[1],
			c["setup"]["dispatch"]["handler"]["addr"])')" = "('$case', '$handler', '$handler')"
	check "  ... which nm names __x64_sys_$sc" test "$(nm "$V" | awk -v n="__x64_sys_$sc" '$3 == n { print "0x" $1 }')" = "$handler"
	check "  ... the handler hit is it" test "$(q "$j" '(c["dispatch"]["hits"][0]["what"], c["dispatch"]["hits"][0]["at"]["addr"])')" = \
		"('handler', '$handler')"
	check "  ... report.md names x64_sys_call and shows the case" \
		grep -q "^$case <x64_sys_call+0x[0-9a-f]*>: *call" "$out/report.md"
	check "  ... pt_regs offsets are $KV's ptype /o" test "$(q "$j" \
		'"\n".join("%d %s" % (f["offset"], f["field"]) for f in c["pt_regs"]["fields"])')" = "$(cat "$T/ptype")"
	check "  ... 21 pushes fill pt_regs" test "$(q "$j" \
		'len([s for s in c["entry"]["steps"] if "push" in s and s["push"]["field"]])')" = 21
	check "  ... every kernel step is objdump's instruction at its pc" objdump_steps "$j" "$V"
	check "  ... the stack balances and user state is restored" test "$(q "$j" \
		'(all(v for k, v in c["return"]["checks"].items() if k != "pops_match_pushes") and
		  c["return"]["checks"]["pops_match_pushes"]["mismatched"] == 0)')" = True
	check "  ... every frame's function, file:line and inlining are addr2line -i's" \
		python3 "$FIX/frames.py" "$V" "$SRC" "$j"
done
j=$T/getpid/report.json
[ -s "$j" ] && check "trace getpid --kernel $KV: returned the traced task's pid" test "$(q "$j" \
	'int(c["dispatch"]["handler_return"]["rax"], 16) == c["user"]["task"]["pid"]')" = True
j=$T/connect/report.json
[ -s "$j" ] && check "trace connect --kernel $KV: __sys_connect, inet_stream_connect, tcp_v4_connect" \
	test "$(q "$j" '" ".join(h["at"]["name"] for h in c["dispatch"]["hits"]
		if h["what"] in ("socket_layer", "ops_method", "proto_method"))')" = \
	"__sys_connect inet_stream_connect tcp_v4_connect"

# i386: 6.1.192 (and 6.12) enter int $0x80 through an IDT entry like an interrupt's
# (the backport of 6.7's asm_int80_emulation), builds pt_regs on the entry
# stack (error_entry), has sync_regs copy it to the task's stack, and
# dispatches through ia32_sys_call's switch: there is no ia32_sys_call_table.
TBL32=$SRC/arch/x86/entry/syscalls/syscall_32.tbl
nr32=$(awk '$2 == "i386" && $3 == "getpid" { print $1 }' "$TBL32")
syms() { nm "$V" | awk -v want=" $* " 'index(want, " " $3 " ") { print $3 }' | sort | tr '\n' ' '; }
check "nm: $KV has do_int80_emulation, int80_emulation and ia32_sys_call, no do_int80_syscall_32 or ia32_sys_call_table" \
	test "$(syms do_int80_emulation int80_emulation ia32_sys_call do_int80_syscall_32 ia32_sys_call_table)" = \
	"do_int80_emulation ia32_sys_call int80_emulation "
asm=$(objdump -d --no-show-raw-insn --disassemble=asm_int80_emulation "$V")
at() { awk -v w="<$1>" '$2 == "call" && $NF == w { sub(":", "", $1); print "0x" $1 }' <<<"$asm"; }
expect_exit "trace getpid --abi i386 --kernel $KV" 0 "$LABCTL" -q trace getpid --abi i386 --kernel $KV --out "$T/i386"
j=$T/i386/report.json
if [ -s "$j" ]; then
	check "  ... entered at asm_int80_emulation, ended at its call of int80_emulation at $(at int80_emulation) (objdump)" \
		test "$(q "$j" '(c["entry"]["start"]["name"], c["entry"]["call"]["pc"], c["entry"]["call"]["via"], c["entry"]["call"]["target"])')" = \
		"('asm_int80_emulation', '$(at int80_emulation)', 'int80_emulation', 'do_int80_emulation')"
	check "  ... no table in setup, as nm says" test "$(q "$j" 'c["setup"]["sys_call_table"]')" = None
	call=$(objdump -d --no-show-raw-insn --disassemble=do_int80_emulation "$V" |
		awk '$2 == "call" && $4 == "<ia32_sys_call>" { sub(":", "", $1); print "0x" $1 }')
	read -r case handler name < <(python3 "$ROOT/tests/e2e/fixtures/switch_case.py" "$V" ia32_sys_call "$nr32")
	check "  ... dispatch: do_int80_emulation's call of ia32_sys_call at $call, its case for $nr32 at $case calling $handler (objdump)" \
		test "$(q "$j" '(c["setup"]["dispatch"]["insns"][-1]["addr"], c["setup"]["dispatch"]["case"][0]["addr"],
			c["setup"]["dispatch"]["handler"]["addr"], c["dispatch"]["hits"][0]["at"]["addr"])')" = \
		"('$call', '$case', '$handler', '$handler')"
	check "  ... which nm names __ia32_sys_getpid" \
		sh -c 'nm "$1" | awk -v a="$2" "\"0x\" \$1 == a { print \$3 }" | grep -qx __ia32_sys_getpid' _ "$V" "$handler"
	check "  ... pushq \$-1 in asm_int80_emulation (objdump): orig_ax = -1 at the call, eax's $nr32 in ax" \
		test "$(grep -c 'push  *\$0xffffffffffffffff' <<<"$asm")" = 1 -a "$(q "$j" \
		'[f["value"] for f in c["pt_regs"]["fields"] if f["field"] in ("ax", "orig_ax")]')" = \
		"['$(printf '0x%x' "$nr32")', '0xffffffffffffffff']"
	check "  ... at the handler orig_ax = $nr32 ($KV's syscall_32.tbl), ax = -ENOSYS" test "$(q "$j" \
		'[(f["field"], int(f["value"], 16)) for f in c["dispatch"]["pt_regs"]["fields"] if f["field"] in ("ax", "orig_ax")]')" = \
		"[('ax', $(python3 -c 'print((1 << 64) - 38)')), ('orig_ax', $nr32)]"
	check "  ... pt_regs offsets are $KV's ptype /o" test "$(q "$j" \
		'"\n".join("%d %s" % (f["offset"], f["field"]) for f in c["pt_regs"]["fields"])')" = "$(cat "$T/ptype")"
	check "  ... every field written on the entry stack: by the CPU, a push or error_entry's store" test "$(q "$j" '(
sorted({w["field"] for w in c["entry"]["hardware_frame"]["words"]} |
       {s[k]["field"] for s in c["entry"]["steps"] for k in ("push", "store") if k in s and s[k]["field"]})
== sorted(f["field"] for f in c["pt_regs"]["fields"]))')" = True
	store=$(objdump -d --no-show-raw-insn --disassemble=error_entry "$V" |
		awk '$2 == "mov" && $3 == "%rdi,0x8(%rsp)" { sub(":", "", $1); print "0x" $1; exit }')
	check "  ... error_entry's mov %rdi,0x8(%rsp) at $store (objdump) stored the user's rdi in pt_regs->di" \
		test "$(q "$j" '[(s["store"]["field"], s["store"]["word"] == c["user"]["regs"]["rdi"])
			for s in c["entry"]["steps"] if s["pc"] == "'"$store"'" and "store" in s]')" = "[('di', True)]"
	check "  ... error_entry stepped into, sync_regs run within one step (objdump: error_entry calls or jumps to it)" \
		test "$(q "$j" '[s["ran"]["function"] for s in c["entry"]["steps"] if "ran" in s]')" = "['sync_regs']" -a \
		-n "$(objdump -d --no-show-raw-insn --disassemble=error_entry "$V" | grep -E '(call|jmp) +[0-9a-f]+ <sync_regs>')"
	size=$(gdb -batch -nx -ex 'p sizeof(struct pt_regs)' "$V" 2>/dev/null | awk '{ print $NF }')
	check "  ... sync_regs copied the $size bytes (gdb's sizeof) to the top of the task's stack, a 16 KiB boundary, and rsp went there" test "$(q "$j" '
(lambda sw: (int(sw["copy"]["to"], 16) + '"$size"' == int(sw["kernel_stack_top"], 16),
             int(sw["kernel_stack_top"], 16) % 16384, sw["copy"]["equal"], sw["copy"]["bytes"],
             c["entry"]["steps"][sw["step"]]["insn"].split(), c["entry"]["steps"][sw["step"]]["rsp_after"] == sw["copy"]["to"]))(c["entry"]["stack_switch"])')" = \
		"(True, 0, True, $size, ['mov', '%rax,%rsp'], True)"
	check "  ... every kernel step is objdump's instruction at its pc" objdump_steps "$j" "$V"
	check "  ... back through iret, the stack balanced, user state restored, the pops read back the copy" test "$(q "$j" \
		'(c["return"]["path"], all(v for k, v in c["return"]["checks"].items() if k != "pops_match_pushes"),
		  c["return"]["checks"]["pops_match_pushes"]["checked"] >= 13, c["return"]["checks"]["pops_match_pushes"]["mismatched"])')" = \
		"('iret', True, True, 0)"
	check "  ... returned the traced task's pid" test "$(q "$j" \
		'int(c["dispatch"]["handler_return"]["rax"], 16) == c["user"]["task"]["pid"]')" = True
	check "  ... every frame's function, file:line and inlining are addr2line -i's" \
		python3 "$FIX/frames.py" "$V" "$SRC" "$j"
	check "  ... report.md: the copy, the switch and what do_int80_emulation changed" sh -c '
		grep -q "^Step 0, .*struct pt_regs is built on the entry stack; \`sync_regs()\` copies its $2 bytes" "$1" &&
		grep -q "^Before the handler runs, \`do_int80_emulation\` changed struct pt_regs: ax $3 -> 0xffffffffffffffda, orig_ax 0xffffffffffffffff -> $3\.$" "$1"' \
		_ "$T/i386/report.md" "$size" "$(printf '0x%x' "$nr32")"
fi

# The timeline watches the i386 handlers the switch reaches (no table)
expect_exit "trace --timeline connect32 --kernel $KV" 0 "$LABCTL" -q trace --timeline connect32 --kernel $KV --out "$T/tl32"
want=$(for sc in socketcall connect; do
	nr=$(awk -v n="$sc" '$2 == "i386" && $3 == n { print $1 }' "$TBL32")
	python3 "$ROOT/tests/e2e/fixtures/switch_case.py" "$V" ia32_sys_call "$nr" | awk -v nr="$nr" '{ print nr, $2 }'
done)
check "  ... its i386 handlers of socketcall and connect are the switch's cases (objdump): $(echo $want)" \
	test "$(q "$T/tl32/report.json" '"\n".join("%d %s" % (w["nr"], w["handler"]["addr"])
		for w in c["scenarios"][0]["watched"] if w["name"] in ("socketcall", "connect"))')" = "$want"
check "  ... and it saw connect(3, {AF_INET, 127.0.0.1:1234}, 16) return 0 through socketcall" \
	grep -q '| socketcall (102) call 3 | `connect(3, {AF_INET, 127.0.0.1:1234}, 16)` | 0 |' "$T/tl32/report.md"

# 5.10 beside it, by --kernel: the table, as before
expect_exit "trace getpid --kernel 5.10" 0 "$LABCTL" -q trace getpid --kernel 5.10 --out "$T/510"
check "  ... 5.10's table call (objdump, nm)" test "$(q "$T/510/report.json" \
	'(c["setup"]["kernel"]["release"].split(".")[:2], c["setup"]["dispatch"]["kind"])')" = \
	"(['5', '10'], 'table')"

# --compare: one report of the two, aligned instruction by instruction
expect_exit "trace connect --compare 5.10,$KV" 0 "$LABCTL" -q trace connect --compare 5.10,$KV --out "$T/cmp"
j=$T/cmp/report.json
if [ -s "$j" ]; then
	check "  ... report.json holds 5.10's capture and $KV's" test "$(q "$j" \
		'(c["schema"], [x["setup"]["kernel"]["release"].split(".")[:2] for x in c["captures"]])')" = \
		"('labctl-kernels/1', [['5', '10'], $(python3 -c 'import sys; print(sys.argv[1].split("."))' "$KV")])"
	check "  ... each the call's, and complete" test "$(q "$j" \
		'[(x["ok"], x["setup"]["syscall"]["name"]) for x in c["captures"]]')" = "[(True, 'connect'), (True, 'connect')]"
	# The entry table's rows, read back from report.md: each kernel's
	# column is its capture's kernel steps, in order, none lost or repeated.
	check "  ... the entry table holds every step of each kernel, in order" python3 -c '
import json, re, sys
c = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
table = md.split("## 2.")[1].split("## 3.")[0]
rows = [[x.strip() for x in re.split(r"(?<!\\)\|", l)[1:-1]] for l in table.splitlines()
        if l.startswith("| ") and not l.startswith("| ---")][1:]
strip = lambda i: " ".join(i.split("#")[0].split())
for col, cap in ((1, c["captures"][0]), (5, c["captures"][1])):
    want = [strip(s["insn"]) for s in cap["entry"]["steps"] if int(s["pc"], 16) >= 2**47]
    got = [r[col].strip("`") for r in rows if r[col]]
    if got != want or not want:
        sys.exit("column %d: %r, capture: %r" % (col, got[:5], want[:5]))' "$j" "$T/cmp/report.md"
	check "  ... names the dispatch of each: the table, and x64_sys_call" grep -q \
		"^| dispatch | \`do_syscall_64\` calls through \`sys_call_table\`\[42\] = \`__x64_sys_connect\` | \`do_syscall_64\` calls \`x64_sys_call\`, whose case for 42 calls \`__x64_sys_connect\` |$" "$T/cmp/report.md"
	check "  ... report.html written" test -s "$T/cmp/report.html"
fi
expect_exit "trace --compare with one kernel: a usage error" 2 "$LABCTL" trace connect --compare 6.1
expect_exit "trace --compare 6.1,6.1: a usage error" 2 "$LABCTL" trace connect --compare 6.1,6.1
expect_exit "trace --compare 4.19,6.1: a usage error naming the versions" 2 "$LABCTL" trace connect --compare 4.19,6.1
check "  ... one line" grep -qx "labctl: error: --compare: '4.19,6.1' is not.*5.10, 6.1 or 6.12.*" "$T/err"
expect_exit "trace --compare with --kernel: a usage error" 2 "$LABCTL" trace connect --compare 5.10,6.1 --kernel 6.1

# The other tests trace the lab's kernel as the last built.
need_kernel
check "labctl build: kernels/current is 5.10 again" \
	test "$(readlink -f "$CACHE/kernels/current")" = "$(readlink -f "$CACHE/kernels/5.10")"
done_testing
