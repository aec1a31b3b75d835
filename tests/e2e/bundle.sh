# labctl bundle export / import (labctl/kbuild/bundle.h): the built kernel
# carried to a clean cache, as a CI job that did not build it receives it.
# Checked by routes that are not labctl's: tar and sha256sum read the
# archive; readelf's DWARF line tables say which source files must be in
# it; the imported kernel traces and grades, the report's source lines
# equal to the building machine's files (sed), the example passing
# 100/100; a changed, extra, linked, hostile or cut bundle is refused with
# one line and exit 4, the cache left as it was.
. "$(dirname "$0")/lib"

need_tools tar zstd readelf sha256sum python3 gdb qemu-system-x86_64
need_kernel
K=$(readlink -f "$(user_cache)/kernels/current")
FIX=$ROOT/tests/e2e/fixtures/bundle
B=$T/k.tar.zst
# q FILE EXPR [ARG...]: EXPR of the JSON FILE as c (ARGs in sys.argv[3:])
q() { python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

expect_exit "bundle export --json" 0 "$LABCTL" bundle export --json "$B"
cp "$T/out" "$T/export.json"
check "export printed JSON naming the bundle, the kernel's key and version" \
	test "$(q "$T/export.json" 'c["path"], c["key"], c["version"]')" = \
	"$(q "$K/kernel.json" 'sys.argv[3], c["key"], c["version"]' "$B")"
check "export left no temporary beside the bundle" test "$(ls "$T" | grep -c '\.tmp\.')" = 0
expect_exit "bundle export again" 0 "$LABCTL" -q bundle export "$T/again.tar.zst"
check "the same kernel gives the same bytes" cmp -s "$B" "$T/again.tar.zst"
rm -f "$T/again.tar.zst"

# What tar reads: the manifest, and every member it lists with its SHA-256.
mkdir "$T/x"
check "tar reads the bundle (zstd)" tar --zstd -xf "$B" -C "$T/x"
check "the manifest lists every member tar found, and their SHA-256 (sha256sum)" python3 -c '
import json, os, subprocess, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "labctl-bundle.json")))
found = set()
for root, _, files in os.walk(d):
    for f in files:
        found.add(os.path.relpath(os.path.join(root, f), d))
found.discard("labctl-bundle.json")
assert found == set(m["files"]), (len(found), len(m["files"]))
out = subprocess.run(["sha256sum"] + sorted(found), cwd=d, capture_output=True, text=True, check=True).stdout
sums = dict(reversed(l.split(None, 1)) for l in out.splitlines())
bad = [n for n in found if sums[n] != m["files"][n]]
assert not bad and len(found) > 1000, bad[:5]' "$T/x"
check "vmlinux, bzImage, config, System.map and kernel.json are the built kernel's" \
	sh -c 'for f in vmlinux bzImage config System.map kernel.json; do cmp -s "$1/$f" "$2/$f" || exit 1; done' _ "$K" "$T/x"
check "the system call tables are in it, as built" \
	cmp -s "$K/source/arch/x86/entry/syscalls/syscall_64.tbl" "$T/x/source/arch/x86/entry/syscalls/syscall_64.tbl"
check "every source file vmlinux's DWARF names is in it, the same bytes (readelf)" \
	python3 "$FIX/dwarf_files.py" "$K/vmlinux" "$K/source" "$K/obj" "$T/x"
# The other series built here (the kernel matrix: 6.1, 6.12), their trees
# laid out otherwise: each one's bundle has every file its DWARF names.
for link in "$(user_cache)"/kernels/[0-9]*; do
	[ -L "$link" ] || continue
	series=$(basename "$link")
	[ "$(readlink -f "$link")" = "$K" ] && continue
	KS=$(readlink -f "$link")
	rm -rf "$T/xs" && mkdir "$T/xs"
	expect_exit "bundle export --kernel $series" 0 "$LABCTL" -q bundle export --kernel "$series" "$T/s.tar.zst"
	tar --zstd -xf "$T/s.tar.zst" -C "$T/xs"
	check "Linux $series: every source file its DWARF names is in its bundle (readelf)" \
		python3 "$FIX/dwarf_files.py" "$KS/vmlinux" "$KS/source" "$KS/obj" "$T/xs"
	rm -rf "$T/xs" "$T/s.tar.zst"
done

