# lab-trace: follow one system call of one program through the kernel and
# write what was seen as JSON (schema: gdb/SCHEMA.md).
#
# The phases, in the order the CPU runs them:
#   user      hardware breakpoint on the program's `syscall` instruction,
#             accepted only for the traced task (see UserSyscallBreakpoint)
#   entry     stepi from entry_SYSCALL_64 to `call do_syscall_64`
#   dispatch  breakpoints + continue: the handler sys_call_table[nr], the
#             socket's proto_ops and proto methods, the return address
#   exit      stepi from the return of do_syscall_64 back to user mode
import json
import os
import time
import traceback

import gdb

from labctl import kernel as k
from labctl.kernel import u64

SCHEMA = 'labctl-trace/1'
USER_TOP = 0x0000800000000000   # first non-canonical address: above it is the kernel

# Why each struct pt_regs field is there, for the report's table.
MEANING = {
    'r15': 'callee-saved user register', 'r14': 'callee-saved user register',
    'r13': 'callee-saved user register', 'r12': 'callee-saved user register',
    'bp': 'user frame pointer (callee-saved)', 'bx': 'callee-saved user register',
    'r11': 'user RFLAGS, saved there by the syscall instruction',
    'r10': 'argument 4 (rcx is taken by syscall)', 'r9': 'argument 6',
    'r8': 'argument 5', 'ax': 'return value (-ENOSYS until the handler runs)',
    'cx': 'user return address, saved there by the syscall instruction',
    'dx': 'argument 3', 'si': 'argument 2', 'di': 'argument 1',
    'orig_ax': 'system call number', 'ip': 'user instruction pointer to return to',
    'cs': 'user code segment selector', 'flags': 'user RFLAGS',
    'sp': 'user stack pointer', 'ss': 'user stack segment selector',
}

# Which proto_ops / proto method a socket system call reaches.
SOCKET_METHOD = {
    'connect': 'connect', 'bind': 'bind', 'listen': 'listen',
    'accept': 'accept', 'accept4': 'accept', 'sendto': 'sendmsg',
    'recvfrom': 'recvmsg', 'sendmsg': 'sendmsg', 'recvmsg': 'recvmsg',
    'shutdown': 'shutdown', 'getsockname': 'getname',
    'getpeername': 'getname', 'setsockopt': 'setsockopt',
    'getsockopt': 'getsockopt',
}


def phase(name):
    """One progress line for labctl (which names the phase on a timeout)."""
    gdb.write('labctl-phase: %s\n' % name)
    gdb.flush()


