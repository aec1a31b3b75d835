"""How the C entry reaches the handler (gdb/labctl/dispatch.py), from its
instructions as GDB disassembles them: the table of the lab kernel's own
do_syscall_64 (Debian's 5.10.223), and the switch of Debian's 6.1.192
(x64_sys_call, the backport of 6.9's), both GDB's `disassemble` of real
builds with the lab's config (fixtures/), with the switch's jump table and
the sys_call_table that kernel keeps for tracing (GDB's `x/451gx`).  The
end-to-end trace checks the built kernel's against objdump and nm
(tests/e2e/trace.sh).  The retpoline form is written in GDB's format: no
kernel here is built with retpolines."""
import os
import unittest

from labctl import dispatch

TABLE = 0xffffffff81800220      # nm: sys_call_table
HANDLER = 0xffffffff81179243    # __x64_sys_connect


def insns(text):
    out = []
    for line in text.strip().splitlines():
        if line.startswith('#'):
            continue
        addr, asm = line.split(':', 1)
        out.append({'addr': int(addr, 16), 'asm': asm.strip()})
    return out


def fixture_text(name):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', name)) as f:
        return f.read()


def fixture(name):
    return insns(fixture_text(name))


def memory(name):
    """The words of GDB's `x/Ngx` in fixture NAME: {address: word}."""
    out = {}
    for line in fixture_text(name).splitlines():
        if line.startswith('#'):
            continue
        addr, words = line.split(':', 1)
        for i, w in enumerate(words.split()):
            out[int(addr, 16) + 8 * i] = int(w, 16)
    return out


def code(insns):
    """A function's instructions as dispatch.Code: bounds, and a few at a time."""
    index = {x['addr']: i for i, x in enumerate(insns)}
    return dispatch.Code(insns[0]['addr'], insns[-1]['addr'] + 1,
                         lambda addr, n: insns[index[addr]:index[addr] + n])


