# labctl trace --program: the student's own program, written the ways
# students write it (tests/e2e/fixtures/own), put into the lab's guest in
# the place of the scenario's client and traced.  What the capture says is
# checked against objdump of the program labctl built (the call site and
# the return address) and against what the program itself printed on the
# guest's console.
. "$(dirname "$0")/lib"

need_tools gcc objdump readelf python3 qemu-system-x86_64 gdb bwrap
need_kernel
FIX=$ROOT/tests/e2e/fixtures/own
export LABCTL_RUN_ROOT=$T/runs
TBL=$(readlink -f "$(user_cache)/kernels/current/source")/arch/x86/entry/syscalls/syscall_64.tbl

# q FILE EXPR: a Python expression over the capture `c`, printed.
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# after_syscalls ELF FUNCTION: the address after each syscall instruction
# of FUNCTION, by objdump.
after_syscalls() {
	objdump -d --no-show-raw-insn "$1" | awk -v f="<$2>:" '
		$2 == f { on = 1; next } on && /^$/ { on = 0 }
		on && s { sub(":", "", $1); print "0x" $1; s = 0 }
		on && $2 == "syscall" { s = 1 }'
}

# own NAME SYSCALL [ARGS...]: trace the fixture NAME.c; its built program,
# run directory and capture in $elf, $run, $j.
own() {
	local name=$1 sc=$2
	shift 2
	expect_exit "$name: trace $sc --program $name.c" 0 "$LABCTL" -q trace "$sc" \
		--program "$FIX/$name.c" --out "$T/$name" --format json,md "$@"
	run=$(readlink -f "$T/runs/trace-latest")
	j=$T/$name/report.json
	elf=$(q "$j" 'c["setup"]["program"]["path"]')
}

# untraced SCENARIO: the same guest booted without GDB (the traced run ends
# at the sysret, before the program prints); its console in $T/untraced.
# A trace compared with it by pid boots too (--no-snapshot): a restored
# guest's pids are not a booted one's (tests/e2e/snapshot.sh).
untraced() {
	"$LABCTL" -q boot --initrd "$run/guest.cpio" --scenario "$1" >/dev/null 2>&1
	tr -d '\r' <"$T/runs/boot-latest/serial.log" >"$T/untraced"
}

# traced_right NAME FUNCTION: the call was made by the syscall instruction
# of FUNCTION (pt_regs ip is right after one of them, by objdump), in the
# program the guest ran under the program's name, and returned what the
# program printed when it ran untraced.
traced_right() {
	local name=$1 fn=$2 ip sites printed
	ip=$(q "$j" 'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")')
	sites=$(after_syscalls "$elf" "$fn" | paste -sd' ')
	check "$name: the report names $fn" test "$(q "$j" 'c["setup"]["program"]["function"]')" = "$fn"
	check "$name: pt_regs ip $ip is after a syscall of $fn ($sites, objdump)" \
		sh -c "[ -n '$sites' ] && echo ' $sites ' | grep -q ' $ip '"
	check "$name: the task traced runs $name" test "$(q "$j" 'c["user"]["task"]["exe"]')" = "$name"
	untraced connect
	printed=$(sed -n 's/^connect returned \(-*[0-9]*\)$/\1/p' "$T/untraced" | head -1)
	check "$name: the return value is what the program printed ($printed)" \
		test "$(q "$j" 'c["return"]["regs_ax_signed"]')" = "${printed:-none}"
	check "$name: the lab's server listened (the scenario's peer ran)" \
		grep -q '^server: listening on 127.0.0.1:1234' "$run/serial.log"
}

own main_asm connect
traced_right main_asm main
own static_helper connect
traced_right static_helper main
# The helper is inlined into main and kept out of line too: both watched,
# the guest tells which one ran.
own global_helper connect
traced_right global_helper main
check "global_helper: its out-of-line copy was watched too" \
	test "$(q "$j" 'sorted(f["name"] for f in c["setup"]["program"]["functions"])')" = "['main', 'raw_connect']"
