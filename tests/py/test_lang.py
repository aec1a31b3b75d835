"""The reports in other languages (gdb/labctl/report/lang): every English
message has its translation, and a translated report has no English prose
left, read back through routes that share nothing with the renderers:
Python's HTML parser, and regular expressions over the Markdown."""
import html.parser
import os
import re
import unittest

from labctl.report import lang
from labctl.report.lang import SPEC

import messages
from test_render import NAMES, render

TRANSLATIONS = [c for c in lang.languages() if c != lang.DEFAULT]
# An ASCII token: what sits between spaces, CJK and full-width punctuation.
TOKEN = re.compile(r'[\x21-\x7e]+')
EDGE = ',.;:()"\'!?'


def tokens(text):
    """TEXT's ASCII tokens, with a None where anything but spaces separates
    two of them: a word (letters only, edge punctuation aside, lowercased)
    or '|', an identifier, a value, a path, a number."""
    out, end = [], 0
    for m in TOKEN.finditer(text):
        if text[end:m.start()].strip():
            out.append(None)
        end = m.end()
        core = m.group().strip(EDGE)
        lead, trail = m.group() != m.group().lstrip(EDGE), m.group() != m.group().rstrip(EDGE)
        if lead:
            out.append(None)
        out.append(core.lower() if re.fullmatch(r"[A-Za-z]+(?:['-][A-Za-z]+)*", core) else '|')
        if trail:
            out.append(None)
    return out


def words(text):
    return {t for t in tokens(text) if t and t != '|' and len(t) >= 3}


# The English dictionary of the check: every word of 3+ letters of the
# English messages, outside their %-specifiers.
ENGLISH = set().union(*(words(SPEC.sub('|', m)) for m in messages.english()))


def english_runs(text):
    """Runs of two or more English words in TEXT, C type names aside
    (struct socket stays struct socket in any language)."""
    text = re.sub(r'\bstruct [A-Za-z_]\w*', '|', text)
    text = re.sub(r'"[^"]*"', '|', text)       # a quoted string is a value
    runs, run = [], []
    for t in tokens(text) + [None]:
        if t in ENGLISH:
            run.append(t)
            continue
        if len(run) >= 2:
            runs.append(' '.join(run))
        run = []
    return runs


def kept(code, cap):
    """The English words a report in language CODE may still hold alone:
    those its translations keep themselves (CPU, GDT, syscall), the
    capture's identifiers (a hit's 'handler', a program's name) and the
    mnemonics of the steps' stack column (push, pop)."""
    out = {'push', 'pop'}
    for tr in lang.catalogue(code).MESSAGES.values():
        out |= words(tr)

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and ' ' not in v:
            out.update(words(v))
    walk(cap)
    return out


def lone_words(text, allowed):
    """English words of TEXT, not in ALLOWED, outside C type names and
    quoted strings."""
    text = re.sub(r'\bstruct [A-Za-z_]\w*', '|', text)
    text = re.sub(r'"[^"]*"', '|', text)
    return (words(text) & ENGLISH) - allowed


def capture_prose(cap):
    """What the capture's authors wrote, shown as they wrote it: the
    scenario files' descriptions (scenarios/*.ini)."""
    return [s['description'] for s in cap.get('scenarios', []) if s.get('description')]


def md_prose(md, cap):
    """report.md without its code (spans, blocks) and capture prose."""
    md = re.sub(r'```.*?```', '|', md, flags=re.S)
    md = re.sub(r'`[^`]*`', '|', md)
    for p in capture_prose(cap):
        md = md.replace(p, '|')
    return md


class Text(html.parser.HTMLParser):
    """report.html's text outside <code>, <pre>, <style> and <script> (the
    stepper's code, and its steps: the cells of the tables read here), one
    piece per element, the capture's prose taken out."""
    SKIP = {'code', 'pre', 'style', 'script'}

    def __init__(self, cap):
        super().__init__()
        self.skip, self.pieces, self.cap = 0, [], cap

    def handle_starttag(self, tag, attrs):
        self.skip += tag in self.SKIP
        self.pieces += [v for k, v in attrs if k == 'aria-label']

    def handle_endtag(self, tag):
        self.skip -= tag in self.SKIP

    def handle_data(self, data):
        if not self.skip:
            for p in capture_prose(self.cap):
                data = data.replace(p, '|')
            self.pieces.append(data)


