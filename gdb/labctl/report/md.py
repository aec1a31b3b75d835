# report.md: a document (doc.py) as Markdown.  Diagrams and the stepper are
# HTML only.
from labctl.report.doc import Code, CodeBlock, Diagram, List, Paragraph, Stepper, Table, Verdict


def inline(runs):
    out = []
    for r in runs:
        if isinstance(r, Code):
            out.append('`%s`' % r)
        elif isinstance(r, Verdict) and not r.ok:
            out.append('**%s**' % r)      # a failed check stands out
        else:
            out.append(r)
    return ''.join(out)


def table(t):
    out = ['| ' + ' | '.join(inline(c) for c in t.head) + ' |', '|' + '---|' * len(t.head)]
    for r in t.rows:
        out.append('| ' + ' | '.join(inline(c).replace('|', '\\|') for c in r) + ' |')
    return '\n'.join(out)


BLOCKS = {
    Paragraph: lambda b: inline(b.text),
    Table: table,
    CodeBlock: lambda b: '```\n%s\n```' % b.text,
}


def section(sec):
    out = '## ' + inline(sec.heading)
    for b in sec.blocks:
        if isinstance(b, (Diagram, Stepper)):
            continue
        if isinstance(b, List):
            # A list hangs off the paragraph before it, after a blank line;
            # an empty one still ends that paragraph with a newline.  That
            # is how report.md has always been written, and the Markdown
            # stays byte for byte what it was (tests/py/golden).
            out += '\n' + ''.join('\n- ' + inline(i) for i in b.items)
        else:
            out += '\n\n' + BLOCKS[type(b)](b)
    return out


def render(doc):
    return '\n\n'.join(['# ' + inline(doc.title)] + [section(s) for s in doc.sections]) + '\n'
