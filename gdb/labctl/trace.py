# lab-trace: follow one system call of one program through the kernel and
# write what was seen as JSON (schema: gdb/SCHEMA.md).
#
# The phases, in the order the CPU runs them:
#   user      hardware breakpoint on the program's `syscall` (x86-64) or
#             `int $0x80` (i386) instruction, accepted only for the traced
#             task (see SyscallFilter)
#   entry     stepi from the entry (entry_SYSCALL_64, entry_INT80_compat,
#             asm_int80_emulation) to its call of the C entry (do_syscall_64,
#             do_int80_syscall_32, int80_emulation for do_int80_emulation)
#   dispatch  breakpoints + continue: the handler, the socket layer, the
#             socket's proto_ops and proto methods, the return address
#   exit      stepi from the C entry's return back to user mode
import re
import time

import gdb

from labctl import abi as abis
from labctl import dispatch
from labctl import explain
from labctl import kernel as k
from labctl import sockets
from labctl import stubs
from labctl.breakpoints import JudgedBreakpoint, TaskBreakpoint
from labctl.command import (ParamsCommand, TraceError, current_phase, guest, phase, run_command,
                            run_on, time_is_up)
from labctl.kernel import USER_TOP, u64
from labctl.report.lang import N_

SCHEMA = 'labctl-trace/1'


class EntryState:
    """The entry being stepped: its steps so far and what they showed (the
    stack switch, the int $0x80 hardware frame, where pt_regs is being
    built: frame_base), done at the call of the C entry."""

    def __init__(self, call_target, budget, start):
        self.call_target, self.budget, self.start = call_target, budget, start
        self.steps = []
        self.switch = self.hw = None
        self.frame_base = None   # pt_regs as laid out on the stack rsp is on now
        self.done = False


