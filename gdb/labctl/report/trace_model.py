# The report of a labctl-trace/1 capture (gdb/SCHEMA.md) as a document
# (doc.py): one section per phase of the call, in the order the CPU runs
# them, and the i386 entry beside the x86-64 one when the capture embeds
# both.  Every value comes from the capture; only the prose is written here.
import os

from labctl.report.doc import (Code, Diagram, Document, List, Paragraph, Section, Stepper, Verdict,
                               CodeBlock, cell, para, plain, table, text)
from labctl.report.lang import N_, _, capture_text

USER_TOP = 0x0000800000000000
STEP_HEAD = ('#', N_('address'), N_('symbol'), N_('instruction'), N_('line'), N_('source'), 'rsp',
             N_('stack'))


def num(v):
    """An address or word of the capture ("0x..." strings) as an int."""
    return int(v, 16) if isinstance(v, str) else v


def hx(v):
    return '0x%x' % num(v) if v is not None else '-'


def signed(v):
    v = num(v)
    return v - (1 << 64) if v >> 63 else v


def c_entry(cap):
    """The function the entry calls: the C entry, or the stub that jumps
    to it (6.x's int80_emulation)."""
    call = cap['entry']['call']
    return call.get('via') or call.get('target', 'do_syscall_64')


def field(cap, name):
    return next(f['value'] for f in cap['pt_regs']['fields'] if f['field'] == name)


def user_sym(cap, addr):
    """ADDR as function+offset in the traced program, from its ELF symbol."""
    prog = cap['setup']['program']
    base, size, addr = num(prog.get('function_addr')), prog.get('function_size'), num(addr)
    if base is not None and base <= addr < base + size:
        off = addr - base
        return prog['function'] + ('+0x%x' % off if off else '')
    return hx(addr)


def src(step):
    s = step.get('source')
    if not s:
        return '', ''
    return '%s:%d' % (os.path.basename(s['file']), s['line']), (s['text'] or '').strip()


def step_cells(cap, i, s):
    """Step S, number I of its table, as its row: what it did to the stack."""
    where, line = src(s)
    stack = ''
    if 'push' in s:
        p = s['push']
        stack = 'push %s' % hx(p['word'])
        if p.get('field'):
            stack += ' -> pt_regs->%s (+%d)' % (p['field'], p['offset'])
    elif 'pop' in s:
        p = s['pop']
        stack = 'pop %s' % hx(p['word'])
        if p.get('field'):
            stack += ' <- pt_regs->%s (+%d)' % (p['field'], p['offset'])
    elif 'store' in s:
        p = s['store']
        stack = 'store %s -> pt_regs->%s (+%d)' % (hx(p['word']), p['field'], p['offset'])
    copy = s.get('ran', {}).get('copy')
    if copy:
        stack = _('%s() copies %d bytes: %s -> %s') % (s['ran']['function'], copy['bytes'],
                                                       hx(copy['from']), hx(copy['to']))
    if 'gs_base' in s:
        stack += ' gs_base %s -> %s' % (hx(s['gs_base']['before']), hx(s['gs_base']['after']))
    if 'cr3' in s:
        stack += ' cr3 %s -> %s' % (hx(s['cr3']['before']), hx(s['cr3']['after']))
    rsp = hx(s['rsp_before'])
    if s['rsp_after'] != s['rsp_before']:
        rsp += ' -> ' + hx(s['rsp_after'])
    return (i, hx(s['pc']), s['symbol'] if num(s['pc']) >= USER_TOP else
            text('user: %s', user_sym(cap, s['pc'])), Code(s['insn']), where,
            Code(line) if line else '', rsp, stack.strip())


def steps_table(cap, steps, id):
    """One row per instruction stepped; ID names it for the stepper."""
    rows = [step_cells(cap, i, s) for i, s in enumerate(steps)]
    kinds = ['push' if 'push' in s or 'store' in s else 'pop' if 'pop' in s else None
             for s in steps]
    return table(map(_, STEP_HEAD), rows, kinds, id)


def pt_regs_slot(s):
    """The field of the call's struct pt_regs that step S wrote (push) or
    read back (pop), or None: a push onto the entry stack (i386) or the
    trampoline stack fills no slot of it, whatever its field says."""
    p = s.get('push') or s.get('pop')
    return p['field'] if p and p.get('field') and p.get('stack') != 'entry' else None