class Capture:
    def __init__(self, params):
        self.p = params
        self.out = {'schema': SCHEMA, 'ok': False}
        self.deadline = time.monotonic() + params.get('timeout', 60)
        self.t0 = time.monotonic()
        self.timing = {}
        self.task = None
        self.regs_base = None
        self.stepis = 0

    def types(self):
        # Stops print a location nobody reads (to_string): keep it cheap.
        gdb.execute('set print frame-arguments none')
        gdb.execute('set print frame-info short-location')
        try:
            regs = gdb.lookup_type('struct pt_regs')
        except gdb.error:
            self.out['error_kind'] = 'input'
            raise gdb.GdbError('vmlinux has no debug information (no struct pt_regs): '
                               'build the kernel with CONFIG_DEBUG_INFO')
        self.regs_fields = k.struct_fields('struct pt_regs')
        self.regs_size = regs.sizeof

    def lap(self, name):
        t = time.monotonic()
        self.timing[name] = round(t - self.t0, 4)
        self.t0 = t

    def check_deadline(self, what):
        if time.monotonic() > self.deadline:
            self.out['error_kind'] = 'timeout'
            raise gdb.GdbError('time limit reached in phase %s' % what)

    # -- setup ---------------------------------------------------------
    def setup(self):
        p = self.p
        nr = p['nr']
        entry = u64_at_table(nr)
        banner = gdb.parse_and_eval('(const char *)linux_banner').string().strip()
        uts = gdb.parse_and_eval('init_uts_ns.name')
        self.out['setup'] = {
            'kernel': {'banner': banner, 'release': uts['release'].string(),
                       'machine': uts['machine'].string(),
                       'config': read_config(p.get('config'))},
            'accelerator': p.get('accel'),
            'scenario': p.get('scenario'),
            'program': p['program'],
            'syscall': {'name': p['syscall'], 'nr': nr,
                        'tbl_line': p.get('tbl_line'), 'tbl_lineno': p.get('tbl_lineno'),
                        'tbl_file': 'arch/x86/entry/syscalls/syscall_64.tbl'},
            'sys_call_table': {'addr': u64(gdb.parse_and_eval('&sys_call_table')),
                               'entry_addr': u64(gdb.parse_and_eval('&sys_call_table[%d]' % nr)),
                               'handler': k.symbol(entry)},
            'pt_regs': {'size': self.regs_size,
                        'fields': [{'name': n, 'offset': o, 'size': s}
                                   for n, o, s in self.regs_fields]},
        }
        self.handler = entry

    # -- user ----------------------------------------------------------
    def user(self):
        phase('user')
        prog = self.p['program']
        bp_filter = SyscallFilter(prog['exe'], self.p['nr'])
        try:
            bps = [UserSyscallBreakpoint('*0x%x' % a, bp_filter) for a in prog['syscall_addrs']]
        except gdb.error as e:
            self.out['error_kind'] = 'env'
            raise gdb.GdbError('no hardware breakpoint under %s (%s): trace under TCG'
                               % (self.p.get('accel'), e))
        try:
            gdb.execute('continue', to_string=True)
        except gdb.error as e:
            raise gdb.GdbError('the guest ended before %s made system call %d in %s '
                               '(GDB: %s); its console is in serial.log'
                               % (prog['exe'], self.p['nr'], prog['function'], e))
        for bp in bps:
            bp.delete()
        if not bp_filter.accepted:
            raise gdb.GdbError('the guest stopped at 0x%x, not at the traced syscall'
                               % k.reg('pc'))
        self.task = bp_filter.accepted
        pc = k.reg('pc')
        regs = {r: k.reg(r) for r in ('rax', 'rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9',
                                      'rsp', 'rcx', 'r11', 'eflags', 'cs', 'ss',
                                      'fs_base', 'gs_base')}
        text, length = k.insn(pc)
        self.out['filter'] = bp_filter.report(prog['syscall_addrs'])
        self.out['user'] = {
            'task': task_info(self.task),
            'pc': pc, 'insn': text, 'next_pc': pc + length,
            'regs': regs,
            'cs_descriptor': k.gdt_descriptor(regs['cs']),
            'ss_descriptor': k.gdt_descriptor(regs['ss']),
            'args': decode_args(self.p['syscall'], regs),
        }
        self.lap('user')

    # -- entry ---------------------------------------------------------
    def entry(self):
        phase('entry')
        steps = []
        call_target = u64(gdb.parse_and_eval('&do_syscall_64'))
        budget = self.p.get('entry_budget', 200)
        switch = None
        start = self.stepis
        while True:
            if self.stepis - start >= budget:
                raise gdb.GdbError('entry: no call to do_syscall_64 within %d instructions' % budget)
            st = self.step()
            if st is None:
                continue
            steps.append(st)
            if switch is None and st['rsp_before'] < USER_TOP <= st['rsp_after']:
                switch = {'step': len(steps) - 1, 'user_rsp': st['rsp_before'],
                          'kernel_stack_top': st['rsp_after'],
                          'top_from': memory_operand(st['insn'], '%rsp', source=True),
                          'user_rsp_saved': saved_rsp(steps, st['rsp_before'])}
                self.regs_base = st['rsp_after'] - self.regs_size
            if 'push' in st and self.regs_base is not None:
                st['push'].update(self.field_at(st['push']['addr']))
            text, _ = k.insn(st['pc_after'])
            if text.startswith('call') and ('0x%x' % call_target) in text:
                break
            self.check_deadline('entry')
        pc = k.reg('pc')
        text, length = k.insn(pc)
        rsp = k.reg('rsp')
        self.call_pc, self.return_pc, self.call_rsp = pc, pc + length, rsp
        self.out['entry'] = {
            'start': k.symbol(next(s['pc'] for s in steps if s['pc'] >= USER_TOP)),
            'steps': steps,
            'stack_switch': switch,
            'call': {'pc': pc, 'insn': text, 'source': k.source_line(pc, self.p.get('source')),
                     'rsp': rsp, 'rdi': k.reg('rdi'), 'rsi': k.reg('rsi')},
        }
        self.out['pt_regs'] = self.read_pt_regs(rsp)
        self.lap('entry')

    def field_at(self, addr):
        off = addr - self.regs_base
        for name, o, size in self.regs_fields:
            if o <= off < o + size:
                return {'field': name, 'offset': o}
        return {'field': None, 'offset': None}

    def step(self):
        """Execute one instruction; what it did to rsp, gs and the stack."""
        pc, rsp, gs = k.reg('pc'), k.reg('rsp'), k.reg('gs_base')
        text, length = k.insn(pc)
        popped = None
        if text.startswith('pop') and rsp >= USER_TOP:
            popped = {'addr': rsp, 'word': k.read_u64(rsp)}
        # A call on these paths (untrain_ret, stackleak_erase, depending on
        # the CPU and config) is mitigation or bookkeeping, not the lesson:
        # step over it, as one step.
        gdb.execute('nexti' if text.startswith('call') else 'stepi', to_string=True)
        self.stepis += 1
        if k.reg('pc') == pc and k.reg('rsp') == rsp:
            return None     # QEMU reported a stop before the instruction retired
        st = {'pc': pc, 'symbol': k.symbol(pc)['name'], 'insn': text, 'length': length,
              'source': k.source_line(pc, self.p.get('source')),
              'rsp_before': rsp, 'rsp_after': k.reg('rsp'), 'pc_after': k.reg('pc')}
        gs_after = k.reg('gs_base')
        if gs_after != gs:
            st['gs_base'] = {'before': gs, 'after': gs_after}
        if text.startswith('push') and st['rsp_after'] == rsp - 8:
            st['push'] = {'addr': st['rsp_after'], 'word': k.read_u64(st['rsp_after'])}
        if popped:
            st['pop'] = popped
            if self.regs_base is not None:
                popped.update(self.field_at(popped['addr']))
        return st

    def read_pt_regs(self, addr):
        fields = []
        for name, off, size in self.regs_fields:
            fields.append({'offset': off, 'field': name, 'size': size,
                           'value': k.read_u64(addr + off) if size == 8 else
                           int.from_bytes(k.read_bytes(addr + off, size), 'little'),
                           'meaning': MEANING.get(name)})
        return {'addr': addr, 'size': self.regs_size, 'fields': fields}

    # -- dispatch --------------------------------------------------------
    def dispatch(self):
        phase('dispatch')
        hits = []
        handler_bp = TaskBreakpoint('*0x%x' % self.handler, self.task)
        gdb.execute('continue', to_string=True)
        handler_bp.delete()
        if k.reg('pc') != self.handler:
            raise gdb.GdbError('dispatch: stopped at 0x%x, not at the handler' % k.reg('pc'))
        hits.append({'what': 'handler', 'at': k.symbol(self.handler), 'backtrace': backtrace()})
        sock = socket_objects(self.p['syscall'], self.task, k.reg('rdi'))
        bps = {}
        if sock:
            for what in ('ops_method', 'proto_method'):
                m = sock.get(what)
                if m and m['addr']:
                    bps[m['addr']] = (what, TaskBreakpoint('*0x%x' % m['addr'], self.task))
        ret_bp = TaskBreakpoint('*0x%x' % self.return_pc, self.task)
        while True:
            self.check_deadline('dispatch')
            gdb.execute('continue', to_string=True)
            pc = k.reg('pc')
            if pc == self.return_pc:
                break
            if pc not in bps:
                raise gdb.GdbError('dispatch: unexpected stop at 0x%x' % pc)
            what, bp = bps.pop(pc)
            bp.delete()
            hits.append({'what': what, 'at': k.symbol(pc), 'backtrace': backtrace()})
        ret_bp.delete()
        for what, bp in bps.values():
            bp.delete()
        missed = [what for what, _ in bps.values()]
        self.out['dispatch'] = {
            'table_entry': self.out['setup']['sys_call_table'],
            'hits': hits, 'not_hit': missed, 'socket': sock,
        }
        self.lap('dispatch')

    # -- exit --------------------------------------------------------------
    def exit(self):
        phase('exit')
        rsp = k.reg('rsp')
        ret = {'pc': k.reg('pc'), 'rsp': rsp, 'rax': k.reg('rax'),
               'pt_regs': self.read_pt_regs(rsp)}
        ax = next(f['value'] for f in ret['pt_regs']['fields'] if f['field'] == 'ax')
        ret['regs_ax'] = ax
        ret['regs_ax_signed'] = ax - (1 << 64) if ax >> 63 else ax
        steps = []
        budget = self.p.get('exit_budget', 400)
        start = self.stepis
        while k.reg('pc') >= USER_TOP:
            if self.stepis - start >= budget:
                raise gdb.GdbError('exit: still in the kernel after %d instructions' % budget)
            st = self.step()
            if st is not None:
                steps.append(st)
            self.check_deadline('exit')
        last = steps[-1]['insn'].split()[0] if steps else ''
        user = self.out['user']
        ret.update({
            'steps': steps,
            'path': 'sysret' if last.startswith('sysret') else
                    'iret' if last.startswith('iret') else last,
            'user_pc': k.reg('pc'), 'user_rsp': k.reg('rsp'), 'user_rax': k.reg('rax'),
            'user_cs': k.reg('cs'), 'user_ss': k.reg('ss'),
        })
        ret['checks'] = {
            'stack_balanced': rsp == self.call_rsp,
            'rip_restored': ret['user_pc'] == user['next_pc'],
            'rsp_restored': ret['user_rsp'] == user['regs']['rsp'],
            'rax_is_regs_ax': ret['user_rax'] == ax,
            'pt_regs_at_stack_top': self.call_rsp + self.regs_size ==
            (self.out['entry']['stack_switch'] or {}).get('kernel_stack_top'),
            'pops_match_pushes': pops_match(self.out['entry']['steps'], steps),
        }
        self.out['return'] = ret
        self.lap('exit')


