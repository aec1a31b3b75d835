"""How the C entry reaches the handler (gdb/labctl/dispatch.py), from its
instructions as GDB disassembles them.  The table case is the lab kernel's
own do_syscall_64 (Debian's 5.10.223, GDB's `disassemble`); the end-to-end
trace checks the real one against objdump and nm (tests/e2e/trace.sh).
The retpoline and switch cases are written in GDB's format from the code
the kernel's sources generate (arch/x86/entry/common.c, syscall_64.c of
6.9): no such kernel is built here yet (issue 13)."""
import unittest

from labctl import dispatch

TABLE = 0xffffffff81800220      # nm: sys_call_table
HANDLER = 0xffffffff81179243    # __x64_sys_connect


def insns(text):
    out = []
    for line in text.strip().splitlines():
        addr, asm = line.split(':', 1)
        out.append({'addr': int(addr, 16), 'asm': asm.strip()})
    return out


# gdb -batch -ex 'disassemble do_syscall_64' vmlinux (5.10.223, the lab's config)
DO_SYSCALL_64_510 = insns('''
0xffffffff8121fbb2: push   %rbp
0xffffffff8121fbb3: mov    %rsp,%rbp
0xffffffff8121fbb6: push   %rbx
0xffffffff8121fbb7: mov    %rsi,%rbx
0xffffffff8121fbba: mov    %rdi,%rsi
0xffffffff8121fbbd: mov    %rbx,%rdi
0xffffffff8121fbc0: call   0xffffffff812214bb <syscall_enter_from_user_mode>
0xffffffff8121fbc5: cmp    $0x1b8,%rax
0xffffffff8121fbcb: ja     0xffffffff8121fbe7 <do_syscall_64+53>
0xffffffff8121fbcd: cmp    $0x1b9,%rax
0xffffffff8121fbd3: sbb    %rdx,%rdx
0xffffffff8121fbd6: and    %rdx,%rax
0xffffffff8121fbd9: mov    %rbx,%rdi
0xffffffff8121fbdc: call   *-0x7e7ffde0(,%rax,8)
0xffffffff8121fbe3: mov    %rax,0x50(%rbx)
0xffffffff8121fbe7: mov    %rbx,%rdi
0xffffffff8121fbea: call   0xffffffff812214e0 <syscall_exit_to_user_mode>
0xffffffff8121fbef: pop    %rbx
0xffffffff8121fbf0: pop    %rbp
0xffffffff8121fbf1: ret
''')


class Table(unittest.TestCase):
    def test_the_lab_kernels_indirect_call(self):
        how = dispatch.find('x86_64', 'do_syscall_64', DO_SYSCALL_64_510, TABLE, None, [], HANDLER)
        self.assertEqual(how['kind'], 'table')
        # From the return of syscall_enter_from_user_mode (nr in rax): the
        # bounds check, array_index_nospec's masking, the call.
        self.assertEqual([x['addr'] for x in how['insns']],
                         [0xffffffff8121fbc5, 0xffffffff8121fbcb, 0xffffffff8121fbcd,
                          0xffffffff8121fbd3, 0xffffffff8121fbd6, 0xffffffff8121fbd9,
                          0xffffffff8121fbdc])

    def test_another_tables_call_is_not_it(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('x86_64', 'do_syscall_64', DO_SYSCALL_64_510, TABLE + 8, None, [],
                          HANDLER)
        self.assertIn('do_syscall_64 neither calls through the table at 0xffffffff81800228',
                      str(e.exception))

    def test_retpoline_load_then_thunk(self):
        code = insns('''
0x1000: call   0x5000 <syscall_enter_from_user_mode>
0x1005: cmp    $0x1b8,%rax
0x100b: mov    -0x7e7ffde0(,%rax,8),%rax
0x1013: mov    %rbx,%rdi
0x1016: call   0x6000 <__x86_indirect_thunk_rax>
''')
        how = dispatch.find('x86_64', 'do_syscall_64', code, TABLE, None, [], HANDLER)
        self.assertEqual([x['addr'] for x in how['insns']], [0x1005, 0x100b, 0x1013, 0x1016])

    def test_a_thunk_of_another_register_is_not_the_tables(self):
        code = insns('''
0x100b: mov    -0x7e7ffde0(,%rax,8),%rax
0x1016: call   0x6000 <__x86_indirect_thunk_rcx>
''')
        with self.assertRaises(dispatch.DispatchError):
            dispatch.find('x86_64', 'do_syscall_64', code, TABLE, None, [], HANDLER)


class Switch(unittest.TestCase):
    ENTRY = insns('''
0x2000: call   0x5000 <syscall_enter_from_user_mode>
0x2005: mov    %eax,%esi
0x2007: mov    %rbx,%rdi
0x200a: call   0x3000 <x64_sys_call>
0x200f: mov    %rax,0x50(%rbx)
''')
    SWITCH = insns('''
0x3000: cmp    $0x2a,%esi
0x3003: je     0x3100 <x64_sys_call+256>
0x3100: jmp    0xffffffff81179243 <__x64_sys_connect>
0x3105: jmp    0xffffffff81179000 <__x64_sys_accept>
''')

    def test_the_switch_and_its_case(self):
        how = dispatch.find('x86_64', 'do_syscall_64', self.ENTRY, TABLE, 0x3000, self.SWITCH,
                            HANDLER)
        self.assertEqual((how['kind'], how['switch']), ('switch', 'x64_sys_call'))
        self.assertEqual([x['addr'] for x in how['insns']], [0x2005, 0x2007, 0x200a])
        self.assertEqual([x['addr'] for x in how['case']], [0x3100])

    def test_a_switch_without_the_handler_is_an_error(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('x86_64', 'do_syscall_64', self.ENTRY, TABLE, 0x3000, self.SWITCH,
                          0xdead)
        self.assertIn('no instruction of x64_sys_call reaches the handler', str(e.exception))

    def test_i386s_switch_is_ia32_sys_call(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('i386', 'do_int80_syscall_32', [], TABLE, None, [], HANDLER)
        self.assertIn('nor calls ia32_sys_call', str(e.exception))


class Displacement(unittest.TestCase):
    def test_negative_32_bit_is_the_top_2_gib(self):
        self.assertEqual(dispatch.displacement('-0x7e7ffde0'), TABLE)
        self.assertEqual(dispatch.displacement('0x10'), 0x10)


if __name__ == '__main__':
    unittest.main()
