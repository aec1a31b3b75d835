# report.html: one self-contained page (no scripts, no external files) with
# the report's tables and SVG diagrams of struct pt_regs being pushed.
# Used by report.py; every value comes from the capture.
import report as md

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 84em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .6em 0; }
td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code, pre, .mono { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
tr.push td { background: #eef6ff; } tr.pop td { background: #fff4e6; }
.ok { color: #080; font-weight: bold; } .bad { color: #c00; font-weight: bold; }
svg text { font-family: ui-monospace, monospace; }
"""


def esc(h, v):
    return h.escape(str(v))


def table(h, head, rows, classes=None):
    out = ['<table><tr>' + ''.join('<th>%s</th>' % esc(h, c) for c in head) + '</tr>']
    for i, r in enumerate(rows):
        cls = ' class="%s"' % classes[i] if classes and classes[i] else ''
        out.append('<tr%s>' % cls + ''.join('<td>%s</td>' % esc(h, c).replace('`', '')
                                           for c in r) + '</tr>')
    return '\n'.join(out) + '</table>'


def stack_svg(h, cap):
    """struct pt_regs as the entry built it: one slot per field, highest
    address on top, each labelled with the push that wrote it."""
    fields = cap['pt_regs']['fields']
    base = md.num(cap['pt_regs']['addr'])
    pushes = {}
    for n, s in enumerate(x for x in cap['entry']['steps'] if 'push' in x and x['push']['field']):
        pushes[s['push']['field']] = (n + 1, s)
    row, width = 22, 760
    top = md.num(cap['entry']['stack_switch']['kernel_stack_top']) if cap['entry']['stack_switch'] else None
    height = row * (len(fields) + 2) + 10
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
           'aria-label="struct pt_regs on the kernel stack">' % (width, height)]
    y = 10
    out.append('<text x="10" y="%d" font-size="12">%s = top of the kernel stack '
               '(higher addresses)</text>' % (y + 14, esc(h, md.hx(top)) if top else ''))
    y += row
    for f in reversed(fields):
        n, s = pushes.get(f['field'], (None, None))
        fill = '#cfe3ff' if n else '#eee'
        out.append('<rect x="150" y="%d" width="360" height="%d" fill="%s" stroke="#557"/>'
                   % (y, row, fill))
        out.append('<text x="10" y="%d" font-size="11">%s</text>' % (
            y + 15, esc(h, md.hx(base + f['offset']))))
        out.append('<text x="158" y="%d" font-size="12">+%-3d %-8s %s</text>' % (
            y + 15, f['offset'], esc(h, f['field']), esc(h, md.hx(f['value']))))
        if n:
            out.append('<text x="520" y="%d" font-size="11">push #%d: %s</text>' % (
                y + 15, n, esc(h, s['insn'])))
        y += row
    out.append('<text x="10" y="%d" font-size="12">rsp = %s at call do_syscall_64: '
               '&amp;pt_regs (lower addresses)</text>' % (y + 14, esc(h, md.hx(base))))
    out.append('</svg>')
    return '\n'.join(out)


def filmstrip_svg(h, cap):
    """The stack after each push: column k shows the slots written by the
    first k pushes, the red line is rsp."""
    fields = cap['pt_regs']['fields']
    steps = [s for s in cap['entry']['steps'] if 'push' in s and s['push']['field']]
    cell, gap, left, topm = 12, 10, 60, 30
    n = len(fields)
    width = left + len(steps) * (cell + gap) + 20
    height = topm + n * cell + 40
    order = [f['field'] for f in reversed(fields)]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
           'aria-label="the stack growing push by push">' % (width, height)]
    for i, name in enumerate(order):
        out.append('<text x="4" y="%d" font-size="9">%s</text>' % (topm + i * cell + 10, esc(h, name)))
    written = set()
    for k, s in enumerate(steps):
        written.add(s['push']['field'])
        x = left + k * (cell + gap)
        out.append('<text x="%d" y="%d" font-size="9">%d</text>' % (x, topm - 8, k + 1))
        for i, name in enumerate(order):
            fill = '#3a7bd5' if name == s['push']['field'] else '#cfe3ff' if name in written else '#f4f4f4'
            out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#999" '
                       'stroke-width="0.5"/>' % (x, topm + i * cell, cell, cell, fill))
        y = topm + (order.index(s['push']['field']) + 1) * cell
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d00" stroke-width="2"/>'
                   % (x - 2, y, x + cell + 2, y))
    out.append('<text x="%d" y="%d" font-size="10">push number; dark: the slot written by that '
               'push, red: rsp after it</text>' % (left, topm + n * cell + 20))
    out.append('</svg>')
    return '\n'.join(out)


def steps_table(h, cap, steps):
    rows = md.step_rows(cap, steps)
    classes = ['push' if 'push' in s else 'pop' if 'pop' in s else '' for s in steps]
    return table(h, ('#', 'address', 'symbol', 'instruction', 'line', 'source', 'rsp', 'stack'),
                 rows, classes)


def render_html(cap, h):
    sc = cap['setup']['syscall']
    title = 'System call %s (%d) through Linux %s' % (sc['name'], sc['nr'],
                                                     cap['setup']['kernel']['release'])
    md_text = md.render_md(cap)
    sections = md_text.split('\n## ')[1:]
    body = ['<h1>%s</h1>' % esc(h, title)]
    for sec in sections:
        head, _, rest = sec.partition('\n')
        body.append('<h2>%s</h2>' % esc(h, head.replace('`', '')))
        if head.startswith('3.'):
            body.append('<p>%s</p>' % esc(h, rest.strip().split('\n')[0]))
            body.append('<h3>The stack growing push by push</h3>' + filmstrip_svg(h, cap))
            body.append('<h3>struct pt_regs as built</h3>' + stack_svg(h, cap))
            body.append(steps_table(h, cap, cap['entry']['steps']))
            body.append('<p>%s</p>' % esc(h, rest.strip().split('\n')[-1]).replace('`', ''))
        elif head.startswith('6.'):
            r = cap['return']
            body.append('<p>%s</p>' % esc(h, rest.strip().split('\n')[0]).replace('`', ''))
            body.append(steps_table(h, cap, r['steps']))
            body.append(md_block(h, '\n'.join(rest.strip().split('\n')[1:]).split('\n\n', 2)[-1]))
        else:
            body.append(md_block(h, rest))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<title>%s</title><style>%s</style></head><body>\n%s\n</body></html>\n'
            % (esc(h, title), CSS, '\n'.join(body)))


def md_block(h, text):
    """The small Markdown subset report.py writes: tables, code blocks, paragraphs."""
    out, lines, i = [], text.strip().split('\n'), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('```'):
            j = i + 1
            while j < len(lines) and not lines[j].startswith('```'):
                j += 1
            out.append('<pre>%s</pre>' % esc(h, '\n'.join(lines[i + 1:j])))
            i = j + 1
        elif line.startswith('|'):
            j = i
            while j < len(lines) and lines[j].startswith('|'):
                j += 1
            cells = [[c.strip().replace('\\|', '|') for c in row.strip('|').split(' | ')]
                     for k, row in enumerate(lines[i:j]) if k != 1]
            rows = [[c.strip('| ').replace('**', '') for c in r] for r in cells]
            html = table(h, rows[0], rows[1:])
            html = html.replace('<td>yes', '<td class="ok">yes').replace('<td>NO', '<td class="bad">NO')
            out.append(html)
            i = j
        elif line.strip():
            j = i
            while j < len(lines) and lines[j].strip() and not lines[j].startswith(('|', '```')):
                j += 1
            out.append('<p>%s</p>' % esc(h, ' '.join(lines[i:j])).replace('`', ''))
            i = j
        else:
            i += 1
    return '\n'.join(out)