def u64_at_table(nr):
    return u64(gdb.parse_and_eval('sys_call_table[%d]' % nr))


def memory_operand(insn, reg, source=False):
    """For `mov ADDR,REG` (source) or `mov REG,ADDR`: ADDR symbolised (the
    per-cpu slot the entry reads or writes), else None."""
    op, _, args = insn.partition(' ')
    if not op.startswith('mov'):
        return None
    a, _, b = args.strip().partition(',')
    addr, other = (a, b) if source else (b, a)
    if other != reg or not addr.startswith('0x'):
        return None
    return k.describe(int(addr, 16))


def saved_rsp(steps, user_rsp):
    """Where the entry saved the user rsp before switching stacks: the step
    that stored %rsp to memory, and the word now there."""
    for i, st in enumerate(steps):
        slot = memory_operand(st['insn'], '%rsp')
        if slot:
            word = k.read_u64(slot['addr'])
            return {'step': i, 'slot': slot, 'word': word, 'matches': word == user_rsp}
    return None


def read_config(path):
    keys = ('CONFIG_SMP', 'CONFIG_PAGE_TABLE_ISOLATION', 'CONFIG_RANDOMIZE_BASE',
            'CONFIG_RETPOLINE', 'CONFIG_FRAME_POINTER', 'CONFIG_DEBUG_INFO',
            'CONFIG_DEBUG_INFO_DWARF4', 'CONFIG_IA32_EMULATION', 'CONFIG_PVH',
            'CONFIG_GCC_PLUGIN_STACKLEAK', 'CONFIG_PREEMPT', 'CONFIG_NET', 'CONFIG_INET')
    conf = {key: None for key in keys}
    if not path:
        return conf
    try:
        with open(path) as f:
            for line in f:
                key, sep, val = line.strip().partition('=')
                if sep and key in conf:
                    conf[key] = val
    except OSError:
        pass
    return conf