def stepper(cap):
    """The entry's steps then the return's, each with the row the tables
    show for it and the state of pt_regs after it: the slots pushed so far
    and those popped again (a pop reads a slot, the word stays)."""
    tables = [('steps-entry', cap['entry']['steps'])]
    if cap.get('return'):
        tables.append(('steps-return', cap['return']['steps']))
    lines = sorted({(s['source']['file'], s['source']['line']): (s['source']['text'] or '')
                    for _id, steps in tables for s in steps if s.get('source')}.items())
    where = {fl: i for i, (fl, _text) in enumerate(lines)}
    filled, popped, out = [], [], []
    for table_id, steps in tables:
        for row, s in enumerate(steps):
            slot = pt_regs_slot(s)
            if slot:
                (filled if 'push' in s else popped).append(slot)
            if s.get('ran', {}).get('copy'):   # 6.x's sync_regs fills all at once
                filled = [f['field'] for f in cap['pt_regs']['fields']]
            source = s.get('source')
            out.append({'table': table_id, 'row': row, 'slot': slot,
                        'cells': [plain(cell(c)) for c in step_cells(cap, row, s)],
                        'filled': list(filled), 'popped': list(popped),
                        'source': where[source['file'], source['line']] if source else None})
    return Stepper(tuple(map(_, STEP_HEAD)), out,
                   [(f, line, t) for (f, line), t in lines])


def guest_row(g):
    """How the guest started (none in captures from before labctl said)."""
    if not g:
        return []
    if g['started'] == 'booted':
        how = _('booted')
    elif g['step']:
        how = text('restored at step %s: saved there once, the steps before it run',
                   Code(g['step']))
    else:
        how = _('restored: saved once booted, before its scenario ran')
    return [(_('guest'), how)]


def setup(cap):
    st = cap['setup']
    sc = st['syscall']
    conf = ', '.join('%s=%s' % (k[7:], v if v is not None else 'n')
                     for k, v in st['kernel']['config'].items())
    t = st['sys_call_table']
    how = st.get('dispatch')
    f = cap['filter']
    return Section('setup', text('1. Setup'), [
        table(('', ''), [
            (_('kernel'), Code(st['kernel']['banner'])),
            (_('config'), conf),
            (_('accelerator'), st['accelerator']),
            *guest_row(st.get('guest')),
            (_('scenario'), st['scenario']),
            (_('program'), text('%s (in the guest: %s), function %s at %s',
                             Code(st['program']['path']), st['program']['exe'],
                             Code(st['program']['function']), hx(st['program']['function_addr']))),
            (_('ABI'), st.get('abi', 'x86_64')),
            (os.path.basename(sc.get('tbl_file', 'syscall_64.tbl')), text(
                'line %s: %s', sc.get('tbl_lineno', '?'), Code(' '.join(sc['tbl_line'].split())))),
            ('%s[%d]' % (t.get('name', 'sys_call_table'), sc['nr']), text(
                'at %s holds %s = %s', hx(t['entry_addr']), hx(t['handler']['addr']),
                Code(t['handler']['name']))) if t else
            (_('handler'), text('%s at %s, from %s\'s case for %d (this kernel builds no '
                               'table for this ABI)', Code(how['handler']['at']['name']),
                               hx(how['handler']['addr']), Code(how['switch']), sc['nr'])),
            ('struct pt_regs', text('%d bytes, %d fields (from DWARF)',
                                    st['pt_regs']['size'], len(st['pt_regs']['fields']))),
        ]),
        para('Filter: %s. Stops at the breakpoints %s: %d, rejected: %d.' if len(f['breakpoints']) > 1
             else 'Filter: %s. Stops at the breakpoint %s: %d, rejected: %d.',
             capture_text(f['strategy']), ', '.join(hx(a) for a in f['breakpoints']),
             f['stops'], f['rejected']),
        List([text('rejected: %s (pid %d, executable %s) at %s with rax = %d: %s',
                   r['comm'], r['pid'], r['exe'], hx(r['pc']), num(r['rax']),
                   capture_text(r['reason']))
              for r in f['rejected_sample']]),
    ])


