# Breakpoints that judge their own stops, in Python, so that GDB resumes
# the guest at once when a stop is not one of ours.
from contextlib import nullcontext

import gdb

from labctl import kernel as k
from labctl.kernel import u64


def delete_all():
    """Every breakpoint gone, labctl's own (internal ones) included: the
    guest let run on unwatched, or the next job's to set."""
    for bp in gdb.breakpoints():
        bp.delete()


class TaskBreakpoint(gdb.Breakpoint):
    """A breakpoint that stops only in TASK: the same task_struct address,
    pid and start time (a task forked after the traced one exited can reuse
    its task_struct and kernel stack).  HARDWARE for a user address, which
    may not be mapped yet when the breakpoint is set; stopped there, the
    task is read through the kernel's page tables (PTI, kernel.py)."""

    def __init__(self, spec, task, hardware=False):
        super().__init__(spec, type=gdb.BP_HARDWARE_BREAKPOINT if hardware
                         else gdb.BP_BREAKPOINT, internal=True)
        self.task_id = k.task_id(task)
        self.user = hardware

    def stop(self):
        with k.kernel_mapped() if self.user else nullcontext():
            task = k.current_task()
            # the address first: one memory read for the stops of other tasks
            return (u64(task.address) == self.task_id[0] and k.task_id(task) == self.task_id)


class JudgedBreakpoint(gdb.Breakpoint):
    """A breakpoint whose stops ACCEPT() judges (True: stop).  HARDWARE for
    user addresses: a software breakpoint cannot be written into a process
    that does not exist yet, and QEMU matches a hardware one in any."""

    def __init__(self, spec, accept, hardware=False):
        super().__init__(spec, type=gdb.BP_HARDWARE_BREAKPOINT if hardware
                         else gdb.BP_BREAKPOINT, internal=True)
        self.accept = accept

    def stop(self):
        return self.accept(self)