def html_prose(page, cap):
    p = Text(cap)
    p.feed(page)
    p.close()
    return p.pieces


class Catalogue(unittest.TestCase):
    def test_there_is_a_translation(self):
        self.assertIn('zh', TRANSLATIONS)

    def test_labctl_says_things_to_students(self):
        """The C side's messages are found (not vacuously none): grade's
        check titles and verdicts among them."""
        c = messages.c_english()
        self.assertIn('compiles statically', c)
        self.assertIn('It ran in the guest and exited with status %d.', c)
        self.assertGreater(len(c), 50)

    def test_every_message_is_translated_with_its_specifiers(self):
        for code in TRANSLATIONS:
            cat = lang.catalogue(code).MESSAGES
            for msg, where in dict(messages.english(), **messages.c_english()).items():
                with self.subTest(language=code, message=msg):
                    self.assertIn(msg, cat, '%s (%s) has no %s translation' % (msg, where, code))
                    self.assertEqual(SPEC.findall(cat[msg]), SPEC.findall(msg))

    def test_no_translation_of_a_message_gone(self):
        for code in TRANSLATIONS:
            self.assertEqual(set(lang.catalogue(code).MESSAGES) - set(messages.english())
                             - set(messages.c_english()), set())

    def test_labctl_offers_every_language(self):
        """labctl's --lang words (lib/lang.c) are the catalogues here."""
        src = os.path.join(os.path.dirname(messages.SOURCE), os.pardir, 'labctl', 'lib', 'lang.c')
        with open(src) as f:
            words = re.search(r'lang_codes\[\] = \{(.*?)NULL \}', f.read()).group(1)
        self.assertEqual(sorted(re.findall(r'"(\w+)"', words)), lang.languages())

    def test_an_unknown_language_is_refused(self):
        with self.assertRaises(ValueError):
            lang.catalogue('fr')

    def test_capture_prose_is_translated_with_its_values(self):
        with lang.using('zh'):
            self.assertEqual(lang.capture_text('not a int $0x80 instruction'),
                             '不是 int $0x80 指令')
            self.assertEqual(lang.capture_text('argument 2'), '参数 2')
            self.assertEqual(lang.capture_text('written by nobody'), 'written by nobody')


class NoEnglishLeft(unittest.TestCase):
    def test_the_check_finds_english(self):
        cap, out = render('trace-connect')
        self.assertIn('user stack pointer', english_runs(md_prose(out['md'], cap)))
        self.assertTrue(any(english_runs(p) for p in html_prose(out['html'], cap)))

    def test_translated_reports_have_no_english_prose(self):
        for code in TRANSLATIONS:
            for name in NAMES:
                cap, out = render(name, code)
                with self.subTest(language=code, name=name, ext='md'):
                    self.assertEqual(english_runs(md_prose(out['md'], cap)), [])
                with self.subTest(language=code, name=name, ext='html'):
                    self.assertEqual([r for p in html_prose(out['html'], cap)
                                      for r in english_runs(p)], [])

    def test_translated_reports_have_no_english_word_left_alone(self):
        for code in TRANSLATIONS:
            for name in NAMES:
                cap, out = render(name, code)
                allowed = kept(code, cap)
                with self.subTest(language=code, name=name, ext='md'):
                    self.assertEqual(lone_words(md_prose(out['md'], cap), allowed), set())
                with self.subTest(language=code, name=name, ext='html'):
                    self.assertEqual(set().union(*(lone_words(p, allowed) for p in
                                                   html_prose(out['html'], cap))), set())

    def test_html_names_its_language(self):
        tags = {'zh': 'zh-CN'}
        for code in TRANSLATIONS:
            _, out = render(NAMES[0], code)
            self.assertIn('<html lang="%s">' % tags.get(code, code), out['html'])
        _, out = render(NAMES[0])
        self.assertIn('<html lang="en">', out['html'])


if __name__ == '__main__':
    unittest.main()
