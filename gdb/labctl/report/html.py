# report.html: a document (doc.py) as one self-contained page (no scripts,
# no external files): its tables, and the SVG drawings of diagrams.py.
from html import escape

from labctl.report import diagrams, lang
from labctl.report.doc import Code, CodeBlock, Diagram, List, Paragraph, Table, Verdict, plain

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
    out = ['<table><tr>' + ''.join('<th>%s</th>' % inline(c) for c in t.head) + '</tr>']
    for row, kind in zip(t.rows, t.kinds):
        out.append('<tr%s>' % (' class="%s"' % kind if kind else '') +
                   ''.join(td(c) for c in row) + '</tr>')
    return '\n'.join(out) + '</table>'


def diagram(d):
    return '<h3>%s</h3>%s' % (escape(d.title), diagrams.DRAW[d.kind](d.data))


BLOCKS = {
    Paragraph: lambda b: '<p>%s</p>' % inline(b.text),
    Table: table,
    CodeBlock: lambda b: '<pre>%s</pre>' % escape(b.text),
    List: lambda b: '<ul>%s</ul>' % ''.join('<li>%s</li>' % inline(i) for i in b.items)
    if b.items else '',
    Diagram: diagram,
}


def render(doc):
    body = ['<h1>%s</h1>' % inline(doc.title)]
    for sec in doc.sections:
        body.append('<h2 id="%s">%s</h2>' % (escape(sec.id), inline(sec.heading)))
        body += [h for h in (BLOCKS[type(b)](b) for b in sec.blocks) if h]
    return ('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">'
            '<title>%s</title><style>%s</style></head><body>\n%s\n</body></html>\n'
            % (lang.tag(), escape(plain(doc.title)), CSS, '\n'.join(body)))
