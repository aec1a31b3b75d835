# The command line itself: help, version, the error style, exit codes.
. "$(dirname "$0")/lib"

expect_exit "--help exits 0" 0 "$LABCTL" --help
check "--help lists the exit codes" grep -q '^exit codes:' "$T/out"
expect_exit "--version exits 0" 0 "$LABCTL" --version
check "--version prints the version" grep -Eq '^labctl [0-9]+\.[0-9]+\.[0-9]+' "$T/out"
expect_exit "--version --json exits 0" 0 "$LABCTL" --version --json
check "  ... a JSON object: the version of --version" test "$(python3 -c '
import json, sys; v = json.load(open(sys.argv[1])); print("labctl", v["version"])' "$T/out")" = \
	"$("$LABCTL" --version | cut -d" " -f1,2)"
# The commit, against git's own answer (what the binary was built from).
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	check "  ... its commit is git's HEAD" python3 -c '
import json, sys; c = json.load(open(sys.argv[1]))["commit"]; sys.exit(not c.startswith(sys.argv[2]))' \
		"$T/out" "$(git -C "$ROOT" rev-parse --short=12 HEAD)"
	check "  ... and --version says it" grep -q "commit $(git -C "$ROOT" rev-parse --short=12 HEAD)" \
		<("$LABCTL" --version)
fi
expect_exit "labctl version --json is --version --json" 0 "$LABCTL" version --json
check "  ... the same object" diff "$T/out" <("$LABCTL" --version --json)
expect_exit "--json without --version is a usage error" 2 "$LABCTL" --json
expect_exit "version takes no operand" 2 "$LABCTL" version now
expect_exit "a mistyped command names the closest" 2 "$LABCTL" tracee connect
check "  ... did you mean 'trace'" grep -qx "labctl: error: no command 'tracee' (did you mean 'trace'?)" "$T/err"
expect_exit "  ... the start of one too" 2 "$LABCTL" gra
check "  ... did you mean 'grade'" grep -qx "labctl: error: no command 'gra' (did you mean 'grade'?)" "$T/err"
expect_exit "  ... in help too" 2 "$LABCTL" help bulid
check "  ... did you mean 'build'" grep -qx "labctl: error: no command 'bulid' (did you mean 'build'?)" "$T/err"
expect_exit "unknown command is a usage error" 2 "$LABCTL" frobnicate
check "one error line on stderr" test "$(wc -l <"$T/err")" -eq 1
check "error line has the labctl: error: prefix" grep -q '^labctl: error: ' "$T/err"
expect_exit "unknown global option is a usage error" 2 "$LABCTL" --frob version
expect_exit "no command is a usage error" 2 "$LABCTL"
expect_exit "help of an unknown command" 2 "$LABCTL" help frobnicate
expect_exit "an unknown option names the closest one" 2 "$LABCTL" build --forse
check "  ... on one line" test "$(wc -l <"$T/err")" -eq 1
check "  ... did you mean --force" grep -q "^labctl: error: unknown option '--forse' (did you mean --force?)$" "$T/err"
expect_exit "trace --lang fr is a usage error" 2 "$LABCTL" trace getpid --lang fr
check "  ... naming the languages" grep -q "^labctl: error: --lang: 'fr' is not en or zh$" "$T/err"
expect_exit "LABCTL_LANG=fr is a usage error" 2 env LABCTL_LANG=fr "$LABCTL" trace getpid

# --kernel: the versions labctl knows, the same for every command that takes it
for cmd in fetch config build boot trace grade; do
	for v in 4.19 7.0; do
		expect_exit "$cmd --kernel $v is a usage error" 2 "$LABCTL" $cmd --kernel $v
		check "  ... one line naming the versions labctl knows" test "$(cat "$T/err")" = \
			"labctl: error: --kernel: '$v' is not 5.10, 6.1 or 6.12"
	done
done
expect_exit "fetch --kernel with --kernel-source: a usage error" 2 \
	"$LABCTL" fetch --kernel 6.1 --kernel-source "$T"
check "  ... saying to give one" grep -qx "labctl: error: --kernel names Debian's source for a version, --kernel-source another: give one" "$T/err"
mkdir -p "$T/empty-cache"
expect_exit "trace --kernel 6.12 with none built: exit 3" 3 \
	env LABCTL_CACHE_DIR="$T/empty-cache" "$LABCTL" trace getpid --kernel 6.12
check "  ... saying how to build it" grep -qx \
	"labctl: error: no Linux 6.12 built yet in $T/empty-cache (run 'labctl build --kernel 6.12' first)" "$T/err"
expect_exit "boot --kernel 6.1 with none built: exit 3" 3 \
	env LABCTL_CACHE_DIR="$T/empty-cache" "$LABCTL" boot --kernel 6.1
check "  ... saying how to build it" grep -q "(run 'labctl build --kernel 6.1' first)$" "$T/err"

# Every command's --help lists exactly the options its table has
# (--list-options prints the table's long names), and the parser knows every
# option the help names: --NAME=x is a bad value or no value, never unknown.
help_options() { sed -n 's/^  \(-[a-zA-Z], \|    \)\(--[a-z0-9-]*\).*/\2/p' "$1"; }
for cmd in "" fetch config build image boot trace grade doctor version; do
	name=${cmd:-labctl}
	"$LABCTL" $cmd --help >"$T/help" 2>&1
	"$LABCTL" $cmd --list-options >"$T/table" 2>&1
	check "$name: --help lists every option of the table, and only those" \
		diff <(sort "$T/table") <(help_options "$T/help" | sort)
	unknown=
	for opt in $(help_options "$T/help"); do
		"$LABCTL" $cmd "$opt=x" --help >/dev/null 2>"$T/err"
		grep -q 'unknown option' "$T/err" && unknown="$unknown $opt"
	done
	check "$name: the parser knows every option --help names${unknown:+ (not:$unknown)}" test -z "$unknown"
done
done_testing
