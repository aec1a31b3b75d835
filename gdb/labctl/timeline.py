# lab-timeline: every socket system call a scenario's programs make, in
# order, with arguments, results and the protocol implementation the
# kernel dispatched to; written as JSON (gdb/SCHEMA.md, labctl-timeline/1).
#
# Why it stays fast: breakpoints sit on the handlers of the socket-family
# system calls only (for each such nr of each ABI the scenario's programs
# use, what the CPU reaches: the case of the ABI's switch, on a kernel that
# has one (dispatch.py), else sys_call_table[nr]), so boot's reads, writes
# and execs never stop
# the guest; a stop is kept when the current task runs one of the
# scenario's executables (mm->exe_file) and resumed at once otherwise.  A
# kept call is followed to its return by a breakpoint on the return address
# the handler was called from, armed only while some call is in flight.
import time

import gdb

from labctl import abi as abis
from labctl import dispatch
from labctl import kernel as k
from labctl import sockets
from labctl.breakpoints import JudgedBreakpoint
from labctl.kernel import u64
from labctl.command import ParamsCommand, TraceError, phase, run_command
from labctl.report.lang import N_
from labctl.trace import read_config, resume, task_info

SCHEMA = 'labctl-timeline/1'


def jiffies():
    """The guest's tick count (jiffies_64): its clock, at 1/HZ resolution.
    While GDB holds the guest stopped, no tick happens (QEMU stops the
    virtual clock), so the debugger's own time is not counted."""
    return int(gdb.parse_and_eval('jiffies_64'))


