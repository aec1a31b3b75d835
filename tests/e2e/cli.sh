# The command line itself: help, version, the error style, exit codes.
. "$(dirname "$0")/lib"

expect_exit "--help exits 0" 0 "$LABCTL" --help
check "--help lists the exit codes" grep -q '^exit codes:' "$T/out"
expect_exit "--version exits 0" 0 "$LABCTL" --version
check "--version prints the version" grep -Eq '^labctl [0-9]+\.[0-9]+\.[0-9]+' "$T/out"
expect_exit "unknown command is a usage error" 2 "$LABCTL" frobnicate
check "one error line on stderr" test "$(wc -l <"$T/err")" -eq 1
check "error line has the labctl: error: prefix" grep -q '^labctl: error: ' "$T/err"
expect_exit "unknown global option is a usage error" 2 "$LABCTL" --frob version
expect_exit "no command is a usage error" 2 "$LABCTL"
expect_exit "help of an unknown command" 2 "$LABCTL" help frobnicate
done_testing