own noinline_helper connect
traced_right noinline_helper do_connect
own with_header connect
traced_right with_header main
# One helper inlined at seven uses: every syscall instruction is watched
# (more than x86's four debug registers: under TCG a breakpoint is a PC
# comparison), and the filter turns away the six that make other calls.
own many_sites connect
traced_right many_sites main
sites=$(objdump -d --no-show-raw-insn "$elf" | awk '/<main>:/ { on = 1 } on && /^$/ { on = 0 }
	on && $2 == "syscall" { sub(":", "", $1); print "0x" $1 }' | paste -sd' ')
check "many_sites: all of main's syscall instructions ($sites, objdump) were watched" \
	test "$(q "$j" '" ".join("0x%x" % int(a, 16) for a in c["setup"]["program"]["syscall_addrs"])')" = "$sites"
check "many_sites: ... and the stops with other numbers turned away" \
	test "$(q "$j" 'c["filter"]["program_numbers"]')" = "[1, 39, 41, 102, 104, 110]"

# No inline asm: the C library's wrapper makes the call, and it is traced.
expect_exit "libc_connect: trace connect --program libc_connect.c" 0 "$LABCTL" trace connect \
	--program "$FIX/libc_connect.c" --out "$T/libc" --format json
check "libc_connect: says the C library makes the call" grep -q 'through the C library' "$T/err"
check "libc_connect: the report names libc's wrapper" \
	grep -Eq '^(__libc_connect|__connect|connect)$' <(q "$T/libc/report.json" 'c["setup"]["program"]["function"]')

# glibc's syscall() beside an unused asm helper: both watched, the one that
# ran traced (the saved ip after syscall()'s instruction, by objdump).
own syscall_function connect
check "syscall_function: the report names syscall(), the function that made the call" \
	test "$(q "$j" 'c["setup"]["program"]["function"]')" = syscall
check "syscall_function: the saved ip follows syscall()'s instruction, by objdump" sh -c \
	"echo ' $(after_syscalls "$elf" syscall | paste -sd' ') ' | grep -q ' $(q "$j" 'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")') '"
check "syscall_function: the unused helper was watched too" \
	grep -q unused_connect <(q "$j" '[f["name"] for f in c["setup"]["program"]["functions"]]')

# The timeline of the connect scenario with the student's client in the
# lab client's place: its socket calls in order beside the lab's server's,
# numbered as syscall_64.tbl numbers them, connect returning what the
# program printed when it ran untraced (above: 0).
expect_exit "timeline: trace --timeline connect --program global_helper.c" 0 "$LABCTL" -q trace \
	--timeline connect --program "$FIX/global_helper.c" --out "$T/timeline" --format json
tl=$T/timeline/report.json
check "timeline: global_helper's calls, as the source makes them: socket, connect" \
	test "$(q "$tl" '[(e["syscall"], e["nr"]) for e in c["scenarios"][0]["events"] if e["task"]["exe"] == "global_helper"]')" = \
	"[('socket', $(awk '$3 == "socket" { print $1 }' "$TBL")), ('connect', $(awk '$3 == "connect" { print $1 }' "$TBL"))]"
check "timeline: ... its connect returned 0, as it printed untraced, to the lab's server" \
	test "$(q "$tl" '[(e["ret"], e["text"]) for e in c["scenarios"][0]["events"] if e["task"]["exe"] == "global_helper" and e["syscall"] == "connect"]')" = \
	"[(0, 'connect(3, {AF_INET, 127.0.0.1:1234}, 16)')]"
check "timeline: ... and the server accepted it" \
	test "$(q "$tl" '[e["syscall"] for e in c["scenarios"][0]["events"] if e["task"]["exe"] == "tcp_server"][:5]')" = \
	"['socket', 'setsockopt', 'bind', 'listen', 'accept']"

# The wrong number: the call never comes (the lab's server waits on), and
# the time limit's error says what the program's instruction made instead,
# named from syscall_64.tbl.
expect_exit "wrong_number: the call never comes, a timeout" 5 "$LABCTL" trace connect \
	--program "$FIX/wrong_number.c" --out "$T/wrong" --timeout 15
check "wrong_number: ... saying it made $(awk '$3 == "accept" { print $1 }' "$TBL") (accept) instead" \
	grep -q "^labctl: error: trace timed out: time limit reached in phase 'user'; it made system call $(awk '$3 == "accept" { print $1 }' "$TBL") (accept) instead" "$T/err"

