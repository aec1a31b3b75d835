#!/usr/bin/env bash
# Benchmark: the initramfs build, its size, and boot-to-poweroff of the
# connect scenario under TCG, against the reference write-ups' way (QEMU's
# pc machine, the compressed bzImage through the BIOS, a cpio.gz).
#   tests/bench/boot.sh [RUNS]          (default 7; prints medians)
# Uses the kernel in the cache (LABCTL_CACHE_DIR, XDG_CACHE_HOME or
# ~/.cache/labctl: kernels/current; or $LABCTL_TEST_KERNEL)
# and a scratch cache, so it measures a cold image build too.
set -eu -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LABCTL=${LABCTL:-$ROOT/bin/labctl}
RUNS=${1:-7}
KERNEL=$(readlink -f "${LABCTL_TEST_KERNEL:-${LABCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl}/kernels/current}")
[ -e "$KERNEL/vmlinux" ] || { echo "bench: no built kernel in $KERNEL (labctl build)" >&2; exit 1; }
T=$(mktemp -d /tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LABCTL_CACHE_DIR=$T/cache LABCTL_RUN_ROOT=$T/runs
mkdir -p "$T/cache/kernels"
ln -s "$KERNEL" "$T/cache/kernels/current"

# seconds COMMAND...: wall-clock time of one run, in seconds; fails with it
# (a failed run is no timing: its output is shown and the benchmark stops).
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	if ! "$@" >"$T/run.log" 2>&1; then
		echo "bench: failed: $*" >&2
		tail -5 "$T/run.log" >&2
		return 1
	fi
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
median() { sort -n | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); printf "%.2f", (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }
# runs N COMMAND...: the median of N timed runs.
runs() {
	local n=$1; shift
	for _ in $(seq "$n"); do seconds "$@" || return 1; done | median
}

cold=$(seconds "$LABCTL" image)
warm=$(runs 3 "$LABCTL" image)
img=$("$LABCTL" image)
gz=$("$LABCTL" image --gzip)
ours=$(runs "$RUNS" "$LABCTL" -q boot --scenario connect)

# The write-ups' way, same kernel and programs: -M pc, BIOS, bzImage, cpio.gz.
pc() {
	timeout 60 qemu-system-x86_64 -M pc -accel tcg -cpu max -m 256 -smp 1 -no-reboot \
		-nodefaults -display none -serial "file:$T/pc-serial.log" \
		-kernel "$KERNEL/bzImage" -initrd "$gz" \
		-append "console=ttyS0 nokaslr panic=-1 reboot=t quiet labctl.scenario=connect"
	grep -q '^LABCTL scenario done status=0' "$T/pc-serial.log"
}
theirs=$(runs "$RUNS" pc)

printf '%-46s %.2f s\n' "initramfs build, cold (programs compiled)" "$cold"
printf '%-46s %.3f s\n' "initramfs build, cached (no-op)" "$warm"
printf '%-46s %s bytes (%s MiB)\n' "initramfs.cpio size" "$(stat -c %s "$img")" \
	"$(echo "scale=1; $(stat -c %s "$img") / 1048576" | bc)"
printf '%-46s %s bytes (%s MiB)\n' "initramfs.cpio.gz size" "$(stat -c %s "$gz")" \
	"$(echo "scale=1; $(stat -c %s "$gz") / 1048576" | bc)"
printf '%-46s %s s (median of %d)\n' "labctl boot --scenario connect (microvm, PVH)" "$ours" "$RUNS"
printf '%-46s %s s (median of %d)\n' "write-ups' way (-M pc, bzImage, cpio.gz)" "$theirs" "$RUNS"
