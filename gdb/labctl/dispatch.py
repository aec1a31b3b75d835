# How the C entry (do_syscall_64, do_int80_syscall_32) reaches the handler,
# read from its instructions rather than assumed from the version: pure
# Python over GDB's disassembly, so that the tests need no GDB.
#
# Two ways are known, and a kernel whose code shows neither is an error,
# never a guess:
#   table   an indirect call through the table, `call *DISP(,%rax,8)` with
#           DISP = &sys_call_table (or, with retpolines, the entry loaded by
#           `mov DISP(,%rax,8),%rax` and called through
#           __x86_indirect_thunk_rax);
#   switch  a call of x64_sys_call (ia32_sys_call), whose switch calls the
#           handler directly: Linux 6.9 (commit 1e3ad78334a6, against Branch
#           History Injection), backported to 6.1.85 and 5.15.156.
import re

CALL_TABLE = re.compile(r'call\s+\*(-?0x[0-9a-f]+)\(,%(\w+),8\)')
LOAD_TABLE = re.compile(r'mov\s+(-?0x[0-9a-f]+)\(,%(\w+),8\),%(\w+)')
CALL_THUNK = re.compile(r'call\s+0x[0-9a-f]+ <__x86_indirect_thunk_(\w+)>')
DIRECT = re.compile(r'(call|jmp)\s+(0x[0-9a-f]+)\b')
# The switch functions of 6.9 and the backports, by ABI.
SWITCHES = {'x86_64': 'x64_sys_call', 'i386': 'ia32_sys_call'}


class DispatchError(Exception):
    """The code does not show how the handler is reached."""


def displacement(text):
    """A 32-bit displacement as GDB prints it (-0x7e7ffde0), as the 64-bit
    address it means in the kernel's top 2 GiB (0xffffffff81800220)."""
    return int(text, 16) & 0xffffffffffffffff


def direct_target(asm):
    m = DIRECT.match(asm)
    return int(m.group(2), 16) if m else None


def lead_in(insns, i):
    """The instructions before INSNS[I] back to the previous call (which
    returned nr): the bounds check and the index masking that guard the
    table, then INSNS[I] itself."""
    start = i
    while start > 0 and not insns[start - 1]['asm'].startswith('call'):
        start -= 1
    return insns[start:i + 1]


def table_call(insns, table_addr):
    """The instructions of INSNS that call through the table at TABLE_ADDR
    (lead_in), or None."""
    for i, insn in enumerate(insns):
        m = CALL_TABLE.match(insn['asm'])
        if m and displacement(m.group(1)) == table_addr:
            return lead_in(insns, i)
        m = LOAD_TABLE.match(insn['asm'])
        if m and displacement(m.group(1)) == table_addr:
            for j in range(i + 1, min(i + 4, len(insns))):
                t = CALL_THUNK.match(insns[j]['asm'])
                if t and t.group(1) == m.group(3):
                    return lead_in(insns, j)
    return None


def find(abi, entry_fn, entry_insns, table_addr, switch_addr, switch_insns, handler):
    """How ENTRY_FN (its instructions ENTRY_INSNS, each {'addr', 'asm'})
    reaches HANDLER (an address).  TABLE_ADDR is &sys_call_table (or the
    i386 table); SWITCH_ADDR the address of the ABI's switch function and
    SWITCH_INSNS its instructions, or None and [] when vmlinux has none.

    Returns {'kind': 'table', 'function', 'insns'} or {'kind': 'switch',
    'function', 'insns', 'switch', 'case'}: the instructions that do it.
    Raises DispatchError naming what could not be placed."""
    insns = table_call(entry_insns, table_addr)
    if insns:
        return {'kind': 'table', 'function': entry_fn, 'insns': insns}
    if switch_addr is not None:
        calls = [i for i, x in enumerate(entry_insns) if direct_target(x['asm']) == switch_addr]
        if calls:
            case = [x for x in switch_insns if direct_target(x['asm']) == handler]
            if not case:
                raise DispatchError('%s calls %s, but no instruction of %s reaches the handler '
                                    'at 0x%x' % (entry_fn, SWITCHES[abi], SWITCHES[abi], handler))
            return {'kind': 'switch', 'function': entry_fn,
                    'insns': lead_in(entry_insns, calls[0]),
                    'switch': SWITCHES[abi], 'case': case}
    raise DispatchError('%s neither calls through the table at 0x%x nor calls %s: the step '
                        'from the C entry to the handler cannot be placed'
                        % (entry_fn, table_addr, SWITCHES[abi]))
