# The two ways a user program enters the x86-64 kernel, as far as a trace
# needs to tell them apart: the instruction, the registers that carry the
# number and the arguments, the table the number indexes, the C function
# the entry code calls, and the pt_regs fields the arguments land in.
#
# These are the calling conventions (Documentation/x86/entry_64.rst,
# arch/x86/entry/entry_64.S and entry_64_compat.S), not results: every
# value a report shows is still read from the guest.
from labctl import kernel as k


class Abi:
    def __init__(self, name, bits, insn, table, tbl_file, c_entry, nr_reg, arg_regs,
                 arg_fields, meaning):
        self.name = name            # 'x86_64' or 'i386'
        self.mask = (1 << bits) - 1  # a register as the program sees it
        self.insn = insn            # the user instruction, as GDB disassembles it
        self.table = table          # the kernel's table of handlers
        self.tbl_file = tbl_file    # where the source tree declares it
        self.c_entry = c_entry      # what the assembly entry calls
        self.nr_reg = nr_reg        # the register with the number
        self.arg_regs = arg_regs    # the six argument registers, in order
        self.arg_fields = arg_fields  # the pt_regs fields they are saved in
        self.meaning = meaning      # pt_regs field -> why it is there

    def reg(self, name):
        """Register NAME as the program sees it (GDB gives ecx as a signed
        int: -1 would read 0xffffffffffffffff)."""
        return k.reg(name) & self.mask

    def user_regs(self):
        """[(register, value, role)] of the ABI: the number, then the
        arguments."""
        out = [(self.nr_reg, self.reg(self.nr_reg), 'system call number')]
        out += [(r, self.reg(r), 'argument %d' % (i + 1)) for i, r in enumerate(self.arg_regs)]
        return out


_COMMON = {
    'r15': 'callee-saved user register', 'r14': 'callee-saved user register',
    'r13': 'callee-saved user register', 'r12': 'callee-saved user register',
    'ax': 'return value (-ENOSYS until the handler runs)',
    'orig_ax': 'system call number',
    'cs': 'user code segment selector', 'ss': 'user stack segment selector',
}

X86_64 = Abi(
    'x86_64', 64, 'syscall', 'sys_call_table', 'arch/x86/entry/syscalls/syscall_64.tbl',
    'do_syscall_64', 'rax', ('rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'),
    ('di', 'si', 'dx', 'r10', 'r8', 'r9'),
    dict(_COMMON, **{
        'bp': 'user frame pointer (callee-saved)', 'bx': 'callee-saved user register',
        'r11': 'user RFLAGS, saved there by the syscall instruction',
        'r10': 'argument 4 (rcx is taken by syscall)', 'r9': 'argument 6',
        'r8': 'argument 5', 'cx': 'user return address, saved there by the syscall instruction',
        'dx': 'argument 3', 'si': 'argument 2', 'di': 'argument 1',
        'ip': 'user instruction pointer to return to (from rcx)',
        'flags': 'user RFLAGS (from r11)', 'sp': 'user stack pointer (saved by the entry code)',
    }))

I386 = Abi(
    'i386', 32, 'int $0x80', 'ia32_sys_call_table', 'arch/x86/entry/syscalls/syscall_32.tbl',
    'do_int80_syscall_32', 'eax', ('ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'),
    ('bx', 'cx', 'dx', 'si', 'di', 'bp'),
    dict(_COMMON, **{
        'bx': 'argument 1 (ebx)', 'cx': 'argument 2 (ecx)', 'dx': 'argument 3 (edx)',
        'si': 'argument 4 (esi)', 'di': 'argument 5 (edi)', 'bp': 'argument 6 (ebp)',
        'r11': 'not an i386 register: saved, then cleared', 'r10': 'not an i386 register',
        'r9': 'not an i386 register', 'r8': 'not an i386 register',
        'r12': 'not an i386 register', 'r13': 'not an i386 register',
        'r14': 'not an i386 register', 'r15': 'not an i386 register',
        'ip': 'user eip to return to, pushed by the CPU at int $0x80',
        'flags': 'user EFLAGS, pushed by the CPU', 'sp': 'user esp, pushed by the CPU',
    }))
I386.meaning['cs'] += ', pushed by the CPU'
I386.meaning['ss'] += ', pushed by the CPU'

BY_NAME = {a.name: a for a in (X86_64, I386)}