def user(cap):
    u = cap['user']
    r = u['regs']
    a = u['args']
    blocks = [
        para('Task %s (pid %d, executable %s) stopped at %s = %s: %s; '
             'the kernel will return to %s = %s.',
             u['task']['comm'], u['task']['pid'], u['task']['exe'], hx(u['pc']),
             Code(user_sym(cap, u['pc'])), Code(u['insn']), hx(u['next_pc']),
             Code(user_sym(cap, u['next_pc']))),
        table((_('register'), _('value'), _('role')), [
            (x['reg'], hx(x['value']), capture_text(x['role'])) for x in u['abi_regs']] + [
            ('rsp', hx(r['rsp']), _('user stack pointer')),
            ('cs', hx(r['cs']), text('user code selector: GDT entry %d, DPL %d, 64-bit %s',
                                     num(r['cs']) >> 3, u['cs_descriptor']['dpl'],
                                     _('True' if u['cs_descriptor']['long_mode'] else 'False'))),
            ('ss', hx(r['ss']), text('user stack selector: GDT entry %d, DPL %d',
                                     num(r['ss']) >> 3, u['ss_descriptor']['dpl'])),
        ])]
    sc = a.get('socketcall')
    if sc:
        st = cap['setup'].get('socketcall', {})
        blocks.append(para(
            'socketcall: call = %d (%s in %s) = %s; its arguments are not in registers '
            'but in user memory at %s, read as %d-byte words (nas[] of net/compat.c): %s.',
            sc['call'], st.get('define', '?'), st.get('file', '?'), sc['name'],
            hx(sc['args_addr']), sc['word_size'], '[%s]' % ', '.join(hx(w) for w in sc['args'] or [])))
    if a.get('text'):
        blocks.append(para('The call as the kernel will decode it: %s.', Code(a['text'])))
    if 'sockaddr' in a:
        sa = a['sockaddr']
        desc = _('%s (family %d)') % (sa.get('family_name', '?'), sa['family'])
        if 'port' in sa:
            desc += _(', %s port %d') % (sa['address'], sa['port'])
        blocks.append(para('Arguments decoded: fd = %d; addr = %s -> %s (read from user memory: %s); '
                           'addrlen = %d.', a['fd'], hx(sa['addr']), desc,
                           Code(sa.get('bytes', '')), a['addrlen']))
    return Section('user', text('2. User side: the %s instruction', Code(' '.join(u['insn'].split()))),
                   blocks)


def entry(cap):
    e = cap['entry']
    call = e['call']
    where = '%s:%d' % (os.path.basename(call['source']['file']), call['source']['line']) \
        if call.get('source') else ''
    if call.get('args'):
        # as DWARF declares the C entry's parameters: their order changed in 5.13
        args = _(' and ').join('%s = %s%s (%s%s%s)' % (
            a['reg'], 'rsp = ' if a['value'] == call['rsp'] else '', hx(a['value']), a['type'],
            '' if a['type'].endswith('*') else ' ', a['name']) for a in call['args'])
    elif call.get('target') == 'do_int80_syscall_32':
        args = 'rdi = rsp = %s (struct pt_regs *)' % hx(call['rdi'])
    else:
        args = _('rdi = %s (the number) and rsi = rsp = %s (struct pt_regs *)') % (
            hx(call['rdi']), hx(call['rsi']))
    heading = text('3. Entry: %s to %s, instruction by instruction',
                   e['start']['name'], Code('call %s' % c_entry(cap)))
    via = para('%s jumps to %s, the C entry (first clearing the branch history, on CPUs that need it).',
               Code(call['via']), Code(call['target'])) if call.get('via') else None
    return Section('entry', heading, [
        Paragraph(hardware_frame_text(e.get('hardware_frame')) + stack_switch_text(e['stack_switch'])),
    ] + page_tables(e['steps']) + [
        Diagram('pushes', _('The stack growing push by push'), pushes_data(cap)),
        stepper(cap),
        Diagram('pt_regs', _('struct pt_regs as built'), pt_regs_data(cap)),
        steps_table(cap, e['steps'], 'steps-entry'),
        para('Then at %s (%s): %s with %s.', hx(call['pc']), where, Code(call['insn']), args),
    ] + ([via] if via else []))


def page_tables(steps):
    """The steps that load cr3: page table isolation's switches (none
    without it)."""
    out = []
    for i, s in enumerate(steps):
        if 'cr3' not in s:
            continue
        before, after = hx(s['cr3']['before']), hx(s['cr3']['after'])
        if num(s['cr3']['after']) < num(s['cr3']['before']):
            out.append(para('Step %d loads cr3: %s -> %s, the kernel\'s page tables. With page '
                            'table isolation the user\'s map little of the kernel beyond its '
                            'entry code; the kernel\'s own for this process are the page '
                            'before them (cr3\'s user bit, 0x1000, clear).', i, before, after))
        else:
            out.append(para('Step %d loads cr3: %s -> %s, the user\'s page tables again: from '
                            'here the kernel is mostly unmapped.', i, before, after))
    return out


def hardware_frame_text(hw):
    """What the CPU pushed by itself (int $0x80), or nothing (syscall)."""
    if not hw:
        return ()
    words = ', '.join('%s = %s' % (w['field'], hx(w['word'])) for w in reversed(hw['words']))
    return text('Step 0, %s: the CPU itself switched rsp from the user stack %s to %s, '
                'the top of the entry stack (TSS.sp0 = %s: %s), and pushed five words there, '
                'the tail of a struct pt_regs: %s. ', Code('int $0x80'),
                hx(hw['from_rsp']), hx(hw['frame_top']), hx(hw['tss_sp0']),
                _('the same') if hw['top_is_tss_sp0'] else _('NOT the same'), words)


