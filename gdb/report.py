#!/usr/bin/env python3
# Render a lab-trace capture (gdb/SCHEMA.md) as report.md and report.html.
# lab-trace calls write_reports() once the capture is written; run by hand it
# renders a saved capture again:
#   python3 report.py CAPTURE.json OUTDIR FORMATS      (FORMATS: md,json,html)
# It only reads the JSON, never GDB.  Every value shown comes from the
# capture; only the prose is written here.
import html
import json
import os
import sys

SUPPORTED = ('labctl-trace/1', 'labctl-timeline/1')
USER_TOP = 0x0000800000000000


def num(v):
    """An address or word of the capture ("0x..." strings) as an int."""
    return int(v, 16) if isinstance(v, str) else v


def hx(v):
    return '0x%x' % num(v) if v is not None else '-'


def signed(v):
    v = num(v)
    return v - (1 << 64) if v >> 63 else v


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


def md_table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        out.append('| ' + ' | '.join(str(c).replace('|', '\\|') for c in r) + ' |')
    return '\n'.join(out)


def step_rows(cap, steps):
    rows = []
    for i, s in enumerate(steps):
        where, text = src(s)
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
        if 'gs_base' in s:
            stack += ' gs_base %s -> %s' % (hx(s['gs_base']['before']), hx(s['gs_base']['after']))
        rsp = hx(s['rsp_before'])
        if s['rsp_after'] != s['rsp_before']:
            rsp += ' -> ' + hx(s['rsp_after'])
        rows.append((i, hx(s['pc']), s['symbol'] if num(s['pc']) >= USER_TOP else
                     'user: ' + user_sym(cap, s['pc']), '`%s`' % s['insn'], where,
                     '`%s`' % text if text else '', rsp, stack.strip()))
    return rows


def section_setup(cap):
    st = cap['setup']
    sc = st['syscall']
    conf = ', '.join('%s=%s' % (k[7:], v if v is not None else 'n')
                     for k, v in st['kernel']['config'].items())
    t = st['sys_call_table']
    f = cap['filter']
    return '\n'.join([
        '## 1. Setup', '',
        md_table(('', ''), [
            ('kernel', '`%s`' % st['kernel']['banner']),
            ('config', conf),
            ('accelerator', st['accelerator']),
            ('scenario', st['scenario']),
            ('program', '`%s` (in the guest: %s), function `%s` at %s' % (
                st['program']['path'], st['program']['exe'], st['program']['function'],
                hx(st['program']['function_addr']))),
            ('ABI', st.get('abi', 'x86_64')),
            (os.path.basename(sc.get('tbl_file', 'syscall_64.tbl')), 'line %s: `%s`' % (
                sc.get('tbl_lineno', '?'), ' '.join(sc['tbl_line'].split()))),
            ('%s[%d]' % (t.get('name', 'sys_call_table'), sc['nr']), 'at %s holds %s = `%s`' % (
                hx(t['entry_addr']), hx(t['handler']['addr']), t['handler']['name'])),
            ('struct pt_regs', '%d bytes, %d fields (from DWARF)' % (
                st['pt_regs']['size'], len(st['pt_regs']['fields']))),
        ]), '',
        'Filter: %s. Stops at the breakpoint%s: %d, rejected: %d.\n' % (
            f['strategy'], 's ' + ', '.join(hx(a) for a in f['breakpoints'])
            if len(f['breakpoints']) > 1 else ' ' + hx(f['breakpoints'][0]),
            f['stops'], f['rejected']),
    ] + ['- rejected: %s (pid %d, executable %s) at %s with rax = %d: %s' % (
        r['comm'], r['pid'], r['exe'], hx(r['pc']), num(r['rax']), r['reason'])
        for r in f['rejected_sample']])


