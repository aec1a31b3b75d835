# Before a guest restored from its saved state runs again, write an archive
# (files that were not in its image: the user's own program, a submission)
# into the inbox of its /lab/inbox process, the anonymous mapping that
# rootfs/programs/inbox.c made present before the save.  labctl names the
# archive on GDB's FIFO (command.deliver_inbox()).  That process then checks
# the bytes against the hash on its ttyS1 line, which labctl wrote, and
# init unpacks them.
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


def write(archive, addr):
    """Write the file ARCHIVE at ADDR of the guest's inbox process."""
    try:
        with open(archive, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise gdb.GdbError('inbox: %s' % e)
    # saved wherever it was stopped: in user mode too, under PTI
    with k.kernel_mapped():
        inbox = next((t for t in k.tasks() if k.task_comm(t) == 'inbox'), None)
        if inbox is None:
            raise gdb.GdbError('inbox: no inbox process in the guest (not a saved '
                               'guest?)')
        pgd = u64(inbox['mm']['pgd']) - page_offset()
    cr3 = k.reg('cr3')
    gdb.execute('set $cr3 = (unsigned long)0x%x' % pgd, to_string=True)
    try:
        gdb.selected_inferior().write_memory(addr, data)
    finally:
        k.restore_page_tables(cr3)
