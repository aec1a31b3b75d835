# labctl trace SYSCALL --interactive: the guest stopped at the student's
# own syscall instruction, and a GDB prompt with these commands (one
# gdb.Command each, as the kernel's scripts/gdb/linux/*.py):
#   lab-stop PARAMS.json  run lab-trace's first phases (types, user, setup)
#                         and stop there: the session begins
#   lab-step [N]          step the entry to the next instruction that
#                         changes the stack or the privilege state
#   lab-regs              struct pt_regs as built so far
#   lab-where             the instruction at pc, its source line, what it does
#   lab-report            the rest of lab-trace from here: the capture and
#                         the reports, as labctl trace writes them
# The session is one Capture (trace.py): lab-step records its steps with
# the Capture's own entry_step(), so the report lab-report writes begins
# with them.  What is said about an instruction or a step is explain.py's.
import os
import signal
import time
from contextlib import contextmanager

import gdb

from labctl import command
from labctl import explain
from labctl import kernel as k
from labctl.command import ParamsCommand, run_command
from labctl.kernel import USER_TOP
from labctl.report import lang
from labctl.report.lang import _
from labctl.trace import Capture

_session = [None]


class Session:
    def __init__(self, params, cap):
        self.params, self.cap = params, cap
        self.lang = language(params)
        # where lab-step (or lab-stop) left the guest: anywhere else, it was
        # moved by si, ni or continue, and the recorded steps do not lead here
        self.left_at = k.reg('pc')
        self.over = False

    def check_in_place(self):
        pc = k.reg('pc')
        if pc != self.left_at:
            raise gdb.GdbError(_('the guest was moved outside lab-step (si, ni, continue...): '
                                 'pc is 0x%x, lab-step left it at 0x%x; the recorded steps '
                                 'no longer lead here, so lab-step and lab-report cannot go '
                                 'on (quit and start labctl trace --interactive again)')
                               % (pc, self.left_at))


def language(params):
    """The session's language: params' (labctl's --lang, else $LABCTL_LANG,
    as for the reports), else $LABCTL_LANG; English for one not known."""
    code = params.get('lang') or os.environ.get('LABCTL_LANG') or lang.DEFAULT
    return code if code in lang.languages() else lang.DEFAULT


def session(live=True):
    """The session; with LIVE, one lab-report has not ended yet."""
    s = _session[0]
    if s is None:
        with lang.using(language({})):
            raise gdb.GdbError(_('no lab session: labctl trace SYSCALL --interactive starts one'))
    if live and s.over:
        with lang.using(s.lang):
            raise gdb.GdbError(_('the lab session is over: lab-report followed the call back '
                                 'to user mode; quit GDB (labctl then stops the guest)'))
    return s


def say(text):
    gdb.write(text + '\n')
    gdb.flush()


def sigint_back():
    """An interrupted resume() (Ctrl-C here) blocks SIGINT for the rest of
    a batch GDB's life (command.time_is_up()); the student's GDB needs it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def quiet_stops():
    """No stop location printed by GDB for each stepi and breakpoint."""
    gdb.execute('set suppress-cli-notifications on', to_string=True)
    try:
        yield
    finally:
        gdb.execute('set suppress-cli-notifications off', to_string=True)


def read_cr3():
    try:
        return k.reg('cr3')
    except (gdb.error, ValueError):
        return None


def where_in_program(cap, pc):
    """'lab_connect' when PC is in the program's traced function, else
    the kernel's symbol of PC."""
    if pc < USER_TOP:
        prog = cap.out['setup']['program'] if 'setup' in cap.out else cap.p['program']
        if prog.get('function') and prog.get('function_addr') is not None and \
                prog['function_addr'] <= pc < prog['function_addr'] + prog.get('function_size', 0):
            return '%s+0x%x (%s)' % (prog['function'], pc - prog['function_addr'], prog['exe'])
        return '0x%x (%s)' % (pc, prog['exe'])
    return k.symbol(pc)['name']


