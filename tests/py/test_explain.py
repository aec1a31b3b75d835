"""gdb/labctl/explain.py: what lab-where and lab-step say about an
instruction and a step, and lab-regs' slot table, without GDB.  The steps
are as a real trace of connect recorded them (tests/py/captures)."""
import json
import os
import unittest

from labctl import explain
from labctl.report import lang

HERE = os.path.dirname(os.path.abspath(__file__))

# struct pt_regs of the lab's x86-64 kernel, as `ptype /o` prints it
FIELDS = [(n, 8 * i, 8) for i, n in enumerate(
    'r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss'.split())]
TOP = 0xffff88800038c000
BASE = TOP - 168


def step(pc, insn, before, after, **kw):
    st = {'pc': pc, 'insn': insn, 'rsp_before': before, 'rsp_after': after, 'pc_after': pc + 2}
    st.update(kw)
    return st


class Parse(unittest.TestCase):
    def test_operands_split_outside_parentheses(self):
        self.assertEqual(explain.parse('mov    0x8(%rsp,%rax,8),%rdi'),
                         ('mov', ['0x8(%rsp,%rax,8)', '%rdi']))

    def test_call_target_and_symbol(self):
        insn = 'call   0xffffffff8121fbb2 <do_syscall_64>'
        self.assertEqual(explain.parse(insn), ('call', ['0xffffffff8121fbb2']))
        self.assertEqual(explain.target(insn), 'do_syscall_64')
        self.assertEqual(explain.target('jmp    0xffffffff81400100 <entry_SYSCALL_64+0xc0>'),
                         'entry_SYSCALL_64')
        self.assertIsNone(explain.target('push   %rcx'))

    def test_prefix_is_not_the_mnemonic(self):
        self.assertEqual(explain.parse('rep stos %rax,%es:(%rdi)')[0], 'stos')

    def test_writes_stack(self):
        self.assertTrue(explain.writes_stack('mov    %rax,0x8(%rsp)'))
        self.assertFalse(explain.writes_stack('mov    0x8(%rsp),%rax'))
        self.assertFalse(explain.writes_stack('cmp    %rax,0x8(%rsp)'))
        self.assertFalse(explain.writes_stack('push   %rax'))


class Sentence(unittest.TestCase):
    def test_push_names_the_field_it_fills(self):
        s = explain.sentence('push   %rcx', {'field': 'ip', 'offset': 128, 'stack': 'kernel'})
        self.assertEqual(s, 'pushes %rcx onto the kernel stack: it fills pt_regs->ip (+128)')

    def test_push_of_a_variable_names_it(self):
        s = explain.sentence('push   0xffffffff81a0c014',
                             {'field': 'sp', 'offset': 152, 'stack': 'kernel',
                              'memory': 'cpu_tss_rw.x86_tss.sp2'})
        self.assertIn('cpu_tss_rw.x86_tss.sp2', s)
        self.assertIn('pt_regs->sp (+152)', s)

    def test_push_without_pt_regs(self):
        self.assertIn('no struct pt_regs',
                      explain.sentence('push   %rbp', {'stack': 'user'}))

    def test_stack_switch_names_the_per_cpu_variable(self):
        self.assertEqual(explain.sentence('mov    0xffffffff81a0c00c,%rsp',
                                          {'memory': 'cpu_tss_rw.x86_tss.sp1'}),
                         'switches the stack: rsp is loaded from cpu_tss_rw.x86_tss.sp1')
        self.assertEqual(explain.sentence('mov    %rsp,0xffffffff81a0c014',
                                          {'memory': 'cpu_tss_rw.x86_tss.sp2'}),
                         'saves the stack pointer in cpu_tss_rw.x86_tss.sp2')

    def test_the_call_of_the_c_entry(self):
        s = explain.sentence('call   0xffffffff8121fbb2 <do_syscall_64>',
                             {'c_entry': 'do_syscall_64'})
        self.assertTrue(s.startswith('calls do_syscall_64, the C part'))
        self.assertTrue(explain.sentence('call   0xffffffff81001000 <untrain_ret>',
                                         {'c_entry': 'do_syscall_64'})
                        .startswith('calls untrain_ret: pushes the return address'))

    def test_fixed_sentences(self):
        for insn, start in (('syscall', 'enters the kernel'), ('swapgs', 'swaps gs_base'),
                            ('sysretq', 'returns to user mode'), ('xor    %edx,%edx', 'clears %edx'),
                            ('int    $0x80', 'enters the kernel through interrupt vector 0x80')):
            self.assertTrue(explain.sentence(insn).startswith(start), insn)

    def test_an_unknown_mnemonic_gets_no_sentence(self):
        self.assertIsNone(explain.sentence('lfence'))
        self.assertIsNone(explain.sentence('wrmsr'))

    def test_translated(self):
        with lang.using('zh'):
            self.assertEqual(explain.full_sentence(explain.sentence('swapgs')).count('。'), 1)
            s = explain.sentence('push   %rcx', {'field': 'ip', 'offset': 128, 'stack': 'kernel'})
            self.assertIn('pt_regs->ip', s)
            self.assertIn('内核栈', s)