class Capture:
    def __init__(self, params):
        self.p = params
        self.abi = abis.BY_NAME[params.get('abi', 'x86_64')]
        self.out = {'schema': SCHEMA, 'ok': False}
        self.deadline = time.monotonic() + params.get('timeout', 60)
        self.t0 = time.monotonic()
        self.timing = {}
        self.out['timing'] = self.timing    # filled phase by phase, kept on failure
        self.task = None
        self.fork = None
        self.regs_base = None
        self.stepis = 0
        self.entry_state = None
        self.c_entry = self.entry_call = None   # setup() reads them from vmlinux
        self.user_cr3 = None    # cr3 to put back before the program runs on (PTI)

    def types(self):
        # Stops print a location nobody reads (to_string): keep it cheap.
        gdb.execute('set print frame-arguments none')
        gdb.execute('set print frame-info short-location')
        try:
            regs = gdb.lookup_type('struct pt_regs')
        except gdb.error:
            raise TraceError('input', 'vmlinux has no debug information (no struct pt_regs): '
                             'build the kernel with CONFIG_DEBUG_INFO')
        self.regs_fields = k.struct_fields('struct pt_regs')
        self.regs_size = regs.sizeof

    def lap(self, name):
        t = time.monotonic()
        self.timing[name] = round(t - self.t0, 4)
        self.t0 = t

    def resume(self, what):
        """resume() within the time limit: past it, a timeout in phase WHAT
        (the capture keeps what was seen)."""
        ended = resume()
        self.check_deadline(what)
        return ended

    def check_deadline(self, what):
        if time.monotonic() > self.deadline:
            raise TraceError('timeout', N_("time limit reached in phase '%s'") % what)

    def program_waiting(self, exe):
        """Where the program's processes were blocked when the trace gave
        up on its call: {pid, exe, nr} for each that sleeps (state not
        TASK_RUNNING) in a system call (its pt_regs->orig_ax, as
        /proc/PID/syscall reads it).  labctl names the numbers."""
        out = []
        for t in k.tasks():
            try:
                state = int(t['state'])
            except gdb.error:       # __state since 5.14
                state = int(t['__state'])
            if state == 0 or k.task_exe_name(t) != exe:
                continue
            nr = sockets.signed(u64(k.task_pt_regs(t)['orig_ax']), 64)
            if nr >= 0:
                out.append({'pid': int(t['pid']), 'exe': exe, 'nr': nr})
        return out

    # -- setup ---------------------------------------------------------
    def setup(self):
        p = self.p
        nr = p['nr']
        entry = self.abi.entry(k.is_function, k.has_symbol)
        if entry is None:
            raise TraceError('input', 'setup: vmlinux has no %s, the C entries labctl follows '
                             'for %s%s: this kernel enters another way, which labctl cannot '
                             'place' % (self.abi.entry_names(), self.abi.name,
                                        ' (is CONFIG_IA32_EMULATION set?)'
                                        if self.abi.name == 'i386' else ''))
        self.c_entry, self.entry_call = entry
        # Since the switch (dispatch.py), 6.x builds no i386 table at all.
        try:
            table_addr = u64(gdb.parse_and_eval('&' + self.abi.table))
        except gdb.error:
            table_addr = None
        banner = gdb.parse_and_eval('(const char *)linux_banner').string().strip()
        uts = gdb.parse_and_eval('init_uts_ns.name')
        self.out['setup'] = {
            'kernel': {'banner': banner, 'release': uts['release'].string(),
                       'machine': uts['machine'].string(),
                       'config': read_config(p.get('config'))},
            'accelerator': p.get('accel'),
            'guest': guest(),
            'scenario': p.get('scenario'),
            'abi': self.abi.name,
            'program': dict(p['program'], **self.hit),
            'syscall': {'name': p['syscall'], 'nr': nr,
                        'tbl_line': p.get('tbl_line'), 'tbl_lineno': p.get('tbl_lineno'),
                        'tbl_file': self.abi.tbl_file},
            'sys_call_table': None if table_addr is None else {
                'name': self.abi.table, 'addr': table_addr, 'entry_addr': table_addr + 8 * nr,
                'handler': self.table_symbol(k.read_u64(table_addr + 8 * nr))},
            'pt_regs': {'size': self.regs_size,
                        'fields': [{'name': n, 'offset': o, 'size': s}
                                   for n, o, s in self.regs_fields]},
        }
        if self.socketcall:
            self.out['setup']['socketcall'] = self.socketcall
        how = self.out['setup']['dispatch'] = self.find_dispatch(table_addr, nr)
        self.handler = how['handler']['addr']
        self.check_stub(self.handler)

    def find_dispatch(self, table_addr, nr):
        """How the C entry reaches the handler of NR, from its code
        (dispatch.py), with the handler's address and symbol."""
        entry_fn = self.c_entry
        try:
            how = dispatch.find(self.abi.name, entry_fn, k.function_insns(entry_fn), table_addr,
                                k.function_code(dispatch.SWITCHES[self.abi.name]), nr,
                                k.read_u64, k.thunk_addr)
        except dispatch.DispatchError as e:
            raise TraceError('input', 'setup: %s' % e)
        for x in how['insns'] + how.get('case', []):
            x['at'] = k.symbol(x['addr'])
        table = self.out['setup']['sys_call_table']
        how['handler'] = {'addr': how['handler'],
                          'at': table['handler'] if table and how['handler'] == k.read_u64(
                              table['entry_addr']) else self.table_symbol(how['handler'])}
        return how

    def table_symbol(self, entry):
        """The symbol of handler ENTRY by the name the table gives it: several
        names share an address (__ia32_sys_getpid is __x64_sys_getpid), and
        GDB picks any; the table's line says which one this ABI calls
        (syscall_32.tbl's compat entry point when it has one)."""
        out = k.symbol(entry)
        parts = (self.p.get('tbl_line') or '').split()
        if len(parts) < 4:
            return out
        point = parts[4] if self.abi.name == 'i386' and len(parts) > 4 else parts[3]
        name = ('__x64_' if self.abi.name == 'x86_64' else '__ia32_') + point
        try:
            if u64(gdb.parse_and_eval('&' + name)) == entry:
                out.update(symbol=name, offset=0, name=name)
        except gdb.error:
            pass
        return out

    def check_stub(self, entry):
        """A handler from kernel/sys_ni.c is the -ENOSYS stub of a call this
        kernel was built without: say so, and which option would build it."""
        sal = gdb.find_pc_line(entry)
        if sal.symtab is None or not stubs.is_stub_file(sal.symtab.filename):
            return
        name, table = self.p['syscall'], self.out['setup']['sys_call_table']
        how = self.out['setup']['dispatch']
        found = stubs.config_option(self.p.get('source'), name) or {}
        # kept with the table when there is one, as captures always had it
        (table or how)['stub'] = {'file': stubs.STUB_FILE, 'defined_in': found.get('file'),
                                  'option': found.get('option')}
        self.out.setdefault('warnings', []).append(
            '%s is %s, an -ENOSYS stub of %s: this kernel was built without %s%s' % (
                '%s[%d]' % (table['name'], self.p['nr']) if table else
                "%s's case for %d" % (how['switch'], self.p['nr']),
                how['handler']['at']['name'], stubs.STUB_FILE, name,
                ' (%s, built by %s)' % (found['file'], found['option'])
                if found.get('option') else ''))

    # -- user ----------------------------------------------------------
    def user(self):
        phase('user')
        prog = self.p['program']
        self.socketcall = None
        if self.p.get('socketcall'):
            calls = {n: v for v, n in sockets.socketcall_calls(self.p.get('source')).items()}
            name = self.p['socketcall']
            if name not in calls:
                raise TraceError('input', 'socketcall has no call %s (include/uapi/linux/net.h)'
                                 % name)
            self.socketcall = {'name': name, 'call': calls[name],
                               'define': 'SYS_' + name.upper(), 'file': 'include/uapi/linux/net.h'}
        bp_filter = SyscallFilter(prog['exe'], self.p['nr'], self.abi,
                                  self.socketcall and self.socketcall['call'])
        try:
            bps = [JudgedBreakpoint('*0x%x' % a, bp_filter, hardware=True)
                   for a in prog['syscall_addrs']]
        except gdb.error as e:
            raise TraceError('env', 'no hardware breakpoint under %s (%s): trace under TCG'
                             % (self.p.get('accel'), e))
        # what the filter saw (rejected stops: another number...) is worth
        # keeping when the traced call never comes; labctl names it
        try:
            ended = self.resume('user')
        except TraceError:
            # accepted, then the time ran out: cr3 is still the kernel's
            self.user_cr3 = bp_filter.user_cr3
            self.out['filter'] = bp_filter.report(prog['syscall_addrs'])
            # labctl goes on interrupting GDB until it ends: a SIGINT may
            # land here too, and then there is no time left to look
            try:
                with k.kernel_mapped():
                    self.out['filter']['waiting'] = self.program_waiting(prog['exe'])
            except gdb.error as e:
                self.out['filter']['waiting_error'] = str(e)
            except KeyboardInterrupt:
                self.out['filter']['waiting_error'] = 'interrupted: the time was up'
            raise
        self.out['filter'] = bp_filter.report(prog['syscall_addrs'])
        if ended:
            raise gdb.GdbError('the guest ended before %s made system call %d in %s (%s)'
                               % (prog['exe'], self.p['nr'],
                                  ' or '.join(f['name'] for f in prog.get('functions')
                                              or [{'name': prog['function']}]), ended))
        for bp in bps:
            bp.delete()
        if not bp_filter.accepted:
            raise gdb.GdbError('the guest stopped at 0x%x, not at the traced syscall'
                               % k.reg('pc'))
        self.task = bp_filter.accepted
        self.user_cr3 = bp_filter.user_cr3
        pc = k.reg('pc')
        # Several of the program's functions watched: the report names the
        # one whose syscall instruction made the call (setup() records it).
        self.hit = next(({'function': f['name'], 'function_addr': f['addr'],
                          'function_size': f['size']} for f in prog.get('functions', [])
                         if f['addr'] <= pc < f['addr'] + f['size']), {})
        regs = {r: k.reg(r) for r in ('rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp',
                                      'r8', 'r9', 'r10', 'r11', 'rsp', 'eflags', 'cs', 'ss',
                                      'fs_base', 'gs_base')}
        text, length = k.insn(pc)
        self.out['filter'] = bp_filter.report(prog['syscall_addrs'])
        self.out['user'] = {
            'task': task_info(self.task),
            'pc': pc, 'insn': text, 'next_pc': pc + length,
            'regs': regs,
            'abi_regs': [{'reg': r, 'value': v, 'role': role}
                         for r, v, role in self.abi.user_regs()],
            'cs_descriptor': k.gdt_descriptor(regs['cs']),
            'ss_descriptor': k.gdt_descriptor(regs['ss']),
            'args': self.decode_args(),
        }
        self.lap('user')

    def decode_args(self):
        """The arguments as the handler will see them; for socketcall the
        call and its argument block, read from user memory."""
        raw = [self.abi.reg(r) for r in self.abi.arg_regs]
        out = {'raw': raw}
        name = self.p['syscall']
        if self.socketcall:
            call, block = sockets.socketcall_args(self.p.get('source'), raw[0], raw[1])
            out['socketcall'] = {'call': raw[0], 'name': call, 'args_addr': raw[1],
                                 'word_size': sockets.compat_word(), 'args': block}
            if block is None:
                return out
            name, raw = call, block
        if name in sockets.ARGS:
            d = sockets.decode(self.p.get('source'), name, raw)
            out['decoded'], out['text'] = d['args'], d['text']
            if name in ('connect', 'bind'):
                out['fd'] = sockets.signed(raw[0], 32)
                out['addrlen'] = raw[2]
                out['sockaddr'] = next(iter(d['sockaddrs'].values()))
        return out

    # -- the phases, in CPU order: lab-trace runs both halves, an
    # interactive session (interactive.py) stops between them ------------
    def to_the_call(self):
        """Up to the traced program's syscall instruction, the guest stopped
        there.  Under PTI the filter left cr3 on the kernel's page tables for
        the reads: put back before the program runs on."""
        self.types()
        try:
            self.user()     # paging is off until the kernel runs: read it after
            self.setup()
        finally:
            k.restore_page_tables(self.user_cr3)
            self.user_cr3 = None

    def from_the_call(self):
        """From there (or from where lab-step left the entry) back to user mode."""
        self.entry()
        self.dispatch()
        self.exit()
        self.child()

    # -- entry ---------------------------------------------------------
    def entry(self):
        """Step from the user's syscall instruction to the call of the C
        entry.  The steps lab-step (interactive.py) already took through
        entry_step() are the beginning of them: the entry goes on from
        there."""
        if self.entry_state is None:
            self.entry_begin()
        e = self.entry_state
        while not e.done:
            st = self.entry_step()
            if st is not None and not e.done:
                self.check_deadline('entry')
        self.entry_end()

    def entry_begin(self):
        phase('entry')
        self.entry_state = EntryState(u64(gdb.parse_and_eval('&' + self.entry_call)),
                                      self.p.get('entry_budget', 200), self.stepis)

    def entry_step(self):
        """One instruction of the entry, recorded in the entry's steps: its
        step, or None when QEMU reported a stop before it retired.  At the
        call of the C entry (the next instruction), entry_state.done."""
        e = self.entry_state
        steps = e.steps
        if self.stepis - e.start >= e.budget:
            raise gdb.GdbError('entry: no call to %s within %d instructions'
                               % (self.entry_call, e.budget))
        # A call whose return address lands in the pt_regs being built
        # (6.x's `call error_entry`) builds the rest of it: step into it.
        arg = k.reg('rdi')
        st = self.step(into=None if e.frame_base is None else
                       (e.frame_base, e.frame_base + self.regs_size))
        if st is None:
            return None
        steps.append(st)
        if e.frame_base is not None:
            self.note_store(st, e)
        if st['insn'].startswith('jmp') and is_c_function(st['pc_after']):
            self.run_tail_call(st, e, arg)
        elif st['insn'].startswith('call') and st['pc_after'] == st['pc'] + st['length'] and \
                e.frame_base is not None and arg == e.frame_base:
            # stepped over, given the pt_regs being built (6.1's error_entry
            # calls sync_regs; 6.12's jumps to it)
            self.ran(st, e, dispatch.direct_target(st['insn']), arg)
        if len(steps) == 1 and st['rsp_after'] >= USER_TOP > st['rsp_before']:
            # int $0x80: the CPU itself switched to the entry stack and
            # pushed the user ss, sp, flags, cs, ip: the tail of a pt_regs
            e.hw = self.hardware_frame(st)
            e.frame_base = e.hw['frame_top'] - self.regs_size
            return st
        top_from = k.memory_operand(st['insn'], '%rsp', source=True)
        if e.switch is None and sets_rsp_from_register(st['insn']):
            self.switch_to_copy(st, e)
        elif top_from is not None or \
                (e.switch is None and st['rsp_before'] < USER_TOP <= st['rsp_after']):
            e.switch = {'step': len(steps) - 1, 'user_rsp': self.out['user']['regs']['rsp'],
                        'from_rsp': st['rsp_before'], 'kernel_stack_top': st['rsp_after'],
                        'top_from': top_from,
                        'user_rsp_saved': saved_rsp(steps, self.out['user']['regs']['rsp'],
                                                    e.hw)}
            e.frame_base = self.regs_base = st['rsp_after'] - self.regs_size
        if 'push' in st and e.frame_base is not None:
            self.place(st['push'], e)
        text, _ = k.insn(st['pc_after'])
        if text.startswith('call') and ('0x%x' % e.call_target) in text:
            e.done = True
        return st

    def note_store(self, st, e):
        """A `mov REG,DISP(%rsp)` into the pt_regs being built (6.x's
        error_entry: `mov %rdi,0x8(%rsp)`, over the return address its
        call pushed): recorded like a push, as st['store']."""
        op, args = explain.parse(st['insn'])
        m = RSP_SLOT.match(args[1]) if op.startswith('mov') and len(args) == 2 and \
            args[0].startswith('%') else None
        if not m:
            return
        addr = st['rsp_before'] + int(m.group(1) or '0', 0)
        if not e.frame_base <= addr < e.frame_base + self.regs_size:
            return
        st['store'] = self.place({'addr': addr, 'word': k.read_u64(addr)}, e)

    def place(self, w, e):
        """Word W the entry wrote (a push or a store), with the pt_regs
        field it fills; on the entry stack, before the switch, so marked."""
        w.update(self.field_at(w['addr'], e.frame_base))
        if self.regs_base is None:
            w['stack'] = 'entry'
        return w

    def run_tail_call(self, st, e, arg):
        """The entry jumped to a C function that returns to the entry's own
        caller (error_entry's `jmp sync_regs`, on kernels where it jumps).
        Its C, line by line, is not the lesson: it runs within this step, to
        the return address on the stack, as a call stepped over would."""
        fn = st['pc_after']
        ret = k.read_u64(st['rsp_after'])
        bp = TaskBreakpoint('*0x%x' % ret, self.task)
        try:
            # (no time limit: this is a step, and lab-step takes its time)
            ended = resume()
        finally:
            bp.delete()
        if ended or k.reg('pc') != ret:
            raise gdb.GdbError('entry: %s, jumped to at step %d, did not return to 0x%x (%s)'
                               % (k.symbol(fn)['name'], len(e.steps) - 1, ret,
                                  ended or 'stopped at 0x%x' % k.reg('pc')))
        st['pc_after'], st['rsp_after'] = ret, k.reg('rsp')
        self.ran(st, e, fn, arg)

    def ran(self, st, e, fn, arg):
        """Record what the function at FN, run within step ST with ARG in
        rdi, returned (st['ran']); when ARG was the pt_regs being built and
        it returned another place, whether that is a byte-for-byte copy
        (sync_regs, moving pt_regs from the entry stack to the task's)."""
        if fn is None:
            return
        rax = k.reg('rax')
        ran = st['ran'] = {'function': k.symbol(fn)['name'], 'addr': fn,
                           'source': k.source_line(fn, self.p.get('source')),
                           'rdi': arg, 'rax': rax}
        if arg == e.frame_base and rax != arg and rax >= USER_TOP:
            n = self.regs_size
            ran['copy'] = {'from': arg, 'to': rax, 'bytes': n,
                           'equal': k.read_bytes(arg, n) == k.read_bytes(rax, n)}

    def switch_to_copy(self, st, e):
        """`mov %rax,%rsp` after sync_regs: rsp moves to the copy of
        pt_regs on the task's stack, which ends at the stack's top (the
        per-cpu variable, read now)."""
        copy = next((s['ran']['copy'] for s in reversed(e.steps)
                     if 'copy' in s.get('ran', {})), None)
        top, name = k.stack_top()
        e.switch = {'step': len(e.steps) - 1, 'user_rsp': self.out['user']['regs']['rsp'],
                    'from_rsp': st['rsp_before'], 'kernel_stack_top': top,
                    'top_from': {'name': name}, 'copy': copy,
                    'user_rsp_saved': saved_rsp(e.steps, self.out['user']['regs']['rsp'],
                                                e.hw)}
        e.frame_base = self.regs_base = st['rsp_after']

    def entry_end(self):
        e = self.entry_state
        steps, hw, switch = e.steps, e.hw, e.switch
        pc = k.reg('pc')
        text, length = k.insn(pc)
        rsp = k.reg('rsp')
        self.call_pc, self.return_pc, self.call_rsp = pc, pc + length, rsp
        self.out['entry'] = {
            'start': k.symbol(next(s['pc'] for s in steps if s['pc'] >= USER_TOP)),
            'steps': steps,
            'hardware_frame': hw,
            'stack_switch': switch,
            'call': {'pc': pc, 'insn': text, 'target': self.c_entry,
                     'via': self.entry_call if self.entry_call != self.c_entry else None,
                     'source': k.source_line(pc, self.p.get('source')),
                     'rsp': rsp, 'rdi': k.reg('rdi'), 'rsi': k.reg('rsi'),
                     'args': [{'name': n, 'type': t, 'reg': r, 'value': k.reg(r)}
                              for (n, t), r in zip(k.arguments(self.c_entry),
                                                   k.ARG_REGS)]},
        }
        self.out['pt_regs'] = self.read_pt_regs(rsp, self.abi.meaning_at_call(self.c_entry))
        self.lap('entry')

    def hardware_frame(self, st):
        """What the CPU pushed by itself at int $0x80: the hardware frame on
        the entry stack, laid out as pt_regs from its ip field to its end."""
        ip = next(o for name, o, _ in self.regs_fields if name == 'ip')
        top = st['rsp_after'] + self.regs_size - ip
        base = top - self.regs_size
        words = []
        for addr in range(st['rsp_after'], top, 8):
            w = {'addr': addr, 'word': k.read_u64(addr)}
            w.update(self.field_at(addr, base))
            words.append(w)
        with k.kernel_mapped():     # PTI: the TSS is not mapped here
            sp0 = u64(k.per_cpu('cpu_tss_rw')['x86_tss']['sp0'])
        return {'step': 0, 'frame_top': top, 'from_rsp': st['rsp_before'], 'words': words,
                'tss_sp0': sp0, 'top_is_tss_sp0': top == sp0}

    def field_at(self, addr, base=None):
        off = addr - (self.regs_base if base is None else base)
        for name, o, size in self.regs_fields:
            if o <= off < o + size:
                return {'field': name, 'offset': o}
        return {'field': None, 'offset': None}

    def step(self, into=None):
        """Execute one instruction; what it did to rsp, gs and the stack.
        A call whose return address lands in INTO (a range) is stepped into."""
        pc, rsp, gs = k.reg('pc'), k.reg('rsp'), k.reg('gs_base')
        text, length = k.insn(pc)
        popped = None
        if text.startswith('pop') and rsp >= USER_TOP:
            popped = {'addr': rsp, 'word': k.read_u64(rsp)}
        # Any other call on these paths (untrain_ret, stackleak_erase,
        # depending on the CPU and config) is mitigation or bookkeeping, not
        # the lesson: step over it, as one step.
        over = text.startswith('call') and not (into and into[0] <= rsp - 8 < into[1])
        loads_cr3 = writes_cr3(text)
        cr3 = k.reg('cr3') if loads_cr3 else None
        gdb.execute('nexti' if over else 'stepi', to_string=True)
        self.stepis += 1
        if k.reg('pc') == pc and k.reg('rsp') == rsp:
            return None     # QEMU reported a stop before the instruction retired
        st = {'pc': pc, 'symbol': k.symbol(pc)['name'], 'insn': text, 'length': length,
              'source': k.source_line(pc, self.p.get('source')),
              'rsp_before': rsp, 'rsp_after': k.reg('rsp'), 'pc_after': k.reg('pc')}
        memory = k.memory_name(text)
        if memory:
            st['memory'] = memory
        gs_after = k.reg('gs_base')
        if gs_after != gs:
            st['gs_base'] = {'before': gs, 'after': gs_after}
        if loads_cr3:
            st['cr3'] = {'before': cr3, 'after': k.reg('cr3')}
        if text.startswith(('push', 'call')) and st['rsp_after'] == rsp - 8:
            st['push'] = {'addr': st['rsp_after'], 'word': k.read_u64(st['rsp_after'])}
        if popped:
            st['pop'] = popped
            if self.regs_base is not None:
                popped.update(self.field_at(popped['addr']))
        return st

    def read_pt_regs(self, addr, meaning=None):
        """struct pt_regs at ADDR, each field with why it is there (MEANING,
        else the ABI's)."""
        meaning = meaning or self.abi.meaning
        fields = []
        for name, off, size in self.regs_fields:
            fields.append({'offset': off, 'field': name, 'size': size,
                           'value': k.read_u64(addr + off) if size == 8 else
                           int.from_bytes(k.read_bytes(addr + off, size), 'little'),
                           'meaning': meaning.get(name)})
        return {'addr': addr, 'size': self.regs_size, 'fields': fields}

    # -- dispatch --------------------------------------------------------
    def dispatch(self):
        phase('dispatch')
        hits = []
        self.out['dispatch'] = {'table_entry': self.out['setup']['sys_call_table'],
                                'hits': hits, 'not_hit': [], 'socket': None}
        if self.p['syscall'] in FORKS:
            self.fork = ForkWatch(self)
        handler_bp = TaskBreakpoint('*0x%x' % self.handler, self.task)
        ended = self.resume('dispatch')
        if ended:
            raise gdb.GdbError('dispatch: the guest ended before the handler ran (%s)' % ended)
        handler_bp.delete()
        if k.reg('pc') != self.handler:
            raise gdb.GdbError('dispatch: stopped at 0x%x, not at the handler' % k.reg('pc'))
        src = self.p.get('source')
        handler = dict(self.out['setup']['dispatch']['handler']['at'])
        hits.append({'what': 'handler', 'at': handler, 'backtrace': k.backtrace(src)})
        # as the handler reads them: the C entry may have changed them
        # (do_int80_emulation moves the number to orig_ax)
        self.out['dispatch']['pt_regs'] = self.read_pt_regs(self.call_rsp)
        # Where the handler returns to, from the stack at its first
        # instruction: a schedule() before that is the call sleeping, one
        # after it is the task rescheduled on its way back to user mode.
        handler_ret = k.read_u64(k.reg('rsp'))
        returned_bp = TaskBreakpoint('*0x%x' % handler_ret, self.task)
        returned = None
        sock, call = self.socket_at_handler()
        self.out['dispatch']['socket'] = sock
        bps = {}
        layer = '__sys_' + call if call else None
        if layer and k.is_function(layer):
            addr = u64(gdb.parse_and_eval('&' + layer))
            bps[addr] = ('socket_layer', TaskBreakpoint('*0x%x' % addr, self.task))
        for what in ('ops_method', 'proto_method'):
            m = (sock or {}).get(what)
            if m and m['addr'] and m['addr'] not in bps:
                bps[m['addr']] = (what, TaskBreakpoint('*0x%x' % m['addr'], self.task))
        ret_bp = TaskBreakpoint('*0x%x' % self.return_pc, self.task)
        # A call that never returns (exit, a fatal signal on the way back)
        # ends in do_exit, before the C entry returns.
        do_exit = u64(gdb.parse_and_eval('&do_exit'))
        exit_bp = TaskBreakpoint('*0x%x' % do_exit, self.task)
        # A call that blocks gives up the CPU in schedule(): where it sleeps.
        schedule = u64(gdb.parse_and_eval('&schedule'))
        bps[schedule] = ('sleeps', TaskBreakpoint('*0x%x' % schedule, self.task))
        while True:
            ended = self.resume('dispatch')
            if ended:
                raise gdb.GdbError('dispatch: the guest ended before the handler returned (%s)'
                                   % ended)
            pc = k.reg('pc')
            if self.fork and self.fork.stop(pc):
                continue
            if pc == handler_ret and not returned:
                returned_bp.delete()
                rax = k.reg('rax')
                returned = {'pc': pc, 'at': k.symbol(pc), 'rax': rax,
                            'signed': sockets.signed(rax, 64)}
                self.out['dispatch']['handler_return'] = returned
                continue
            if pc == do_exit:
                # From here on the task dies: a schedule() on the way (a
                # lock, a parent to wake) is the exit's, not the call's.
                for _, bp in bps.values():
                    bp.enabled = False
                # Resuming from an armed breakpoint, GDB steps over it, and
                # QEMU reports it a second time when an interrupt comes in
                # during that step (seen in CI: do_exit twice, then no
                # do_task_dead).  Nothing is to be seen there again.
                exit_bp.delete()
                exit_bp = None
                self.task_exits(hits, src)
                break
            if pc == self.return_pc:
                break
            if pc not in bps:
                raise gdb.GdbError('dispatch: unexpected stop at 0x%x' % pc)
            what, bp = bps.pop(pc)
            bp.delete()
            if what == 'sleeps' and returned:
                what = 'resched'
            hits.append({'what': what, 'at': k.symbol(pc), 'backtrace': k.backtrace(src)})
        ret_bp.delete()
        if exit_bp:
            exit_bp.delete()
        if not returned:
            returned_bp.delete()
        for what, bp in bps.values():
            bp.delete()
        self.out['dispatch']['not_hit'] = [what for what, _ in bps.values()
                                           if what not in ('sleeps', 'resched')]
        self.lap('dispatch')

    def frame_replaced(self, ret, regs):
        """The call rewrote the user frame it returns to (execve: the new
        program's entry; rt_sigreturn: the frame it read from the user
        stack).  Stepping the exit path into a frame that may fault is not
        what the call did: follow the task instead to its next instruction
        in user mode (a hardware breakpoint there, as the address may not
        be mapped yet), or to do_exit when returning to it kills the task."""
        src = self.p.get('source')
        do_exit = u64(gdb.parse_and_eval('&do_exit'))
        exit_bp = TaskBreakpoint('*0x%x' % do_exit, self.task)
        user_bp = TaskBreakpoint('*0x%x' % regs['ip'], self.task,
                                 hardware=True) if regs['ip'] < USER_TOP else None
        end = {'frame_replaced': {'ip': regs['ip'], 'sp': regs['sp'], 'cs': regs['cs'],
                                  'ss': regs['ss'], 'ax': ret['regs_ax'],
                                  'was_ip': self.out['user']['next_pc'],
                                  'was_sp': self.out['user']['regs']['rsp']},
               'pt_regs': ret['pt_regs']}
        signal = self.signal_frame(regs)
        if signal:
            end['frame_replaced']['signal'] = signal
        ended = self.resume('exit')
        exit_bp.delete()
        if user_bp:
            user_bp.delete()
        if ended:
            raise gdb.GdbError('exit: the guest ended before the task ran again (%s)' % ended)
        if k.reg('pc') == do_exit:
            hits = self.out['dispatch']['hits']
            self.task_exits(hits, src)
            self.out['end'].update(end)
        else:
            with k.kernel_mapped():
                exe = k.task_exe_name(self.task)
            end.update({'how': 'user', 'user_pc': k.reg('pc'), 'user_rsp': k.reg('rsp'),
                        'user_rax': k.reg('rax'),
                        'user_cs': k.reg('cs'), 'user_ss': k.reg('ss'), 'exe': exe})
            self.out['end'] = end
        self.lap('exit')

    def signal_frame(self, regs):
        """A signal delivered on the way back: the kernel wrote a signal
        frame at the new user sp whose saved ip is the call's (after the
        syscall instruction, or on it when the call restarts) and sp the
        call's, and pointed pt_regs at the handler, the signal in its first
        argument (di; ax for i386).  The call's return value is in the frame
        until the handler returns.  None when the frame is not one (execve,
        rt_sigreturn itself)."""
        user = self.out['user']
        bits = 64 if self.abi.name == 'x86_64' else 32
        for struct, context in SIGNAL_FRAMES[self.abi.name]:
            try:
                frame = gdb.Value(regs['sp']).cast(
                    gdb.lookup_type(struct).pointer()).dereference()
                mc = context(frame)
                saved_ip, saved_sp, saved_ax = (u64(mc[f]) for f in ('ip', 'sp', 'ax'))
            except gdb.error:
                continue
            if saved_ip in (user['next_pc'], self.call_pc) and saved_sp == user['regs']['rsp']:
                break
        else:
            return None
        signo = regs['di'] if bits == 64 else regs['ax'] & 0xffffffff
        value = sockets.signed(saved_ax, bits)
        return {'number': signo, 'frame_type': struct,
                'name': signal_name(self.p.get('source'), signo),
                'handler': regs['ip'], 'frame': regs['sp'], 'saved_ip': saved_ip,
                'saved_ax': saved_ax, 'saved_ax_signed': value,
                'restarts': saved_ip == self.call_pc,
                'errno': errno_name(self.p.get('source'), value)}

    def task_exits(self, hits, src):
        """The task is in do_exit(code): follow it to do_task_dead, whose
        __schedule() is the task's last; there is no return to user mode."""
        code = k.reg('rdi')
        hits.append({'what': 'do_exit', 'at': k.symbol(k.reg('pc')), 'backtrace': k.backtrace(src)})
        dead = u64(gdb.parse_and_eval('&do_task_dead'))
        dead_bp = TaskBreakpoint('*0x%x' % dead, self.task)
        ended = self.resume('exit')
        dead_bp.delete()
        if ended or k.reg('pc') != dead:
            raise gdb.GdbError('dispatch: the task called do_exit, then did not reach '
                               'do_task_dead (%s)' % (ended or 'stopped at 0x%x' % k.reg('pc')))
        hits.append({'what': 'do_task_dead', 'at': k.symbol(dead), 'backtrace': k.backtrace(src)})
        signal = code & 0x7f
        self.out['end'] = {
            'how': 'exit', 'code': code, 'status': (code >> 8) & 0xff,
            'signal': signal or None,
            'signal_name': signal_name(self.p.get('source'), signal) if signal else None,
        }

    def socket_at_handler(self):
        """(the socket objects, the socket call) at the handler, whose
        argument (rdi) is the struct pt_regs pointer; (None, None) when the
        call is not a socket call."""
        regs = gdb.Value(k.reg('rdi')).cast(gdb.lookup_type('struct pt_regs').pointer())
        name = self.p['syscall']
        fd = int(regs[self.abi.arg_fields[0]]) & 0xffffffff
        if self.socketcall:
            block = self.out['user']['args']['socketcall'].get('args')
            name, fd = self.socketcall['name'], block[0] if block else -1
        method = sockets.METHOD.get(name)
        if method is None or name in sockets.RETURNS_FD:
            return None, name if name in sockets.FAMILY else None
        return sockets.objects(self.task, sockets.signed(fd, 32), method), name

    # -- exit --------------------------------------------------------------
    def child(self):
        """A fork-like call's child, when the parent's return came first:
        until it too has returned to user mode."""
        if not self.fork:
            return
        phase('child')
        while not self.fork.done():
            ended = self.resume('child')
            if ended:
                raise gdb.GdbError('child: the guest ended before the child of %s ran (%s)'
                                   % (self.p['syscall'], ended))
            if not self.fork.stop(k.reg('pc')):
                raise gdb.GdbError('child: unexpected stop at 0x%x' % k.reg('pc'))
        self.out['child'] = self.fork.out
        self.lap('child')

    def exit(self):
        if 'end' in self.out:       # the task exited: nothing comes back
            return
        phase('exit')
        rsp = k.reg('rsp')
        ret = {'pc': k.reg('pc'), 'rsp': rsp, 'rax': k.reg('rax'),
               'pt_regs': self.read_pt_regs(rsp)}
        ax = next(f['value'] for f in ret['pt_regs']['fields'] if f['field'] == 'ax')
        ret['regs_ax'] = ax
        ret['regs_ax_signed'] = sockets.signed(ax)
        regs = {f['field']: f['value'] for f in ret['pt_regs']['fields']}
        user = self.out['user']
        if regs['ip'] != user['next_pc'] or regs['sp'] != user['regs']['rsp']:
            self.frame_replaced(ret, regs)
            return
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
        # An i386 process sees eax: the upper half of rax is not its own.
        mask = 0xffffffff if self.abi.name == 'i386' else (1 << 64) - 1
        ret['checks'] = {
            'stack_balanced': rsp == self.call_rsp,
            'rip_restored': ret['user_pc'] == user['next_pc'],
            'rsp_restored': ret['user_rsp'] == user['regs']['rsp'],
            'rax_is_regs_ax': ret['user_rax'] & mask == ax & mask,
            'pt_regs_at_stack_top': self.call_rsp + self.regs_size ==
            (self.out['entry']['stack_switch'] or {}).get('kernel_stack_top'),
            'pops_match_pushes': pops_match(self.out['entry']['steps'], steps),
        }
        self.out['return'] = ret
        self.lap('exit')
        failed = failed_checks(ret['checks'])
        if failed:
            raise gdb.GdbError(N_("the return seen is not this call's: %s") % '; '.join(failed))