def section_user(cap):
    u = cap['user']
    r = u['regs']
    a = u['args']
    lines = ['## 2. User side: the `%s` instruction' % ' '.join(u['insn'].split()), '',
             'Task %s (pid %d, executable %s) stopped at %s = `%s`: `%s`; '
             'the kernel will return to %s = `%s`.' % (
                 u['task']['comm'], u['task']['pid'], u['task']['exe'], hx(u['pc']),
                 user_sym(cap, u['pc']), u['insn'], hx(u['next_pc']),
                 user_sym(cap, u['next_pc'])), '',
             md_table(('register', 'value', 'role'), [
                 (x['reg'], hx(x['value']), x['role']) for x in u['abi_regs']] + [
                 ('rsp', hx(r['rsp']), 'user stack pointer'),
                 ('cs', hx(r['cs']), 'user code selector: GDT entry %d, DPL %d, 64-bit %s' % (
                     num(r['cs']) >> 3, u['cs_descriptor']['dpl'], u['cs_descriptor']['long_mode'])),
                 ('ss', hx(r['ss']), 'user stack selector: GDT entry %d, DPL %d' % (
                     num(r['ss']) >> 3, u['ss_descriptor']['dpl'])),
             ])]
    sc = a.get('socketcall')
    if sc:
        st = cap['setup'].get('socketcall', {})
        lines += ['', 'socketcall: call = %d (%s in %s) = %s; its arguments are not in registers '
                  'but in user memory at %s, read as %d-byte words (nas[] of net/compat.c): %s.' % (
                      sc['call'], st.get('define', '?'), st.get('file', '?'), sc['name'],
                      hx(sc['args_addr']), sc['word_size'], '[%s]' % ', '.join(hx(w) for w in sc['args'] or []))]
    if a.get('text'):
        lines += ['', 'The call as the kernel will decode it: `%s`.' % a['text']]
    if 'sockaddr' in a:
        sa = a['sockaddr']
        desc = '%s (family %d)' % (sa.get('family_name', '?'), sa['family'])
        if 'port' in sa:
            desc += ', %s port %d' % (sa['address'], sa['port'])
        lines += ['', 'Arguments decoded: fd = %d; addr = %s -> %s (read from user memory: `%s`); '
                  'addrlen = %d.' % (a['fd'], hx(sa['addr']), desc, sa.get('bytes', ''), a['addrlen'])]
    return '\n'.join(lines)


def section_entry(cap):
    e = cap['entry']
    sw = e['stack_switch']
    call = e['call']
    where = '%s:%d' % (os.path.basename(call['source']['file']), call['source']['line']) \
        if call.get('source') else ''
    return '\n'.join([
        '## 3. Entry: %s to `call %s`, instruction by instruction' % (
            e['start']['name'], call.get('target', 'do_syscall_64')), '',
        hardware_frame_text(e.get('hardware_frame')) + stack_switch_text(sw), '',
        md_table(('#', 'address', 'symbol', 'instruction', 'line', 'source', 'rsp', 'stack'),
                 step_rows(cap, e['steps'])), '',
        'Then at %s (%s): `%s` with %s.' % (
            hx(call['pc']), where, call['insn'],
            'rdi = rsp = %s (struct pt_regs *)' % hx(call['rdi'])
            if call.get('target') == 'do_int80_syscall_32' else
            'rdi = %s (the number) and rsi = rsp = %s (struct pt_regs *)' % (
                hx(call['rdi']), hx(call['rsi']))),
    ])


def hardware_frame_text(hw):
    """What the CPU pushed by itself (int $0x80), or nothing (syscall)."""
    if not hw:
        return ''
    words = ', '.join('%s = %s' % (w['field'], hx(w['word'])) for w in reversed(hw['words']))
    return ('Step 0, `int $0x80`: the CPU itself switched rsp from the user stack %s to %s, '
            'the top of the entry stack (TSS.sp0 = %s: %s), and pushed five words there, '
            'the tail of a struct pt_regs: %s. ' % (
                hx(hw['from_rsp']), hx(hw['frame_top']), hx(hw['tss_sp0']),
                'the same' if hw['top_is_tss_sp0'] else 'NOT the same', words))


