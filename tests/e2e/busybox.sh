# The guest's BusyBox: Debian's busybox-static downloaded into the cache by a
# private apt-get (as the kernel source is), the fallback to it when the
# system's is not static, and BusyBox built from a source tarball with
# rootfs/busybox.config (--busybox-source), booted.  Reaches Debian's archive
# through the mirror of the system's apt configuration.
. "$(dirname "$0")/lib"

need_tools apt-get qemu-system-x86_64
own_cache_with_kernel
dyn=$(readlink -f /bin/bash)	# a dynamically linked x86-64 program
# An unreachable mirror: whatever runs with it cannot have used the network.
offline=http://127.0.0.1:9/debian

# cpio_member IMAGE NAME OUT: copy the file NAME out of a newc cpio archive.
cpio_member() {
	python3 - "$@" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
want, out, off = sys.argv[2].lstrip('/'), sys.argv[3], 0
while off < len(data):
    h = data[off:off + 110]
    assert h[:6] == b'070701', 'not newc at %d' % off
    size, namesize = int(h[54:62], 16), int(h[94:102], 16)
    name = data[off + 110:off + 110 + namesize - 1].decode()
    off = (off + 110 + namesize + 3) & ~3
    if name.lstrip('/') == want:
        open(out, 'wb').write(data[off:off + size])
        sys.exit(0)
    off = (off + size + 3) & ~3
sys.exit(1)
EOF
}
static64() { file -bL "$1" | grep -q 'ELF 64-bit.*x86-64.*statically linked'; }

# --- Debian's busybox-static ---------------------------------------------------
expect_exit "image --busybox debian (downloads busybox-static)" 0 "$LABCTL" image --busybox debian
img=$(cat "$T/out")
check "apt-get ran privately under the cache" grep -q "apt-get update (bookworm, private state in $T/cache/apt/bookworm)" "$T/err"
key=$(cat "$T/cache/busybox/debian-bookworm-busybox-static" 2>/dev/null)
deb_bb=$T/cache/busybox/$key/busybox
check "the download is cached under its key" test -n "$key" -a -f "$deb_bb"
check "Debian's busybox is a static x86-64 ELF" static64 "$deb_bb"
check "its origin names the package and the .deb's SHA-256" \
	grep -q "^debian:busybox-static .* (bookworm) sha256:$key\$" "$T/cache/busybox/$key/origin"
check "no .deb is left in the cache" sh -c "! ls '$T/cache/downloads/'*.deb 2>/dev/null | grep -q ."
cpio_member "$img" bin/busybox "$T/in-image"
check "the image's /bin/busybox is Debian's" cmp -s "$T/in-image" "$deb_bb"

LABCTL_DEBIAN_MIRROR=$offline expect_exit "a second --busybox debian needs no network" 0 \
	"$LABCTL" image --busybox debian
check "and runs no apt-get" lacks "$T/err" -e apt-get
check "and gives the same image" test "$(cat "$T/out")" = "$img"

LABCTL_SYSTEM_BUSYBOX=$dyn LABCTL_DEBIAN_MIRROR=$offline expect_exit \
	"a dynamic system busybox falls back to Debian's (cached)" 0 "$LABCTL" image
check "the fallback says why" grep -q "$dyn is dynamically linked.*using Debian's busybox-static" "$T/err"
cpio_member "$(cat "$T/out")" bin/busybox "$T/in-image"
check "and the image holds Debian's" cmp -s "$T/in-image" "$deb_bb"

LABCTL_SYSTEM_BUSYBOX=$T/none LABCTL_DEBIAN_MIRROR=$offline expect_exit \
	"a missing system busybox falls back to Debian's (cached)" 0 "$LABCTL" image
check "the fallback says why" grep -q "$T/none is missing: using Debian's busybox-static" "$T/err"

LABCTL_CACHE_DIR=$T/cache-offline LABCTL_SYSTEM_BUSYBOX=$dyn LABCTL_DEBIAN_MIRROR=$offline \
	expect_exit "no static system busybox and no archive: environment error" 3 "$LABCTL" image
check "one error line about apt-get" grep -q "^labctl: error: apt-get update failed" "$T/err"
# doctor checks the BusyBox the image would use (a cache without a kernel: no boot).
mkdir -p "$T/cache-doctor" && ln -s "$T/cache/busybox" "$T/cache-doctor/busybox"
LABCTL_CACHE_DIR=$T/cache-doctor expect_exit "doctor" 0 "$LABCTL" doctor
check "doctor: the system's static busybox" grep -q "^ok    busybox .*/bin/busybox is static x86-64 (the image uses it)" "$T/out"
check "doctor: gcc -m32 -static" grep -Eq "^(ok  |warn)  gcc -m32 -static " "$T/out"
check "doctor: bwrap" grep -Eq "^(ok  |warn)  bwrap " "$T/out"
LABCTL_CACHE_DIR=$T/cache-doctor LABCTL_SYSTEM_BUSYBOX=$dyn expect_exit "doctor, dynamic system busybox" 0 \
	"$LABCTL" doctor
check "doctor: Debian's cached busybox is the one used" \
	grep -q "^ok    busybox .*$key/busybox (Debian's busybox-static, .*) is static x86-64" "$T/out"
LABCTL_CACHE_DIR=$T/cache-doctor2 LABCTL_SYSTEM_BUSYBOX=$dyn expect_exit "doctor, nothing cached" 0 \
	"$LABCTL" doctor