def task_info(task):
    return {'addr': u64(task.address), 'pid': int(task['pid']),
            'comm': k.task_comm(task), 'exe': k.task_exe_name(task)}


class SyscallFilter:
    """Which stops on the program's syscall instruction are the traced one.

    The breakpoint address is a user virtual address: any process executing
    code at that address hits it (QEMU compares the PC, not the address
    space), so a stop is accepted only when cpu 0's current task runs the
    traced executable (mm->exe_file, which prctl cannot rename, unlike comm),
    rax holds the traced number and the live instruction really is
    `syscall`; anything else is counted and resumed."""

    def __init__(self, exe, nr):
        self.exe, self.nr = exe, nr
        self.accepted = None
        self.rejected = []
        self.stops = 0

    def __call__(self):
        self.stops += 1
        task = k.current_task()
        exe = k.task_exe_name(task)
        rax = k.reg('rax')
        text, _ = k.insn(k.reg('pc'))
        reason = None
        if exe != self.exe:
            reason = 'another executable'
        elif rax != self.nr:
            reason = 'another system call number'
        elif text != 'syscall':
            reason = 'not a syscall instruction'
        if reason:
            if len(self.rejected) < 20:
                info = task_info(task)
                info.update(pc=k.reg('pc'), rax=rax, reason=reason)
                self.rejected.append(info)
            return False
        self.accepted = task
        return True

    def report(self, addrs):
        return {'strategy': 'hardware breakpoint on the syscall instruction(s) of the '
                            'program, accepted when current task runs the program '
                            '(mm->exe_file), rax == nr and the instruction is syscall',
                'breakpoints': addrs, 'stops': self.stops,
                'rejected': self.stops - (1 if self.accepted else 0),
                'rejected_sample': self.rejected}