class WhatChanged(unittest.TestCase):
    def test_a_push_into_pt_regs(self):
        st = step(0xffffffff81400060, 'push   %rcx', TOP - 32, TOP - 40,
                  push={'addr': TOP - 40, 'word': 0x401d2a, 'field': 'ip', 'offset': 128})
        self.assertEqual(explain.what_changed(st),
                         ['push %rcx → pt_regs->ip (+128) = 0x401d2a'])

    def test_a_push_names_its_operand(self):
        st = step(0xffffffff81400055, 'push   0xffffffff81a0c014', TOP - 8, TOP - 16,
                  push={'addr': TOP - 16, 'word': 0x7ffc0, 'field': 'sp', 'offset': 152})
        self.assertEqual(explain.what_changed(st, operand='cpu_tss_rw.x86_tss.sp2'),
                         ['push 0xffffffff81a0c014 (cpu_tss_rw.x86_tss.sp2) → '
                          'pt_regs->sp (+152) = 0x7ffc0'])

    def test_the_stack_switch(self):
        st = step(0xffffffff8140004b, 'mov    0xffffffff81a0c00c,%rsp', 0x7ffc82db3e60, TOP)
        self.assertEqual(explain.what_changed(st),
                         ['rsp 0x7ffc82db3e60 → 0xffff88800038c000 (the kernel stack)'])

    def test_swapgs_privilege_cr3(self):
        st = step(0xffffffff81400040, 'swapgs', 0x7ffc0, 0x7ffc0,
                  gs_base={'before': 0, 'after': 0xffff88800f600000})
        self.assertEqual(explain.what_changed(st, cs=(0x10, 0x10), cr3=(0x1000, 0x1000)),
                         ['swapgs: gs_base 0x0 → 0xffff88800f600000'])
        st = step(0x401628, 'syscall', 0x7ffc0, 0x7ffc0)
        self.assertEqual(explain.what_changed(st, cs=(0x33, 0x10), cr3=(0x1000, 0x2000)),
                         ['privilege level 3 → 0 (cs 0x33 → 0x10)',
                          'cr3 0x1000 → 0x2000: other page tables'])

    def test_rsp_saved(self):
        st = step(0xffffffff81400043, 'mov    %rsp,0xffffffff81a0c014', 0x7ffc0, 0x7ffc0)
        self.assertEqual(explain.what_changed(st, rsp_saved_to='cpu_tss_rw.x86_tss.sp2'),
                         ['rsp 0x7ffc0 saved in cpu_tss_rw.x86_tss.sp2'])

    def test_nothing_watched_changed(self):
        st = step(0xffffffff8140007a, 'xor    %edx,%edx', TOP - 168, TOP - 168)
        self.assertEqual(explain.what_changed(st, cs=(0x10, 0x10)), [])

    def test_a_pop_and_an_adjustment(self):
        st = step(1, 'pop    %r15', TOP - 168, TOP - 160,
                  pop={'addr': TOP - 168, 'word': 1, 'field': 'r15', 'offset': 0})
        self.assertEqual(explain.what_changed(st), ['pop %r15 ← pt_regs->r15 (+0) = 0x1'])
        st = step(1, 'add    $0x30,%rsp', TOP - 168, TOP - 120)
        self.assertEqual(explain.what_changed(st), ['rsp 0x%x → 0x%x (+48 bytes)'
                                                    % (TOP - 168, TOP - 120)])


