# labctl image and labctl boot: the lab programs, the initramfs, every
# scenario in the guest, and the ways a guest can go wrong.
. "$(dirname "$0")/lib"

need_tools qemu-system-x86_64 gdb
# The kernel (built if need be, cached), then a cache of our own sharing only it.
own_cache_with_kernel

# --- the image ---------------------------------------------------------------
expect_exit "image builds" 0 "$LABCTL" image
img=$(cat "$T/out")
check "image is an uncompressed newc cpio" sh -c "head -c 6 '$img' | grep -q 070701"
check "image key directory" test "$(readlink "$T/cache/images/current")" = "$(basename "$(dirname "$img")")"

for p in tcp_client tcp_server hello hi udp_client udp_server unix_client unix_server syscall; do
	bin=$(ls "$T"/cache/programs/*/"$p")
	check "$p is a static x86-64 ELF" sh -c "file -b '$bin' | grep -q 'ELF 64-bit.*x86-64.*statically linked'"
done
for p in tcp_client32 tcp_server32 hello32 hi32 syscall32; do
	bin=$(ls "$T"/cache/programs/*/"$p")
	check "$p is a static i386 ELF" sh -c "file -b '$bin' | grep -q 'ELF 32-bit.*Intel 80386.*statically linked'"
done
client=$(ls "$T"/cache/programs/*/tcp_client)
check "tcp_client's connect is a syscall in lab_connect" \
	sh -c "objdump -d '$client' | sed -n '/<lab_connect>:/,/^\$/p' | grep -q 'mov *\$0x2a,%eax' && objdump -d '$client' | sed -n '/<lab_connect>:/,/^\$/p' | grep -qw syscall"
client32=$(ls "$T"/cache/programs/*/tcp_client32)
check "tcp_client32's connect is int \$0x80 in lab_connect" \
	sh -c "objdump -d '$client32' | sed -n '/<lab_connect>:/,/^\$/p' | grep -q 'int *\$0x80'"
