# labctl config, build and doctor: bad input first (cheap, in a scratch
# cache), then the real lab kernel in the default cache (a cold build of a
# few minutes the first time, a no-op after that), then doctor.
. "$(dirname "$0")/lib"

SCRATCH=(--cache-dir "$T/cache")

# A fake 5.x tree whose every make target fails.
fake_tree() {
	mkdir -p "$1/arch/x86/entry/syscalls"
	: >"$1/arch/x86/entry/syscalls/syscall_64.tbl"
	printf 'VERSION = %s\nPATCHLEVEL = 10\nSUBLEVEL = 0\n' "$2" >"$1/Makefile"
	printf 'tinyconfig defconfig olddefconfig vmlinux:\n\t@echo "fake: no rule for $@" >&2; %s\n' \
		"$3" >>"$1/Makefile"
}
fake_tree "$T/fail" 5 "exit 2"
fake_tree "$T/four" 4 "exit 2"
# The slow make's sleep is this script's own (its pid in the duration), so
# that pgrep cannot see another test's.
SLOW="sleep 60.$$"
fake_tree "$T/slow" 5 "$SLOW"
mkdir -p "$T/empty" "$T/nobin"

expect_exit "build: unknown option" 2 "$LABCTL" build --frob
expect_exit "build: unknown base" 2 "$LABCTL" build --base allyesconfig
expect_exit "build: bad -j" 2 "$LABCTL" build -j zero
expect_exit "build --help" 0 "$LABCTL" build --help
expect_exit "config --help" 0 "$LABCTL" config --help
expect_exit "doctor: unknown option" 2 "$LABCTL" doctor --frob
expect_exit "build: no gcc on PATH" 3 env PATH="$T/nobin" "$LABCTL" "${SCRATCH[@]}" build \
	--kernel-source "$T/fail"
check "  ... names gcc" grep -q '^labctl: error: gcc not found' "$T/err"
expect_exit "build: not a kernel tree" 4 "$LABCTL" "${SCRATCH[@]}" build --kernel-source "$T/empty"
check "  ... says so" grep -q 'is not a Linux source tree' "$T/err"
expect_exit "build: Linux 4.x is neither 5.x nor 6.x" 4 "$LABCTL" "${SCRATCH[@]}" build --kernel-source "$T/four"
check "  ... says so" grep -q 'is Linux 4.[0-9]*, not 5.x or 6.x' "$T/err"
expect_exit "build: missing fragment" 4 "$LABCTL" "${SCRATCH[@]}" build --kernel-source "$T/fail" \
	--fragment "$T/nonexistent.config"
expect_exit "build: no disk space" 3 env LABCTL_MIN_FREE_MB=999999999 "$LABCTL" "${SCRATCH[@]}" \
	build --kernel-source "$T/fail"
check "  ... says how much is free" grep -q 'MiB free in' "$T/err"
expect_exit "build: make fails" 1 "$LABCTL" "${SCRATCH[@]}" build --kernel-source "$T/fail"
check "  ... with the exit code" grep -q '^labctl: error: make failed (exited with status 2)' "$T/err"
check "  ... and the log's tail" grep -q '^  | fake: no rule for tinyconfig' "$T/err"
check "  ... leaves no kernel in the cache" test -z "$(ls -A "$T/cache/kernels")"

# A build killed mid-way: no kernel entry, no make left running.
"$LABCTL" "${SCRATCH[@]}" build --kernel-source "$T/slow" >/dev/null 2>&1 &
pid=$!
# Killed once make runs (its recipe's sleep), however long labctl took to get there.
for _ in $(seq 600); do pgrep -fx "$SLOW" >/dev/null && break; sleep 0.1; done
check "killed build: make was running" pgrep -fx "$SLOW"
kill -TERM $pid
wait $pid
check "killed build: dies of the signal" test $? -eq 143
check "  ... leaves no kernel in the cache" test -z "$(ls -A "$T/cache/kernels")"
check "  ... leaves no make running" sh -c "! pgrep -fx '$SLOW' >/dev/null"

# The real source: Debian's linux-source-5.10, fetched once into the default
# cache (a no-op after that).
KSRC=$("$LABCTL" -q fetch) || { not_ok "fetch the default kernel source"; exit 1; }

# Kconfig drops an option whose dependency is unmet, and labctl says why.
printf 'CONFIG_PCI_MSI=y\n' >"$T/msi.config"
expect_exit "config: unmet dependency fails" 4 "$LABCTL" "${SCRATCH[@]}" config \
	--kernel-source "$KSRC" --fragment "$ROOT/kernel-config/lab.config" \
	--fragment "$ROOT/kernel-config/debug.config" --fragment "$T/msi.config"
check "  ... naming the option and its dependency" \
	grep -q '^labctl: error: CONFIG_PCI_MSI=y (.*msi.config:1) was dropped: depends on PCI (unmet: PCI' "$T/err"
expect_exit "config: the lab fragments all take" 0 "$LABCTL" "${SCRATCH[@]}" config \
	--kernel-source "$KSRC"
check "  ... and it prints the .config" grep -q '/.config$' "$T/out"

# The real lab kernel, in the default cache: a cold build the first time.
expect_exit "build: the lab kernel" 0 nice "$LABCTL" build
K=$(head -1 "$T/out")
check "  ... and the lab initramfs" test -s "$(sed -n 2p "$T/out")"
for f in vmlinux bzImage config System.map source obj kernel.json; do
	check "  ... has $f" test -e "$K/$f"
done
check "  ... is current" test "$(readlink -f "$(dirname "$K")/current")" = "$(readlink -f "$K")"
check "  ... kernel.json names the version and key" python3 -c '
import json, os, sys
j = json.load(open(sys.argv[1] + "/kernel.json"))
assert j["version"] == "5.10.223" and j["key"] == os.path.basename(sys.argv[1])
assert j["base"] == "tinyconfig" and len(j["fragments"]) == 2 and j["compiler"].startswith("gcc")
' "$K"
check "  ... vmlinux has a GDB index" sh -c "readelf -S '$K/vmlinux' | grep -q gdb_index"
start=$(date +%s.%N)
expect_exit "build: nothing changed" 0 "$LABCTL" build
secs=$(echo "$(date +%s.%N) - $start" | bc)
check "  ... in under a second ($secs s)" test "$(echo "$secs < 1" | bc)" -eq 1
check "  ... says it is up to date" grep -q 'is up to date' "$T/err"
check "  ... the same kernel" test "$(head -1 "$T/out")" = "$K"

expect_exit "doctor" 0 "$LABCTL" doctor
check "  ... one line per check" lacks "$T/out" -Ev '^(ok|warn|FAIL) '
check "  ... the kernel boots" grep -q '^ok    boot (TCG)' "$T/out"
check "  ... checks KVM" grep -Eq '^(ok|warn)  KVM ' "$T/out"
expect_exit "doctor --json" 0 "$LABCTL" doctor --json
check "  ... is a JSON array of checks" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert all(set(c) == {"check", "status", "detail"} for c in a) and len(a) >= 8
' "$T/out"
done_testing