def stack_switch_text(sw):
    if not sw:
        return text('No switch from a user stack to a kernel stack was seen.')
    saved = sw.get('user_rsp_saved')
    out = ()
    if saved and saved['step'] == 0:
        out = text('The user stack pointer %s is the word the CPU pushed (read back: %s). ',
                   hx(sw['user_rsp']), hx(saved['word']))
    elif saved:
        out = text('Step %d saves the user stack pointer %s in %s (read back: %s). ',
                   saved['step'], hx(sw['user_rsp']), Code(saved['slot']['name']), hx(saved['word']))
    top = sw.get('top_from')
    copy = sw.get('copy')
    if copy:
        # 6.x's int $0x80: pt_regs built on the entry stack, then copied
        return out + text(
            'struct pt_regs is built on the entry stack; %s copies its %d bytes from %s to %s, '
            'the top of the task\'s kernel stack (%s = %s) less its size (read back: %s). '
            'Step %d switches stacks: rsp = %s, onto the copy.',
            Code('sync_regs()'), copy['bytes'], hx(copy['from']), hx(copy['to']),
            Code(top['name']), hx(sw['kernel_stack_top']),
            _('the same bytes') if copy['equal'] else _('NOT the same bytes'),
            sw['step'], hx(copy['to']))
    return out + text('Step %d switches stacks: rsp = %s, the top of the task\'s kernel stack',
                      sw['step'], hx(sw['kernel_stack_top'])) + \
        (text(' read from %s', Code(top['name'])) if top else ()) + \
        text('; struct pt_regs is built downwards from there.')


def entry_pushes(cap):
    """The entry's pushes into pt_regs, in order."""
    return [s for s in cap['entry']['steps'] if 'push' in s and s['push']['field']]


def pushes_data(cap):
    """For the filmstrip: pt_regs' fields from the highest address down,
    and the field each push wrote, in order."""
    return {'fields': [f['field'] for f in reversed(cap['pt_regs']['fields'])],
            'pushes': [s['push']['field'] for s in entry_pushes(cap)]}


def pt_regs_data(cap):
    """For the stack drawing: pt_regs' slots from the highest address down,
    each with the push (number, instruction) that wrote it."""
    base = num(cap['pt_regs']['addr'])
    pushed = {s['push']['field']: (n + 1, s['insn']) for n, s in enumerate(entry_pushes(cap))}
    for s in cap['entry']['steps']:     # a store over a push's word wrote it last
        if s.get('store', {}).get('field') in pushed:
            pushed[s['store']['field']] = (pushed[s['store']['field']][0], s['insn'])
    sw = cap['entry']['stack_switch']
    slots = []
    for f in reversed(cap['pt_regs']['fields']):
        n, insn = pushed.get(f['field'], (None, None))
        slots.append({'addr': hx(base + f['offset']), 'offset': f['offset'], 'field': f['field'],
                      'value': hx(f['value']), 'push': n, 'insn': insn})
    return {'top': hx(sw['kernel_stack_top']) if sw else '', 'base': hx(base),
            'call': c_entry(cap), 'slots': slots}


def pt_regs(cap):
    p = cap['pt_regs']
    rows = [(f['offset'], f['field'], hx(f['value']), capture_text(f['meaning'] or ''))
            for f in p['fields']]
    return Section('pt_regs', text('4. struct pt_regs at %s (at %s)',
                                   Code('call %s' % c_entry(cap)), hx(p['addr'])),
                   [table((_('offset'), _('field'), _('value'), _('meaning')), rows)])


def bt_text(frames):
    """The backtrace as GDB's `bt` prints it.  "inlined into" only for a
    frame DWARF says was inlined (its caller is the next frame); a second
    ELF name at the same address is an alias, not inlining."""
    out = []
    for i, f in enumerate(frames):
        loc = ' at %s:%s' % (f['file'], f['line']) if f['file'] else ''
        name = f['function'] or '??'
        sym = f.get('symbol', '').split('+')[0]
        if f.get('inline'):
            outer = frames[i + 1]['function'] if i + 1 < len(frames) else sym
            name += ' (inlined into %s)' % outer
        elif f.get('alias'):
            name += ' (alias %s)' % sym
        elif sym and sym != name:
            name += ' (in symbol %s)' % sym
        out.append('#%d  %s in %s%s' % (i, hx(f['pc']), name, loc))
    return '\n'.join(out)