# The signal frames the kernel writes on the user stack (arch/x86/include/
# asm/sigframe.h), and where in each the interrupted registers are: an
# x86-64 task's, an i386 task's with SA_SIGINFO, and without it.
SIGNAL_FRAMES = {
    'x86_64': (('struct rt_sigframe', lambda f: f['uc']['uc_mcontext']),),
    'i386': (('struct rt_sigframe_ia32', lambda f: f['uc']['uc_mcontext']),
             ('struct sigframe_ia32', lambda f: f['sc'])),
}

# The x86 signal numbers (SIGKILL, SIGSEGV), read from the source tree.
SIGNAL_H = 'arch/x86/include/uapi/asm/signal.h'
# The errno names: the user's (EINTR), then the kernel's own restart codes
# (ERESTARTNOHAND), which a signal turns into EINTR or a restart.
ERRNO_H = ('include/uapi/asm-generic/errno-base.h', 'include/uapi/asm-generic/errno.h',
           'include/linux/errno.h')


def signal_name(source, number):
    """'SIGSEGV' for 11, from the tree."""
    return sockets.defines(source, SIGNAL_H, 'SIG').get(number)


def errno_name(source, value):
    """'EINTR' for -4: the name of a negative return value, from the tree."""
    for rel in ERRNO_H:
        name = sockets.defines(source, rel, 'E').get(-value)
        if name:
            return name
    return None


