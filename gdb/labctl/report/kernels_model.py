# One system call traced on two kernels (labctl trace SYSCALL --compare
# 5.10,6.12), side by side: the entries and the dispatches aligned
# instruction by instruction, and each difference named.  The capture
# (schema labctl-kernels/1, gdb/SCHEMA.md) holds the two traces' own
# captures; everything here is read from them, nothing from a version
# number.
import difflib
import re

from labctl.report.doc import Code, Diagram, Document, List, Paragraph, Section, para, table, text
from labctl.report.lang import N_, _
from labctl.report.trace_model import USER_TOP, num, pushes_data

# A kernel address in an operand (0xffffffff81a0c014, a call's target):
# where the code lies, not what it does.
KERNEL_ADDR = re.compile(r'0xffffffff[0-9a-f]{8}')
# GDB's comment after a %rip-relative operand, and the operand itself.
RIP_COMMENT = re.compile(r'\s*#.*$')
RIP_OPERAND = re.compile(r'-?0x[0-9a-f]+\(%rip\)')


def source_text(st):
    """The step's line of source, its comment and spacing dropped."""
    t = (st.get('source') or {}).get('text') or ''
    return ' '.join(t.split('/*')[0].split())


def meaning(st):
    """What the instruction does, whatever its addresses: the memory
    operand as the variable it names (st['memory'], from DWARF), kernel
    addresses elided, GDB's comment dropped."""
    insn = RIP_COMMENT.sub('', st['insn'])
    if st.get('memory'):
        insn = RIP_OPERAND.sub('[%s]' % st['memory'], insn)
        insn = KERNEL_ADDR.sub('[%s]' % st['memory'], insn, count=1)
    insn = KERNEL_ADDR.sub('ADDR', insn)
    return ' '.join(insn.split())


def form(st):
    """How its memory operand is addressed: 'rip' (%rip-relative), 'abs'
    (an absolute address), or None."""
    insn = RIP_COMMENT.sub('', st['insn'])
    if RIP_OPERAND.search(insn):
        return 'rip'
    if KERNEL_ADDR.search(insn) and not insn.split()[0].startswith(('call', 'j')):
        return 'abs'
    return None