def stub(cap, st):
    """What a table entry from kernel/sys_ni.c means: not the call."""
    if not st:
        return []
    name = cap['setup']['syscall']['name']
    out = [para('This kernel was built without %s: the entry is an -ENOSYS stub of %s, '
                'not the call, and the trace below shows the stub.', Code(name), st['file'])]
    if st.get('defined_in') and st.get('option'):
        out.append(para('The call is defined in %s, which %s builds: set it in the kernel '
                        'configuration to trace the real call.', st['defined_in'],
                        Code(st['option'])))
    elif st.get('defined_in'):
        out.append(para('The call is defined in %s.', st['defined_in']))
    return out


def insns_text(insns):
    """Instructions as GDB's disassemble prints them."""
    return '\n'.join('%s <%s>:  %s' % (hx(x['addr']), x['at']['name'], x['asm']) for x in insns)


def how_dispatched(cap):
    """How the C entry reaches the handler, as its code shows it (setup's
    dispatch; captures before it was read say only what the table holds)."""
    how, table = cap['setup'].get('dispatch'), cap['dispatch']['table_entry']
    h = table['handler'] if table else how['handler']['at']
    if how and how['kind'] == 'switch':
        called = how['handler']['at'] if 'handler' in how else h
        out = [para('%s does not index a table: it calls %s, a switch on the number that '
                    'calls each handler directly (Linux 6.9, against Branch History '
                    'Injection; backported to 6.1 and 5.15).', Code(how['function']),
                    Code(how['switch'])),
               CodeBlock(insns_text(how['insns'])),
               para('Its case for %d reaches %s:', cap['setup']['syscall']['nr'],
                    Code(called['name'])),
               CodeBlock(insns_text(how['case']))]
        if table and called['addr'] != h['addr']:
            out.append(para('%s[%d], kept for tracing and not called, holds %s.',
                            table.get('name', 'sys_call_table'),
                            cap['setup']['syscall']['nr'], Code(h['name'])))
        return out
    out = [para('%s calls %s[%d] = %s (read from guest memory at %s).',
                c_entry(cap), cap['dispatch']['table_entry'].get('name', 'sys_call_table'),
                cap['setup']['syscall']['nr'], Code(h['name']),
                hx(cap['dispatch']['table_entry']['entry_addr']))]
    if how:
        out += [para('The instructions of %s that do it, from the return of the call before '
                     'them to the indirect call through the table:', Code(how['function'])),
                CodeBlock(insns_text(how['insns']))]
    return out


def regs_changed(cap):
    """What the C entry changed in struct pt_regs before the handler read it
    (6.x's do_int80_emulation: the number from ax to orig_ax)."""
    at_handler = cap['dispatch'].get('pt_regs')
    if not at_handler:
        return []
    before = {f['field']: f['value'] for f in cap['pt_regs']['fields']}
    changed = ', '.join('%s %s -> %s' % (f['field'], hx(before[f['field']]), hx(f['value']))
                        for f in at_handler['fields'] if num(f['value']) != num(before[f['field']]))
    if not changed:
        return []
    return [para('Before the handler runs, %s changed struct pt_regs: %s.',
                 Code(cap['entry']['call']['target']), changed)]


def dispatch(cap):
    d = cap['dispatch']
    blocks = how_dispatched(cap)
    blocks += stub(cap, (d['table_entry'] or cap['setup']['dispatch']).get('stub'))
    for hit in d['hits']:
        if hit['what'] == 'sleeps':
            blocks.append(para('The task sleeps: it calls %s and gives up the CPU until '
                               'something wakes it.', Code(hit['at']['name'])))
        elif hit['what'] == 'resched':
            r = d['handler_return']
            caller = hit['backtrace'][1]['function'] if len(hit['backtrace']) > 1 else '?'
            blocks.append(para('The handler has returned (rax = %d) to %s. On the way back '
                               'to user mode %s calls %s: the call is done, but another '
                               'task runs before this one returns.', r['signed'],
                               Code(r['at']['name']), Code(caller), Code(hit['at']['name'])))
        else:
            blocks.append(para('Breakpoint hit at %s (%s):', Code(hit['at']['name']), hit['what']))
        blocks.append(CodeBlock(bt_text(hit['backtrace'])))
        if hit['what'] == 'handler':
            blocks += regs_changed(cap)
    s = d.get('socket')
    if s and 'ops' in s:
        if s.get('proto_method'):
            prot = text('sk_prot->%s = %s', s['method'], Code(s['proto_method']['name']))
        else:
            prot = text('sk_prot->%s is NULL', s['method'])
        blocks.append(Paragraph(text(
            'The socket, read from the live task: fd %d -> struct file %s (f_op = %s) -> '
            'struct socket %s (%s, type %d) -> ops = %s, ops->%s = %s; '
            'sk %s (family %d) -> sk_prot = %s ("%s"), ',
            s['fd'], hx(s['file']), s['f_op']['name'], hx(s['socket']), s['state'],
            s['type'], Code(s['ops']['name']), s['method'], Code(s['ops_method']['name']),
            hx(s['sk']), s['family'], Code(s['proto']['name']), s['proto_name']) + prot + text('.')))
    if d['not_hit']:
        blocks.append(para('Not reached: %s.', ', '.join(d['not_hit'])))
    return Section('dispatch', text('5. Dispatch'), blocks)


