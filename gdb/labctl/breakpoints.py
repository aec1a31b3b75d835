# Breakpoints that judge their own stops, in Python, so that GDB resumes
# the guest at once when a stop is not one of ours.
import gdb

from labctl import kernel as k
from labctl.kernel import u64


class TaskBreakpoint(gdb.Breakpoint):
    """A kernel breakpoint that stops only in the traced task."""

    def __init__(self, spec, task):
        super().__init__(spec, internal=True)
        self.task_addr = u64(task.address)

    def stop(self):
        return u64(k.current_task().address) == self.task_addr


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