# What a failed check of the return means, in the words of the error line.
CHECK_WORDS = {
    'stack_balanced': 'the kernel stack is not balanced',
    'rip_restored': 'user rip is not the instruction after the call',
    'rsp_restored': 'user rsp is not restored',
    'rax_is_regs_ax': 'user rax is not regs->ax',
    'pt_regs_at_stack_top': 'pt_regs did not sit at the top of the kernel stack',
    'pops_match_pushes': 'the exit path popped words the entry did not push',
}


# The calls that return twice: in the parent, and as the child's first
# return to user mode (ret_from_fork).
FORKS = frozenset(('fork', 'vfork', 'clone', 'clone3'))


class ForkWatch:
    """The child of the traced fork-like call: its first instruction
    (ret_from_fork, where its struct pt_regs, the parent's copied with ax =
    0, is at rsp: __switch_to_asm has popped the inactive_task_frame above
    it) and its first instruction in user mode."""

    def __init__(self, capture):
        self.capture = capture
        self.parent_id = k.task_id(capture.task)
        self.rff = u64(gdb.parse_and_eval('&ret_from_fork'))
        self.child_id = self.user_pc = None
        self.out = {}
        self.bp = JudgedBreakpoint('*0x%x' % self.rff, self.is_child)
        self.user_bp = None

    def is_child(self, _bp):
        task = k.current_task()
        return (self.child_id is None and
                k.task_id(task['real_parent'].dereference()) == self.parent_id)

    def stop(self, pc):
        """Record the stop at PC when it is the child's: True."""
        if pc == self.rff and self.child_id is None:
            task = k.current_task()
            self.child_id = k.task_id(task)
            regs = self.capture.read_pt_regs(k.reg('rsp'))
            self.out = {'task': task_info(task), 'at': k.symbol(pc), 'pt_regs': regs}
            self.bp.delete()
            self.user_pc = next(f['value'] for f in regs['fields'] if f['field'] == 'ip')
            self.user_bp = TaskBreakpoint('*0x%x' % self.user_pc, task, hardware=True)
            return True
        if self.user_bp is not None and pc == self.user_pc:
            self.out.update(user_pc=pc, user_rsp=k.reg('rsp'), user_rax=k.reg('rax'),
                            user_cs=k.reg('cs'), user_ss=k.reg('ss'))
            self.user_bp.delete()
            self.user_bp = None
            return True
        return False

    def done(self):
        return 'user_pc' in self.out