check "the directories bundle.c takes syscalls from are stubs.py's" python3 -c '
import re, sys
sys.path.insert(0, sys.argv[1] + "/gdb")
from labctl import stubs
c = open(sys.argv[1] + "/labctl/kbuild/bundle.c").read()
block = re.search(r"syscall_trees\[\] = \{(.*?)\};", c, re.S).group(1)
assert tuple(re.findall(r"\"([^\"]+)\"", block)) == stubs.DIRS, block' "$ROOT"

# Imported into a clean cache: the kernel of its series, as if built there.
C2=$T/cache2
imp() { LABCTL_CACHE_DIR=$C2 LABCTL_RUN_ROOT=$T/runs "$LABCTL" "$@"; }
expect_exit "bundle import --json into a clean cache" 0 imp bundle import --json "$B"
cp "$T/out" "$T/import.json"
KEY=$(q "$K/kernel.json" 'c["key"]')
SERIES=$(q "$K/kernel.json" '".".join(c["version"].split(".")[:2])')
check "import printed the kernel's directory and its key" \
	test "$(q "$T/import.json" 'c["path"], c["key"], c["existed"]')" = "('$C2/kernels/$KEY', '$KEY', False)"
check "current and $SERIES point at it" \
	test "$(readlink "$C2/kernels/current")" = "$KEY" -a "$(readlink "$C2/kernels/$SERIES")" = "$KEY"
check "its source and obj are directories of its own" \
	test -d "$C2/kernels/$KEY/source" -a ! -L "$C2/kernels/$KEY/source" -a -d "$C2/kernels/$KEY/obj"
check "no staging directory is left" test "$(ls "$C2/kernels" | grep -c tmp)" = 0

expect_exit "trace connect with the imported kernel" 0 imp trace connect --out "$T/tr"
check "the report's source lines are the building machine's files, line for line (sed)" python3 -c '
import json, subprocess, sys
r, src = json.load(open(sys.argv[1])), sys.argv[2]
seen = []
def walk(o):
    if isinstance(o, dict):
        if {"file", "line", "text"} <= set(o):
            seen.append(o)
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(r)
assert seen, "no source line in the report"
for s in seen:
    assert not s["file"].startswith("/"), s["file"]
    want = subprocess.run(["sed", "-n", "%dp" % s["line"], "%s/%s" % (src, s["file"])],
                          capture_output=True, text=True, check=True).stdout.rstrip("\n")
    assert s["text"] == want, (s, want)
print("   ", len(seen), "lines")' "$T/tr/report.json" "$K/source"
check "its kernel is the bundle's" \
	test "$(q "$T/tr/report.json" 'c["setup"]["kernel"]["release"]')" = "$(q "$K/kernel.json" 'c["version"]')"

expect_exit "grade the example with the imported kernel" 0 imp grade --out "$T/g" "$ROOT/ci/example-submission"
check "the example passes 100/100 there" \
	test "$(q "$T/g/grade.json" 'c["status"], c["score"]')" = "('passed', 100)"

# From a URL (a course publishes its bundle): downloaded, checked, imported.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$T" "$port" >"$T/http.log" 2>&1 &
HTTP=$!
for _ in $(seq 50); do python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && break; sleep 0.1; done
expect_exit "import from an http URL into another clean cache" 0 \
	env LABCTL_CACHE_DIR=$T/cache4 "$LABCTL" bundle import "http://127.0.0.1:$port/k.tar.zst"
check "from a URL: the same kernel, its vmlinux the built one" \
	cmp -s "$K/vmlinux" "$T/cache4/kernels/current/vmlinux"
check "from a URL: the download is not left in the cache" test -z "$(ls "$T/cache4/downloads")"
expect_exit "import from a URL that is not there" 4 \
	env LABCTL_CACHE_DIR=$T/cache5 "$LABCTL" bundle import "http://127.0.0.1:$port/none.tar.zst"
check "a URL not there: one error line naming the server's answer, no kernel" \
	sh -c 'test "$(grep -c "^labctl: error: " "$1")" = 1 && grep -q "HTTP status 404" "$1" &&
		test ! -e "$2/kernels/current"' _ "$T/err" "$T/cache5"
kill "$HTTP"
rm -rf "$T/cache4" "$T/cache5"

expect_exit "import it again" 0 imp bundle import --json "$B"
check "again: kept, the cache had it" test "$(q "$T/out" 'c["existed"]')" = True

