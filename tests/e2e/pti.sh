# Page table isolation: the lab kernel built with
# kernel-config/mitigations.config as well (SMP, PTI, retpolines), in a
# cache of the tests' own (~/.cache/labctl-tests/pti, keyed like any build:
# about 6 minutes cold, once), and traced.  The cr3 switches are checked
# against objdump (the instructions at their pcs, the ALTERNATIVE's jmp
# over them patched out at boot, the mask the kernel's own `and` applies); the
# per-cpu slot %gs:0x6014 against nm and GDB's offsetof; frames against
# addr2line.  Debian's defconfig (--base defconfig, 17 minutes cold) takes
# the same paths and is traced by hand.
. "$(dirname "$0")/lib"

need_tools gdb qemu-system-x86_64 objdump nm python3
export LABCTL_CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/labctl-tests/pti
export LABCTL_RUN_ROOT=$T/runs
FIX=$ROOT/tests/e2e/fixtures/trace
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

mkdir -p "$LABCTL_CACHE_DIR"
expect_exit "build with mitigations.config (SMP, PTI, retpolines)" 0 "$LABCTL" -q build \
	--fragment "$ROOT/kernel-config/lab.config" --fragment "$ROOT/kernel-config/debug.config" \
	--fragment "$ROOT/kernel-config/mitigations.config"
KD=$LABCTL_CACHE_DIR/kernels/current
V=$KD/vmlinux
SRC=$(readlink -f "$KD/source")
check "  ... its config has them" test "$(grep -cxE 'CONFIG_(SMP|PAGE_TABLE_ISOLATION|RETPOLINE)=y' "$KD/config")" = 3

# the per-cpu slot the entry keeps the user rsp in, from nm and DWARF alone
sp2=$(printf '0x%x' $(( 0x$(nm "$V" | awk '$3 == "cpu_tss_rw" { print $1 }') + \
	$(gdb -batch -nx -ex 'p/d (long)&((struct tss_struct *)0)->x86_tss.sp2' "$V" 2>/dev/null | awk '{ print $NF }') )))

for args in getpid connect "getpid --abi i386"; do
	name=${args// /}
	out=$T/$name
	expect_exit "trace $args" 0 "$LABCTL" -q trace $args --out "$out"
	j=$out/report.json
	[ -s "$j" ] || { not_ok "trace $args: report.json"; continue; }
	check "  ... every kernel step, entry and return, is objdump's instruction at its pc" objdump_steps "$j" "$V"
	# The entry's cr3 switch: the `and` before it (objdump's immediate) is
	# the value's change; the return's switch puts back the user's tables.
	check "  ... one cr3 switch each way: the kernel's = the user's & objdump's mask, then the user's again" \
		python3 -c '
import json, re, subprocess, sys
c = json.load(open(sys.argv[1]))
steps, back = c["entry"]["steps"], c["return"]["steps"]
ins = [i for i, s in enumerate(steps) if "cr3" in s]
outs = [s for s in back if "cr3" in s]
if len(ins) != 1 or len(outs) != 1:
    sys.exit("cr3 steps: %d in, %d out" % (len(ins), len(outs)))
i = ins[0]
mask = next(s for s in reversed(steps[:i]) if s["insn"].startswith("and"))
out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "--start-address=%s" % mask["pc"],
                      "--stop-address=%d" % (int(mask["pc"], 16) + mask["length"]), sys.argv[2]],
                     capture_output=True, text=True).stdout
imm = int(re.search(r"and\s+\$(0x[0-9a-f]+),", out).group(1), 16)
cr3 = steps[i]["cr3"]
user, kernel = int(cr3["before"], 16), int(cr3["after"], 16)
if kernel != user & imm or kernel == user:
    sys.exit("cr3 %x -> %x, mask %x" % (user, kernel, imm))
