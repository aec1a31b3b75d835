"""The English catalogue: every message gdb/labctl writes into a report,
found in the source as xgettext would, the first argument of text(),
para(), _() and N_() when it is a string (either string of a
conditional).  English has no catalogue file: its messages are the
source's, so this list cannot fall behind it."""
import ast
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'gdb', 'labctl')
MARKERS = ('text', 'para', '_', 'N_')


def strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return strings(node.body) + strings(node.orelse)
    return []


def english():
    """{message: 'file:line' of its first use}."""
    out = {}
    for top, _dirs, files in os.walk(SOURCE):
        for f in sorted(files):
            if not f.endswith('.py'):
                continue
            path = os.path.join(top, f)
            with open(path) as src:
                tree = ast.parse(src.read(), path)
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in MARKERS and node.args):
                    for s in strings(node.args[0]):
                        out.setdefault(s, '%s:%d' % (os.path.relpath(path, SOURCE), node.lineno))
    return out
