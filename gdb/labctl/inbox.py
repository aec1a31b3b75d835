# lab-inbox ARCHIVE ADDR: before a guest restored from its saved state runs
# again, write ARCHIVE (files that were not in its image: the user's own
# program, a submission) into the inbox of its /lab/inbox process, the
# anonymous mapping at ADDR that rootfs/programs/inbox.c made present before
# the save.  That process then checks the bytes against the hash on its
# ttyS1 line, which labctl wrote, and init unpacks them.
#
# The mapping is the process's: GDB (QEMU's gdbstub) writes through cr3, so
# cr3 is pointed at the process's page tables for the write and put back.
import gdb

from labctl import kernel as k
from labctl.kernel import u64

PAGE_SHIFT = 12


def page_offset():
    """Where the kernel maps physical address 0 (PAGE_OFFSET), from the
    running kernel: high_memory is __va() of max_low_pfn's first byte."""
    high = u64(gdb.parse_and_eval('high_memory'))
    return high - (int(gdb.parse_and_eval('max_low_pfn')) << PAGE_SHIFT)


class LabInbox(gdb.Command):
    """Write a file into the inbox of a restored guest: lab-inbox ARCHIVE ADDR"""

    def __init__(self):
        super().__init__('lab-inbox', gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if len(argv) != 2:
            raise gdb.GdbError('usage: lab-inbox ARCHIVE ADDR')
        try:
            with open(argv[0], 'rb') as f:
                data = f.read()
        except OSError as e:
            raise gdb.GdbError('lab-inbox: %s' % e)
        # saved wherever it was stopped: in user mode too, under PTI
        with k.kernel_mapped():
            inbox = next((t for t in k.tasks() if k.task_comm(t) == 'inbox'), None)
            if inbox is None:
                raise gdb.GdbError('lab-inbox: no inbox process in the guest (not a saved '
                                   'guest?)')
            pgd = u64(inbox['mm']['pgd']) - page_offset()
        cr3 = k.reg('cr3')
        gdb.execute('set $cr3 = (unsigned long)0x%x' % pgd, to_string=True)
        try:
            gdb.selected_inferior().write_memory(int(argv[1], 0), data)
        finally:
            k.restore_page_tables(cr3)


LabInbox()