class UserSyscallBreakpoint(gdb.Breakpoint):
    """A hardware breakpoint (a software one cannot be written into a
    process that does not exist yet) whose stops a SyscallFilter judges."""

    def __init__(self, spec, accept):
        super().__init__(spec, type=gdb.BP_HARDWARE_BREAKPOINT, internal=True)
        self.accept = accept

    def stop(self):
        return self.accept()


class TaskBreakpoint(gdb.Breakpoint):
    """A kernel breakpoint that stops only in the traced task."""

    def __init__(self, spec, task):
        super().__init__(spec, internal=True)
        self.task_addr = u64(task.address)

    def stop(self):
        return u64(k.current_task().address) == self.task_addr


def backtrace():
    """The kernel frames, newest first, down to entry_SYSCALL_64 (below it
    the unwinder reads user registers, not frames)."""
    frames = []
    f = gdb.newest_frame()
    while f is not None and len(frames) < 32:
        if f.name() is None or f.pc() < USER_TOP:
            break
        sal = f.find_sal()
        frames.append({'pc': f.pc(), 'function': f.name(),
                       'symbol': k.symbol(f.pc())['name'],
                       'inline': f.type() == gdb.INLINE_FRAME,
                       'file': sal.symtab.filename if sal.symtab else None,
                       'line': sal.line or None})
        try:
            f = f.older()
        except gdb.error:
            break
    return frames


def socket_objects(syscall, task, regs_ptr):
    """fd -> file -> struct socket -> proto_ops / sock -> proto, read from the
    live task, at the handler (whose argument is struct pt_regs *)."""
    method = SOCKET_METHOD.get(syscall)
    if method is None:
        return None
    regs = gdb.Value(regs_ptr).cast(gdb.lookup_type('struct pt_regs').pointer())
    fd = int(regs['di'])
    fdt = task['files']['fdt']
    if fd < 0 or fd >= int(fdt['max_fds']):
        return {'fd': fd, 'error': 'fd out of range'}
    filp = fdt['fd'][fd]
    if u64(filp) == 0:
        return {'fd': fd, 'error': 'no open file'}
    fops = k.symbol(u64(filp['f_op']))
    out = {'fd': fd, 'file': u64(filp), 'f_op': fops}
    if fops['symbol'] != 'socket_file_ops':
        out['error'] = 'not a socket'
        return out
    sock = filp['private_data'].cast(gdb.lookup_type('struct socket').pointer())
    ops = sock['ops']
    sk = sock['sk']
    prot = sk['__sk_common']['skc_prot']
    out.update({
        'socket': u64(sock), 'state': str(sock['state']), 'type': int(sock['type']),
        'ops': k.symbol(u64(ops)), 'method': method,
        'ops_method': k.symbol(u64(ops[method])),
        'sk': u64(sk), 'family': int(sk['__sk_common']['skc_family']),
        'proto': k.symbol(u64(prot)), 'proto_name': prot['name'].string(),
    })
    names = [f.name for f in prot.dereference().type.fields()]
    # None when struct proto has no such method or leaves it NULL (tcp_prot.bind:
    # inet_bind does the work itself)
    fn = u64(prot[method]) if method in names else 0
    out['proto_method'] = k.symbol(fn) if fn else None
    return out


def decode_args(syscall, regs):
    args = [regs[r] for r in ('rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9')]
    out = {'raw': args}
    if syscall in ('connect', 'bind'):
        out['fd'] = args[0] if args[0] < 1 << 31 else args[0] - (1 << 64)
        out['addrlen'] = args[2]
        out['sockaddr'] = decode_sockaddr(args[1], args[2])
    return out


