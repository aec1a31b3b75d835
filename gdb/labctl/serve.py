# lab-serve: one GDB, vmlinux loaded once, for the traces of a grading batch
# worker (labctl/trace/gdb-session.h, gdb_server_start()).  A trace costs a
# fresh GDB 0.12 s of CPU to start (Python, vmlinux and its index, this
# package) before it does anything: most of what a grading's GDB spends.
#
# Each line on the FIFO REQUESTS is a job, as JSON: what a one-shot GDB gets
# on its command line and its FIFO (gdb-session.c, gdb_argv()):
#   {"out": FIFO, "go": {...}, "sock": PATH, "command": "lab-trace",
#    "params": PATH}
# The job's output (its progress lines, its errors) goes to OUT, which the
# trace reads as it would a GDB of its own, then a last line, END_LINE.
# Between two jobs nothing of the first is left: the target is killed, every
# breakpoint deleted, what was learnt of the guest forgotten (kernel.py's
# caches of one boot), SIGINT unblocked.  What stays is what vmlinux says,
# the same for every guest of the batch.
import json
import os
import signal

import gdb

from labctl import breakpoints
from labctl import command
from labctl import kernel

END_LINE = 'labctl-served: done'


def step(what):
    """Run WHAT (a GDB command, or a function) as -batch runs an -ex: an
    error is printed, and the next one runs all the same."""
    try:
        if callable(what):
            what()
        else:
            gdb.execute(what)
    except (gdb.error, gdb.GdbError, KeyboardInterrupt) as e:
        gdb.write('%s\n' % (e or 'Quit'), gdb.STDERR)


def clear_quit():
    """A SIGINT meant for the job before, landed after its end, would quit
    this one's first command: taken here."""
    for _ in range(2):
        try:
            gdb.execute('echo', to_string=True)
            return
        except KeyboardInterrupt:
            pass


def forget():
    """Nothing of a job left for the next."""
    if gdb.selected_inferior().pid:
        step('kill')
    breakpoints.delete_all()
    kernel.forget_boot()
    command.forget_guest()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def job(j, n):
    # not blocking: a trace gone before its job was read has no reader left
    out = os.open(j['out'], os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    os.set_blocking(out, True)
    gdb.flush()
    saved = (os.dup(1), os.dup(2))
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    try:
        gdb.write('labctl-served: job %d of GDB %d\n' % (n, os.getpid()))
        clear_quit()
        step(lambda: command.guest_started(json.dumps(j['go'])))
        step('target remote %s' % j['sock'])
        step(command.deliver_inbox)
        step('%s %s' % (j['command'], j['params']))
    finally:
        forget()
        gdb.write('%s\n' % END_LINE)
        gdb.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


class LabServe(gdb.Command):
    """Run the trace jobs written to a FIFO, one after another: lab-serve FIFO"""

    def __init__(self):
        super().__init__('lab-serve', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) != 1:
            raise gdb.GdbError('usage: lab-serve FIFO')
        # read and write: no end of file between two writers
        requests = os.fdopen(os.open(argv[0], os.O_RDWR | os.O_CLOEXEC), 'r')
        n = 0
        while True:
            try:
                line = requests.readline()
            except KeyboardInterrupt:
                continue        # a late interrupt: no job runs
            if not line:
                return
            try:
                j = json.loads(line)
            except ValueError as e:
                gdb.write('lab-serve: not a job: %r (%s)\n' % (line, e), gdb.STDERR)
                continue
            n += 1
            try:
                job(j, n)
            except OSError as e:
                gdb.write('lab-serve: job %d: %s\n' % (n, e), gdb.STDERR)


LabServe()