def failed_checks(checks):
    """CHECK_WORDS of the checks of the return that failed, in order."""
    return [CHECK_WORDS[name] for name, v in checks.items()
            if not (v['mismatched'] == 0 if isinstance(v, dict) else v)]


def resume():
    """Continue the guest until a breakpoint stops it: None, or why it
    ended (powered off: GDB either loses the connection or sees the
    inferior exit).  A stop by SIGINT is labctl saying the time is up
    (gdb-session.c interrupts GDB before its time limit, as Ctrl-C would,
    so that a call that blocks for ever still leaves its capture): a
    timeout in the current phase."""
    stops = []
    gdb.events.stop.connect(stops.append)
    try:
        gdb.execute('continue', to_string=True)
    except KeyboardInterrupt:   # the SIGINT landed in a breakpoint's Python
        stops.append(None)
    except gdb.error as e:
        return 'GDB: %s' % e
    finally:
        gdb.events.stop.disconnect(stops.append)
    if any(s is None or (isinstance(s, gdb.SignalEvent) and s.stop_signal == 'SIGINT')
           for s in stops):
        time_is_up()
        raise TraceError('timeout', N_("time limit reached in phase '%s'") % current_phase())
    if not gdb.selected_inferior().threads():
        return 'the guest powered off'
    return None