def ret(cap):
    r = cap['return']
    c = r['checks']
    pm = c['pops_match_pushes']
    return Section('return', text('6. Return'), [
        para('%s returned to %s with rsp = %s; regs->ax = %s (%d).',
             c_entry(cap), hx(r['pc']), hx(r['rsp']), hx(r['regs_ax']), signed(r['regs_ax'])),
    ] + page_tables(r['steps']) + [
        steps_table(cap, r['steps'], 'steps-return'),
        para('Back in user mode through %s at %s = %s, rsp = %s, rax = %d, cs = %s, ss = %s.',
             r['path'], hx(r['user_pc']), Code(user_sym(cap, r['user_pc'])), hx(r['user_rsp']),
             signed(r['user_rax']), hx(r['user_cs']), hx(r['user_ss'])),
        table((_('check'), _('result')), [
            (_('kernel rsp after the C entry returns = rsp at the call (stack balanced)'),
             Verdict(c['stack_balanced'])),
            (text('user rip restored (the instruction after %s)', ' '.join(cap['user']['insn'].split())),
             Verdict(c['rip_restored'])),
            (_('user rsp restored'), Verdict(c['rsp_restored'])),
            (_('user rax = regs->ax'), Verdict(c['rax_is_regs_ax'])),
            (_('pt_regs sat at the top of the kernel stack (rsp at the call + sizeof = top)'),
             Verdict(c['pt_regs_at_stack_top'])),
            (_('pops read back the pushed words'), text('%s (%d checked, %d different)',
                                                     Verdict(pm['mismatched'] == 0),
                                                     pm['checked'], pm['mismatched'])),
        ]),
    ])


def child(cap):
    """The second return of a fork-like call: the child's."""
    ch = cap['child']
    parent = {f['field']: f['value'] for f in cap['pt_regs']['fields']}
    rows = [(f['field'], hx(parent.get(f['field'])), hx(f['value']))
            for f in ch['pt_regs']['fields'] if num(f['value']) != num(parent.get(f['field']))]
    ret_value = signed(cap['return']['regs_ax']) if cap.get('return') else None
    out = [para('%s returns twice. The child, pid %d, starts at %s with its own struct pt_regs '
                'at %s, on its own kernel stack: a copy of the parent\'s, which differs only in:',
                Code(cap['setup']['syscall']['name']), ch['task']['pid'], Code(ch['at']['name']),
                hx(ch['pt_regs']['addr'])),
           table((_('field'), _('parent (at the entry)'), _('child')), rows)]
    if 'user_pc' in ch:
        out.append(para('The child first returns to user mode at %s = %s with rax = %d and '
                        'rsp = %s: the instruction after the same %s, where the parent got %s.',
                        hx(ch['user_pc']), Code(user_sym(cap, ch['user_pc'])),
                        signed(ch['user_rax']), hx(ch['user_rsp']),
                        ' '.join(cap['user']['insn'].split()),
                        '-' if ret_value is None else str(ret_value)))
    return Section('child', text('7. The child: the second return'), out)


def frame_replaced(cap):
    """The words for a call that rewrote the user frame it returns to."""
    f = cap['end'].get('frame_replaced')
    if not f:
        return []
    s = f.get('signal')
    if s:
        value = '%d%s' % (s['saved_ax_signed'], ' (%s)' % s['errno'] if s['errno'] else '')
        ax = 'rax' if cap['setup']['abi'] == 'x86_64' else 'eax'
        return [para('On the way back to user mode the kernel delivered signal %d (%s): it saved '
                     'the call\'s user state in a signal frame (%s) at %s on the user stack, '
                     'with ip = %s and the call\'s return value %s = %s, and set pt_regs so '
                     'that the task runs the handler at %s first. The handler\'s return '
                     '(sigreturn) restores that frame: only then does the program see the '
                     'call return %s.', s['number'], s['name'] or '?',
                     Code(s.get('frame_type', 'struct rt_sigframe')), hx(s['frame']),
                     hx(s['saved_ip']), ax, value, Code(user_sym(cap, s['handler'])), value)]
    return [para('The call rewrote the user frame it returns to: pt_regs ip = %s, sp = %s, '
                 'cs = %s, ss = %s, where the call was made with the next instruction at %s '
                 'and rsp = %s. The exit path was not stepped; the task was followed to '
                 'where it ran next.', hx(f['ip']), hx(f['sp']), hx(f['cs']), hx(f['ss']),
                 hx(f['was_ip']), hx(f['was_sp']))]