def stack_switch_text(sw):
    if not sw:
        return 'No switch from a user stack to a kernel stack was seen.'
    saved = sw.get('user_rsp_saved')
    text = ''
    if saved and saved['step'] == 0:
        text = 'The user stack pointer %s is the word the CPU pushed (read back: %s). ' % (
            hx(sw['user_rsp']), hx(saved['word']))
    elif saved:
        text = 'Step %d saves the user stack pointer %s in `%s` (read back: %s). ' % (
            saved['step'], hx(sw['user_rsp']), saved['slot']['name'], hx(saved['word']))
    top = sw.get('top_from')
    return text + ('Step %d switches stacks: rsp = %s, the top of the task\'s kernel stack%s; '
                   'struct pt_regs is built downwards from there.' % (
                       sw['step'], hx(sw['kernel_stack_top']),
                       ' read from `%s`' % top['name'] if top else ''))


def section_regs(cap):
    p = cap['pt_regs']
    rows = [(f['offset'], f['field'], hx(f['value']), f['meaning'] or '') for f in p['fields']]
    return '\n'.join(['## 4. struct pt_regs at `call %s` (at %s)' % (
        cap['entry']['call'].get('target', 'do_syscall_64'), hx(p['addr'])), '',
                      md_table(('offset', 'field', 'value', 'meaning'), rows)])


def bt_text(frames):
    out = []
    for i, f in enumerate(frames):
        loc = ' at %s:%s' % (f['file'], f['line']) if f['file'] else ''
        sym = f.get('symbol', '').split('+')[0]
        name = f['function'] or '??'
        if f.get('inline') or (sym and sym != name):
            name += ' (inlined in %s)' % sym
        out.append('#%d  %s in %s%s' % (i, hx(f['pc']), name, loc))
    return '\n'.join(out)


def section_dispatch(cap):
    d = cap['dispatch']
    h = d['table_entry']['handler']
    lines = ['## 5. Dispatch', '',
             '%s calls %s[%d] = `%s` (read from guest memory at %s).' % (
                 cap['entry']['call'].get('target', 'do_syscall_64'),
                 d['table_entry'].get('name', 'sys_call_table'),
                 cap['setup']['syscall']['nr'], h['name'], hx(d['table_entry']['entry_addr']))]
    for hit in d['hits']:
        lines += ['', 'Breakpoint hit at `%s` (%s):' % (hit['at']['name'], hit['what']), '',
                  '```', bt_text(hit['backtrace']), '```']
    s = d.get('socket')
    if s and 'ops' in s:
        lines += ['', 'The socket, read from the live task: fd %d -> struct file %s (f_op = %s) -> '
                  'struct socket %s (%s, type %d) -> ops = `%s`, ops->%s = `%s`; '
                  'sk %s (family %d) -> sk_prot = `%s` ("%s"), %s.' % (
                      s['fd'], hx(s['file']), s['f_op']['name'], hx(s['socket']), s['state'],
                      s['type'], s['ops']['name'], s['method'], s['ops_method']['name'],
                      hx(s['sk']), s['family'], s['proto']['name'], s['proto_name'],
                      'sk_prot->%s = `%s`' % (s['method'], s['proto_method']['name'])
                      if s.get('proto_method') else 'sk_prot->%s is NULL' % s['method'])]
    if d['not_hit']:
        lines += ['', 'Not reached: ' + ', '.join(d['not_hit']) + '.']
    return '\n'.join(lines)


