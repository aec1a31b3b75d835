# The two ways a user program enters the x86-64 kernel, as far as a trace
# needs to tell them apart: the instruction, the registers that carry the
# number and the arguments, the table the number indexes, the C function
# the entry code reaches, and the pt_regs fields the arguments land in.
#
# These are the calling conventions (Documentation/x86/entry_64.rst,
# arch/x86/entry/entry_64.S and entry_64_compat.S), not results: every
# value a report shows is still read from the guest.
from labctl import kernel as k
from labctl.report.lang import N_

# The roles of the number and the argument registers (a report translates
# them as they stand in the capture).
NR_ROLE = N_('system call number')
ARG_ROLES = (N_('argument 1'), N_('argument 2'), N_('argument 3'), N_('argument 4'),
             N_('argument 5'), N_('argument 6'))


class Abi:
    def __init__(self, name, bits, insn, table, tbl_file, c_entries, nr_reg, arg_regs,
                 arg_fields, meaning):
        self.name = name            # 'x86_64' or 'i386'
        self.mask = (1 << bits) - 1  # a register as the program sees it
        self.insn = insn            # the user instruction, as GDB disassembles it
        self.table = table          # the kernel's table of handlers
        self.tbl_file = tbl_file    # where the source tree declares it
        # [(C entry, what the assembly calls to reach it, what pt_regs
        # fields mean otherwise at that call)]
        self.c_entries = c_entries
        self.nr_reg = nr_reg        # the register with the number
        self.arg_regs = arg_regs    # the six argument registers, in order
        self.arg_fields = arg_fields  # the pt_regs fields they are saved in
        self.meaning = meaning      # pt_regs field -> why it is there

    def entry(self, is_function, has_symbol):
        """(the C entry, the function the assembly entry calls to reach it)
        of the first of C_ENTRIES that vmlinux has (IS_FUNCTION(c),
        HAS_SYMBOL(call)), or None."""
        return next(((c, call) for c, call, _m in self.c_entries
                     if is_function(c) and has_symbol(call)), None)

    def entry_names(self):
        return ' or '.join(c for c, _call, _m in self.c_entries)

    def meaning_at_call(self, c_entry):
        """pt_regs field -> why it is there, at the call of C_ENTRY."""
        return dict(self.meaning, **next(m for c, _call, m in self.c_entries if c == c_entry))

    def reg(self, name):
        """Register NAME as the program sees it (GDB gives ecx as a signed
        int: -1 would read 0xffffffffffffffff)."""
        return k.reg(name) & self.mask

    def user_regs(self):
        """[(register, value, role)] of the ABI: the number, then the
        arguments."""
        out = [(self.nr_reg, self.reg(self.nr_reg), NR_ROLE)]
        out += [(r, self.reg(r), role) for r, role in zip(self.arg_regs, ARG_ROLES)]
        return out


_COMMON = {
    'r15': N_('callee-saved user register'), 'r14': N_('callee-saved user register'),
    'r13': N_('callee-saved user register'), 'r12': N_('callee-saved user register'),
    'ax': N_('return value (-ENOSYS until the handler runs)'),
    'orig_ax': N_('system call number'),
    'cs': N_('user code segment selector'), 'ss': N_('user stack segment selector'),
}

X86_64 = Abi(
    'x86_64', 64, 'syscall', 'sys_call_table', 'arch/x86/entry/syscalls/syscall_64.tbl',
    (('do_syscall_64', 'do_syscall_64', {}),), 'rax', ('rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'),
    ('di', 'si', 'dx', 'r10', 'r8', 'r9'),
    dict(_COMMON, **{
        'bp': N_('user frame pointer (callee-saved)'), 'bx': N_('callee-saved user register'),
        'r11': N_('user RFLAGS, saved there by the syscall instruction'),
        'r10': N_('argument 4 (rcx is taken by syscall)'), 'r9': N_('argument 6'),
        'r8': N_('argument 5'),
        'cx': N_('user return address, saved there by the syscall instruction'),
        'dx': N_('argument 3'), 'si': N_('argument 2'), 'di': N_('argument 1'),
        'ip': N_('user instruction pointer to return to (from rcx)'),
        'flags': N_('user RFLAGS (from r11)'), 'sp': N_('user stack pointer (saved by the entry code)'),
    }))

# int $0x80 entered through entry_INT80_compat and do_int80_syscall_32
# until Linux 6.7 made it an IDT entry like an interrupt's,
# asm_int80_emulation, with a C handler int80_emulation; the Branch History
# Injection fix then split that into the assembly int80_emulation, which
# clears the branch history and jumps to do_int80_emulation
# (entry_64_compat.S, common.c).  Debian's 5.10.223 has the first;
# 6.1.192 and 6.12.118 the last.  A kernel between the two has neither
# pair, and its trace fails at setup naming the C entries labctl knows.
I386 = Abi(
    'i386', 32, 'int $0x80', 'ia32_sys_call_table', 'arch/x86/entry/syscalls/syscall_32.tbl',
    (('do_int80_syscall_32', 'do_int80_syscall_32', {}),
     ('do_int80_emulation', 'int80_emulation', {
         'orig_ax': N_('-1, as every IDT entry pushes it (no system call to restart): '
                       'do_int80_emulation moves the number here'),
         'ax': N_('system call number (eax as the program left it): do_int80_emulation '
                  'sets it to -ENOSYS'),
     })), 'eax', ('ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'),
    ('bx', 'cx', 'dx', 'si', 'di', 'bp'),
    dict(_COMMON, **{
        'bx': N_('argument 1 (ebx)'), 'cx': N_('argument 2 (ecx)'), 'dx': N_('argument 3 (edx)'),
        'si': N_('argument 4 (esi)'), 'di': N_('argument 5 (edi)'), 'bp': N_('argument 6 (ebp)'),
        'r11': N_('not an i386 register: saved, then cleared'), 'r10': N_('not an i386 register'),
        'r9': N_('not an i386 register'), 'r8': N_('not an i386 register'),
        'r12': N_('not an i386 register'), 'r13': N_('not an i386 register'),
        'r14': N_('not an i386 register'), 'r15': N_('not an i386 register'),
        'ip': N_('user eip to return to, pushed by the CPU at int $0x80'),
        'flags': N_('user EFLAGS, pushed by the CPU'), 'sp': N_('user esp, pushed by the CPU'),
        'cs': N_('user code segment selector, pushed by the CPU'),
        'ss': N_('user stack segment selector, pushed by the CPU'),
    }))

BY_NAME = {a.name: a for a in (X86_64, I386)}