class LabStop(ParamsCommand):
    """Stop the guest at the traced program's syscall instruction: lab-stop PARAMS.json

labctl trace SYSCALL --interactive runs it.  PARAMS.json is the file
lab-trace gets (the program, its syscall instructions, the call, where the
capture and the reports go).  The guest runs until the program makes the
call, as for a trace; then lab-step, lab-regs, lab-where and lab-report
take it from there."""

    NAME = 'lab-stop'

    def run(self, params):
        if _session[0] is not None and not _session[0].over:
            with lang.using(_session[0].lang):
                raise gdb.GdbError(_('a lab session is already running: lab-stop starts one '
                                     'per GDB'))
        command.quiet_phases()
        cap = Capture(params)
        try:
            with quiet_stops():
                cap.to_the_call()
        except BaseException as e:
            sigint_back()
            failure = e

            def again():
                raise failure
            # the capture and the partial reports, as lab-trace leaves them
            run_command('lab-stop', params, cap.out, again, partial_reports=True)
            return
        s = _session[0] = Session(params, cap)
        with lang.using(s.lang):
            user = cap.out['user']
            say(_('Stopped at %s: the program %s (pid %d) is about to make system call %d (%s).')
                % (where_in_program(cap, user['pc']), user['task']['exe'],
                   user['task']['pid'], params['nr'], params['syscall']))
            say('  0x%x:  %s' % (user['pc'], explain.normal(user['insn'])))
            if user['args'].get('text'):
                say('  ' + user['args']['text'])
            say(_('Commands: lab-step [N] steps to the next instruction that changes the stack '
                  'or the privilege level; lab-regs shows struct pt_regs as built so far; '
                  'lab-where explains the current instruction; lab-report writes the report '
                  'from here on.  help lab-step (and the others) says more.'))