def decode_sockaddr(addr, length):
    """The sockaddr the program passes, read from its user memory."""
    try:
        raw = k.read_bytes(addr, min(length, 128))
    except gdb.MemoryError:
        return {'addr': addr, 'error': 'unreadable'}
    family = int.from_bytes(raw[0:2], 'little')
    out = {'addr': addr, 'family': family, 'bytes': raw.hex()}
    af_inet = int(gdb.parse_and_eval('(int)AF_INET')) if has_symbol('AF_INET') else 2
    if family == af_inet and len(raw) >= 8:
        out.update(family_name='AF_INET', port=int.from_bytes(raw[2:4], 'big'),
                   address='.'.join(str(b) for b in raw[4:8]))
    return out


def has_symbol(name):
    try:
        gdb.parse_and_eval(name)
        return True
    except gdb.error:
        return False


def pops_match(entry_steps, exit_steps):
    """Every pop on the exit path that reads a pt_regs slot the entry pushed
    reads back the word the entry wrote there (except ax: the return value,
    and orig_ax... which is never popped)."""
    pushed = {s['push']['addr']: s['push'] for s in entry_steps if 'push' in s}
    checked = mismatched = 0
    for s in exit_steps:
        pop = s.get('pop')
        if not pop or pop['addr'] not in pushed or pop.get('field') == 'ax':
            continue
        checked += 1
        if pop['word'] != pushed[pop['addr']]['word']:
            mismatched += 1
    return {'checked': checked, 'mismatched': mismatched}


# Keys whose values are addresses, register values or stack words: written
# as "0x..." strings, since 64-bit values do not survive JSON readers that
# use doubles (jq, JavaScript) or int64 (jansson).  See gdb/SCHEMA.md.
HEX_KEYS = frozenset((
    'addr', 'pc', 'next_pc', 'pc_after', 'rsp', 'rsp_before', 'rsp_after', 'word', 'value',
    'before', 'after', 'entry_addr', 'user_rsp', 'kernel_stack_top', 'file', 'socket', 'sk',
    'function_addr', 'syscall_addrs', 'breakpoints', 'raw', 'regs', 'rdi', 'rsi', 'rax',
    'regs_ax', 'user_pc', 'user_rax', 'user_cs', 'user_ss'))


def hexify(obj, key=None, every=False):
    """Write HEX_KEYS' integers (every integer under 'regs') as hex."""
    every = every or key == 'regs'
    if isinstance(obj, dict):
        return {k2: hexify(v, k2, every) for k2, v in obj.items()}
    if isinstance(obj, list):
        return [hexify(v, key, every) for v in obj]
    if isinstance(obj, int) and not isinstance(obj, bool) and (every or key in HEX_KEYS):
        return '0x%x' % obj
    return obj


def write_json(path, data):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    os.rename(tmp, path)


class LabTrace(gdb.Command):
    """Capture one system call of one program: lab-trace PARAMS.json

PARAMS.json (written by labctl trace) names the program, its syscall
instruction addresses, the syscall number and the output file; the capture
is written there as JSON (gdb/SCHEMA.md), also when it fails."""

    def __init__(self):
        super().__init__('lab-trace', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) != 1:
            raise gdb.GdbError('usage: lab-trace PARAMS.json')
        try:
            with open(argv[0]) as f:
                params = json.load(f)
        except (OSError, ValueError) as e:
            raise gdb.GdbError('lab-trace: cannot read %s: %s' % (argv[0], e))
        cap = Capture(params)
        try:
            cap.types()
            cap.user()      # paging is off until the kernel runs: read it after
            cap.setup()
            cap.entry()
            cap.dispatch()
            cap.exit()
            cap.out['ok'] = True
        except (gdb.error, gdb.GdbError) as e:
            cap.out['error'] = str(e)
        except Exception:   # a bug here: keep the traceback in the report
            cap.out['error'] = 'internal error in lab-trace:\n' + traceback.format_exc()
        cap.out['timing'] = cap.timing
        data = hexify(cap.out)
        write_json(params['out'], data)
        if not cap.out['ok']:
            raise gdb.GdbError('lab-trace: ' + cap.out['error'])
        if params.get('report_dir'):
            # here rather than in a new python3: its start-up costs 0.1 s
            import report
            report.write_reports(data, params['report_dir'], params.get('formats', []))


LabTrace()