check "doctor: says Debian's will be downloaded" \
	grep -q "^warn  busybox .*labctl image will download Debian's busybox-static" "$T/out"

LABCTL_SYSTEM_BUSYBOX=$dyn expect_exit "--busybox system when it is dynamic" 3 \
	"$LABCTL" image --busybox system
check "names the file and the fix" grep -q "^labctl: error: --busybox system: $dyn is dynamically linked.*busybox-static" "$T/err"
expect_exit "--busybox with a missing file" 4 "$LABCTL" image --busybox "$T/no-such-busybox"
expect_exit "--busybox ''" 2 "$LABCTL" image --busybox ''
expect_exit "--busybox with --busybox-source" 2 "$LABCTL" image --busybox debian --busybox-source debian
expect_exit "build --busybox-source with a missing tarball fails before the kernel" 4 \
	"$LABCTL" build --busybox-source "$T/no-such.tar.bz2"
check "and says so" grep -q "^labctl: error: --busybox-source $T/no-such.tar.bz2: no such file" "$T/err"

# --- BusyBox built from source ---------------------------------------------------
start=$(date +%s.%N)
"$LABCTL" image --busybox-source debian >"$T/out" 2>"$T/err"; rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
if [ "$rc" -ne 0 ] && grep -q "apt-get" "$T/err"; then
	skip_all "--busybox-source: apt-get cannot give Debian's busybox source package here: $(grep error "$T/err" | head -1)"
fi
check "image --busybox-source debian (download and build, ${secs%.*} s)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$T/err" | tail -5
img=$(cat "$T/out")
orig=$(ls "$T"/cache/busybox/debian-bookworm-busybox-source/busybox_*.orig.tar.* 2>/dev/null | head -1)
check "Debian's upstream tarball is kept in the cache" test -f "$orig"
entry=$(dirname "$(grep -l '^built:' "$T"/cache/busybox/*/origin | head -1)")
built=$entry/busybox
check "the built busybox is a static x86-64 ELF" static64 "$built"
check "it has init's applets" sh -c "'$built' --list | sort | tr '\n' ' ' | grep -q 'cat .*ip .*mkfifo mount .*reboot sh '"
check "its .config is static, from the fragment" grep -qx "CONFIG_STATIC=y" "$entry/config"
check "and has no applet the fragment did not ask for" lacks "$entry/config" -x -e 'CONFIG_VI=y'
cpio_member "$img" bin/busybox "$T/in-image"
check "the image holds the built busybox" cmp -s "$T/in-image" "$built"

cp "$orig" "$T/busybox-upstream.tar.bz2"
expect_exit "--busybox-source TARBALL with the same bytes is cached" 0 \
	"$LABCTL" image --busybox-source "$T/busybox-upstream.tar.bz2"
check "(keyed by the tarball's hash: nothing rebuilt)" lacks "$T/err" -e 'building BusyBox'
check "and gives the same image" test "$(cat "$T/out")" = "$img"

expect_exit "boot --scenario connect with the built busybox" 0 \
	"$LABCTL" boot --scenario connect --busybox-source "$T/busybox-upstream.tar.bz2" --timeout 60
check "connect: the client got the greeting" \
	grep -qF 'client: received "Welcome to the lab server!"' "$T/runs/boot-latest/serial.log"
check "connect: done status=0" grep -q '^LABCTL scenario done status=0' "$T/runs/boot-latest/serial.log"

# --- bad tarballs and fragments --------------------------------------------------
mkdir -p "$T/notbb/pkg-1.0"
echo "hello" >"$T/notbb/pkg-1.0/README"
python3 -c 'import tarfile,sys; t=tarfile.open(sys.argv[1],"w:gz"); t.add(sys.argv[2], "pkg-1.0"); t.close()' \
	"$T/pkg-1.0.tar.gz" "$T/notbb/pkg-1.0"
expect_exit "a tarball that is not BusyBox" 4 "$LABCTL" image --busybox-source "$T/pkg-1.0.tar.gz"
check "is named as such" grep -q "pkg-1.0.tar.gz is not a BusyBox source tarball" "$T/err"

python3 - "$T/evil.tar.gz" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w:gz')
data = b'owned\n'
i = tarfile.TarInfo('busybox-9.9/../../evil'); i.size = len(data)
t.addfile(i, io.BytesIO(data)); t.close()
EOF
expect_exit "a hostile tarball (..) is refused" 4 "$LABCTL" image --busybox-source "$T/evil.tar.gz"
check "nothing escaped" test ! -e "$T/cache/evil" -a ! -e "$T/cache/busybox/evil"

rm -rf "$T/data"; mkdir -p "$T/data"
cp -R "$ROOT/kernel-config" "$ROOT/rootfs" "$ROOT/scenarios" "$T/data/"
printf 'CONFIG_NO_SUCH_APPLET=y\n' >>"$T/data/rootfs/busybox.config"
LABCTL_DATADIR=$T/data expect_exit "a fragment option BusyBox drops" 4 \
	"$LABCTL" image --busybox-source "$T/busybox-upstream.tar.bz2"
check "is named with its file:line" \
	grep -q "busybox.config:[0-9]*: CONFIG_NO_SUCH_APPLET=y did not take in BusyBox 1\." "$T/err"
check "and no broken build is cached" test "$(ls -d "$T"/cache/busybox/*/config | wc -l)" -eq 1
done_testing
