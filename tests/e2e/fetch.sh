# labctl fetch: trees, tarballs (good and hostile), HTTP on loopback (hash
# checks, interrupted downloads), git repositories made here, and Debian's
# linux-source-5.10 for real (into the default cache, so later runs are fast).
. "$(dirname "$0")/lib"

C="$T/cache"
PIDS=()
trap 'for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

fetch() { "$LABCTL" --cache-dir "$C" fetch "$@"; }

# mk_tree DIR VERSION PATCHLEVEL SUBLEVEL: the smallest tree labctl accepts.
mk_tree() {
	mkdir -p "$1/arch/x86/entry/syscalls"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nNAME = test\n' "$2" "$3" "$4" >"$1/Makefile"
	printf '0\tcommon\tread\tsys_read\n' >"$1/arch/x86/entry/syscalls/syscall_64.tbl"
}

# mk_tarball OUT.tar.{gz,xz} DIR: DIR under a top directory named after OUT.
mk_tarball() {
	python3 - "$1" "$2" <<'EOF'
import sys, tarfile, os
out, src = sys.argv[1], sys.argv[2]
top = os.path.basename(out).split('.tar')[0]
with tarfile.open(out, 'w:' + out.rsplit('.', 1)[1]) as t:
    t.add(src, arcname=top)
EOF
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
	for _ in $(seq 600); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

sources_entries() { ls "$C/sources" 2>/dev/null | grep -cv '^debian-' || true; }

# --- the command line ---
expect_exit "fetch --help exits 0" 0 "$LABCTL" fetch --help
check "fetch --help shows the usage" grep -q '^usage: labctl fetch' "$T/out"
expect_exit "fetch: unknown option" 2 fetch --frob
expect_exit "fetch: unknown scheme" 2 fetch --kernel-source ftp://example.invalid/linux.tar.xz
check "unknown scheme: one error line" test "$(wc -l <"$T/err")" -eq 1
expect_exit "fetch: bad hex" 2 fetch --kernel-source http://127.0.0.1:1/l.tar.xz --sha256 xyz
expect_exit "fetch: --sha256 on a tree" 2 fetch --kernel-source "$T" --sha256 "$(printf '0%.0s' $(seq 64))"

# --- extracted trees, used in place ---
mk_tree "$T/good" 5 10 99
mk_tree "$T/old" 4 19 1
mkdir -p "$T/empty"
expect_exit "tree: a 5.x tree is used in place" 0 fetch --kernel-source "$T/good"
check "tree: stdout is the tree" test "$(cat "$T/out")" = "$T/good"
expect_exit "tree: 4.x refused" 4 fetch --kernel-source "$T/old"
check "tree: 4.x names the version" grep -q 'Linux 4.19, not 5.x' "$T/err"
expect_exit "tree: not a kernel tree" 4 fetch --kernel-source "$T/empty"
check "tree: one error line" test "$(wc -l <"$T/err")" -eq 1
expect_exit "missing path" 4 fetch --kernel-source "$T/nonexistent"

# --- local tarballs ---
mk_tarball "$T/linux-5.10.99.tar.gz" "$T/good"
mk_tarball "$T/linux-5.10.99.tar.xz" "$T/good"
mk_tarball "$T/linux-4.19.1.tar.xz" "$T/old"
sum=$(sha256sum "$T/linux-5.10.99.tar.gz" | cut -d' ' -f1)
expect_exit "tarball .tar.gz extracted" 0 fetch --kernel-source "$T/linux-5.10.99.tar.gz"
check "tarball: tree keyed by the SHA-256" test "$(cat "$T/out")" = "$C/sources/$sum/tree"
check "tarball: top directory stripped" test -f "$C/sources/$sum/tree/Makefile"
expect_exit "tarball: second fetch reuses the tree" 0 fetch --kernel-source "$T/linux-5.10.99.tar.gz"
check "tarball: nothing extracted again" lacks "$T/err" -e 'extracting'
expect_exit "tarball .tar.xz extracted" 0 fetch --kernel-source "$T/linux-5.10.99.tar.xz"
expect_exit "tarball: --sha256 checked" 0 fetch --kernel-source "$T/linux-5.10.99.tar.gz" --sha256 "$sum"
expect_exit "tarball: --sha256 mismatch" 4 fetch --kernel-source "$T/linux-5.10.99.tar.gz" \
	--sha256 "$(printf 'a%.0s' $(seq 64))"
n=$(sources_entries)
expect_exit "tarball of 4.x refused" 4 fetch --kernel-source "$T/linux-4.19.1.tar.xz"
check "tarball of 4.x: nothing cached" test "$(sources_entries)" -eq "$n"

python3 - "$T" <<'EOF'
import io, sys, tarfile
T = sys.argv[1]
def mk(name, entries):
    with tarfile.open(f'{T}/{name}', 'w:gz') as t:
        for path, kind, data in entries:
            i = tarfile.TarInfo(path)
            if kind == 'sym':
                i.type, i.linkname = tarfile.SYMTYPE, data
                t.addfile(i)
            else:
                i.size = len(data)
                t.addfile(i, io.BytesIO(data))
ok = ('linux-5.10/Makefile', 'file', b'VERSION = 5\n')
mk('abs.tar.gz', [ok, (f'{T}/pwned-abs', 'file', b'x')])
mk('dotdot.tar.gz', [ok, ('linux-5.10/../../pwned-dotdot', 'file', b'x')])
mk('symlink.tar.gz', [ok, ('linux-5.10/esc', 'sym', T), ('linux-5.10/esc/pwned-sym', 'file', b'x')])
EOF
for h in abs dotdot symlink; do
	expect_exit "hostile tarball ($h) refused" 4 fetch --kernel-source "$T/$h.tar.gz"
	check "hostile tarball ($h): nothing left in the cache" \
		test "$(sources_entries)" -eq "$n" -a -z "$(ls -d "$C"/sources/*.tmp.* 2>/dev/null)"
done
check "hostile tarballs wrote nothing outside" test -z "$(ls "$T" | grep pwned)"

# --- HTTP on loopback ---
mkdir -p "$T/www"
cp "$T/linux-5.10.99.tar.xz" "$T/www/"
xsum=$(sha256sum "$T/www/linux-5.10.99.tar.xz" | cut -d' ' -f1)
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$port" >"$T/http.log" 2>&1 &
PIDS+=($!)
URL="http://127.0.0.1:$port/linux-5.10.99.tar.xz"
if wait_port "$port"; then
	rm -rf "$C/sources/$xsum"
	expect_exit "http: good hash" 0 fetch --kernel-source "$URL" --sha256 "$xsum"
	check "http: tree keyed by the hash" test "$(cat "$T/out")" = "$C/sources/$xsum/tree"
	check "http: no download left behind" test -z "$(ls "$C/downloads")"
	expect_exit "http: second fetch does not download" 0 fetch --kernel-source "$URL" --sha256 "$xsum"
	check "http: no download the second time" lacks "$T/err" -e 'downloading'
	n=$(sources_entries)
	bad=$(printf 'f%.0s' $(seq 64))
	expect_exit "http: bad hash refused" 4 fetch --kernel-source "$URL" --sha256 "$bad"
	check "http: bad hash says so" grep -q 'SHA-256 mismatch' "$T/err"
	check "http: bad hash leaves no copy" test -z "$(ls "$C/downloads")" -a "$(sources_entries)" -eq "$n"
	expect_exit "http: no hash refused" 4 fetch --kernel-source "$URL"
	check "http: no hash says how to proceed" grep -q -- '--allow-unverified' "$T/err"
	rm -rf "$C/sources/$xsum"
	expect_exit "http: --allow-unverified accepted" 0 fetch --kernel-source "$URL" --allow-unverified
	check "http: unverified download warned about" grep -q 'not verified' "$T/err"
	expect_exit "http: 404" 4 fetch --kernel-source "http://127.0.0.1:$port/nope.tar.xz" --allow-unverified
	rm -rf "$C/sources/$xsum"
	mkdir -p "$T/data/kernel-config"
	printf '# test pins\n%s  %s\n' "$xsum" "$URL" >"$T/data/kernel-config/sources.sha256"
	expect_exit "http: pinned hash in kernel-config/sources.sha256" 0 \
		env LABCTL_DATADIR="$T/data" "$LABCTL" --cache-dir "$C" fetch --kernel-source "$URL"
else
	not_ok "http: server on port $port did not start"
fi

# A server that promises more bytes than it sends, then hangs up.
iport=$(free_port)
python3 - "$iport" >/dev/null 2>&1 <<'EOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n' + b'x' * 4096)
    c.close()