RSP_SLOT = re.compile(r'^(-?0x[0-9a-f]+|\d+)?\(%rsp\)$')


def writes_cr3(insn):
    """`mov %rsp,%cr3`: the page tables change (PTI's switches)."""
    op, args = explain.parse(insn)
    return op.startswith('mov') and len(args) == 2 and args[1] == '%cr3'


GPRS = {'%r' + r for r in ('ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', '8', '9', '10', '11',
                           '12', '13', '14', '15')}


def sets_rsp_from_register(insn):
    """`mov %rax,%rsp`: rsp moved to where a register says (not PTI's `mov
    %cr3,%rsp`, rsp as scratch before the stack is switched)."""
    op, args = explain.parse(insn)
    return op.startswith('mov') and len(args) == 2 and args[1] == '%rsp' and args[0] in GPRS


def is_c_function(pc):
    """PC is the first instruction of a function defined in C (its first
    line may be a header's: sync_regs starts with this_cpu_read())."""
    sym = k.symbol(pc)
    fn = k.function_symbol(sym['symbol']) if sym['offset'] == 0 else None
    return fn is not None and fn.symtab.filename.endswith('.c')


def saved_rsp(steps, user_rsp, hw):
    """Where the user stack pointer was kept before the switch: the word the
    CPU pushed (int $0x80), else the step that stored %rsp to memory
    (syscall); the word read back from there."""
    if hw:
        w = next(w for w in hw['words'] if w['field'] == 'sp')
        return {'step': 0, 'slot': {'addr': w['addr'], 'name': 'the entry stack (pushed by the CPU)'},
                'word': w['word'], 'matches': w['word'] == user_rsp}
    for i, st in enumerate(steps):
        slot = k.memory_operand(st['insn'], '%rsp')
        if slot:
            word = k.read_u64(slot['addr'])
            return {'step': i, 'slot': slot, 'word': word, 'matches': word == user_rsp}
    return None