syscall32=$(ls "$T"/cache/programs/*/syscall32)
check "syscall32's one int \$0x80 is in lab_syscall" \
	test "$(objdump -d "$syscall32" | sed -n '/<lab_syscall>:/,/^$/p' | grep -c 'int *\$0x80')" = 1

for f in $(sed -n 's/^function *= *//p' "$ROOT"/scenarios/*.ini | sort -u); do
	check "the scenarios' function $f is a symbol of a lab program" \
		sh -c "for b in '$T'/cache/programs/*/*; do nm \"\$b\" 2>/dev/null; done | grep -q ' t $f\$'"
done

mtime=$(stat -c %Y.%i "$img")
expect_exit "second image build" 0 "$LABCTL" image
check "second build is a no-op" test "$(cat "$T/out")" = "$img" -a "$(stat -c %Y.%i "$img")" = "$mtime"
LABCTL_CACHE_DIR=$T/cache2 expect_exit "image in a fresh cache" 0 "$LABCTL" image
check "fresh build is byte-identical" cmp -s "$img" "$(cat "$T/out")"
expect_exit "gzip image builds" 0 "$LABCTL" image --gzip
check "gzip image is gzip" sh -c "gzip -t '$(cat "$T/out")'"

dyn=$(readlink -f /bin/sh)
expect_exit "a dynamic BusyBox is refused" 4 "$LABCTL" image --busybox "$dyn"
check "and the reason given" grep -q "dynamically linked" "$T/err"

# --- every scenario ------------------------------------------------------------
declare -A want=(
	[connect]='client: received "Welcome to the lab server!"'
	[bind]='server: received "hello from the client"'
	[hello-hi]='hello: recv "hi"'
	[hello-hi32]='hello: recv "hi"'
	[udp]='udp_client: received "HELLO OVER UDP"'
	[unix]='unix_client: received "Welcome to the UNIX-domain server!"'
	[syscall]='syscall 39 returned '
	[syscall32]='syscall 20 returned '
	[connect32]='client: received "Welcome to the lab server!"'
	[connect32-direct]='client: received "Welcome to the lab server!"'
)
for ini in "$ROOT"/scenarios/*.ini; do
	s=$(basename "$ini" .ini)
	expect_exit "boot --scenario $s" 0 "$LABCTL" boot --scenario "$s" --timeout 60
	log=$T/runs/boot-latest/serial.log
	if [ -z "${want[$s]:-}" ]; then
		not_ok "scenario $s has no expected output in boot.sh"
	else
		check "$s: ${want[$s]}" grep -qF "${want[$s]}" "$log"
	fi
	check "$s: done status=0 on the console" grep -q '^LABCTL scenario done status=0' "$log"
done
expect_exit "the generic program with labctl.args" 0 "$LABCTL" -q boot --scenario syscall --args 63,b:390
check "labctl.args reached the program" grep -q '^syscall 63 returned 0' "$T/runs/boot-latest/serial.log"
check "-q keeps the console off stderr" lacks "$T/err" -e 'LABCTL'

# --- --gdb: paused, attachable with the printed command ------------------------
"$LABCTL" -q boot --gdb --scenario syscall --timeout 60 >"$T/gdbcmd" 2>"$T/gdberr" &
bootpid=$!
wait_for_line "$T/gdbcmd" $bootpid
cmd=$(head -1 "$T/gdbcmd")
check "--gdb prints a gdb command for the run's socket" sh -c "echo \"\$1\" | grep -q \"^gdb -q .*vmlinux -ex 'target remote $T/runs/.*/gdb.sock'\$\"" _ "$cmd"
eval "$cmd -batch -ex continue" >"$T/gdbout" 2>&1
wait "$bootpid"; rc=$?
check "the guest ran after gdb continued (exit $rc)" test "$rc" -eq 0

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LABCTL" boot --gdb-port "$port" --scenario syscall --timeout 60 >"$T/gdbcmd" 2>"$T/gdberr" &
bootpid=$!
wait_for_line "$T/gdbcmd" $bootpid
check "--gdb-port prints target remote 127.0.0.1:PORT" grep -q "target remote 127.0.0.1:$port'" "$T/gdbcmd" ||
	sed 's/^/    stdout+stderr: /' "$T/gdbcmd" "$T/gdberr"
gdb -batch -ex "target remote 127.0.0.1:$port" -ex continue >"$T/gdbout" 2>&1
wait "$bootpid"; rc=$?
check "the guest ran after gdb continued on the port (exit $rc)" test "$rc" -eq 0
# The hints on stderr: labctl's commands for a GDB started by hand, and
# the same as a VS Code launch.json configuration.
hint=$(sed -n 's/^  \(-iex ".*labctl.register.*\)$/\1/p' "$T/gdberr")
check "--gdb says how to load labctl's commands into one's own GDB" test -n "$hint"
eval "gdb -q -nx -batch $hint -ex 'help lab-regs'" >"$T/hint" 2>&1
check "... and with them, GDB knows lab-regs" grep -q 'struct pt_regs' "$T/hint"
check "... the launch.json configuration is JSON, for this guest" python3 -c '
import json, sys
t = open(sys.argv[1]).read()
t = t[t.index("launch.json:\n") + len("launch.json:\n"):]
c = json.loads(t[:t.index("\n}\n") + 2])
assert c["type"] == "cppdbg" and c["miDebuggerServerAddress"] == "127.0.0.1:" + sys.argv[2], c
assert c["program"].endswith("/vmlinux") and "labctl.register" in c["setupCommands"][1]["text"], c
' "$T/gdberr" "$port"

python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/port" &
holder=$!
wait_for_line "$T/port" $holder
expect_exit "--gdb-port on a taken port" 3 "$LABCTL" boot --gdb-port "$(cat "$T/port")"
check "the taken port is named" grep -q "already in use" "$T/err"
kill "$holder"; wait "$holder" 2>/dev/null
expect_exit "--gdb with --gdb-port" 2 "$LABCTL" boot --gdb --gdb-port 1234

# --- failures -------------------------------------------------------------------
expect_exit "unknown scenario" 4 "$LABCTL" boot --scenario no-such-thing
check "unknown scenario lists the known ones" grep -q "there are:.*connect" "$T/err"

printf 'garbage, not a cpio archive\n%.0s' $(seq 100) >"$T/junk.cpio"
expect_exit "a guest that panics" 1 "$LABCTL" -q boot --initrd "$T/junk.cpio" --timeout 60
check "the panic is reported" grep -q "the guest kernel panicked: Kernel panic - not syncing" "$T/err"

# A data directory of our own for broken programs and scenarios.
data() {
	rm -rf "$T/data"; mkdir -p "$T/data"
	cp -R "$ROOT/kernel-config" "$ROOT/rootfs" "$ROOT/scenarios" "$T/data/"
}
data
printf 'int main(void) { return 0 }\n' >"$T/data/rootfs/programs/broken.c"
LABCTL_DATADIR=$T/data expect_exit "a program that does not compile" 1 "$LABCTL" image
check "the compiler's error is shown" grep -q "broken.c:1:.*error" "$T/err"
check "the program is named" grep -q "lab program broken does not compile" "$T/err"

data
printf '[scenario]\nname = bad\nsyscall = connect\ntraced = c\nfunction = f\n\n[step c]\nprogram = no_such_program\n' \
	>"$T/data/scenarios/bad.ini"
LABCTL_DATADIR=$T/data expect_exit "a scenario naming a missing program" 4 "$LABCTL" image
check "the error names file:line" grep -q "scenarios/bad.ini:8: no lab program 'no_such_program'" "$T/err"

data
printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$T/data/rootfs/programs/hang.c"
printf '[scenario]\nname = hang\nsyscall = pause\ntraced = h\nfunction = main\n[step h]\nprogram = hang\n' \
	>"$T/data/scenarios/hang.ini"
start=$(date +%s)
LABCTL_DATADIR=$T/data expect_exit "a guest that never powers off" 5 "$LABCTL" -q boot --scenario hang --timeout 4
check "the timeout is reported" grep -q "did not power off within 4 s; QEMU was killed" "$T/err"
check "the timeout is kept (4 s, and QEMU killed: well under the 60 s default)" test $(( $(date +%s) - start )) -lt 40
# [q]: the pattern must not match the checking shell's own command line
check "QEMU was reaped" sh -c "! pgrep -f '[q]emu-system.*$T/cache/images' >/dev/null"
done_testing