class LabStep(gdb.Command):
    """Step to the next instruction that changes the stack or the privilege state: lab-step [N]

Steps the system call's entry code one instruction at a time, recording
each step as labctl trace does, and stops after the next one that moved
rsp, wrote to the stack, saved rsp, changed gs_base (swapgs), the
privilege level (cs) or cr3; prints it and what it changed.  It stops
anyway before the call of the C entry (do_syscall_64), when struct
pt_regs is complete.  N: do that N times."""

    def __init__(self):
        super().__init__('lab-step', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        s = session()
        with lang.using(s.lang):
            argv = gdb.string_to_argv(arg)
            try:
                n = int(argv[0]) if argv else 1
                if len(argv) > 1 or n < 1:
                    raise ValueError
            except ValueError:
                raise gdb.GdbError(_('usage: lab-step [N], N a count of 1 or more'))
            s.check_in_place()
            cap = s.cap
            if cap.entry_state is None:
                cap.entry_begin()
            e = cap.entry_state
            with quiet_stops():
                for _i in range(n):
                    if e.done:
                        break
                    self.one(s, cap, e)
            if e.done:
                say(_('The entry is done: the next instruction calls %s with struct pt_regs '
                      'complete at rsp = 0x%x (rdi = 0x%x, rsi = 0x%x).  lab-regs shows it; '
                      'lab-report follows the call to its handler and back to user mode.')
                    % (cap.entry_call, k.reg('rsp'), k.reg('rdi'), k.reg('rsi')))

    def one(self, s, cap, e):
        """Step until a step changes what lab-step watches, or the entry is
        done; print it."""
        quiet = []
        while True:
            cs, cr3 = k.reg('cs'), read_cr3()
            try:
                st = cap.entry_step()
            finally:
                s.left_at = k.reg('pc')
            if st is None:
                continue
            cs2, cr3_2 = k.reg('cs'), read_cr3()
            saved = k.memory_operand(st['insn'], '%rsp')
            lines = explain.what_changed(st, (cs, cs2),
                                         (cr3, cr3_2) if None not in (cr3, cr3_2) else None,
                                         saved['name'] if saved else None,
                                         k.memory_name(st['insn']))
            if lines:
                break
            quiet.append(st)
            if e.done:
                break
        if quiet:
            say(_('  (%d instruction(s) changing none of these: %s)')
                % (len(quiet), ', '.join(sorted({explain.parse(q['insn'])[0] for q in quiet}))))
        if not lines:
            return
        i = len(e.steps) - 1
        say('#%d  0x%x <%s>  %s' % (i, st['pc'], where_in_program(cap, st['pc']),
                                   explain.normal(st['insn'])))
        for line in lines:
            say('      ' + line)
        if e.switch and e.switch['step'] == i:
            say('      ' + _('struct pt_regs is built below the top of the kernel stack: at '
                             '0x%x = 0x%x - %d (sizeof(struct pt_regs))')
                % (cap.regs_base, e.switch['kernel_stack_top'], cap.regs_size))
        if st['rsp_after'] < USER_TOP <= st['pc_after'] and cap.regs_base is None \
                and e.frame_base is None:
            say('      ' + _('(still on the user stack: no struct pt_regs is being built yet)'))


class LabRegs(gdb.Command):
    """Show struct pt_regs as the entry has built it so far: lab-regs

Each slot at the pt_regs the entry is building (the top of the kernel
stack minus sizeof(struct pt_regs)): its offset and field (the kernel's
own struct pt_regs), filled (at or above rsp) or still empty, the value in
memory, and the recorded step that pushed it."""

    def __init__(self):
        super().__init__('lab-regs', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        s = session()
        with lang.using(s.lang):
            cap, e = s.cap, s.cap.entry_state
            rsp = k.reg('rsp')
            base = cap.regs_base
            if base is None and e is not None:
                base = e.frame_base     # int $0x80: the frame on the entry stack
            if base is None:
                say(_('No struct pt_regs is being built yet: rsp = 0x%x is still %s; the '
                      'entry builds it once it has switched to the kernel stack (lab-step).')
                    % (rsp, explain.stack_name(rsp)))
                return
            steps = e.steps if e else []
            cpu = {w['addr'] for w in (e.hw or {}).get('words', [])} if e else set()
            rows = explain.slots(cap.regs_fields, base, rsp,
                                 lambda a, n: int.from_bytes(k.read_bytes(a, n), 'little'),
                                 steps, cpu)
            filled = sum(r['filled'] for r in rows)
            say(_('struct pt_regs at 0x%x (%d bytes, up to 0x%x), rsp = 0x%x: %d of %d slots '
                  'filled') % (base, cap.regs_size, base + cap.regs_size, rsp, filled, len(rows)))
            for line in explain.slot_lines(rows, steps):
                say('  ' + line)


class LabWhere(gdb.Command):
    """Say where the guest is and what the next instruction does: lab-where

The instruction at pc, its symbol, its line in the kernel source
(arch/x86/entry/entry_64.S) and that line's text, and one sentence on what
the instruction does, from its mnemonic and operands."""

    def __init__(self):
        super().__init__('lab-where', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        s = session(live=False)
        with lang.using(s.lang):
            cap = s.cap
            pc, rsp = k.reg('pc'), k.reg('rsp')
            text, _n = k.insn(pc)
            say('0x%x <%s>  %s' % (pc, where_in_program(cap, pc), explain.normal(text)))
            src = k.source_line(pc, cap.p.get('source')) if pc >= USER_TOP else None
            if src:
                say('%s:%d: %s' % (src['file'], src['line'], ' '.join((src['text'] or '').split())))
            else:
                say(_('(no kernel source line: this is the program\'s code)') if pc < USER_TOP
                    else _('(no source line in the debug information)'))
            facts = self.facts(cap, text, rsp)
            sentence = explain.sentence(text, facts)
            say(explain.full_sentence(sentence) if sentence else
                _('No sentence for %s here: lab-step shows what it changes.')
                % explain.parse(text)[0])

    @staticmethod
    def facts(cap, text, rsp):
        op, args = explain.parse(text)
        facts = {'c_entry': cap.entry_call}
        e = cap.entry_state
        base = cap.regs_base if cap.regs_base is not None else e and e.frame_base
        slot = rsp - 8 if op.startswith('push') else rsp if op.startswith('pop') else None
        if slot is not None:
            facts['stack'] = 'user' if rsp < USER_TOP else \
                'kernel' if cap.regs_base is not None else 'entry' if base is not None else None
            if base is not None and base <= slot < base + cap.regs_size:
                facts.update(cap.field_at(slot, base))
        if not op.startswith(('call', 'j')):
            facts['memory'] = k.memory_name(text)
        return facts


class LabReport(gdb.Command):
    """Write the report from here on: lab-report

Runs the rest of what labctl trace runs, from the current instruction:
the entry (the steps lab-step recorded are its beginning), the handler,
the way back to user mode, then writes the capture and the reports where
labctl trace writes them.  The session ends with it."""

    def __init__(self):
        super().__init__('lab-report', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        s = session()
        with lang.using(s.lang):
            s.check_in_place()
            cap, p = s.cap, s.params
            done = len(cap.entry_state.steps) if cap.entry_state else 0
            say(_('Following system call %d (%s) from here to its return to user mode; the %d '
                  'step(s) lab-step recorded are the beginning of the entry.')
                % (p['nr'], p['syscall'], done))
            # the time limit counts from now: the student's pauses are not the call's
            cap.deadline = time.monotonic() + p.get('timeout', 60)
            cap.t0 = time.monotonic()
            s.over = True

            try:
                with quiet_stops():
                    run_command('lab-report', p, cap.out, cap.from_the_call,
                                partial_reports=True)
            finally:
                sigint_back()
            say(_('Capture written to %s.') % p['out'])
            for fmt in p.get('formats', []):
                if p.get('report_dir'):
                    say(_('Report written to %s.')
                        % os.path.join(p['report_dir'], 'report.' + fmt))


LabStop()
LabStep()
LabRegs()
LabWhere()
LabReport()
