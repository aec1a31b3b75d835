#!/usr/bin/env bash
# Benchmark: `labctl trace connect` against booting the same images without
# GDB, alternating, N times each; prints both medians and their ratio.
#   tests/bench/trace.sh [N]                       the fixture guest (tests/e2e/fixtures/trace)
#   INITRD=... PROGRAM=... tests/bench/trace.sh    other images
# The boot is `labctl boot --scenario connect` when labctl has that command,
# else QEMU with the recipe of labctl/qemu.c, unpaused.  Targets (issue 4):
# trace <= 1.3 x boot and <= 2.5 s median under TCG.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LABCTL=${LABCTL:-$ROOT/bin/labctl}
N=${1:-5}
T=$(mktemp -d /tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LABCTL_RUN_ROOT=$T/runs
KDIR=${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}/kernels/current

if [ -z "${INITRD:-}" ]; then
	FIX=$ROOT/tests/e2e/fixtures/trace
	gcc -static -no-pie -O2 -o "$T/prog" "$FIX/prog.c"
	python3 "$FIX/mkcpio.py" "$T/guest.cpio" "$T/prog" "$FIX/init"
	INITRD=$T/guest.cpio PROGRAM=$T/prog
fi

boot() {
	if "$LABCTL" help boot >/dev/null 2>&1; then
		"$LABCTL" -q boot --scenario connect --initrd "$INITRD" >/dev/null
	else
		qemu-system-x86_64 -M microvm,acpi=off -accel tcg -cpu max -m 256 -smp 1 \
			-no-reboot -nodefaults -display none -serial "file:$T/serial.log" \
			-kernel "$KDIR/vmlinux" -initrd "$INITRD" \
			-append "console=ttyS0 nokaslr panic=-1 reboot=t quiet labctl.scenario=connect"
	fi
}
trace() {
	"$LABCTL" -q trace connect --program "$PROGRAM" --initrd "$INITRD" --out "$T/out" >/dev/null
}
# seconds COMMAND: wall-clock seconds the command took.
seconds() {
	local t0 t1
	t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$T/boot"; : >"$T/trace"
for i in $(seq "$N"); do
	seconds boot >>"$T/boot"
	seconds trace >>"$T/trace"
done
b=$(median <"$T/boot"); t=$(median <"$T/trace")
printf 'boot  median %.3f s  (%s)\n' "$b" "$(tr '\n' ' ' <"$T/boot")"
printf 'trace median %.3f s  (%s)\n' "$t" "$(tr '\n' ' ' <"$T/trace")"
printf 'ratio %.2f  (targets: <= 1.30, trace <= 2.5 s)\n' "$(echo "$t / $b" | bc -l)"
python3 -c 'import json, sys; print("last trace phases:", json.load(open(sys.argv[1]))["timing"])' "$T/out/report.json"
