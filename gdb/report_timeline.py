# report.md and report.html of `labctl trace --timeline` (schema
# labctl-timeline/1, gdb/SCHEMA.md): each scenario's socket calls in order,
# a sequence diagram with one lane per program, and the protocol dispatch
# side by side across scenarios.  Every value comes from the captures.
import report as md
import report_html as rh

# What a call still in the kernel when the recording ended "returned".
UNFINISHED = 'still in the kernel'


def ms(scn, ev):
    """Guest time of EV since the scenario's first call, in ms (jiffies)."""
    hz = int(scn['setup']['kernel']['config'].get('CONFIG_HZ') or 0)
    first = scn['events'][0]['jiffies']
    return '%d' % ((ev['jiffies'] - first) * 1000 // hz) if hz else '-'


def syscall_text(ev):
    text = '%s (%d)' % (ev['syscall'], ev['nr'])
    sc = ev.get('socketcall')
    if sc:
        text += ' call %d' % sc['call']
    return text


def dispatch_text(ev):
    s = ev.get('socket')
    if not s:
        return ''
    if 'error' in s:
        return 'fd %d: %s' % (s['fd'], s['error'])
    parts = []
    if s.get('ops_method'):
        parts.append('%s.%s = %s' % (s['ops']['name'], s['method'], s['ops_method']['name']))
    else:
        parts.append('sock->ops = %s' % s['ops']['name'])
    if s.get('proto'):
        if s.get('proto_method'):
            parts.append('%s.%s = %s' % (s['proto']['name'], s['method'], s['proto_method']['name']))
        else:
            parts.append('sk_prot = %s ("%s")' % (s['proto']['name'], s['proto_name']))
    return ' -> '.join(parts)


def event_rows(scn):
    rows = []
    for ev in scn['events']:
        t = ev['task']
        rows.append((ev['seq'], ms(scn, ev), t['pid'], '%s (%s)' % (t['exe'], ev['step']),
                     syscall_text(ev), '`%s`' % ev['text'] if ev.get('text') else ev['call'],
                     ev.get('ret', UNFINISHED), dispatch_text(ev)))
    return rows


def scenario_md(scn):
    if not scn.get('ok'):
        return '## Scenario %s\n\nNo timeline: %s' % (scn['scenario'], scn.get('error'))
    abis = sorted({s['abi'] for s in scn['steps']})
    lines = ['## Scenario %s: %s' % (scn['scenario'], scn.get('description') or ''), '',
             'Kernel %s, %s; programs: %s. The scenario %s (status %s on the console). '
             'Breakpoints on the handlers of %d socket system calls; stops in other '
             'programs (boot, BusyBox), resumed at once: %d.' % (
                 scn['setup']['kernel']['release'], '/'.join(abis),
                 ', '.join('%s (%s, %s)' % (s['exe'], s['step'], s['abi']) for s in scn['steps']),
                 'finished' if scn['console']['status'] == 0 else 'did not finish cleanly',
                 scn['console']['status'], scn['setup']['handlers_watched'], scn['rejected_stops']), '',
             md.md_table(('#', 't (ms)', 'pid', 'program (step)', 'system call', 'call',
                          'returned', 'dispatched to (read from the live socket)'),
                         event_rows(scn))]
    calls = [ev['socketcall']['call'] for ev in scn['events'] if ev.get('socketcall')]
    if calls:
        lines += ['', 'socketcall call values in order: %s.' % ', '.join(map(str, calls))]
    if scn.get('unfinished'):
        by_seq = {ev['seq']: ev for ev in scn['events']}
        lines += ['', 'Calls still in the kernel when the recording ended (%s): %s.'
                  % (scn.get('ended') or 'the guest powered off',
                     ', '.join('%d (%s, %s)' % (n, by_seq[n]['task']['exe'], by_seq[n]['call'])
                               if n in by_seq else str(n) for n in scn['unfinished']))]
    return '\n'.join(lines)


def dispatch_matrix(doc):
    """Rows: each call (in order of first appearance); columns: scenarios."""
    scns = [s for s in doc['scenarios'] if s.get('ok')]
    order, cells = [], {}
    for i, scn in enumerate(scns):
        for ev in scn['events']:
            if ev['call'] not in order:
                order.append(ev['call'])
            text = dispatch_text(ev)
            if text:
                cells.setdefault((ev['call'], i), set()).add(text)
    rows = [[call] + [' / '.join(sorted(cells.get((call, i), ()))) or '-' for i in range(len(scns))]
            for call in order]
    return ['call'] + [s['scenario'] for s in scns], rows


def render_md(doc):
    parts = ['# Socket system calls, scenario by scenario'] + \
        [scenario_md(s) for s in doc['scenarios']]
    head, rows = dispatch_matrix(doc)
    parts.append('## Protocol dispatch side by side\n\nThe same calls reach different '
                 'implementations: struct socket\'s proto_ops and struct sock\'s proto, '
                 'read from the live sockets.\n\n' + md.md_table(head, rows))
    return '\n\n'.join(parts) + '\n'


def sequence_svg(h, scn):
    """One lane per program, one box per call, top to bottom in order."""
    lanes = [s['exe'] for s in scn['steps']]
    lane_w, row, top = 430, 24, 40
    width = lane_w * len(lanes) + 20
    height = top + row * len(scn['events']) + 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
           'aria-label="sequence of socket calls">' % (width, height)]
    for i, exe in enumerate(lanes):
        x = 10 + i * lane_w + lane_w // 2
        out.append('<text x="%d" y="20" font-size="13" text-anchor="middle" font-weight="bold">'
                   '%s</text>' % (x, rh.esc(h, exe)))
        out.append('<line x1="%d" y1="28" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 3"/>'
                   % (x, x, height - 10))
    for k, ev in enumerate(scn['events']):
        i = lanes.index(ev['task']['exe']) if ev['task']['exe'] in lanes else 0
        x = 10 + i * lane_w + 10
        y = top + k * row
        fill = '#ffe0e0' if isinstance(ev.get('ret'), int) and ev['ret'] < 0 else '#e3efff'
        label = '%d. %s = %s' % (ev['seq'], ev.get('text') or ev['call'], ev.get('ret', UNFINISHED))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#557"/>'
                   % (x, y, lane_w - 20, row - 4, fill))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>'
                   % (x + 6, y + 14, rh.esc(h, label if len(label) <= 58 else label[:55] + '...')))
    out.append('</svg>')
    return '\n'.join(out)


def render_html(doc, h):
    title = 'Socket system calls, scenario by scenario'
    body = ['<h1>%s</h1>' % rh.esc(h, title)]
    for scn in doc['scenarios']:
        sec = scenario_md(scn)
        head, _, rest = sec[3:].partition('\n')
        body.append('<h2>%s</h2>' % rh.esc(h, head))
        if scn.get('ok'):
            body.append('<h3>Sequence</h3>' + sequence_svg(h, scn))
        body.append(rh.md_block(h, rest))
    head, rows = dispatch_matrix(doc)
    body.append('<h2>Protocol dispatch side by side</h2>' + rh.table(h, head, rows))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>%s</title><style>%s</style></head><body>\n%s\n</body></html>\n'
            % (rh.esc(h, title), rh.CSS, '\n'.join(body)))