class Timeline:
    def __init__(self, params):
        self.p = params
        self.source = params.get('source')
        self.deadline = time.monotonic() + params.get('timeout', 60)
        self.steps = {s['exe']: s for s in params['steps']}
        self.events = []
        self.inflight = {}      # task address -> its event, until the return
        self.returns = {}       # return address -> breakpoint
        self.rejected = 0
        self.repeated = 0
        self.out = {'schema': SCHEMA, 'ok': False, 'scenario': params['scenario'],
                    'description': params.get('description'), 'steps': params['steps']}

    def handlers(self):
        """{handler address: {abi: {nr: name}}} of the socket-family calls
        of the ABIs the scenario's programs use, read from the switch's
        jump table or the live table."""
        out = {}
        watched = []
        for name in sorted({s['abi'] for s in self.p['steps']}):
            abi = abis.BY_NAME[name]
            switch = dispatch.SWITCHES[name]
            code = k.function_code(switch)
            for nr, call in self.p['tables'][name]:
                if call not in sockets.FAMILY:
                    continue
                try:
                    addr = dispatch.switch_case(switch, code, nr, k.read_u64)[1] if code \
                        else u64(gdb.parse_and_eval('%s[%d]' % (abi.table, nr)))
                except dispatch.DispatchError as e:
                    raise TraceError('input', 'setup: %s' % e)
                out.setdefault(addr, {}).setdefault(name, {})[nr] = call
                watched.append({'abi': name, 'nr': nr, 'name': call, 'handler': k.symbol(addr)})
        self.out['watched'] = watched
        return out

    def run(self):
        phase('boot')
        try:
            gdb.lookup_type('struct pt_regs')
        except gdb.error:
            raise TraceError('input', 'vmlinux has no debug information (no struct pt_regs)')
        gdb.execute('set print frame-arguments none')
        self.regs_type = gdb.lookup_type('struct pt_regs').pointer()
        # Paging is off when a booted guest starts: the tables (and software
        # breakpoints) are reachable once the kernel runs its first task.  A
        # guest restored from its saved state is past that already.
        if not k.kernel_running():
            boot = gdb.Breakpoint('kernel_init', type=gdb.BP_HARDWARE_BREAKPOINT, internal=True)
            gdb.execute('continue', to_string=True)
            boot.delete()
        self.table = self.handlers()
        bps = [JudgedBreakpoint('*0x%x' % a, self.ours) for a in self.table]
        self.out['setup'] = {
            'kernel': {'release': gdb.parse_and_eval('init_uts_ns.name.release').string(),
                       'config': read_config(self.p.get('config'))},
            'accelerator': self.p.get('accel'), 'handlers_watched': len(bps)}
        phase('scenario')
        while True:
            if time.monotonic() > self.deadline:
                raise TraceError('timeout', 'time limit reached with %d calls recorded'
                                 % len(self.events))
            ended = resume()
            if ended:       # the guest powered off: the scenario is over
                break
            pc = k.reg('pc')
            if pc in self.table:
                self.enter(pc)
            elif pc in self.returns:
                self.leave(pc)
            else:
                raise gdb.GdbError('unexpected stop at 0x%x' % pc)
        self.out['events'] = self.events
        self.out['rejected_stops'] = self.rejected
        self.out['repeated_stops'] = self.repeated
        self.out['unfinished'] = sorted(e['seq'] for e in self.inflight.values())
        self.out['console'] = console(self.p.get('serial_log'))
        # A power-off looks to GDB like a lost connection; init's last
        # marker tells it from a guest lost some other way.
        self.out['ended'] = N_('the guest powered off') \
            if self.out['console']['status'] is not None else ended

    def ours(self, bp):
        """A handler stop is kept for the scenario's executables only."""
        if k.task_exe_name(k.current_task()) in self.steps:
            return True
        self.rejected += 1
        return False

    def enter(self, pc):
        task = k.current_task()
        rsp = k.reg('rsp')
        ev = self.inflight.get(u64(task.address))
        if ev is not None and ev['_rsp'] == rsp:
            # A task makes one system call at a time: the same stop again.
            # QEMU reports a breakpoint a second time when an interrupt
            # came in while GDB stepped over it (more often on a busy
            # host); recording it twice left a call that never returned.
            self.repeated += 1
            return
        exe = k.task_exe_name(task)
        abi = abis.BY_NAME[self.steps[exe]['abi']]
        regs = gdb.Value(k.reg('rdi')).cast(self.regs_type)
        nr = int(regs['orig_ax'])
        name = self.table[pc].get(abi.name, {}).get(nr)
        if name is None:    # another ABI's call that shares the handler
            return
        args = [int(regs[f]) & abi.mask for f in abi.arg_fields]
        ev = {'seq': len(self.events) + 1, 'jiffies': jiffies(),
              'task': task_info(task), 'step': self.steps[exe]['step'], 'abi': abi.name,
              'nr': nr, 'syscall': name, 'handler': k.symbol(pc), 'raw': args,
              'return_to': k.read_u64(rsp)}
        call = name
        if name == 'socketcall':
            call, block = sockets.socketcall_args(self.source, args[0], args[1])
            ev['socketcall'] = {'call': args[0], 'name': call, 'args': block}
            args = block or []
        ev['call'] = call
        ev['args'] = args
        ev['_rsp'] = rsp
        self.events.append(ev)
        self.inflight[u64(task.address)] = ev
        ret = ev['return_to']
        if ret not in self.returns:
            self.returns[ret] = JudgedBreakpoint('*0x%x' % ret, self.returning)

    def returning(self, bp):
        """The return of an in-flight call: same task, its stack unwound
        to where the handler was called from."""
        ev = self.inflight.get(u64(k.current_task().address))
        return ev is not None and ev['return_to'] == k.reg('pc') and \
            k.reg('rsp') == ev['_rsp'] + 8

    def leave(self, pc):
        task = k.current_task()
        ev = self.inflight.pop(u64(task.address))
        abi = abis.BY_NAME[ev['abi']]
        ret = sockets.signed(k.reg('rax') & abi.mask, 64 if abi.name == 'x86_64' else 32)
        ev['ret'] = ret
        ev['ret_jiffies'] = jiffies()
        call = ev['call']
        if call in sockets.ARGS:
            d = sockets.decode(self.source, call, ev['args'], ret)
            ev['decoded'], ev['text'] = d['args'], d['text']
            method = sockets.METHOD.get(call)
            fd = ret if call in sockets.RETURNS_FD else d['args'].get('fd')
            if method == 'socketpair' or fd is None or (call in sockets.RETURNS_FD and ret < 0):
                pass
            else:
                ev['socket'] = sockets.objects(task, sockets.signed(fd, 32),
                                               None if call == 'socket' else method)
        if not any(e['return_to'] == pc for e in self.inflight.values()):
            self.returns.pop(pc).delete()


def console(path):
    """The scenario's markers from the serial console (rootfs/init)."""
    out = {'markers': [], 'status': None}
    try:
        with open(path, errors='replace') as f:
            for line in f:
                line = line.strip()
                if line.startswith('LABCTL '):
                    out['markers'].append(line)
                    if line.startswith('LABCTL scenario done status='):
                        out['status'] = int(line.rsplit('=', 1)[1])
    except (OSError, TypeError, ValueError):
        pass
    return out


class LabTimeline(ParamsCommand):
    """Record a scenario's socket system calls: lab-timeline PARAMS.json

PARAMS.json (written by labctl trace --timeline) names the scenario's steps
and executables, the system call tables and the output file; the timeline
is written there as JSON (gdb/SCHEMA.md), also when it fails."""

    NAME = 'lab-timeline'

    def run(self, params):
        tl = Timeline(params)
        # labctl renders all the scenarios' timelines at once
        run_command('lab-timeline', dict(params, report_dir=None), tl.out, tl.run)


LabTimeline()