def section_return(cap):
    r = cap['return']
    c = r['checks']
    pm = c['pops_match_pushes']
    ok = lambda b: 'yes' if b else '**NO**'  # noqa: E731
    return '\n'.join([
        '## 6. Return', '',
        '%s returned to %s with rsp = %s; regs->ax = %s (%d).' % (
            cap['entry']['call'].get('target', 'do_syscall_64'),
            hx(r['pc']), hx(r['rsp']), hx(r['regs_ax']), signed(r['regs_ax'])), '',
        md_table(('#', 'address', 'symbol', 'instruction', 'line', 'source', 'rsp', 'stack'),
                 step_rows(cap, r['steps'])), '',
        'Back in user mode through %s at %s = `%s`, rsp = %s, rax = %d, cs = %s, ss = %s.' % (
            r['path'], hx(r['user_pc']), user_sym(cap, r['user_pc']), hx(r['user_rsp']),
            signed(r['user_rax']), hx(r['user_cs']), hx(r['user_ss'])), '',
        md_table(('check', 'result'), [
            ('kernel rsp after the C entry returns = rsp at the call (stack balanced)',
             ok(c['stack_balanced'])),
            ('user rip restored (the instruction after %s)' % ' '.join(cap['user']['insn'].split()),
             ok(c['rip_restored'])),
            ('user rsp restored', ok(c['rsp_restored'])),
            ('user rax = regs->ax', ok(c['rax_is_regs_ax'])),
            ('pt_regs sat at the top of the kernel stack (rsp at the call + sizeof = top)',
             ok(c['pt_regs_at_stack_top'])),
            ('pops read back the pushed words', '%s (%d checked, %d different)' % (
                ok(pm['mismatched'] == 0), pm['checked'], pm['mismatched'])),
        ]),
    ])


def section_compare(cap):
    """The i386 entry beside the x86-64 one, each row from the two captures."""
    a, b = cap['compare'], cap     # x86-64, i386
    if not a.get('ok'):
        return '## 7. The two ways in, side by side\n\nThe x86-64 trace failed: %s' % a.get('error')

    entry_pushes = [s for s in b['entry']['steps'] if s.get('push', {}).get('stack') == 'entry']

    def pushes(c):
        return [s for s in c['entry']['steps'] if 'push' in s and s['push'].get('field')
                and s['push'].get('stack') != 'entry']

    def saved_by_cpu(c):
        hw = c['entry'].get('hardware_frame')
        if hw:
            return '%d words on the entry stack (TSS.sp0 %s): %s' % (
                len(hw['words']), hx(hw['tss_sp0']),
                ', '.join('%s %s' % (w['field'], hx(w['word'])) for w in reversed(hw['words'])))
        u = c['user']
        return ('nothing on a stack: rcx = the return address, r11 = rflags '
                '(pt_regs cx = %s, r11 = %s; rsp unchanged by the instruction)' % (
                    hx(field(c, 'cx')), hx(field(c, 'r11'))) if u else '-')

    def number(c):
        r = c['user']['abi_regs']
        return '%s = %d -> pt_regs->orig_ax = %d' % (r[0]['reg'], num(r[0]['value']),
                                                    num(field(c, 'orig_ax')))

    def args(c):
        return ', '.join('%s -> %s' % (x['reg'], f) for x, f in
                         zip(c['user']['abi_regs'][1:4], ('di', 'si', 'dx') if
                             c['setup'].get('abi', 'x86_64') == 'x86_64' else ('bx', 'cx', 'dx')))

    def switch(c):
        sw = c['entry']['stack_switch']
        return 'step %d: rsp = %s from `%s`' % (sw['step'], hx(sw['kernel_stack_top']),
                                                 (sw.get('top_from') or {}).get('name', '?'))

    def hits(c):
        return ' -> '.join(h['at']['name'] for h in c['dispatch']['hits'])

    rows = [
        ('instruction', '`%s` at %s' % (a['user']['insn'], user_sym(a, a['user']['pc'])),
         '`%s` at %s' % (' '.join(b['user']['insn'].split()), user_sym(b, b['user']['pc']))),
        ('system call', '%s (%d), %s' % (a['setup']['syscall']['name'], a['setup']['syscall']['nr'],
                                         os.path.basename(a['setup']['syscall']['tbl_file'])),
         '%s (%d)%s, %s' % (b['setup']['syscall']['name'], b['setup']['syscall']['nr'],
                            ' call %d (%s)' % (b['setup']['socketcall']['call'],
                                               b['setup']['socketcall']['define'])
                            if b['setup'].get('socketcall') else '',
                            os.path.basename(b['setup']['syscall']['tbl_file']))),
        ('entry point', a['entry']['start']['name'], b['entry']['start']['name']),
        ('what the CPU saves by itself', saved_by_cpu(a), saved_by_cpu(b)),
        ('the user rsp', 'saved by the entry code in `%s`' % (
            a['entry']['stack_switch']['user_rsp_saved'] or {}).get('slot', {}).get('name', '?'),
         'pushed by the CPU'),
        ('switch to the task stack', switch(a), switch(b)),
        ('pt_regs pushes by the entry code', '%d' % len(pushes(a)), '%d (the first %d copy the CPU\'s '
         'frame and the %d words pushed on the entry stack)' % (
             len(pushes(b)), len(b['entry']['hardware_frame']['words']) + len(entry_pushes),
             len(entry_pushes))
         if b['entry'].get('hardware_frame') else '%d' % len(pushes(b))),
        ('the number', number(a), number(b)),
        ('arguments 1-3', args(a), args(b)),
        ('C entry, called with pt_regs', a['entry']['call']['target'], b['entry']['call']['target']),
        ('handler table', '%s[%d]' % (a['setup']['sys_call_table']['name'], a['setup']['syscall']['nr']),
         '%s[%d]' % (b['setup']['sys_call_table']['name'], b['setup']['syscall']['nr'])),
        ('breakpoints hit', hits(a), hits(b)),
        ('instructions stepped: entry / exit', '%d / %d' % (len(a['entry']['steps']), len(a['return']['steps'])),
         '%d / %d' % (len(b['entry']['steps']), len(b['return']['steps']))),
        ('back to user mode', a['return']['path'], b['return']['path']),
    ]
    return '\n'.join(['## 7. The two ways in, side by side', '',
                      'The same call traced twice on this kernel: the x86-64 program '
                      '(`syscall`) and the i386 one (`int $0x80`).', '',
                      md_table(('', 'x86-64: %s' % a['setup']['program']['exe'],
                                'i386: %s' % b['setup']['program']['exe']), rows)])


