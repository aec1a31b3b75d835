# The Debian package as a TA installs it: `make deb` builds it, lintian
# finds no error or warning, its relations are the Makefile's lists; then,
# in a clean Debian 12 root (debootstrap from the system's own mirror),
# `apt-get install ./labctl_*.deb` pulls what it needs, and an unprivileged
# user runs labctl doctor and --help, reads man labctl-trace and completes
# `labctl tr<Tab>`; `apt-get purge` leaves nothing of it behind.
#
# The root (debootstrap's minbase) and the packages apt downloads into it
# are cached outside the repo, in $LABCTL_TEST_CACHE (default
# ~/.cache/labctl-tests), keyed by the mirror and the suite.
. "$(dirname "$0")/lib"

need_tools dpkg-buildpackage dh lintian debootstrap chroot unshare apt-get
if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { not_ok "deb: CI runs as root (chroot)"; done_testing; exit 1; }
	skip_all "needs root (debootstrap, chroot)"
fi

# make VAR: a list of the Makefile's, one word a line, sorted.
list() { make -s -C "$ROOT" "print-$1" | tr ' ' '\n' | sed '/^$/d' | sort; }

make -s -C "$ROOT" deb >"$T/deb.log" 2>&1
deb=$(ls "$ROOT"/build/deb/labctl_*_amd64.deb 2>/dev/null)
check "make deb builds labctl_VERSION_amd64.deb" test -f "$deb" ||
	{ tail -20 "$T/deb.log"; done_testing; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
check "its version is labctl's ($version)" \
	test "labctl $version" = "$("$LABCTL" --version | cut -d' ' -f1,2)"

lintian "$deb" >"$T/lintian" 2>&1
sed 's/^/    /' "$T/lintian"
check "lintian: no error and no warning" lacks "$T/lintian" -E '^[EW]: '

# Depends: the shared libraries (dpkg-shlibdeps), then RUN_PACKAGES.
dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort >"$T/depends"
check "Depends holds every package of RUN_PACKAGES" \
	test -z "$(comm -23 <(list RUN_PACKAGES) "$T/depends")"
check "Depends holds nothing else but libraries" \
	test -z "$(comm -13 <(list RUN_PACKAGES) "$T/depends" | grep -v '^lib')"
check "Recommends is RECOMMEND_PACKAGES" \
	test "$(dpkg-deb -f "$deb" Recommends | tr -d ' ' | tr ',' '\n' | sort)" = "$(list RECOMMEND_PACKAGES)"
check "debian/control's Build-Depends are BUILD_PACKAGES" \
	diff <(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$ROOT/debian/control" | sed '$d' |
	       sed 's/^Build-Depends://' | tr ',' '\n' | sed 's/(.*)//; s/ //g; /^$/d' | sort) \
	     <(list BUILD_PACKAGES)

# The clean root.
cache=${LABCTL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labctl-tests}
mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' |
	awk '$2 == "bookworm" { print $1; exit }')
check "the system's apt has a bookworm mirror" test -n "$mirror" || { done_testing; exit 1; }
key=$(printf '%s %s\n' "$mirror" "$(dpkg-query -W -f='${Version}' debootstrap)" | sha256sum | cut -c1-16)
base=$cache/roots/bookworm-minbase-$key.tar
mkdir -p "$cache/roots" "$cache/apt-archives/partial"
if [ ! -s "$base" ]; then
	debootstrap --variant=minbase bookworm "$T/base" "$mirror" >"$T/debootstrap.log" 2>&1 &&
		tar -C "$T/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	check "debootstrap makes a Debian 12 root" test -s "$base" ||
		{ tail -20 "$T/debootstrap.log"; done_testing; exit 1; }
	rm -rf "$T/base"
fi
root=$T/root
mkdir "$root" && tar -C "$root" -xf "$base"
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# In a mount namespace of its own, so that nothing stays mounted; the
# user's steps run with chroot --userspec, as "student".
cat >"$T/inside.sh" <<'EOF'
set -u
root=$1 archives=$2 deb=/tmp/$(basename "$3")
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind "$archives" "$root/var/cache/apt/archives"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
as_student() {
	chroot --userspec=student:student "$root" env -i PATH=/usr/bin:/bin \
		HOME=/home/student LANG=C.UTF-8 "$@"
}
step() { echo "== $*"; }

step update; in_root apt-get -q update >/dev/null || exit 10
# What the checks use, not labctl's: man and bash's completion.
step tools; in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends \
	man-db bash-completion >/dev/null || exit 11
step install; in_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
	--no-install-recommends "$deb" >"$root/../install.log" 2>&1 || exit 12
