# How the C entry (do_syscall_64, do_int80_syscall_32) reaches the handler,
# read from its instructions rather than assumed from the version: pure
# Python over GDB's disassembly (and a reader of kernel memory), so that the
# tests need no GDB.
#
# Two ways are known, and a kernel whose code shows neither is an error,
# never a guess:
#   table   an indirect call through the table, `call *DISP(,%rax,8)` with
#           DISP = &sys_call_table (or, with retpolines, the entry loaded by
#           `mov DISP(,%rax,8),%rax` and called through
#           __x86_indirect_thunk_rax, which GDB may name by the alias at its
#           address, __x86_indirect_thunk_array, rax's being the array's
#           first): the handler is the table's entry;
#   switch  a call of x64_sys_call (ia32_sys_call), whose switch calls the
#           handler directly: Linux 6.9 (commit 1e3ad78334a6, against Branch
#           History Injection), backported to 6.1.85 and 5.15.156.  The
#           handler is what the switch's case for nr calls, found through
#           the switch's own jump table: the table, still kept for tracing,
#           is not what the CPU follows (the report says so if the two
#           disagree).
import re

CALL_TABLE = re.compile(r'call\s+\*(-?0x[0-9a-f]+)\(,%(\w+),8\)')
LOAD_TABLE = re.compile(r'mov\s+(-?0x[0-9a-f]+)\(,%(\w+),8\),%(\w+)')
CALL_THUNK = re.compile(r'call\s+0x[0-9a-f]+ <__x86_indirect_thunk_(\w+)>')
DIRECT = re.compile(r'(call|jmp)\s+(0x[0-9a-f]+)\b')
JUMP_TABLE = re.compile(r'jmp\s+\*(-?0x[0-9a-f]+)\(,%(\w+),8\)')
BOUND = re.compile(r'cmp\s+\$(0x[0-9a-f]+),%\w+')
ABOVE = re.compile(r'ja\s+(0x[0-9a-f]+)\b')
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


def table_call(insns, table_addr, thunk_addr=None):
    """The instructions of INSNS that call through the table at TABLE_ADDR
    (lead_in), or None.  THUNK_ADDR(reg), when given, is the address of
    __x86_indirect_thunk_REG (None when vmlinux has none)."""
    for i, insn in enumerate(insns):
        m = CALL_TABLE.match(insn['asm'])
        if m and displacement(m.group(1)) == table_addr:
            return lead_in(insns, i)
        m = LOAD_TABLE.match(insn['asm'])
        if m and displacement(m.group(1)) == table_addr:
            thunk = thunk_addr(m.group(3)) if thunk_addr else None
            for j in range(i + 1, min(i + 4, len(insns))):
                t = CALL_THUNK.match(insns[j]['asm'])
                if t and (t.group(1) == m.group(3) or
                          thunk is not None and direct_target(insns[j]['asm']) == thunk):
                    return lead_in(insns, j)
    return None


class Code:
    """A function's code, read as needed: START and END (its bounds) and
    AT(addr, count), the COUNT instructions from ADDR ({'addr', 'asm'});
    GDB disassembles a few of the switch's 700 for a trace, not all."""

    def __init__(self, start, end, at):
        self.start, self.end, self.at = start, end, at


# How far into the switch its jump table's jmp is (5 on the kernels here:
# push, mov, cmp, ja, mov), and how long a case is before its call.
HEAD, CASE = 12, 6


def switch_case(switch, code, nr, read_u64):
    """The instructions of SWITCH's case for NR (CODE being SWITCH's), and
    the handler the case calls: the bounds check `cmp $MAX,%esi; ja
    DEFAULT`, then `jmp *TABLE(,%rsi,8)`; the case is at the jump table's
    word NR (READ_U64(address) reads kernel memory), or DEFAULT past MAX,
    and runs to its call (or tail jump) of the handler."""
    head = code.at(code.start, HEAD)
    jump = next((i for i, x in enumerate(head) if JUMP_TABLE.match(x['asm'])), None)
    if jump is None:
        raise DispatchError('%s has no jump table: its case for %d cannot be placed'
                            % (switch, nr))
    bound = default = None
    for x in head[:jump]:
        b, a = BOUND.match(x['asm']), ABOVE.match(x['asm'])
        bound = int(b.group(1), 16) if b else bound
        default = int(a.group(1), 16) if a else default
    if bound is None or default is None:
        raise DispatchError('%s has no bounds check before its jump table: its case for %d '
                            'cannot be placed' % (switch, nr))
    table = displacement(JUMP_TABLE.match(head[jump]['asm']).group(1))
    target = default if nr > bound else read_u64(table + 8 * nr)
    if not code.start < target < code.end:
        raise DispatchError('%s\'s jump table sends %d to 0x%x, outside it'
                            % (switch, nr, target))
    case = []
    for x in code.at(target, CASE):
        case.append(x)
        to = direct_target(x['asm'])
        if x['asm'].startswith('call') or (to is not None and not code.start <= to < code.end):
            if to is None:
                break
            return case, to
        if x['asm'].startswith(('jmp', 'ret')):
            break
    raise DispatchError('%s\'s case for %d (at 0x%x) calls no function directly'
                        % (switch, nr, target))


def find(abi, entry_fn, entry_insns, table_addr, switch, nr, read_u64, thunk_addr=None):
    """How ENTRY_FN (its instructions ENTRY_INSNS, each {'addr', 'asm'})
    reaches the handler of NR.  TABLE_ADDR is &sys_call_table (or the i386
    table), None when vmlinux has none (6.x builds no i386 table); SWITCH
    the ABI's switch function as a Code, or None when vmlinux has none;
    READ_U64(address) reads kernel memory; THUNK_ADDR as table_call's.

    Returns {'kind': 'table', 'function', 'insns', 'handler'} or {'kind':
    'switch', 'function', 'insns', 'switch', 'case', 'handler'}: the
    instructions that do it, and the handler's address.  Raises
    DispatchError naming what could not be placed."""
    insns = table_addr is not None and table_call(entry_insns, table_addr, thunk_addr)
    if insns:
        return {'kind': 'table', 'function': entry_fn, 'insns': insns,
                'handler': read_u64(table_addr + 8 * nr)}
    if switch is not None:
        calls = [i for i, x in enumerate(entry_insns) if direct_target(x['asm']) == switch.start]
        if calls:
            case, handler = switch_case(SWITCHES[abi], switch, nr, read_u64)
            return {'kind': 'switch', 'function': entry_fn,
                    'insns': lead_in(entry_insns, calls[0]),
                    'switch': SWITCHES[abi], 'case': case, 'handler': handler}
    raise DispatchError('%s neither calls through the table%s nor calls %s: the step '
                        'from the C entry to the handler cannot be placed'
                        % (entry_fn, '' if table_addr is None else ' at 0x%x' % table_addr,
                           SWITCHES[abi]))