# A program that crashes before the call: the signal, from the step's exit
# status on the console (11 is SEGV by bash's kill -l).
expect_exit "crashes: killed before the call" 1 "$LABCTL" -q trace connect \
	--program "$FIX/crashes.c" --out "$T/crashes"
check "... by signal $(kill -l SEGV) (SIGSEGV), in one line" sh -c "[ \$(wc -l <'$T/err') -eq 1 ] &&
	grep -q '^labctl: error: crashes was killed by signal $(kill -l SEGV) (SIGSEGV) before it made system call 42 (connect)' '$T/err'"
# One that waits forever first: the call it waits in, from its pt_regs at
# the time limit, named from syscall_64.tbl.
expect_exit "waits_forever: the call never comes, a timeout" 5 "$LABCTL" trace connect \
	--program "$FIX/waits_forever.c" --out "$T/waits" --timeout 15
check "... saying it was waiting in system call $(awk '$3 == "pause" { print $1 }' "$TBL") (pause)" \
	grep -q "was waiting in system call $(awk '$3 == "pause" { print $1 }' "$TBL") (pause)" "$T/err"

# A call without a scenario of its own: the program runs alone.
own getpid_static getpid --no-snapshot
check "getpid_static: runs alone, as scenario own" test "$(q "$j" 'c["setup"]["scenario"]')" = own
untraced own
pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/untraced")
check "getpid_static: returned the pid it printed ($pid)" \
	test "$(q "$j" 'c["return"]["regs_ax_signed"]')" = "${pid:-none}"
check "getpid_static: made by main (the static helper inlined), by objdump" sh -c \
	"echo ' $(after_syscalls "$elf" main | paste -sd' ') ' | grep -q ' $(q "$j" 'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")') '"

# A program written in assembly, main and all (lab.S): its own syscall.
expect_exit "asm_getpid: trace getpid --program asm_getpid.S" 0 "$LABCTL" -q trace getpid \
	--program "$FIX/asm_getpid.S" --out "$T/asm_getpid" --format json --no-snapshot
j=$T/asm_getpid/report.json
elf=$(q "$j" 'c["setup"]["program"]["path"]')
check "asm_getpid: pt_regs ip is after main's syscall (objdump)" test "$(q "$j" \
	'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")')" = \
	"$(after_syscalls "$elf" main | head -1)"
run=$(readlink -f "$T/runs/trace-latest")
untraced own
pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/untraced")
check "asm_getpid: returned the pid it printed ($pid)" \
	test "$(q "$j" 'c["return"]["regs_ax_signed"]')" = "${pid:-none}"

# The 32-bit way in: --abi i386 compiles the source with -m32; the call is
# syscall_32.tbl's, made by int $0x80 (objdump), returning the printed pid.
TBL32=$(dirname "$TBL")/syscall_32.tbl
own getpid_i386 getpid --abi i386 --no-snapshot
check "getpid_i386: an i386 program (readelf)" \
	grep -q 'Class:[[:space:]]*ELF32' <(readelf -h "$elf")
check "getpid_i386: orig_ax = $(awk '$3 == "getpid" { print $1 }' "$TBL32") from syscall_32.tbl" \
	test "$(q "$j" 'int(next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "orig_ax"), 16)')" = \
	"$(awk '$3 == "getpid" { print $1 }' "$TBL32")"
check "getpid_i386: entered through entry_INT80_compat" \
	test "$(q "$j" 'c["setup"]["abi"] + " " + c["entry"]["start"]["name"]')" = "i386 entry_INT80_compat"
int80=$(objdump -d --no-show-raw-insn "$elf" | awk '/<main>:/ { on = 1 } on && /^$/ { on = 0 }
	on && s { sub(":", "", $1); print "0x" $1; s = 0 } on && $2 == "int" && $3 == "$0x80" { s = 1 }')
check "getpid_i386: pt_regs ip is after main's int \$0x80 ($int80, objdump)" test "$(q "$j" \
	'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")')" = "${int80:-none}"
