# Every system call 0-99, traced with its default call (rootfs/programs/
# calls.h): each report against syscall_64.tbl, nm, addr2line and the same
# call made untraced (fixtures/sweep/check.py), with the sweep's figures.
. "$(dirname "$0")/lib"

need_tools qemu-system-x86_64 gdb python3 nm addr2line
own_cache_with_kernel
SRC=$(readlink -f "$KERNEL/source")
FIX=$ROOT/tests/e2e/fixtures

# The route that does not go through GDB: the program's own printed results.
expect_exit "untraced: the default calls 0-99 in one boot" 0 \
	"$LABCTL" -q boot --scenario syscall --args 0-99 --timeout 180
tr -d '\r' <"$T/runs/boot-latest/serial.log" >"$T/untraced.log"

mkdir -p "$T/sweep"
for nr in $(seq 0 99); do
	start=$(date +%s%N)
	"$LABCTL" -q trace "$nr" --out "$T/sweep/$nr" >/dev/null 2>"$T/sweep/$nr.err"
	echo $? >"$T/sweep/$nr.rc"
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000000 ))" | awk '{ printf "%.3f\n", $1 / 1000 }' >"$T/sweep/$nr.time"
done
python3 "$FIX/sweep/check.py" "$ROOT/rootfs/programs/calls.h" "$T/untraced.log" "$SRC" \
	"$KERNEL/vmlinux" "$T/sweep" || not_ok "sweep: the checker ran to its end"
check "sweep: every frame of the 100 reports as addr2line -i gives it" \
	python3 "$FIX/trace/frames.py" "$KERNEL/vmlinux" "$SRC" "$T"/sweep/*/report.json
check "sweep: no call warned (no stub)" test -z "$(cat "$T"/sweep/*.err)"
done_testing