class Slots(unittest.TestCase):
    def steps(self, n):
        """The first N pushes of entry_SYSCALL_64, ss first."""
        out = []
        for i, (name, off, _s) in enumerate(sorted(FIELDS, key=lambda f: -f[1])[:n]):
            out.append(step(0xffffffff81400053 + i, 'push   %%r%d' % i, BASE + off + 8,
                            BASE + off, push={'addr': BASE + off, 'word': i, 'field': name,
                                              'offset': off}))
        return out

    def test_filled_from_rsp_up_with_their_writers(self):
        mem = {}
        steps = self.steps(3)
        for st in steps:
            mem[st['push']['addr']] = st['push']['word']
        rsp = BASE + 144
        rows = explain.slots(FIELDS, BASE, rsp, lambda a, n: mem.get(a, 0xdead), steps)
        self.assertEqual([r['field'] for r in rows[:4]], ['ss', 'sp', 'flags', 'cs'])
        self.assertEqual([r['filled'] for r in rows].count(True), 3)
        self.assertEqual([(r['value'], r['step']) for r in rows[:3]], [(0, 0), (1, 1), (2, 2)])
        self.assertEqual((rows[3]['filled'], rows[3]['value'], rows[3]['step']),
                         (False, None, None))
        lines = explain.slot_lines(rows, steps)
        self.assertEqual(len(lines), 1 + len(FIELDS))
        self.assertEqual(lines[1].split()[:4], ['+160', 'ss', 'filled', '0x0'])
        self.assertIn('#0 0xffffffff81400053 push %r0', lines[1])
        self.assertEqual(lines[4].split(), ['+136', 'cs', 'empty'])

    def test_the_last_push_to_a_slot_wrote_it(self):
        steps = self.steps(1) * 2
        rows = explain.slots(FIELDS, BASE, BASE, lambda a, n: 0, steps)
        self.assertEqual(rows[0]['step'], 1)

    def test_cpu_words(self):
        rows = explain.slots(FIELDS, BASE, BASE + 128, lambda a, n: 7, [],
                             cpu_words={BASE + 128})
        lines = explain.slot_lines(rows, [])
        self.assertIn('the CPU, at int $0x80', lines[5])


class RealCapture(unittest.TestCase):
    """The slots at the call of do_syscall_64, from a real capture's steps
    and its pt_regs (read by the trace at the call): every slot filled,
    written by the push the trace recorded, with the value it pushed."""

    def test_connect(self):
        path = os.path.join(HERE, 'captures', 'trace-connect.json')
        if not os.path.exists(path):
            self.skipTest('no %s' % path)
        with open(path) as f:
            cap = json.load(f)
        num = lambda v: int(v, 16) if isinstance(v, str) else v
        steps = []
        for s in cap['entry']['steps']:
            st = {k: num(v) if k in ('pc', 'rsp_before', 'rsp_after') else v for k, v in s.items()}
            if 'push' in s:
                st['push'] = {k: num(v) if k in ('addr', 'word') else v
                              for k, v in s['push'].items()}
            steps.append(st)
        regs = cap['pt_regs']
        base = num(regs['addr'])
        mem = {base + f['offset']: num(f['value']) for f in regs['fields']}
        fields = [(f['name'], f['offset'], f['size']) for f in cap['setup']['pt_regs']['fields']]
        rows = explain.slots(fields, base, base, lambda a, n: mem[a], steps)
        self.assertTrue(all(r['filled'] for r in rows))
        for r in rows:
            with self.subTest(field=r['field']):
                self.assertIsNotNone(r['step'])
                push = steps[r['step']]['push']
                self.assertEqual(push['field'], r['field'])
                self.assertEqual(push['word'], r['value'])


if __name__ == '__main__':
    unittest.main()