# The lab kernel's sys_call_table[42] (connect), as a reader of its memory.
READ_510 = {TABLE + 8 * 42: HANDLER}.__getitem__


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
        how = dispatch.find('x86_64', 'do_syscall_64', DO_SYSCALL_64_510, TABLE, None, 42,
                            READ_510)
        self.assertEqual((how['kind'], how['handler']), ('table', HANDLER))
        # From the return of syscall_enter_from_user_mode (nr in rax): the
        # bounds check, array_index_nospec's masking, the call.
        self.assertEqual([x['addr'] for x in how['insns']],
                         [0xffffffff8121fbc5, 0xffffffff8121fbcb, 0xffffffff8121fbcd,
                          0xffffffff8121fbd3, 0xffffffff8121fbd6, 0xffffffff8121fbd9,
                          0xffffffff8121fbdc])

    def test_another_tables_call_is_not_it(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('x86_64', 'do_syscall_64', DO_SYSCALL_64_510, TABLE + 8, None, 42,
                          READ_510)
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
        how = dispatch.find('x86_64', 'do_syscall_64', code, TABLE, None, 42, READ_510)
        self.assertEqual([x['addr'] for x in how['insns']], [0x1005, 0x100b, 0x1013, 0x1016])

    def test_the_thunk_by_its_alias(self):
        """Debian's 5.10.223 defconfig: the call goes to
        __x86_indirect_thunk_rax (nm: 0xffffffff820034e0), at the address of
        the thunk array, whose name GDB prints instead."""
        code = fixture('do_syscall_64-5.10.223-defconfig.txt')
        table = 0xffffffff82200240      # nm: sys_call_table
        thunks = {'rax': 0xffffffff820034e0}.get
        how = dispatch.find('x86_64', 'do_syscall_64', code, table, None, 39,
                            lambda a: 0x1234, thunks)
        self.assertEqual([x['addr'] for x in how['insns']],
                         [0xffffffff81c55363, 0xffffffff81c55369, 0xffffffff81c5536b,
                          0xffffffff81c55371, 0xffffffff81c55374, 0xffffffff81c55377,
                          0xffffffff81c5537a, 0xffffffff81c55382])
        with self.assertRaises(dispatch.DispatchError):     # without the address, no
            dispatch.find('x86_64', 'do_syscall_64', code, table, None, 39, lambda a: 0x1234)

    def test_a_thunk_of_another_register_is_not_the_tables(self):
        code = insns('''
0x100b: mov    -0x7e7ffde0(,%rax,8),%rax
0x1016: call   0x6000 <__x86_indirect_thunk_rcx>
''')
        with self.assertRaises(dispatch.DispatchError):
            dispatch.find('x86_64', 'do_syscall_64', code, TABLE, None, 42, READ_510)


class Switch(unittest.TestCase):
    """Debian's 6.1.192: do_syscall_64 calls x64_sys_call, whose case for
    each number calls the handler (nm: __x64_sys_getpid shares its address
    with __do_sys_getpid, the name GDB prints)."""
    ENTRY = fixture('do_syscall_64-6.1.192.txt')
    SWITCH = code(fixture('x64_sys_call-6.1.192.txt'))
    JUMPS = memory('x64_sys_call-jumptable-6.1.192.txt')
    TABLE_61 = 0xffffffff81801060       # nm: sys_call_table, still there, not called through
    SWITCH_ADDR = 0xffffffff81000cc6    # nm: x64_sys_call

    def test_the_switch_starts_where_nm_says(self):
        self.assertEqual(self.SWITCH.start, self.SWITCH_ADDR)

    def find(self, nr, read=None):
        return dispatch.find('x86_64', 'do_syscall_64', self.ENTRY, self.TABLE_61,
                             self.SWITCH, nr, read or self.JUMPS.__getitem__)

    def test_getpid(self):
        how = self.find(39)
        self.assertEqual((how['kind'], how['switch']), ('switch', 'x64_sys_call'))
        self.assertEqual(how['insns'][-1], {'addr': 0xffffffff812505c8,
                                            'asm': 'call   0xffffffff81000cc6 <x64_sys_call>'})
        self.assertEqual(how['case'], [{'addr': 0xffffffff81000e65,
                                        'asm': 'call   0xffffffff8103bc32 <__do_sys_getpid>'}])
        self.assertEqual(how['handler'], 0xffffffff8103bc32)

    def test_connect(self):
        how = self.find(42)
        self.assertEqual([x['addr'] for x in how['case']], [0xffffffff81000e83])
        self.assertEqual(how['handler'], 0xffffffff81190de5)     # nm: __x64_sys_connect

    def test_every_case_calls_what_the_tracing_table_holds(self):
        """The jump table and sys_call_table are two arrays the compiler and
        the table's macros built apart: for all 451 numbers of
        syscall_64.tbl's range, the case calls the table's entry."""
        table = memory('sys_call_table-6.1.192.txt')
        self.assertEqual(min(table), self.TABLE_61)
        self.assertEqual(len(table), 451)
        for nr in range(451):
            self.assertEqual(self.find(nr)['handler'], table[self.TABLE_61 + 8 * nr], nr)

    def test_past_the_bound_is_the_default_case(self):
        how = self.find(0x1c3)
        self.assertEqual(how['case'], [{'addr': 0xffffffff8100121b,
                                        'asm': 'call   0xffffffff81001a34 <__do_sys_ni_syscall>'}])

    def test_a_jump_outside_the_switch_is_an_error(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            self.find(39, lambda addr: 0xffffffff81000cc6 - 16)
        self.assertIn("x64_sys_call's jump table sends 39 to 0xffffffff81000cb6, outside it",
                      str(e.exception))

    def test_a_switch_without_a_jump_table_is_an_error(self):
        tree = [x for x in fixture('x64_sys_call-6.1.192.txt')
                if not x['asm'].startswith('jmp    *')]
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('x86_64', 'do_syscall_64', self.ENTRY, self.TABLE_61,
                          code(tree), 39, self.JUMPS.__getitem__)
        self.assertIn('x64_sys_call has no jump table: its case for 39 cannot be placed',
                      str(e.exception))

    def test_no_table_at_all(self):
        """6.x builds no ia32_sys_call_table: the switch alone places the
        handler, and without it the error names no table address."""
        how = dispatch.find('x86_64', 'do_syscall_64', self.ENTRY, None, self.SWITCH, 39,
                            self.JUMPS.__getitem__)
        self.assertEqual((how['kind'], how['handler']), ('switch', 0xffffffff8103bc32))
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('i386', 'do_int80_emulation', [], None, None, 20, READ_510)
        self.assertIn('do_int80_emulation neither calls through the table nor calls '
                      'ia32_sys_call', str(e.exception))

    def test_i386s_switch_is_ia32_sys_call(self):
        with self.assertRaises(dispatch.DispatchError) as e:
            dispatch.find('i386', 'do_int80_syscall_32', [], TABLE, None, 42, READ_510)
        self.assertIn('nor calls ia32_sys_call', str(e.exception))


class Displacement(unittest.TestCase):
    def test_negative_32_bit_is_the_top_2_gib(self):
        self.assertEqual(dispatch.displacement('-0x7e7ffde0'), TABLE)
        self.assertEqual(dispatch.displacement('0x10'), 0x10)


if __name__ == '__main__':
    unittest.main()
