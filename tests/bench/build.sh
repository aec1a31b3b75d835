#!/usr/bin/env bash
# Kernel build benchmark (not a timed test; make test does not run it).
#   tests/bench/build.sh [--no-defconfig] [KERNEL_SOURCE]
# KERNEL_SOURCE defaults to Debian's linux-source-5.10 as `labctl fetch`
# gets it (extracted once into the cache; the timed builds start from it).
# In fresh caches (so ccache starts empty too), from the same source:
#   cold lab build (tinyconfig + lab + debug fragments), nothing-changed
#   rebuild, one-file-change rebuild, ccache-hot rebuild (fresh object
#   directory, warm ccache), GDB symbol lookup with and without the index,
#   and the reference write-ups' recipe (defconfig + debug) cold, for the
#   ratio.  The defconfig build takes ~23 min on 2 cores.
set -u
cd "$(dirname "$0")/../.."
LABCTL=${LABCTL:-$PWD/bin/labctl}
defconfig=1
[ "${1:-}" = --no-defconfig ] && { defconfig=0; shift; }
SRC=${1:-$("$LABCTL" -q fetch)} || { echo "bench: labctl fetch failed" >&2; exit 1; }
B=$(mktemp -d /var/tmp/labctl-bench.XXXXXX)
trap 'rm -rf "$B"' EXIT
declare -A secs

# timed NAME CACHE ARGS...: run labctl build, record its wall time.
timed() {
	local name=$1 cache=$2 start rc; shift 2
	start=$(date +%s.%N)
	"$LABCTL" -q --cache-dir "$cache" build --kernel-source "$SRC" "$@" >"$B/$name.out"
	rc=$?
	secs[$name]=$(echo "$(date +%s.%N) - $start" | bc)
	[ $rc -eq 0 ] || { echo "bench: $name failed (exit $rc)" >&2; exit 1; }
	printf '%-28s %8.2f s\n' "$name" "${secs[$name]}"
}

# gdb_lookup VMLINUX: seconds GDB takes to find the lab's symbols.
gdb_lookup() {
	local start=$(date +%s.%N)
	gdb -batch -nx -ex 'info address sys_call_table' -ex 'info line __x64_sys_connect' \
		"$1" >/dev/null 2>&1
	echo "$(date +%s.%N) - $start" | bc
}

echo "source: $SRC; $(nproc) CPUs; $(gcc --version | head -1)"
timed "lab cold" "$B/lab"
timed "lab nothing changed" "$B/lab"
touch "$SRC/net/socket.c"
timed "lab one file changed" "$B/lab" --force
K=$(cat "$B/lab one file changed.out")
cp "$(readlink -f "$K/obj")/vmlinux" "$B/vmlinux.noindex"
rm -rf "$B/lab/obj" "$B/lab/kernels"
timed "lab ccache-hot" "$B/lab"
K=$(cat "$B/lab ccache-hot.out")
printf '%-28s %8.2f s\n' "gdb lookup, no index" "$(gdb_lookup "$B/vmlinux.noindex")"
printf '%-28s %8.2f s\n' "gdb lookup, gdb-add-index" "$(gdb_lookup "$K/vmlinux")"
if [ $defconfig -eq 1 ]; then
	timed "defconfig+debug cold" "$B/def" --base defconfig
	printf '%-28s %8.2f\n' "lab / defconfig" \
		"$(echo "${secs[lab cold]} / ${secs[defconfig+debug cold]}" | bc -l)"
fi