def align(a, b):
    """Rows (step of A or None, step of B or None, what differs) of two
    step lists, aligned by their source lines and what they do."""
    key = lambda st: (source_text(st), meaning(st))
    rows = []
    ops = difflib.SequenceMatcher(None, [key(s) for s in a], [key(s) for s in b],
                                  autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in ops:
        if op == 'equal':
            rows += [(x, y, differs(x, y)) for x, y in zip(a[i1:i2], b[j1:j2])]
            continue
        # a replaced run: pair its steps by source line where they share one
        left, right = list(a[i1:i2]), list(b[j1:j2])
        while left or right:
            if left and right and (source_text(left[0]) and
                                   source_text(left[0]) == source_text(right[0]) or
                                   left[0]['insn'].split()[0] == right[0]['insn'].split()[0]):
                x, y = left.pop(0), right.pop(0)
                rows.append((x, y, differs(x, y)))
            elif left and (not right or len(left) >= len(right)):
                rows.append((left.pop(0), None, N_('only in %s')))
            else:
                rows.append((None, right.pop(0), N_('only in %s')))
    return rows


def differs(x, y):
    """What differs between two aligned steps, or None."""
    if meaning(x) != meaning(y):
        if source_text(x) and source_text(x) == source_text(y):
            return N_('same source line, another instruction')
        return N_('changed')
    if form(x) != form(y):
        return N_('the same variable, addressed another way')
    if source_text(x) != source_text(y):
        return N_('the same instruction, from another source line')
    return None


def step_cells(st):
    if st is None:
        return ('', '', '')
    where = st.get('source') or {}
    loc = '%s:%s' % (where.get('file', '').split('/')[-1], where.get('line', '')) if where \
        else st.get('where', '')
    return (Code(' '.join(RIP_COMMENT.sub('', st['insn']).split())) if st else '',
            Code(st['memory']) if st.get('memory') else '', loc)


def diff_text(what, ka, kb, x):
    if what is None:
        return ''
    if what == N_('only in %s'):
        return _(what) % (ka if x is not None else kb)
    return _(what)


def steps_table(rows, ka, kb, tid):
    out = []
    na = nb = 0
    for x, y, what in rows:
        ca, cb = step_cells(x), step_cells(y)
        out.append(('%d' % na if x else '', ca[0], ca[1], ca[2],
                    '%d' % nb if y else '', cb[0], cb[1], cb[2], diff_text(what, ka, kb, x)))
        na += x is not None
        nb += y is not None
    return table((ka, _('instruction'), _('variable'), _('where'),
                  kb, _('instruction'), _('variable'), _('where'), _('difference')), out,
                 id=tid)


def kernel_steps(cap):
    """The entry's steps in the kernel (the user's syscall instruction is
    the program's, the same on both)."""
    return [s for s in cap['entry']['steps'] if num(s['pc']) >= USER_TOP]


def dispatch_insns(cap):
    d = cap['setup']['dispatch']
    return [{'pc': x['addr'], 'insn': x['asm'], 'where': x['at']['name']}
            for x in d['insns'] + d.get('case', [])]


def how(cap):
    d = cap['setup']['dispatch']
    if d['kind'] == 'switch':
        return text('%s calls %s, whose case for %d calls %s', Code(d['function']),
                    Code(d['switch']), cap['setup']['syscall']['nr'],
                    Code(d['handler']['at']['name']))
    return text('%s calls through %s[%d] = %s', Code(d['function']),
                Code(cap['setup']['sys_call_table']['name']), cap['setup']['syscall']['nr'],
                Code(d['handler']['at']['name'] if 'handler' in d
                     else cap['setup']['sys_call_table']['handler']['name']))


def args(cap):
    call = cap['entry']['call']
    return ', '.join(_('%s in %s') % ('%s%s%s' % (a['type'], '' if a['type'].endswith('*') else ' ',
                                                   a['name']), a['reg'])
                     for a in call.get('args', [])) or '-'


def slot(st):
    return (st or {}).get('name') or '-'


def built_on(sw):
    """Where the entry pushed struct pt_regs."""
    copy = sw.get('copy')
    if copy:
        return _("the entry stack, then copied to the task's stack by %s") % 'sync_regs()'
    return _("the task's stack")


def summary(a, b, ka, kb, entry_rows):
    """The differences, named, and what is the same."""
    sa, sb = a['entry']['stack_switch'] or {}, b['entry']['stack_switch'] or {}
    layout = lambda c: [(f['name'], f['offset'], f['size']) for f in c['setup']['pt_regs']['fields']]
    rows = [
        (_('kernel'), a['setup']['kernel']['release'], b['setup']['kernel']['release']),
        (_('instructions from syscall to the C entry'), '%d' % len(kernel_steps(a)),
         '%d' % len(kernel_steps(b))),
        (_('the user rsp kept in'), Code(slot(sa.get('user_rsp_saved', {}).get('slot'))),
         Code(slot(sb.get('user_rsp_saved', {}).get('slot')))),
        (_('the task stack top read from'), Code(slot(sa.get('top_from'))),
         Code(slot(sb.get('top_from')))),
        (_('struct pt_regs pushed on'), built_on(sa), built_on(sb)),
        (_('struct pt_regs'), _('%d bytes, %d fields') % (a['setup']['pt_regs']['size'],
                                                          len(layout(a))),
         _('%d bytes, %d fields') % (b['setup']['pt_regs']['size'], len(layout(b)))),
        (_('C entry and its arguments'), '%s(%s)' % (a['entry']['call']['target'], args(a)),
         '%s(%s)' % (b['entry']['call']['target'], args(b))),
        (_('dispatch'), how(a), how(b)),
        (_('back to user mode'), (a.get('return') or {}).get('path', '-'),
         (b.get('return') or {}).get('path', '-')),
    ]
    named = []
    only_a = sum(1 for x, y, _w in entry_rows if y is None)
    only_b = sum(1 for x, y, _w in entry_rows if x is None)
    if only_a or only_b:
        named.append(text('The entry: %d instructions only in %s, %d only in %s.',
                          only_a, ka, only_b, kb))
    changed = [r for r in entry_rows if r[0] is not None and r[1] is not None and r[2]]
    if changed:
        named.append(text('The entry: %d instructions at the same place that differ (the '
                          'table says how).', len(changed)))
    fields = [(x, y) for x, y in zip(layout(a), layout(b)) if x != y]
    if layout(a) == layout(b):
        named.append(text('struct pt_regs has the same layout on both.'))
    elif len(layout(a)) == len(layout(b)) and all(x[:2] == y[:2] for x, y in fields):
        named.append(text('struct pt_regs: the same fields at the same offsets; %s',
                          '; '.join(_('%s is %d bytes in %s, %d in %s') % (
                              x[0], x[2], ka, y[2], kb) for x, y in fields)))
    else:
        named.append(text('struct pt_regs differs between the two (ptype /o of each).'))
    if a['setup']['dispatch']['kind'] != b['setup']['dispatch']['kind']:
        named.append(text('%s indexes a table; %s calls a switch (Linux 6.9, against Branch '
                          'History Injection, backported to 6.1 and 5.15).',
                          *((ka, kb) if a['setup']['dispatch']['kind'] == 'table' else (kb, ka))))
    if [x['name'] for x in a['entry']['call'].get('args', [])] != \
            [x['name'] for x in b['entry']['call'].get('args', [])]:
        named.append(text('The C entry takes its arguments in another order: the registers '
                          'above, from each kernel\'s DWARF.'))
    return [table(('', ka, kb), rows), List(named)]


def build(cmp):
    a, b = cmp['captures']
    ka, kb = (c['setup']['kernel']['release'] for c in (a, b))
    sc = a['setup']['syscall']
    entry_rows = align(kernel_steps(a), kernel_steps(b))
    dispatch_rows = align(dispatch_insns(a), dispatch_insns(b))
    return Document(text('System call %s (%d) on Linux %s and %s', Code(sc['name']), sc['nr'],
                         ka, kb), [
        Section('summary', text('1. What differs'), summary(a, b, ka, kb, entry_rows)),
        Section('entry', text('2. The entry, instruction by instruction'), [
            para('Each kernel\'s steps from the syscall instruction to the call of the C '
                 'entry, aligned by their source lines and what they do (a memory operand '
                 'by the variable it names, from DWARF; addresses are where the code lies, '
                 'not what it does).'),
            Diagram('pushes', _('%s: the stack growing push by push') % ka, pushes_data(a)),
            Diagram('pushes', _('%s: the stack growing push by push') % kb, pushes_data(b)),
            steps_table(entry_rows, ka, kb, 'compare-entry')]),
        Section('dispatch', text('3. The dispatch, instruction by instruction'), [
            Paragraph((ka + ': ',) + how(a)), Paragraph((kb + ': ',) + how(b)),
            steps_table(dispatch_rows, ka, kb, 'compare-dispatch')]),
    ])
