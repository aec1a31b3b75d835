# report.md and report.html from a capture (gdb/SCHEMA.md): the capture
# becomes one document (model.py), which md.py and html.py each write out.
#
# Pure Python, no GDB: lab-trace calls write_reports() in GDB's own Python
# (a new python3 would cost 0.1 s to start), labctl trace --timeline runs
# `python3 -m labctl.report` (__main__.py) with gdb/ on sys.path, and so
# can anyone, to render a saved capture again.
import os

from labctl.capture import write_atomic
from labctl.report import html, lang, md, model

RENDERERS = {'md': md.render, 'html': html.render}


def write_reports(cap, outdir, formats, language=None):
    """report.FORMAT in OUTDIR for each of FORMATS that is a report ('json'
    is the capture itself, written by its maker), in LANGUAGE (lang/,
    default English); ValueError for a capture of a schema not known here,
    or a language.  Nothing for a capture that holds too little to tell
    (a trace that ended before the call was made)."""
    with lang.using(language):
        doc = model.build(cap)
        if doc is None:
            return
        for fmt, render in RENDERERS.items():
            if fmt in formats:
                write_atomic(os.path.join(outdir, 'report.' + fmt), render(doc))