def read_config(path):
    keys = ('CONFIG_SMP', 'CONFIG_PAGE_TABLE_ISOLATION', 'CONFIG_RANDOMIZE_BASE',
            'CONFIG_RETPOLINE', 'CONFIG_FRAME_POINTER', 'CONFIG_DEBUG_INFO',
            'CONFIG_DEBUG_INFO_DWARF4', 'CONFIG_IA32_EMULATION', 'CONFIG_PVH',
            'CONFIG_GCC_PLUGIN_STACKLEAK', 'CONFIG_PREEMPT', 'CONFIG_NET', 'CONFIG_INET',
            'CONFIG_HZ')
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
            'start_time': int(task['start_time']),
            'comm': k.task_comm(task), 'exe': k.task_exe_name(task)}


class SyscallFilter:
    """Which stops on the program's entry instruction are the traced one.

    The breakpoint address is a user virtual address: any process executing
    code at that address hits it (QEMU compares the PC, not the address
    space), so a stop is accepted only when cpu 0's current task runs the
    traced executable (mm->exe_file, which prctl cannot rename, unlike comm),
    the number register holds the traced number (and, for socketcall, ebx
    the traced call) and the live instruction really is the ABI's way in;
    anything else is counted and resumed."""

    def __init__(self, exe, nr, abi, call=None):
        self.exe, self.nr, self.abi, self.call = exe, nr, abi, call
        self.accepted = None
        self.rejected = []
        self.numbers = set()    # what the program's own instruction ran with instead
        self.stops = 0
        self.repeated = 0
        self.last = None
        self.user_cr3 = None    # the accepted stop's, while cr3 is the kernel's (PTI)

    def __call__(self, bp=None):
        """Judge a stop; under PTI, on the kernel's page tables (put back
        unless the stop is accepted: the reads go on after it)."""
        cr3 = k.kernel_page_tables()
        try:
            accepted = self.judge()
        except BaseException:
            k.restore_page_tables(cr3)
            raise
        if accepted:
            self.user_cr3 = cr3
        else:
            k.restore_page_tables(cr3)
        return accepted

    def judge(self):
        self.stops += 1
        task = k.current_task()
        # QEMU reports a breakpoint a second time when an interrupt came in
        # while GDB stepped over it (more often on a busy host): the same
        # task at the same pc and stack is the same stop, judged once.
        stop = (u64(task.address), k.reg('pc'), k.reg('rsp'))
        if stop == self.last:
            self.repeated += 1
            return False
        self.last = stop
        exe = k.task_exe_name(task)
        nr = self.abi.reg(self.abi.nr_reg)
        text, _ = k.insn(k.reg('pc'))
        reason = None
        if exe != self.exe:
            reason = N_('another executable')
        elif nr != self.nr:
            reason = N_('another system call number')
            self.numbers.add(nr)
        elif self.call is not None and self.abi.reg(self.abi.arg_regs[0]) != self.call:
            reason = N_('another socketcall call')
        elif ' '.join(text.split()) != self.abi.insn:
            reason = N_('not a %s instruction') % self.abi.insn
        if reason:
            if len(self.rejected) < 20:
                info = task_info(task)
                info.update(pc=k.reg('pc'), rax=nr, reason=reason)
                self.rejected.append(info)
            return False
        self.accepted = task
        return True

    def report(self, addrs):
        return {'strategy': N_('hardware breakpoint on the %s instruction(s) of the '
                               'program, accepted when current task runs the program '
                               '(mm->exe_file), %s == nr%s and the instruction is %s')
                            % (self.abi.insn, self.abi.nr_reg,
                               ', %s == call' % self.abi.arg_regs[0] if self.call else '',
                               self.abi.insn),
                'breakpoints': addrs, 'stops': self.stops, 'repeated_reports': self.repeated,
                'rejected': self.stops - self.repeated - (1 if self.accepted else 0),
                'rejected_sample': self.rejected, 'program_numbers': sorted(self.numbers)}


