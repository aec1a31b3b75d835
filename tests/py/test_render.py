"""Golden renders: real captures (tests/py/captures, made by labctl trace on
the lab kernel) rendered to report.md and report.html, compared with the
stored renders in tests/py/golden.  After a deliberate change of the
reports: UPDATE_GOLDEN=1 python3 tests/py/run.py, and review the diff.

Besides the comparison, each render is read back through routes that share
nothing with the renderers: Python's HTML and XML parsers, and the
capture's values found in the Markdown."""
import html.parser
import json
import os
import re
import tempfile
import unittest
import xml.etree.ElementTree as ET

from labctl import report
from labctl.report import lang

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, 'captures')
GOLDEN = os.path.join(HERE, 'golden')
NAMES = sorted(f[:-5] for f in os.listdir(CAPTURES) if f.endswith('.json'))
# English, whose goldens are NAME.EXT.golden, then each translation's
# (NAME.LANG.EXT.golden)
LANGS = [None] + [c for c in lang.languages() if c != lang.DEFAULT]


def render(name, language=None):
    with open(os.path.join(CAPTURES, name + '.json')) as f:
        cap = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        report.write_reports(cap, d, ['md', 'html'], language)
        out = {}
        for ext in ('md', 'html'):
            with open(os.path.join(d, 'report.' + ext)) as f:
                out[ext] = f.read()
    return cap, out


class Strict(html.parser.HTMLParser):
    """Fails on a closing tag that closes nothing open (void elements aside)."""
    VOID = {'meta', 'br', 'img', 'hr', 'input', 'link', 'col', 'wbr'}

    def __init__(self):
        super().__init__()
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise AssertionError('</%s> closes %s' % (tag, self.stack[-1:] or 'nothing'))
        self.stack.pop()


class Golden(unittest.TestCase):
    def test_there_are_captures(self):
        self.assertGreaterEqual(len(NAMES), 4, NAMES)

    def test_renders_match_the_golden_files(self):
        for name, language in ((n, g) for n in NAMES for g in LANGS):
            _, out = render(name, language)
            for ext, text in out.items():
                path = os.path.join(GOLDEN, '.'.join(filter(None, (name, language, ext, 'golden'))))
                if os.environ.get('UPDATE_GOLDEN'):
                    os.makedirs(GOLDEN, exist_ok=True)
                    with open(path, 'w') as f:
                        f.write(text)
                with self.subTest(name=name, language=language, ext=ext), open(path) as f:
                    self.assertEqual(text, f.read(), 'render of %s.json differs from %s'
                                     % (name, path))

    def test_renders_are_deterministic(self):
        for name in NAMES:
            self.assertEqual(render(name)[1], render(name)[1], name)

    def test_html_is_balanced_and_svg_is_xml(self):
        for name, language in ((n, g) for n in NAMES for g in LANGS):
            _, out = render(name, language)
            with self.subTest(name=name, language=language):
                p = Strict()
                p.feed(out['html'])
                p.close()
                self.assertEqual(p.stack, [], 'unclosed: %s' % p.stack)
                svgs = re.findall(r'<svg.*?</svg>', out['html'], re.S)
                self.assertTrue(svgs)
                for s in svgs:
                    ET.fromstring(s)
                self.assertIsNone(re.search(r'(src|href)="[^"#]', out['html']))

    def test_md_tables_are_rectangular(self):
        for name in NAMES:
            _, out = render(name)
            rows = []
            for line in out['md'].split('\n') + ['']:
                if line.startswith('|'):
                    # cells: split at pipes outside backquotes and not escaped
                    rows.append(len(re.findall(r'(?<!\\)\|', re.sub(r'`[^`]*`', '', line))))
                elif rows:
                    with self.subTest(name=name, table=line):
                        self.assertEqual(len(set(rows)), 1, rows)
                    rows = []


class Values(unittest.TestCase):
    """What the reports say, checked against the capture read by json."""

    def test_trace_md_shows_every_pt_regs_field_with_its_value(self):
        cap, out = render('trace-connect')
        for f in cap['pt_regs']['fields']:
            self.assertRegex(out['md'], r'\|\s*%d\s*\|\s*`?%s`?\s*\|[^\n]*%s'
                             % (f['offset'], re.escape(f['field']), re.escape(f['value'])))

    def test_timeline_md_lists_each_event_once_with_its_result(self):
        cap, out = render('timeline-connect-udp-unix')
        for scn in cap['scenarios']:
            for ev in scn['events']:
                rows = [l for l in out['md'].split('\n')
                        if l.startswith('| %d | ' % ev['seq']) and ev['task']['exe'] in l]
                self.assertGreaterEqual(len(rows), 1, ev['seq'])
                self.assertTrue(any('| %s |' % ev['ret'] in r for r in rows), rows)

    def test_unfinished_calls_are_named_and_drawn(self):
        cap, out = render('timeline-unfinished')
        scn = cap['scenarios'][0]
        self.assertTrue(scn['unfinished'])
        for seq in scn['unfinished']:
            ev = next(e for e in scn['events'] if e['seq'] == seq)
            self.assertNotIn('ret', ev)
            self.assertIn('%d (%s, %s)' % (seq, ev['task']['exe'], ev['call']), out['md'])
            self.assertRegex(out['html'], r'>%d\. %s[^<]* = still in the kernel<' % (seq, ev['call']))


if __name__ == '__main__':
    unittest.main()
