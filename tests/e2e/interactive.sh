# labctl trace connect --interactive as a student runs it: in a terminal
# (tmux, driven with send-keys and read with capture-pane).  lab-step to
# the call of do_syscall_64, every pt_regs slot filled, one slot's value
# against GDB's own reading of it, lab-report's reports printed by labctl
# after GDB; and the student leaving at any point (quit at the first
# prompt, Ctrl-C while the guest runs, the terminal closed) with QEMU and
# GDB reaped and labctl's exit 0.  interactive-gdb.sh checks the commands'
# values one by one against GDB.
. "$(dirname "$0")/lib"

need_tools gdb qemu-system-x86_64 tmux python3
need_kernel
export LABCTL_RUN_ROOT=$T/runs

server=labctl-test-$$
tm() { tmux -L "$server" "$@"; }
trap 'tm kill-server 2>/dev/null; ended' EXIT

# start NAME ARGS...: labctl trace ARGS in a new 120x50 terminal; its exit
# status goes to $T/NAME.exit when it ends.
start() {
	local name=$1; shift
	tm new-session -d -s "$name" -x 120 -y 50 \
		"$LABCTL trace $* --interactive; echo \$? >$T/$name.exit; sleep 600"
}
# pane NAME: all the terminal has shown, its history too.
pane() { tm capture-pane -p -J -S - -t "$1"; }
# wait_pane NAME REGEX: until the terminal shows it (an event; 120 s is
# only the bound against a test hanging for ever).
wait_pane() {
	local i
	for i in $(seq 1200); do
		pane "$1" | grep -q -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
# keys NAME TEXT: typed, then Enter.
keys() { tm send-keys -t "$1" -l "$2"; tm send-keys -t "$1" Enter; }
# prompts NAME: how many GDB prompts the terminal has shown.
prompts() { pane "$1" | grep -c '^(gdb)'; }
# gdb_do NAME COMMAND: typed at GDB's prompt; returns at the next prompt.
gdb_do() {
	local n i
	n=$(prompts "$1")
	keys "$1" "$2"
	for i in $(seq 1200); do
		[ "$(prompts "$1")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_exit NAME: until labctl has ended; its exit status.
wait_exit() {
	local i
	for i in $(seq 600); do
		[ -s "$T/$1.exit" ] && { cat "$T/$1.exit"; return; }
		sleep 0.1
	done
	echo "still running"
}
left_running() { pgrep -f "$T/runs" || true; }
show() { pane "$1" | tail -40 | sed 's/^/    terminal: /'; }

# --- stepping to do_syscall_64 ------------------------------------------------
start s connect --out "$T/out"
check "the session stops at the program's own syscall instruction" \
	wait_pane s '^Stopped at lab_connect+0x[0-9a-f]* (tcp_client)' || show s
check "... and GDB's prompt is the student's" wait_pane s '^(gdb) *$'
for i in $(seq 40); do
	gdb_do s lab-step
	pane s | grep -q 'The entry is done' && break
done
check "lab-step reaches the call of do_syscall_64" wait_pane s 'The entry is done: the next instruction calls do_syscall_64' ||
	show s
check "... each push named with the pt_regs slot it fills" \
	sh -c "tmux -L $server capture-pane -p -J -S - -t s | grep -c 'push .* → pt_regs->' | grep -qx 21"
gdb_do s lab-regs
check "lab-regs: every slot of struct pt_regs filled" wait_pane s ': 21 of 21 slots filled'
gdb_do s 'p/x ((struct pt_regs *)$rsp)->orig_ax'
orig=$(pane s | sed -n 's/^\$1 = //p' | tail -1)
slot=$(pane s | awk '$2 == "orig_ax" && $3 == "filled" { print $4 }' | tail -1)
check "... its orig_ax is GDB's own ((struct pt_regs *)\$rsp)->orig_ax" test -n "$orig" -a "$slot" = "$orig"
gdb_do s lab-report
check "lab-report writes the reports" wait_pane s 'Report written to .*report.html'
keys s quit
check "quit ends labctl with status 0" test "$(wait_exit s)" = 0
check "... and labctl prints the reports' paths, as trace does" \
	wait_pane s "^$T/out/report.md\$"
check "... report.json parses, and is the call's" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["ok"] and c["setup"]["syscall"]["name"] == "connect", c.get("error")' "$T/out/report.json"
check "... nothing of the guest is left running" test -z "$(left_running)"

# --- leaving at any point -----------------------------------------------------
start q getpid
wait_pane q '^(gdb) *$' >/dev/null
keys q quit
check "quit at the first prompt: exit 0" test "$(wait_exit q)" = 0
check "... no report, none printed" sh -c "! tmux -L $server capture-pane -p -J -S - -t q | grep -q '^/.*report'"
check "... nothing left running" test -z "$(left_running)"

start c getpid --program "$ROOT/tests/e2e/fixtures/own/then_waits.c"
wait_pane c '^(gdb) *$' >/dev/null
gdb_do c 'lab-step 2'
keys c continue
sleep 1
tm send-keys -t c C-c
check "Ctrl-C while the guest runs (its program in pause()): GDB stops it, labctl stays" \
	wait_pane c 'received signal SIGINT' ||
	show c
keys c quit
check "... then quit: exit 0" test "$(wait_exit c)" = 0
check "... nothing left running" test -z "$(left_running)"

start k getpid
wait_pane k '^(gdb) *$' >/dev/null
tm kill-session -t k
for i in $(seq 100); do [ -z "$(left_running)" ] && break; sleep 0.1; done
check "the terminal closed: QEMU and GDB are gone" test -z "$(left_running)"

done_testing
