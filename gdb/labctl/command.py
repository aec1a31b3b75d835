# What lab-trace and lab-timeline share as GDB commands: their parameters
# (params.json, written by labctl), progress lines on stdout (the phase,
# which labctl names on a timeout), and their end: the capture written
# whatever happened (gdb/SCHEMA.md), with ok or the error, then the reports.
import json
import signal
import traceback

import gdb

from labctl import breakpoints
from labctl import capture
from labctl import memo
from labctl.report.lang import N_


_phase = [None]
_quiet = [False]
_guest = [None]


def guest_started(line):
    """What labctl said on $LABCTL_GO when the guest was ready (JSON, from
    labctl/trace/gdb-session.c): how it started, 'booted' or 'restored',
    and the step it was restored at (None: before its scenario), kept for
    setup.guest; and the archive for a restored guest's inbox, if any
    (deliver_inbox())."""
    try:
        said = json.loads(line)
        if said['started'] not in ('booted', 'restored'):
            raise ValueError(said['started'])
    except (ValueError, KeyError, TypeError) as e:
        raise gdb.GdbError('labctl said %r on LABCTL_GO: not how a guest started (%s)'
                           % (line, e))
    _guest[0] = said


def guest():
    """{'started', 'step'} of guest_started(), or None (GDB not started by
    labctl's session)."""
    g = _guest[0]
    return g and {'started': g['started'], 'step': g.get('step')}


def forget_guest():
    """Before another guest (lab-serve's next job): none started yet."""
    _guest[0] = None
    _phase[0] = None


def deliver_inbox():
    """Once GDB is attached, the archive labctl named into the restored
    guest's inbox (inbox.py), when it named one."""
    g = _guest[0]
    if g and g.get('inbox'):
        from labctl import inbox
        inbox.write(g['inbox'], g['inbox_addr'])


def phase(name):
    """One progress line for labctl (which names the phase on a timeout);
    none in an interactive session, whose output is the student's."""
    _phase[0] = name
    if _quiet[0]:
        return
    gdb.write('labctl-phase: %s\n' % name)
    gdb.flush()


def quiet_phases():
    _quiet[0] = True


def current_phase():
    return _phase[0]


class TraceError(gdb.GdbError):
    """A failure with a kind labctl turns into its exit code (the capture's
    error_kind): 'input' (the inputs are at fault: vmlinux without debug
    info), 'timeout' (params' time limit ran out), 'env' (the machine
    cannot do it: no hardware breakpoint under KVM)."""

    KINDS = ('input', 'timeout', 'env')

    def __init__(self, kind, message):
        if kind not in self.KINDS:
            raise ValueError('TraceError kind %r, not one of %s' % (kind, self.KINDS))
        super().__init__(message)
        self.kind = kind


def time_is_up():
    """labctl interrupts GDB again every 0.3 s until it ends (a first
    SIGINT may land in a breakpoint's Python and be lost): once its
    timeout is seen, further ones are held back, so that what is left to
    do (the capture, the partial report) is not interrupted in turn.  The
    hard limit, 2 s on, still bounds it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


class ParamsCommand(gdb.Command):
    """A lab command of one argument, the params.json labctl wrote: the
    subclass names itself (NAME) and runs with the parameters read."""

    NAME = None

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) != 1:
            raise gdb.GdbError('usage: %s PARAMS.json' % self.NAME)
        try:
            with open(argv[0]) as f:
                params = json.load(f)
        except (OSError, ValueError) as e:
            raise gdb.GdbError('%s: cannot read %s: %s' % (self.NAME, argv[0], e))
        self.run(params)


def run_command(command, params, out, body, partial_reports=False):
    """Run BODY, which fills OUT; OUT is written whatever happens: with
    ok, or with the error (its kind when it has one, a traceback when it
    is a bug here); with PARTIAL_REPORTS, a failed one is rendered too."""
    memo.load(params.get('memo'))
    try:
        body()
        out['ok'] = True
    except TraceError as e:
        out['error_kind'] = e.kind
        out['error'] = str(e)
        if e.kind == 'timeout':
            out['timeout_phase'] = current_phase()
    except KeyboardInterrupt:
        # labctl's SIGINT (the time is up) landed in Python outside
        # resume(): the capture is still written, as a timeout
        time_is_up()
        out['error_kind'] = 'timeout'
        out['error'] = N_("time limit reached in phase '%s'") % current_phase()
        out['timeout_phase'] = current_phase()
    except (gdb.error, gdb.GdbError) as e:
        out['error'] = str(e)
    except Exception:
        out['error'] = 'internal error in %s:\n%s' % (command, traceback.format_exc())
    memo.save()
    finish(out, params, command, partial_reports)


def finish(out, params, command, partial_reports):
    """Write the capture, then the reports: when it is complete, or when
    PARTIAL_REPORTS (the report says what is missing)."""
    data = capture.encode(out)
    capture.write(params['out'], data)
    if not out['ok']:
        if partial_reports:
            render(data, params)
        raise gdb.GdbError('%s: %s' % (command, out['error']))
    if params.get('compare_with'):
        with open(params['compare_with']) as f:
            data['compare'] = json.load(f)
        capture.write(params['out'], data)
    render(data, params)


def run_on():
    """The guest let go to its end, unwatched: every breakpoint deleted,
    then continued until it powers off (QEMU runs with -no-reboot: the
    gdbstub's connection closes), or until labctl's time limit interrupts
    it.  What the program did after the call, and how it ended, is then on
    the guest's console, as if it had never been traced."""
    if not gdb.selected_inferior().threads():
        return      # the guest has ended already
    phase('run-on')
    breakpoints.delete_all()
    try:
        gdb.execute('continue', to_string=True)
    except (gdb.error, KeyboardInterrupt):
        pass        # the connection closed: the guest powered off; or the time is up


def render(data, params):
    if params.get('report_dir'):
        # here, in GDB's Python, rather than in a new python3: its start-up
        # costs 0.1 s
        from labctl import report
        report.write_reports(data, params['report_dir'], params.get('formats', []),
                             params.get('lang'))