def written_slots(entry_steps):
    """{address on the task's stack: the word the entry left there} of the
    pt_regs slots the entry pushed or stored, the last write winning.  The
    entry stack of int $0x80 is reused on the way out, for other words:
    what was written there counts only where it was copied to the task's
    stack (6.x's sync_regs)."""
    written, copy = {}, None
    for s in entry_steps:
        for w in (s.get('push'), s.get('store')):
            if w and w.get('field'):
                written[w['addr']] = w
        copy = s.get('ran', {}).get('copy') or copy
    out = {}
    for addr, w in written.items():
        if w.get('stack') != 'entry':
            out[addr] = w['word']
        elif copy and copy['equal'] and copy['from'] <= addr < copy['from'] + copy['bytes']:
            out[addr - copy['from'] + copy['to']] = w['word']
    return out


def pops_match(entry_steps, exit_steps):
    """Every pop on the exit path that reads a pt_regs slot the entry pushed
    reads back the word the entry wrote there (except ax: the return value,
    and orig_ax... which is never popped)."""
    pushed = written_slots(entry_steps)
    checked = mismatched = 0
    for s in exit_steps:
        pop = s.get('pop')
        if not pop or pop['addr'] not in pushed or pop.get('field') == 'ax':
            continue
        checked += 1
        if pop['word'] != pushed[pop['addr']]:
            mismatched += 1
    return {'checked': checked, 'mismatched': mismatched}


class LabTrace(ParamsCommand):
    """Capture one system call of one program: lab-trace PARAMS.json

PARAMS.json (written by labctl trace) names the program, its syscall
instruction addresses, the syscall number and the output file; the capture
is written there as JSON (gdb/SCHEMA.md), also when it fails."""

    NAME = 'lab-trace'

    def run(self, params):
        cap = Capture(params)

        def phases():
            cap.to_the_call()
            cap.from_the_call()
        try:
            run_command('lab-trace', params, cap.out, phases, partial_reports=True)
        finally:
            if params.get('run_on') and cap.out.get('error_kind') != 'timeout':
                run_on()


LabTrace()