EOF
PIDS+=($!)
if wait_port "$iport"; then
	expect_exit "http: interrupted download fails" 3 \
		fetch --kernel-source "http://127.0.0.1:$iport/linux-5.10.1.tar.xz" --allow-unverified
	check "http: interrupted download says so" grep -q 'interrupted' "$T/err"
	check "http: interrupted download leaves nothing" test -z "$(ls "$C/downloads")"
else
	not_ok "http: interrupting server on port $iport did not start"
fi

# --- git, against a repository made here ---
R="$T/repo"
mk_tree "$R" 5 4 1
git -C "$R" init -q -b main
git -C "$R" -c user.name=t -c user.email=t@t add -A
git -C "$R" -c user.name=t -c user.email=t@t commit -q -m v5.4.1
git -C "$R" -c user.name=t -c user.email=t@t tag -a v5.4.1 -m v5.4.1
sed -i 's/SUBLEVEL = 1/SUBLEVEL = 2/' "$R/Makefile"
git -C "$R" -c user.name=t -c user.email=t@t commit -q -am v5.4.2
tagged=$(git -C "$R" rev-parse 'v5.4.1^{commit}')
head=$(git -C "$R" rev-parse HEAD)
expect_exit "git: annotated tag" 0 fetch --kernel-source "git+$R#v5.4.1"
check "git: tree keyed by the commit" test "$(cat "$T/out")" = "$C/sources/$tagged/tree"
check "git: the tag's content" grep -q 'SUBLEVEL = 1' "$C/sources/$tagged/tree/Makefile"
check "git: no .git in the tree" test ! -e "$C/sources/$tagged/tree/.git"
expect_exit "git: branch over file://" 0 fetch --kernel-source "git+file://$R#main"
check "git: the branch's head" test "$(cat "$T/out")" = "$C/sources/$head/tree"
expect_exit "git: second fetch reuses the tree" 0 fetch --kernel-source "git+file://$R#main"
check "git: no clone the second time" lacks "$T/err" -e 'cloning'
rm -rf "$C/sources/$tagged"
expect_exit "git: abbreviated commit" 0 fetch --kernel-source "git+$R#${tagged:0:10}"
check "git: abbreviated commit resolved" test "$(cat "$T/out")" = "$C/sources/$tagged/tree"
expect_exit "git: unknown tag" 4 fetch --kernel-source "git+$R#v9.9"
expect_exit "git: no #TAG" 2 fetch --kernel-source "git+$R"
expect_exit "git: no such repository" 4 fetch --kernel-source "git+$T/norepo#v1"
check "git: failed fetches leave no staging" test -z "$(ls -d "$C"/sources/*.tmp.* 2>/dev/null)"

