# The document a report is, whatever its format: a title and sections, each
# a list of blocks.  trace_model and timeline_model build one from a
# capture; md and html walk it.  Neither renderer knows what a capture is
# and the model knows no output format, so the two formats cannot drift
# apart: the HTML is not made from the Markdown.
#
# Text is a tuple of runs: plain str, or Code or Verdict, which each
# renderer marks up its own way (`x` or <code>x</code>...).  Its prose is
# in the language in use (lang/): text() and _() translate each message.
from collections import namedtuple

from labctl.report.lang import SPEC, _

Document = namedtuple('Document', 'title sections')
Section = namedtuple('Section', 'id heading blocks')     # id: stable, for links and tests
Paragraph = namedtuple('Paragraph', 'text')
# rows: tuples of cells (text); kinds: per row, a word the HTML styles
# ('push', 'pop') or None; id: for a table the HTML's stepper points into
Table = namedtuple('Table', 'head rows kinds id', defaults=(None,))
CodeBlock = namedtuple('CodeBlock', 'text')             # preformatted lines
List = namedtuple('List', 'items')
# A drawing of capture data, HTML only: kind names the drawing in
# diagrams.py, data holds the values it shows (already formatted)
Diagram = namedtuple('Diagram', 'kind title data')
# The entry's and the return's steps one at a time, HTML only (a page that
# follows them with the keys; the tables hold the same rows for a reader
# without scripts): head, the columns of each step's cells; steps, per
# step its table ('table', 'row'), cells (plain strings), the pt_regs
# fields written and read back by then, its line of source (an index into
# listing: (file, line, text) in file order) or None
Stepper = namedtuple('Stepper', 'head steps listing')


class Code(str):
    """A run of code: an instruction, a symbol, a source line."""


class Verdict(str):
    """The result of a check: 'yes', or 'NO' (a failed check stands out)."""

    def __new__(cls, ok):
        v = super().__new__(cls, _('yes') if ok else _('NO'))
        v.ok = bool(ok)
        return v


MARKED = (Code, Verdict)


def text(fmt, *args):
    """FMT, translated, %-formatted with ARGS, as runs: an argument that is
    a marked run (Code, Verdict) stays a run of its own, anything else is
    formatted into the plain text around it."""
    runs, plain, args, fmt = [], '', list(args), _(fmt)
    pos = 0
    for m in SPEC.finditer(fmt):
        plain += fmt[pos:m.start()]
        pos = m.end()
        if m.group() == '%%':
            plain += '%'
            continue
        arg = args.pop(0)
        if isinstance(arg, MARKED):
            if plain:
                runs.append(plain)
            runs.append(arg)
            plain = ''
        else:
            plain += m.group() % (arg,)
    if args:
        raise TypeError('text(%r): %d arguments left over' % (fmt, len(args)))
    plain += fmt[pos:]
    if plain:
        runs.append(plain)
    return tuple(runs)


def cell(v):
    """A table cell as runs: text() already is; a value is shown as str()."""
    if isinstance(v, tuple):
        return v
    return (v,) if isinstance(v, MARKED) else (str(v),)


def table(head, rows, kinds=None, id=None):
    return Table(tuple(head), [tuple(cell(c) for c in r) for r in rows],
                 kinds or [None] * len(rows), id)


def para(fmt, *args):
    return Paragraph(text(fmt, *args))


def plain(runs):
    """RUNS without their marks: for an HTML <title>, a label."""
    return ''.join(runs)