if [int(x, 16) for x in (outs[0]["cr3"]["before"], outs[0]["cr3"]["after"])] != [kernel, user]:
    sys.exit("return: %r" % outs[0]["cr3"])' "$j" "$V"
	check "  ... the stack switch and the user rsp kept, through %gs" test "$(q "$j" '
(lambda sw: (sw["top_from"]["name"], sw["user_rsp_saved"]["slot"]["name"], sw["user_rsp_saved"]["matches"]))(
    c["entry"]["stack_switch"]) if c["setup"]["abi"] == "x86_64" else (c["entry"]["hardware_frame"]["top_is_tss_sp0"],)')" = \
		"$([ "${args#*i386}" = "$args" ] && echo "('cpu_tss_rw.x86_tss.sp1', 'cpu_tss_rw.x86_tss.sp2', True)" || echo "(True,)")"
	[ "${args#*i386}" = "$args" ] && check "  ... %gs:$sp2 (nm's cpu_tss_rw + offsetof x86_tss.sp2) is what the entry names sp2" \
		test "$(q "$j" 'sorted({__import__("re").search(r"%gs:0x[0-9a-f]+", s["insn"]).group(0)
			for s in c["entry"]["steps"] if s.get("memory") == "cpu_tss_rw.x86_tss.sp2"})')" = \
		"['%gs:$sp2']"
	check "  ... back to user mode, the stack balanced, the pops read back the pushes" test "$(q "$j" \
		'(all(v for k, v in c["return"]["checks"].items() if k != "pops_match_pushes"),
		  c["return"]["checks"]["pops_match_pushes"]["checked"] >= 13, c["return"]["checks"]["pops_match_pushes"]["mismatched"])')" = \
		"(True, True, 0)"
	check "  ... every frame's function, file:line and inlining are addr2line -i's" \
		python3 "$FIX/frames.py" "$V" "$SRC" "$j"
	check "  ... report.md names both switches" test "$(grep -c '^Step [0-9]* loads cr3: ' "$out/report.md")" = 2
done
j=$T/getpid/report.json
[ -s "$j" ] && check "trace getpid: returned the traced task's pid (read at the user stop through the kernel's tables)" \
	test "$(q "$j" 'int(c["dispatch"]["handler_return"]["rax"], 16) == c["user"]["task"]["pid"]')" = True
j=$T/connect/report.json
[ -s "$j" ] && check "trace connect: __sys_connect, inet_stream_connect, tcp_v4_connect, through the retpoline thunk (nm)" \
	test "$(q "$j" '(" ".join(h["at"]["name"] for h in c["dispatch"]["hits"]
		if h["what"] in ("socket_layer", "ops_method", "proto_method")), c["setup"]["dispatch"]["insns"][-1]["asm"].split()[1])')" = \
	"('__sys_connect inet_stream_connect tcp_v4_connect', '0x$(nm "$V" | awk '$3 == "__x86_indirect_thunk_rax" { print $1 }')')"

# Calls that come back elsewhere are followed to the task's next user
# instruction, a user-mode stop where the task is read through the
# kernel's page tables: pause to its SIGALRM handler, execve into BusyBox
# (rootfs/programs/calls.h's rows: +alarm:500, s:/bin/busybox)
expect_exit "trace pause" 0 "$LABCTL" -q trace pause --out "$T/pause"
check "  ... its task next ran its SIGALRM handler ($(awk '$2 == "SIGALRM" { print $3 }' "$SRC/arch/x86/include/uapi/asm/signal.h"), signal.h)" \
	test "$(q "$T/pause/report.json" '(c["end"]["how"], c["end"]["frame_replaced"]["signal"]["number"])')" = \
	"('user', $(awk '$2 == "SIGALRM" { print $3 }' "$SRC/arch/x86/include/uapi/asm/signal.h"))"
expect_exit "trace execve" 0 "$LABCTL" -q trace execve --out "$T/execve"
check "  ... its task next ran /bin/busybox" test "$(q "$T/execve/report.json" '(c["end"]["how"], c["end"]["exe"])')" = \
	"('user', 'busybox')"
done_testing
