# The default call of every system call 0-99 (rootfs/programs/calls.h), made
# by the generic program in the lab guest, untraced: each does its real work
# and ends as the table says.  The table's numbers and names are checked
# against the kernel's syscall_64.tbl, its errno and signal names against
# the kernel's uapi headers, not against anything labctl or the program say.
. "$(dirname "$0")/lib"

need_tools qemu-system-x86_64 python3
own_cache_with_kernel
SRC=$(readlink -f "$KERNEL/source")
TABLE=$ROOT/rootfs/programs/calls.h
export PYTHONPATH=$ROOT/tests/e2e/fixtures/calls     # calls.py: the table, the console

# --- the table against the kernel's --------------------------------------------
python3 - "$TABLE" "$SRC/arch/x86/entry/syscalls/syscall_64.tbl" <<'EOF'
import re, sys
import calls
rows = calls.rows(sys.argv[1])
tbl = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3 and not f[0].startswith('#') and f[1] in ('common', '64'):
        tbl[int(f[0])] = f[2]
nrs = [int(r[0]) for r in rows]
print(('ok' if nrs == list(range(100)) else 'not ok') +
      ' calls.h: one row per call 0-99, in order (%d rows)' % len(rows))
for nr, name, args, expect, what in rows:
    nr = int(nr)
    if tbl.get(nr) == name:
        print('ok calls.h: %d is %s in syscall_64.tbl' % (nr, name))
    else:
        print('not ok calls.h: %d is %s, syscall_64.tbl says %s' % (nr, name, tbl.get(nr)))
    if not re.fullmatch(r'>=0|>0|=-?\d+|-E[A-Z]+|exit=\d+|signal=SIG[A-Z0-9]+', expect) or not what:
        print('not ok calls.h: %d %s: expectation %r or description %r' % (nr, name, expect, what))
EOF

# --- every call, one boot --------------------------------------------------------
start=$(date +%s%N)
expect_exit "boot --args 0-99: every call in a child of its own" 0 \
	"$LABCTL" -q boot --scenario syscall --args 0-99 --timeout 180
end=$(date +%s%N)
log=$T/runs/boot-latest/serial.log
cp "$log" "$T/sweep.log" 2>/dev/null
echo "    the sweep of 100 calls: $(( (end - start) / 1000000 )) ms, boot included"

python3 - "$TABLE" "$T/sweep.log" "$SRC" <<'EOF'
import sys
import calls
table, log, src = sys.argv[1:]
errno, signals = calls.headers(src)
_, returned, ended = calls.results(log)
for nr, name, args, expect, what in calls.rows(table):
    nr = int(nr)
    good, saw = calls.judge(expect, returned.get(nr, []), ended.get(nr), errno, signals)
    print('%s call %d %s(%s): %s (%s)' % ('ok' if good else 'not ok', nr, name, args, expect, saw))
EOF

# --- the i386 build: the rows by name, one boot ---------------------------------
# syscall32 takes syscall_32.tbl's numbers and makes each call that has a row
# of the same name; x86-64's mmap, select and rt_sigreturn rows are not
# i386's calls (old_mmap, old_select, a 64-bit frame).
expect_exit "boot syscall32 --args 1-402: every i386 row in a child of its own" 0 \
	"$LABCTL" -q boot --scenario syscall32 --args 1-402 --timeout 180
cp "$T/runs/boot-latest/serial.log" "$T/sweep32.log" 2>/dev/null
python3 - "$TABLE" "$T/sweep32.log" "$SRC" "$KERNEL/config" <<'EOF2'
import sys
import calls
table, log, src, config = sys.argv[1:]
rows = {r[1]: r for r in calls.rows(table)}
tbl = {}
for line in open(src + '/arch/x86/entry/syscalls/syscall_32.tbl'):
    f = line.split()
    if len(f) >= 3 and not f[0].startswith('#') and f[1] == 'i386':
        tbl[int(f[0])] = f[2]
errno, signals = calls.headers(src)
time32 = 'CONFIG_COMPAT_32BIT_TIME=y' in open(config).read().split()
named, returned, ended = calls.results(log)

want = {n for n in rows if n in tbl.values()} - {'mmap', 'select', 'rt_sigreturn'}
print(('ok' if set(named.values()) == want else 'not ok') +
      ' i386: the %d rows made are those i386 has by name, but mmap, select, rt_sigreturn'
      ' (missing %s, extra %s)' % (len(named), sorted(want - set(named.values())),
                                   sorted(set(named.values()) - want)))
for nr in sorted(named):
    name = named[nr]
    _, _, args, expect, what = rows[name]
    desc = '%d %s(%s): %s' % (nr, name, args, expect)
    if tbl.get(nr) != name:
        print('not ok i386 %s: syscall_32.tbl says %d is %s' % (desc, nr, tbl.get(nr)))
        continue
    if name == 'nanosleep' and not time32:
        # the 32-bit time calls: a stub without CONFIG_COMPAT_32BIT_TIME
        expect = '-ENOSYS'
    good, saw = calls.judge(expect, returned.get(nr, []), ended.get(nr), errno, signals,
                            high_addresses=True)
    print('%s i386 call %s (%s)' % ('ok' if good else 'not ok', desc, saw))
EOF2

# --- one call, as labctl trace boots it ----------------------------------------
# The console ends its lines with \r\n: $T/one.log is the last boot's, without \r.
console() { tr -d '\r' <"$T/runs/boot-latest/serial.log" >"$T/one.log"; }
expect_exit "boot --args 34: pause's row alone, woken by SIGALRM" 0 \
	"$LABCTL" -q boot --scenario syscall --args 34 --timeout 60
eintr=$(sed -n 's/^#define[[:space:]]*EINTR[[:space:]]*\([0-9]*\).*/\1/p' "$SRC/include/uapi/asm-generic/errno-base.h")
console
check "pause returned -EINTR (-$eintr)" grep -q "^syscall 34 returned -$eintr\$" "$T/one.log"
check "the SIGALRM handler ran" grep -q "^syscall: signal .* handled" "$T/one.log"

expect_exit "explicit resources: read(fd:pipe-r, b:64, 64)" 0 \
	"$LABCTL" -q boot --scenario syscall --args 0,fd:pipe-r,b:64,64 --timeout 60
console
check "read returned the pipe's 19 bytes" grep -q '^syscall 0 returned 19$' "$T/one.log"
check "explicit arguments print no table row" lacks "$T/one.log" -e '^syscall 0 read('
expect_exit "a read that sleeps: read(fd:pipe-late, b:64, 64)" 0 \
	"$LABCTL" -q boot --scenario syscall --args 0,fd:pipe-late,b:64,64 --timeout 60
console
check "read slept until the child wrote the pipe's 19 bytes" grep -q '^syscall 0 returned 19$' "$T/one.log"
done_testing
