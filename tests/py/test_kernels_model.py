"""One call on two kernels (report/kernels_model.py, trace --compare): the
alignment of the entries and dispatches, on a real comparison (captures/
kernels-connect-5.10-6.1.json: connect traced on Debian's 5.10.223 and
6.1.192 with the lab's config) and on made-up steps.  The golden renders
are test_render's."""
import json
import os
import unittest

from labctl.report import kernels_model as km

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, 'captures', 'kernels-connect-5.10-6.1.json')) as f:
    A, B = json.load(f)['captures']


def step(insn, src=None, memory=None):
    return {'pc': '0xffffffff81000000', 'insn': insn, 'memory': memory,
            'source': {'file': 'entry_64.S', 'line': 1, 'text': src} if src else None}


class Align(unittest.TestCase):
    def test_every_step_once_and_in_order(self):
        """The alignment loses, repeats and reorders nothing, on either side."""
        for a, b in ((km.kernel_steps(A), km.kernel_steps(B)),
                     (km.dispatch_insns(A), km.dispatch_insns(B))):
            rows = km.align(a, b)
            self.assertEqual([x for x, _y, _w in rows if x is not None], a)
            self.assertEqual([y for _x, y, _w in rows if y is not None], b)

    def test_the_pushes_of_pt_regs_are_the_same_on_both(self):
        rows = km.align(km.kernel_steps(A), km.kernel_steps(B))
        pushes = [(x['push']['field'], y['push']['field'], w) for x, y, w in rows
                  if x and y and x.get('push') and x['push'].get('field')]
        self.assertEqual(len(pushes), 21)
        self.assertTrue(all(fa == fb and w is None for fa, fb, w in pushes), pushes)

    def test_the_stack_top_comes_from_another_variable(self):
        """Both entry_64.S read PER_CPU_VAR(cpu_current_top_of_stack): a
        macro for the TSS's sp1 in 5.10, a per-cpu variable of its own in
        6.1 (DWARF names each)."""
        rows = km.align(km.kernel_steps(A), km.kernel_steps(B))
        top = [(x['memory'], y['memory'], w) for x, y, w in rows
               if x and y and ',%rsp' in x['insn'] and x['insn'].startswith('mov')
               and x.get('memory')]
        self.assertEqual(top, [('cpu_tss_rw.x86_tss.sp1', 'cpu_current_top_of_stack',
                                'same source line, another instruction')])

    def test_one_variable_addressed_two_ways_is_named_so(self):
        x = step('mov    %rsp,0xffffffff81a0c014', 'movq %rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)',
                 'cpu_tss_rw.x86_tss.sp2')
        y = step('mov    %rsp,0x40bfca(%rip)        # 0xffffffff8180c014 <cpu_tss_rw+20>',
                 'movq %rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)', 'cpu_tss_rw.x86_tss.sp2')
        self.assertEqual(km.align([x], [y]), [(x, y, 'the same variable, addressed another way')])

    def test_only_on_one_side(self):
        a = [step('swapgs', 'swapgs'), step('push   %rax', 'pushq %rax')]
        b = [step('swapgs', 'swapgs'), step('nopl   0x0(%rax,%rax,1)', 'UNTRAIN_RET'),
             step('push   %rax', 'pushq %rax')]
        self.assertEqual([w for _x, _y, w in km.align(a, b)], [None, 'only in %s', None])

    def test_a_call_elsewhere_is_the_same_call(self):
        x = step('call   0xffffffff8121fbb2 <do_syscall_64>', 'call do_syscall_64')
        y = step('call   0xffffffff8127df5c <do_syscall_64>', 'call do_syscall_64')
        self.assertEqual(km.align([x], [y]), [(x, y, None)])


class Summary(unittest.TestCase):
    def test_what_differs_between_5_10_and_6_1(self):
        doc = km.build({'schema': 'labctl-kernels/1', 'captures': [A, B]})
        summary = doc.sections[0]
        rows = {''.join(r[0]): (''.join(r[1]), ''.join(r[2])) for r in summary.blocks[0].rows}
        self.assertEqual(rows['kernel'], ('5.10.223', '6.1.192'))
        self.assertEqual(rows['the task stack top read from'],
                         ('cpu_tss_rw.x86_tss.sp1', 'cpu_current_top_of_stack'))
        self.assertEqual(rows['C entry and its arguments'],
                         ('do_syscall_64(unsigned long nr in rdi, struct pt_regs *regs in rsi)',
                          'do_syscall_64(struct pt_regs *regs in rdi, int nr in rsi)'))
        self.assertIn('x64_sys_call', rows['dispatch'][1])
        named = [''.join(t) for t in summary.blocks[1].items]
        self.assertIn('struct pt_regs has the same layout on both.', named)
        self.assertIn('5.10.223 indexes a table; 6.1.192 calls a switch (Linux 6.9, against '
                      'Branch History Injection, backported to 6.1 and 5.15).', named)


if __name__ == '__main__':
    unittest.main()