def field(cap, name):
    return next(f['value'] for f in cap['pt_regs']['fields'] if f['field'] == name)


def render_md(cap):
    sc = cap['setup']['syscall']
    parts = ['# System call `%s` (%d) through Linux %s' % (
        sc['name'], sc['nr'], cap['setup']['kernel']['release']),
        section_setup(cap), section_user(cap), section_entry(cap), section_regs(cap),
        section_dispatch(cap), section_return(cap)]
    if cap.get('compare'):
        parts.append(section_compare(cap))
    return '\n\n'.join(parts) + '\n'


def write_atomic(path, text):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def write_reports(cap, outdir, formats):
    """report.md and/or report.html in OUTDIR from the capture CAP."""
    if cap.get('schema') not in SUPPORTED:
        raise ValueError('unknown capture schema %r' % cap.get('schema'))
    if cap['schema'] == 'labctl-timeline/1':
        import report_timeline as tl
        to_md, to_html = tl.render_md, tl.render_html
    else:
        from report_html import render_html as to_html
        to_md = render_md
    if 'md' in formats:
        write_atomic(os.path.join(outdir, 'report.md'), to_md(cap))
    if 'html' in formats:
        write_atomic(os.path.join(outdir, 'report.html'), to_html(cap, html))


def main(argv):
    if len(argv) != 4:
        sys.exit('usage: report.py CAPTURE.json OUTDIR FORMATS')
    with open(argv[1]) as f:
        cap = json.load(f)
    try:
        write_reports(cap, argv[2], argv[3].split(','))
    except ValueError as e:
        sys.exit('report.py: %s' % e)


if __name__ == '__main__':
    main(sys.argv)
