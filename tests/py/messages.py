"""The English catalogue: every message gdb/labctl writes into a report,
found in the source as xgettext would, the first argument of text(),
para(), _() and N_() when it is a string (either string of a
conditional); and every message labctl's C says to students, L_() and
N_() of lib/lang.h and grade-checks.c's verdict() format.  English has no
catalogue file: its messages are the source's, so this list cannot fall
behind it."""
import ast
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'gdb', 'labctl')
C_SOURCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'labctl')
MARKERS = ('text', 'para', '_', 'N_')
# In C: the marker, the arguments before the message (verdict(c, passed, "...")).
C_MARKERS = re.compile(r'\b(?:(L_|N_)|(verdict))\(')
C_LITERALS = re.compile(r'\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+)')
C_SKIP_ARG = re.compile(r'(?:[^,()]|\([^()]*\))*,')


def sources(top, ext):
    """(path, text) of every file under TOP whose name ends in EXT."""
    for where, _dirs, files in sorted(os.walk(top)):
        for f in sorted(files):
            if f.endswith(ext):
                path = os.path.join(where, f)
                with open(path, encoding='utf-8') as src:
                    yield path, src.read()


def strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return strings(node.body) + strings(node.orelse)
    return []


def english():
    """{message: 'file:line' of its first use}."""
    out = {}
    for path, text in sources(SOURCE, '.py'):
        tree = ast.parse(text, path)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in MARKERS and node.args):
                for s in strings(node.args[0]):
                    out.setdefault(s, '%s:%d' % (os.path.relpath(path, SOURCE), node.lineno))
    return out


def c_literal(text):
    """Adjacent C string literals (with their escapes) as one string."""
    parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', text)
    return ''.join(p.encode('latin-1', 'backslashreplace').decode('unicode_escape') for p in parts)


def c_english():
    """{message: 'file:line'} of labctl's C, as english() for gdb/labctl."""
    out = {}
    for path, code in sources(C_SOURCE, '.c'):
        for m in C_MARKERS.finditer(code):
            pos = m.end()
            if m.group(2):      # verdict(c, passed, FORMAT, ...)
                for _ in range(2):
                    skip = C_SKIP_ARG.match(code, pos)
                    if not skip:
                        break
                    pos = skip.end()
            lit = C_LITERALS.match(code, pos)
            # a message has words: verdict(c, false, "%s", why) passes one on
            if lit and (m.group(1) or pos > m.end()) and \
                    re.search('[A-Za-z]{2}', re.sub('%[a-z]+', '', c_literal(lit.group(1)))):
                out.setdefault(c_literal(lit.group(1)), '%s:%d' % (
                    os.path.relpath(path, C_SOURCE), code.count('\n', 0, m.start()) + 1))
    return out