# Bad bundles: one line, exit 4, nothing imported.  Each a copy of the
# extracted bundle (hard links) with one thing changed, packed by tar.
C3=$T/cache3
bad() {
	local name=$1 want=$2; shift 2
	rm -rf "$T/y" && cp -al "$T/x" "$T/y"
	(cd "$T/y" && "$@")
	tar --zstd -cf "$T/bad.tar.zst" -C "$T/y" .
	expect_exit "import: $name" 4 env LABCTL_CACHE_DIR=$C3 "$LABCTL" bundle import "$T/bad.tar.zst"
	check "import: $name: one line naming it" \
		sh -c 'test "$(wc -l <"$1")" = 1 && grep -q "^labctl: error: .*$2" "$1"' _ "$T/err" "$want"
	check "import: $name: no kernel in the cache" test ! -e "$C3/kernels/$KEY" -a ! -e "$C3/kernels/current"
	check "import: $name: no staging directory left" test "$(ls "$C3/kernels" 2>/dev/null | grep -c tmp)" = 0
}
flip() { rm -f "$1"; cp "$T/x/$1" "$1"; printf 'X' | dd of="$1" bs=1 seek=100 conv=notrunc 2>/dev/null; }
bad "a changed source file" "source/kernel/fork.c does not match its SHA-256" flip source/kernel/fork.c
bad "a changed vmlinux" "vmlinux does not match its SHA-256" flip vmlinux
bad "an extra file" "extra.c, which its manifest does not list" sh -c 'echo x >source/extra.c'
bad "a symbolic link" "which is not a regular file" sh -c 'ln -s /etc/passwd source/passwd'
bad "no manifest" "no labctl-bundle/1 manifest" rm labctl-bundle.json
bad "a file missing" "source/kernel/fork.c is missing" rm source/kernel/fork.c
bad "another key in kernel.json" "its manifest's key is not its kernel.json's" \
	python3 -c 'import json, os; p = "kernel.json"; c = json.load(open(p)); c["key"] = "0" * 64; os.unlink(p)
m = json.load(open("labctl-bundle.json")); import hashlib
open(p, "w").write(json.dumps(c))
m["files"][p] = hashlib.sha256(open(p, "rb").read()).hexdigest()
os.unlink("labctl-bundle.json"); open("labctl-bundle.json", "w").write(json.dumps(m))'
bad "a manifest naming ../" "lists '../escape' wrongly" python3 -c 'import json, os
m = json.load(open("labctl-bundle.json")); m["files"]["../escape"] = "0" * 64
os.unlink("labctl-bundle.json"); open("labctl-bundle.json", "w").write(json.dumps(m))'

# Not bundles at all.
head -c 4000000 "$B" >"$T/cut.tar.zst"
expect_exit "import: a bundle cut short" 4 env LABCTL_CACHE_DIR=$C3 "$LABCTL" bundle import "$T/cut.tar.zst"
check "import: a bundle cut short: one line" test "$(wc -l <"$T/err")" = 1
head -c 65536 /dev/urandom >"$T/noise"
expect_exit "import: random bytes" 4 env LABCTL_CACHE_DIR=$C3 "$LABCTL" bundle import "$T/noise"
check "import: random bytes: 'is not a kernel bundle'" grep -q "is not a kernel bundle" "$T/err"
printf '%s\n' '#!/bin/sh' >"$T/evil.sh"
tar -cf "$T/escape.tar" -C "$T" --transform 's,^,../,' evil.sh
expect_exit "import: an entry named ../" 4 env LABCTL_CACHE_DIR=$C3 "$LABCTL" bundle import "$T/escape.tar"
check "import: an entry named ../ wrote nothing outside" test ! -e "$C3/evil.sh" -a ! -e "$C3/kernels/evil.sh"
expect_exit "import: no such file" 4 env LABCTL_CACHE_DIR=$C3 "$LABCTL" bundle import "$T/none.tar.zst"
check "the cache it was refused into holds no kernel" test ! -e "$C3/kernels/current"

expect_exit "bundle without a verb" 2 "$LABCTL" bundle
expect_exit "bundle with another verb" 2 "$LABCTL" bundle list "$B"
expect_exit "bundle import --kernel" 2 "$LABCTL" bundle import --kernel 5.10 "$B"
expect_exit "bundle export without a file" 2 "$LABCTL" bundle export

done_testing
