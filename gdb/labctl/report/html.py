# report.html: a document (doc.py) as one self-contained page (no external
# files, nothing fetched): its tables, the SVG drawings of diagrams.py, and
# a trace's stepper, whose script (stepper.js) is inlined with its data.
import json
import os
from html import escape
from pathlib import Path

from labctl.report import diagrams, lang
from labctl.report.doc import (Code, CodeBlock, Diagram, List, Paragraph, Stepper, Table, Verdict,
                               plain)
from labctl.report.lang import _

STEPPER_JS = (Path(__file__).parent / 'stepper.js').read_text()

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
# Only a page with a stepper: the script sets .stepping on the body, so
# that without it the diagram stays as drawn (every slot the entry filled).
STEPPER_CSS = """.stepper { border: 1px solid #bbb; padding: .4em .8em; margin: .8em 0; background: #fcfcfc; }
.stepper input[type=range] { width: 30em; vertical-align: middle; }
.stepper .keys { color: #666; margin-left: 1em; }
pre.listing { position: relative; max-height: 13em; overflow-y: auto; }
pre.listing .current, tr.current td { background: #ffe27a; }
.stepping g[data-field] rect { fill: #eee; }
.stepping g.filled rect { fill: #cfe3ff; }
.stepping g.popped rect { fill: #ffe0b8; }
.stepping g.current rect { stroke: #d00; stroke-width: 3; }
.stepping g[data-field]:not(.filled) :is(.by, .word) { visibility: hidden; }
table.now td { font-family: ui-monospace, monospace; font-size: 12.5px; }
"""


def inline(runs):
    out = []
    for r in runs:
        if isinstance(r, Code):
            out.append('<code>%s</code>' % escape(r))
        else:
            out.append(escape(r))
    return ''.join(out)


def td(runs):
    """A cell; one holding a check's result is coloured by it."""
    v = next((r for r in runs if isinstance(r, Verdict)), None)
    cls = '' if v is None else ' class="%s"' % ('ok' if v.ok else 'bad')
    return '<td%s>%s</td>' % (cls, inline(runs))


def table(t):
    out = ['<table%s><tr>' % (' id="%s"' % escape(t.id) if t.id else '') +
           ''.join('<th>%s</th>' % inline(c) for c in t.head) + '</tr>']
    for row, kind in zip(t.rows, t.kinds):
        out.append('<tr%s>' % (' class="%s"' % kind if kind else '') +
                   ''.join(td(c) for c in row) + '</tr>')
    return '\n'.join(out) + '</table>'


def diagram(d):
    return '<h3>%s</h3>%s' % (escape(d.title), diagrams.DRAW[d.kind](d.data))


def listing(lines):
    """The steps' source lines, one span each: file:line, then the line."""
    labels = ['%s:%d' % (os.path.basename(f), n) for f, n, _text in lines]
    width = max(map(len, labels), default=0)
    out = []
    for i, (label, (_file, _line, text)) in enumerate(zip(labels, lines)):
        out.append('<span data-line="%d">%s  %s</span>' % (
            i, escape(label.ljust(width)), escape(text.expandtabs(8).rstrip())))
    return '\n'.join(out)


def json_script(id, value):
    """VALUE as JSON in a script element no string of it can close: <, >
    and & are written as JSON's \\u escapes."""
    data = json.dumps(value, ensure_ascii=False, separators=(',', ':'))
    for c in '<>&':
        data = data.replace(c, '\\u%04x' % ord(c))
    return '<script type="application/json" id="%s">%s</script>' % (id, data)


# What stepper.js answers to, as printed on the keys
KEYS = ('←', '→', 'Home', 'End')


def stepper(b):
    """The stepper's controls, the current step's row and the source lines,
    hidden until its script shows them (without scripts, the tables below
    hold every step), then the steps and the script."""
    n = len(b.steps)
    controls = ('<p><button type="button" data-go="-1">%s</button> '
                '<input type="range" min="1" max="%d" value="1" aria-label="%s"> '
                '<button type="button" data-go="1">%s</button> <span>%s</span>'
                '<span class="keys">%s</span></p>' % (
                    escape(_('Previous')), n, escape(_('step')), escape(_('Next')),
                    escape(_('Step %s of %s')) % ('<output>1</output>', n),
                    escape(_('keys: %s')) % ' '.join('<kbd>%s</kbd>' % k for k in KEYS)))
    now = ('<table class="now"><tr>%s</tr><tr>%s</tr></table>' % (
        ''.join('<th>%s</th>' % escape(h) for h in b.head), '<td></td>' * len(b.head)))
    return ('<div id="stepper" class="stepper" hidden>%s\n%s\n<pre class="listing">%s</pre>\n%s'
            '</div>\n<script>\n%s</script>' % (controls, now, listing(b.listing),
                                               json_script('stepper-steps', b.steps), STEPPER_JS))


BLOCKS = {
    Paragraph: lambda b: '<p>%s</p>' % inline(b.text),
    Table: table,
    CodeBlock: lambda b: '<pre>%s</pre>' % escape(b.text),
    List: lambda b: '<ul>%s</ul>' % ''.join('<li>%s</li>' % inline(i) for i in b.items)
    if b.items else '',
    Diagram: diagram,
    Stepper: stepper,
}


def render(doc):
    body = ['<h1>%s</h1>' % inline(doc.title)]
    css = CSS
    if any(isinstance(b, Stepper) for sec in doc.sections for b in sec.blocks):
        css += STEPPER_CSS
    for sec in doc.sections:
        body.append('<h2 id="%s">%s</h2>' % (escape(sec.id), inline(sec.heading)))
        body += [h for h in (BLOCKS[type(b)](b) for b in sec.blocks) if h]
    return ('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">'
            '<title>%s</title><style>%s</style></head><body>\n%s\n</body></html>\n'
            % (lang.tag(), escape(plain(doc.title)), css, '\n'.join(body)))
