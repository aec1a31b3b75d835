# The reports, and grade's words to students, in other languages than
# English: one catalogue per language, lang/CODE.json, read by gdb/labctl
# here and by labctl itself (labctl/lib/lang.c): its "tag" (the language's
# tag for HTML's lang attribute) and its "sections", each a group of
# messages ("about" says whose) mapping each English message to its
# translation.  A new language is a new file here (and its code in
# labctl's --lang words, cmd-trace.c and cmd-grade.c).
#
# The English text itself is the key, as gettext's msgid: the code stays
# readable as the English it writes, English needs no catalogue (so the
# English reports cannot change), and a capture's own prose (abi.py's
# meaning of each pt_regs field, trace.py's filter strategy, written in
# English into capture.json by GDB) is looked up as it stands, also in a
# capture made before the catalogues existed.  N_() marks such a message
# where it is written; _() translates where it is shown.
#
# A translation keeps its message's %-specifiers, in the same order (a
# test checks it): text() fills them in from the same arguments.
import json
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace

DEFAULT = 'en'
_messages = {}       # of the language in use; empty: English
_tag = DEFAULT


HERE = os.path.dirname(os.path.abspath(__file__))


def languages():
    """The language codes a report can be written in."""
    return sorted([DEFAULT] + [f[:-5] for f in os.listdir(HERE) if f.endswith('.json')])


@lru_cache(maxsize=None)
def catalogue(code):
    """Language CODE's catalogue (None for English): its TAG and its
    MESSAGES, every section's in one dict; ValueError for one not known."""
    if code == DEFAULT:
        return None
    if code not in languages():
        raise ValueError('no report language %r (known: %s)' % (code, ', '.join(languages())))
    with open(os.path.join(HERE, code + '.json'), encoding='utf-8') as f:
        cat = json.load(f)
    messages = {}
    for section in cat['sections']:
        messages.update(section['messages'])
    return SimpleNamespace(TAG=cat['tag'], MESSAGES=messages)


@contextmanager
def using(code):
    """Build and render in language CODE: a report is made in one go,
    and every message of it goes through _(), so the language is set once
    here rather than handed down to each small function that writes one."""
    global _messages, _tag
    cat = catalogue(code or DEFAULT)
    saved = _messages, _tag
    _messages, _tag = (cat.MESSAGES, cat.TAG) if cat else ({}, DEFAULT)
    try:
        yield
    finally:
        _messages, _tag = saved


def tag():
    """The language in use, as HTML's lang attribute names it."""
    return _tag


def N_(msg):
    """MSG, marked as a message (tests/py find them), translated later."""
    return msg


def _(msg):
    """MSG in the language in use (MSG itself when it has no translation)."""
    return _messages.get(msg, msg)


# Python's %-specifiers, and C's (labctl's messages: %ld, %lu, %lx, %g...)
SPEC = re.compile(r'%(?:%|[-#0 +]*\d*(?:\.\d+)?(?:ll|l|z)?[sdiuxfgcr])')


@lru_cache(maxsize=None)
def _pattern(msg):
    """MSG as a regular expression matching what it formats to: a number
    for %d, anything for %s."""
    out, pos = '', 0
    for m in SPEC.finditer(msg):
        out += re.escape(msg[pos:m.start()])
        out += '(-?[0-9]+)' if m.group()[-1] in 'diu' else '(.*?)'
        pos = m.end()
    return re.compile(out + re.escape(msg[pos:]) + '$', re.S)


def capture_text(s):
    """S, prose a capture holds (written in English by gdb/labctl from a
    message, maybe with %-specifiers filled in), in the language in use:
    the message it was made from is found (the one with the most words of
    its own, when several fit), translated, and filled in again with the
    same values."""
    if s in _messages or not _messages:
        return _(s)
    fits = [(len(SPEC.sub('', msg)), msg, m) for msg, m in
            ((msg, _pattern(msg).match(s)) for msg in _messages if SPEC.search(msg)) if m]
    if not fits:
        return s
    _n, msg, m = max(fits)
    values = iter(m.groups())
    return SPEC.sub(lambda _spec: next(values), _messages[msg])