def no_return(cap):
    """The end of a call that does not come back to the instruction after
    it: the task exited, or runs on in a frame the call wrote."""
    e = cap['end']
    if e.get('how') == 'user':
        return Section('end', text('6. Return to a new user frame'), frame_replaced(cap) + [
            para('The task next ran in user mode at %s (rsp = %s, cs = %s, ss = %s), running '
                 '%s: not the instruction after the call.', hx(e['user_pc']), hx(e['user_rsp']),
                 hx(e['user_cs']), hx(e['user_ss']), Code(e['exe'] or '?'))])
    if e['signal']:
        how = text('killed by signal %d (%s)', e['signal'], e['signal_name'] or '?')
    else:
        how = text('with exit status %d', e['status'])
    return Section('end', text('6. No return'), frame_replaced(cap) + [
        Paragraph(text('The task never comes back from this call: it exits, ') + how +
                  text(', in %s(%s) (the breakpoints above show who called it).',
                       Code('do_exit'), hx(e['code']))),
        para('%s then calls %s for the last time: the task is dead, its kernel stack is '
             'freed, and there is no %s for this call.', Code('do_task_dead'),
             Code('__schedule'), 'sysret' if cap['setup']['abi'] == 'x86_64' else 'iret')])


def table_cell(cap):
    t = cap['setup']['sys_call_table']
    if t:
        return '%s[%d]' % (t['name'], cap['setup']['syscall']['nr'])
    return text("none: %s's switch", cap['setup']['dispatch']['switch'])