# --- a full disk: a 1 MiB tmpfs as the cache, in a private mount namespace ---
mkdir -p "$T/big/arch/x86/entry/syscalls" "$T/full"
cp "$T/good/Makefile" "$T/big/"
cp "$T/good/arch/x86/entry/syscalls/syscall_64.tbl" "$T/big/arch/x86/entry/syscalls/"
head -c 2000000 /dev/urandom >"$T/big/random"
mk_tarball "$T/linux-5.10.98.tar.gz" "$T/big"
if unshare -m --propagation private true 2>/dev/null; then
	expect_exit "full disk: extraction fails as the machine's fault" 3 \
		unshare -m --propagation private sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" &&
			exec "$2" --cache-dir "$1" fetch --kernel-source "$3"' \
		sh "$T/full" "$LABCTL" "$T/linux-5.10.98.tar.gz"
	check "full disk: says so" grep -q 'no space left' "$T/err"
	check "full disk: one error line" test "$(grep -c 'error:' "$T/err")" -eq 1
else
	skip "full disk: no private mount namespace here"
fi

# --- an interrupted fetch's staging directory is swept ---
mkdir -p "$C/sources/0123.tmp.999999/tree"
expect_exit "sweep: a fetch after an interrupted one" 0 fetch --kernel-source "$T/linux-5.10.99.tar.gz"
check "sweep: the staging directory is gone" test ! -e "$C/sources/0123.tmp.999999"

# --- Debian's linux-source-5.10, for real, in the default cache ---
expect_exit "debian: default source" 0 "$LABCTL" fetch
check "debian: a 5.10 tree" grep -q '^PATCHLEVEL = 10' "$(cat "$T/out")/Makefile"
check "debian: origin named" grep -q 'debian:linux-source-5.10 5.10' "$T/err"
first=$(cat "$T/out")
# The second fetch is the cache's: it works with an unreachable mirror and
# neither downloads nor extracts (how fast it is, tests/bench measures).
expect_exit "debian: second fetch, offline" 0 env LABCTL_DEBIAN_MIRROR=http://127.0.0.1:9/debian "$LABCTL" fetch
check "debian: the same tree" test "$(cat "$T/out")" = "$first"
check "debian: nothing downloaded or extracted" lacks "$T/err" -E 'apt-get|extracting'
done_testing
