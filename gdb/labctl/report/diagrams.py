# The SVG drawings of report.html, each from the data of a Diagram block
# (doc.py): values arrive formatted by the model, only the layout is here.
from html import escape

from labctl.report.lang import _


def svg(width, height, label, parts):
    return '\n'.join(['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
                      'aria-label="%s">' % (width, height, escape(label))] + parts + ['</svg>'])


def pt_regs(d):
    """struct pt_regs as the entry built it: one slot per field, highest
    address on top, each labelled with the push that wrote it."""
    row, width = 22, 760
    height = row * (len(d['slots']) + 2) + 10
    y = 10
    out = ['<text x="10" y="%d" font-size="12">%s</text>' % (
        y + 14, escape(_('%s = top of the kernel stack (higher addresses)') % d['top']))]
    y += row
    for s in d['slots']:
        # one group per slot, named by its field: report.html's stepper
        # (html.py) fills and empties it as the steps go
        out.append('<g data-field="%s">' % escape(s['field']))
        out.append('<rect x="150" y="%d" width="360" height="%d" fill="%s" stroke="#557"/>'
                   % (y, row, '#cfe3ff' if s['push'] else '#eee'))
        out.append('<text x="10" y="%d" font-size="11">%s</text>' % (y + 15, escape(s['addr'])))
        # the word apart: before its push the stepper shows no value there
        out.append('<text x="158" y="%d" font-size="12">%s <tspan class="word">%s</tspan></text>'
                   % (y + 15, escape('+%-3d %-8s' % (s['offset'], s['field'])),
                      escape(s['value'])))
        if s['push']:
            out.append('<text class="by" x="520" y="%d" font-size="11">push #%d: %s</text>' % (
                y + 15, s['push'], escape(s['insn'])))
        out.append('</g>')
        y += row
    out.append('<text x="10" y="%d" font-size="12">%s</text>' % (y + 14, escape(
        _('rsp = %s at call %s: &pt_regs (lower addresses)') % (d['base'], d['call']))))
    return svg(width, height, _('struct pt_regs on the kernel stack'), out)


def pushes(d):
    """The stack after each push: column k shows the slots written by the
    first k pushes, the red line is rsp."""
    cell, gap, left, topm = 12, 10, 60, 30
    order = d['fields']
    width = left + len(d['pushes']) * (cell + gap) + 20
    height = topm + len(order) * cell + 40
    out = ['<text x="4" y="%d" font-size="9">%s</text>' % (topm + i * cell + 10, escape(name))
           for i, name in enumerate(order)]
    written = set()
    for k, pushed in enumerate(d['pushes']):
        written.add(pushed)
        x = left + k * (cell + gap)
        out.append('<text x="%d" y="%d" font-size="9">%d</text>' % (x, topm - 8, k + 1))
        for i, name in enumerate(order):
            fill = '#3a7bd5' if name == pushed else '#cfe3ff' if name in written else '#f4f4f4'
            out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#999" '
                       'stroke-width="0.5"/>' % (x, topm + i * cell, cell, cell, fill))
        y = topm + (order.index(pushed) + 1) * cell
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d00" stroke-width="2"/>'
                   % (x - 2, y, x + cell + 2, y))
    out.append('<text x="%d" y="%d" font-size="10">%s</text>' % (
        left, topm + len(order) * cell + 20,
        escape(_('push number; dark: the slot written by that push, red: rsp after it'))))
    return svg(width, height, _('the stack growing push by push'), out)


def sequence(d):
    """One lane per program, one box per call, top to bottom in order."""
    lane_w, row, top = 430, 24, 40
    width = lane_w * len(d['lanes']) + 20
    height = top + row * len(d['calls']) + 20
    out = []
    for i, exe in enumerate(d['lanes']):
        x = 10 + i * lane_w + lane_w // 2
        out.append('<text x="%d" y="20" font-size="13" text-anchor="middle" font-weight="bold">'
                   '%s</text>' % (x, escape(exe)))
        out.append('<line x1="%d" y1="28" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 3"/>'
                   % (x, x, height - 10))
    for k, c in enumerate(d['calls']):
        x = 10 + c['lane'] * lane_w + 10
        y = top + k * row
        label = c['label'] if len(c['label']) <= 58 else c['label'][:55] + '...'
        out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#557"/>'
                   % (x, y, lane_w - 20, row - 4, '#ffe0e0' if c['failed'] else '#e3efff'))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>' % (x + 6, y + 14, escape(label)))
    return svg(width, height, _('sequence of socket calls'), out)


DRAW = {'pt_regs': pt_regs, 'pushes': pushes, 'sequence': sequence}