untraced own
pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$T/untraced")
check "getpid_i386: returned the pid it printed ($pid)" \
	test "$(q "$j" 'c["return"]["regs_ax_signed"]')" = "${pid:-none}"

# A program compiled by the student: an ELF, with --function.
for o in O0 O2; do
	gcc -static -$o -o "$T/elf_$o" "$FIX/main_asm.c"
	expect_exit "an ELF built at -$o, --function main" 0 "$LABCTL" -q trace connect \
		--program "$T/elf_$o" --function main --out "$T/elf_$o.out" --format json
	check "-$o: pt_regs ip is after main's syscall (objdump)" test "$(q "$T/elf_$o.out/report.json" \
		'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")')" = \
		"$(after_syscalls "$T/elf_$o" main | head -1)"
done

# A source is compiled once: traced again unchanged, its build is taken
# from the cache; changed by a byte, it is compiled again.  (A comment
# unique to this run makes the first build a real one.)
{ echo "/* $T */"; cat "$FIX/main_asm.c"; } >"$T/fresh.c"
expect_exit "fresh.c: first trace" 0 "$LABCTL" trace connect --program "$T/fresh.c" --out "$T/fresh1"
check "... compiles it" grep -q '^labctl: compiling .*fresh.c with the lab' "$T/err"
first=$(q "$T/fresh1/report.json" 'c["setup"]["program"]["path"]')
expect_exit "fresh.c: traced again" 0 "$LABCTL" trace connect --program "$T/fresh.c" --out "$T/fresh2"
check "... takes the build from the cache" grep -q 'fresh.c: unchanged since it was last compiled' "$T/err"
check "... and does not compile" lacks "$T/err" 'compiling'
check "... the same program, byte for byte" cmp -s "$first" "$(q "$T/fresh2/report.json" 'c["setup"]["program"]["path"]')"
check "... traced at main's syscall in it (objdump)" test "$(q "$T/fresh2/report.json" \
	'next(f["value"] for f in c["pt_regs"]["fields"] if f["field"] == "ip")')" = \
	"$(after_syscalls "$first" main | head -1)"
echo "int changed;" >>"$T/fresh.c"
expect_exit "fresh.c: changed" 0 "$LABCTL" trace connect --program "$T/fresh.c" --out "$T/fresh3"
check "... is compiled again" grep -q '^labctl: compiling .*fresh.c with the lab' "$T/err"

# What a student can get wrong: one line each, exit 4.
gcc -o "$T/dynamic" "$FIX/main_asm.c"
expect_exit "a dynamically linked program" 4 "$LABCTL" trace connect --program "$T/dynamic"
check "... says link it with -static" grep -q 'link it with -static' "$T/err"
check "... in one line" test "$(wc -l <"$T/err")" -eq 1
expect_exit "a program that does not compile" 4 "$LABCTL" -q trace connect --program "$FIX/does_not_compile.c"
check "... shows the compiler's error with its line" grep -q "does_not_compile.c:1:.*error: 'x' undeclared" "$T/err"
expect_exit "a program without the call" 4 "$LABCTL" -q trace connect --program "$FIX/no_call.c"
check "... says there is no syscall instruction for it" grep -q 'has no syscall instruction that could make system call 42' "$T/err"
cp "$FIX/main_asm.c" "$T/tcp_server.c"
expect_exit "a program named like the scenario's server" 4 "$LABCTL" -q trace connect --program "$T/tcp_server.c"
check "... asks to rename it" grep -q 'rename it' "$T/err"
expect_exit "a file that is neither" 4 "$LABCTL" -q trace connect --program "$FIX/with_header.h"
check "... says so" grep -q 'neither a program (ELF) nor a .c or .S source' "$T/err"
check "nothing left running" test -z "$(pgrep -f "$T/runs" || true)"
# GDB starts as soon as the run directory is made (it loads vmlinux while
# the program is compiled and checked): a failed preparation kills it and
# leaves no FIFO or socket of it.
check "... no GDB started ahead left: no FIFO or socket in the run directories" \
	sh -c 'test -n "$(find "$1" -name gdb.log)" && test -z "$(find "$1" -type p -o -type s)"' _ "$T/runs"
done_testing