def compare(cap):
    """The i386 entry beside the x86-64 one, each row from the two captures."""
    a, b = cap['compare'], cap     # x86-64, i386
    heading = text('7. The two ways in, side by side')
    if not a.get('ok'):
        return Section('compare', heading, [para('The x86-64 trace failed: %s', a.get('error'))])

    on_entry_stack = [s for s in b['entry']['steps'] if s.get('push', {}).get('stack') == 'entry']

    def pushes(c):
        return [s for s in c['entry']['steps'] if 'push' in s and s['push'].get('field')
                and s['push'].get('stack') != 'entry']

    def saved_by_cpu(c):
        hw = c['entry'].get('hardware_frame')
        if hw:
            return _('%d words on the entry stack (TSS.sp0 %s): %s') % (
                len(hw['words']), hx(hw['tss_sp0']),
                ', '.join('%s %s' % (w['field'], hx(w['word'])) for w in reversed(hw['words'])))
        return (_('nothing on a stack: rcx = the return address, r11 = rflags '
                  '(pt_regs cx = %s, r11 = %s; rsp unchanged by the instruction)') % (
                      hx(field(c, 'cx')), hx(field(c, 'r11'))) if c['user'] else '-')

    def number(c):
        # as the handler reads it: 6.x's i386 entry leaves -1 there until
        # do_int80_emulation moves the number in
        regs = (c.get('dispatch') or {}).get('pt_regs') or c['pt_regs']
        r = c['user']['abi_regs']
        return '%s = %d -> pt_regs->orig_ax = %d' % (
            r[0]['reg'], num(r[0]['value']),
            signed(next(f['value'] for f in regs['fields'] if f['field'] == 'orig_ax')))

    def args(c):
        return ', '.join('%s -> %s' % (x['reg'], f) for x, f in
                         zip(c['user']['abi_regs'][1:4], ('di', 'si', 'dx') if
                             c['setup'].get('abi', 'x86_64') == 'x86_64' else ('bx', 'cx', 'dx')))

    def switch(c):
        sw = c['entry']['stack_switch']
        if sw.get('copy'):
            return text('step %d: rsp = %s, onto the copy %s made', sw['step'],
                        hx(sw['copy']['to']), Code('sync_regs()'))
        return text('step %d: rsp = %s from %s', sw['step'], hx(sw['kernel_stack_top']),
                    Code((sw.get('top_from') or {}).get('name', '?')))

    def hits(c):
        return ' -> '.join(h['at']['name'] for h in c['dispatch']['hits'])

    def pushes_i386(c):
        if (c['entry']['stack_switch'] or {}).get('copy'):
            return _('%d on the entry stack, then %s copies the frame to the task\'s stack') % (
                len([s for s in on_entry_stack if s['push'].get('field')]), 'sync_regs()')
        if c['entry'].get('hardware_frame'):
            return _('%d (the first %d copy the CPU\'s frame and the %d words pushed on the '
                     'entry stack)') % (len(pushes(c)), len(c['entry']['hardware_frame']['words']) +
                                        len(on_entry_stack), len(on_entry_stack))
        return '%d' % len(pushes(c))

    def syscall(c):
        return '%s (%d)' % (c['setup']['syscall']['name'], c['setup']['syscall']['nr'])

    # A call that does not come back (exit, pause woken into a handler)
    # has an end, not a return (gdb/SCHEMA.md).
    def exit_steps(c):
        return '%d' % len(c['return']['steps']) if c.get('return') else '-'

    def back(c):
        if c.get('return'):
            return c['return']['path']
        e = c.get('end') or {}
        if e.get('how') == 'exit' and e.get('signal'):
            return text('killed by signal %d (%s)', e['signal'], e['signal_name'] or '?')
        if e.get('how') == 'exit':
            return text('with exit status %d', e['status'])
        return hx(e['user_pc']) if e.get('user_pc') else '-'

    bsc = b['setup'].get('socketcall')
    rows = [
        (_('instruction'), text('%s at %s', Code(a['user']['insn']), user_sym(a, a['user']['pc'])),
         text('%s at %s', Code(' '.join(b['user']['insn'].split())), user_sym(b, b['user']['pc']))),
        (_('system call'), '%s, %s' % (syscall(a), os.path.basename(a['setup']['syscall']['tbl_file'])),
         '%s%s, %s' % (syscall(b), ' call %d (%s)' % (bsc['call'], bsc['define']) if bsc else '',
                       os.path.basename(b['setup']['syscall']['tbl_file']))),
        (_('entry point'), a['entry']['start']['name'], b['entry']['start']['name']),
        (_('what the CPU saves by itself'), saved_by_cpu(a), saved_by_cpu(b)),
        (_('the user rsp'), text('saved by the entry code in %s', Code(
            (a['entry']['stack_switch']['user_rsp_saved'] or {}).get('slot', {}).get('name', '?'))),
         _('pushed by the CPU')),
        (_('switch to the task stack'), switch(a), switch(b)),
        (_('pt_regs pushes by the entry code'), '%d' % len(pushes(a)), pushes_i386(b)),
        (_('the number'), number(a), number(b)),
        (_('arguments 1-3'), args(a), args(b)),
        (_('C entry, called with pt_regs'), a['entry']['call']['target'], b['entry']['call']['target']),
        (_('handler table'), table_cell(a), table_cell(b)),
        (_('breakpoints hit'), hits(a), hits(b)),
        (_('instructions stepped: entry / exit'), '%d / %s' % (len(a['entry']['steps']), exit_steps(a)),
         '%d / %s' % (len(b['entry']['steps']), exit_steps(b))),
        (_('back to user mode'), back(a), back(b)),
    ]
    return Section('compare', heading, [
        para('The same call traced twice on this kernel: the x86-64 program (%s) '
             'and the i386 one (%s).', Code('syscall'), Code('int $0x80')),
        table(('', 'x86-64: %s' % a['setup']['program']['exe'],
               'i386: %s' % b['setup']['program']['exe']), rows)])


# Each section and the part of the capture it needs: a trace that failed
# has the parts it reached (gdb/SCHEMA.md).
SECTIONS = ((('setup', 'filter'), setup), (('user',), user), (('entry',), entry),
            (('pt_regs',), pt_regs), (('dispatch',), dispatch), (('return',), ret),
            (('end',), no_return), (('child',), child))


def incomplete(cap):
    return Section('incomplete', text('Incomplete trace'), [
        para('The trace did not finish: %s.', capture_text(cap.get('error', '?'))),
        para('The sections below are what it saw before that; they do not show the whole '
             'call, and no conclusion about the call should be drawn from them alone.')])


def build(cap):
    """The document, or None for a capture without setup (the trace ended
    before the call was made)."""
    if 'setup' not in cap:
        return None
    sc = cap['setup']['syscall']
    sections = [] if cap.get('ok') else [incomplete(cap)]
    sections += [make(cap) for keys, make in SECTIONS if all(cap.get(k) for k in keys)]
    if cap.get('compare'):
        sections.append(compare(cap))
    return Document(text('System call %s (%d) through Linux %s',
                         Code(sc['name']), sc['nr'], cap['setup']['kernel']['release']), sections)