in_root useradd -m student || exit 13
in_root dpkg -L labctl >"$root/../files"
while read -r f; do [ -d "$root$f" ] || echo "$f"; done <"$root/../files" >"$root/../owned"
as_student labctl --help >"$root/../help" 2>&1; echo "help $?" >>"$root/../rc"
as_student labctl --version --json >"$root/../version" 2>&1; echo "version $?" >>"$root/../rc"
as_student labctl tracee connect 2>"$root/../typo-command"; echo "typo-command $?" >>"$root/../rc"
as_student labctl trace connect --abii i386 2>"$root/../typo-option"; echo "typo-option $?" >>"$root/../rc"
as_student labctl doctor --json >"$root/../doctor" 2>"$root/../doctor.err"; echo "doctor $?" >>"$root/../rc"
as_student env MANWIDTH=80 man --warnings labctl-trace >"$root/../man" 2>"$root/../man.err"
echo "man $?" >>"$root/../rc"
as_student bash -c '. /usr/share/bash-completion/bash_completion
	COMP_WORDS=(labctl tr); COMP_CWORD=1; COMP_LINE="labctl tr"; COMP_POINT=9
	_completion_loader labctl
	_labctl labctl tr labctl
	printf "%s\n" "${COMPREPLY[@]}"' >"$root/../complete" 2>&1
echo "complete $?" >>"$root/../rc"
step purge; in_root apt-get -q -y purge labctl >"$root/../purge.log" 2>&1 || exit 14
in_root userdel -r student 2>/dev/null
in_root find / -xdev -path /proc -prune -o -print | sort >"$root/../after"
exit 0
EOF
unshare --mount --propagation private bash "$T/inside.sh" "$root" "$cache/apt-archives" "$deb" \
	>"$T/inside.log" 2>&1
rc=$?
check "apt-get installs the package and its Depends in a clean root (step exit $rc)" test $rc -eq 0 ||
	{ tail -20 "$T/inside.log" "$T/install.log" 2>/dev/null | sed 's/^/    /'; }
rcof() { sed -n "s/^$1 //p" "$T/rc"; }
check "as a user: labctl --help exits 0 and lists the commands" \
	test "$(rcof help)" = 0 -a -n "$(grep '^  trace ' "$T/help")"
check "as a user: labctl --version --json is the package's version" \
	test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/version")" = "$version"
for typo in "command:tracee connect" "option:trace connect --abii i386"; do
	what=${typo%%:*}
	"$LABCTL" ${typo#*:} 2>"$T/tree-typo" && echo unexpected
	check "as a user: a mistyped $what is the tree's one line, exit 2" \
		test "$(rcof "typo-$what")" = 2 -a "$(cat "$T/typo-$what")" = "$(cat "$T/tree-typo")" \
		-a "$(wc -l <"$T/typo-$what")" = 1
done
# doctor: the tools the Depends bring are there and work; what a chroot
# cannot give (user namespaces for bwrap, a built kernel, KVM) may warn.
python3 - "$T/doctor" <<'PY' >"$T/doctor.checks"
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["check"], c["status"], c["detail"])
PY
for tool in "gcc -static" qemu gdb busybox "build tools"; do
	check "as a user: labctl doctor finds $tool working (Depends)" grep -q "^$tool ok " "$T/doctor.checks"
done
# A host without IA32 emulation links 32-bit programs but cannot run them.
check "as a user: labctl doctor links a static 32-bit program (gcc-multilib)" \
	grep -Eq '^gcc -m32 -static (ok|warn links a static 32-bit program)' "$T/doctor.checks"
check "as a user: labctl doctor fails nothing" lacks "$T/doctor.checks" ' FAIL$'
check "as a user: man labctl-trace renders, without a warning" \
	test "$(rcof man)" = 0 -a -s "$T/man" -a ! -s "$T/man.err"
check "  ... and shows trace's options" grep -q -- '--interactive' "$T/man"
check "as a user: bash completes labctl tr<Tab> to trace (the installed script)" \
	test "$(cat "$T/complete")" = trace
check "the package installed its files (dpkg -L: $(wc -l <"$T/owned"))" test "$(wc -l <"$T/owned")" -gt 50
for f in /usr/bin/labctl /usr/share/labctl/kernel-config/lab.config /usr/share/man/man1/labctl-grade.1.gz \
	 /usr/share/bash-completion/completions/labctl /usr/share/zsh/vendor-completions/_labctl; do
	check "  ... $f among them" grep -qx "$f" "$T/owned"
done
check "apt-get purge removes every file it installed" \
	test -z "$(comm -12 <(sort "$T/owned") "$T/after")"
check "  ... and nothing named labctl is left in the root" \
	test -z "$(grep -v '^/tmp/' "$T/after" | grep labctl)"
done_testing
