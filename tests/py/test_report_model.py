"""The report's document model (gdb/labctl/report/doc.py, model.py) and
what each renderer makes of it, read back through Python's html.parser and
the captures through json: the HTML has the model's sections, in order, and
the values of the capture in its tables."""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

from labctl.report import doc, html as to_html, md as to_md, model, trace_model, write_reports

HERE = os.path.dirname(os.path.abspath(__file__))
GDB_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'gdb')


def load(name):
    with open(os.path.join(HERE, 'captures', name + '.json')) as f:
        return json.load(f)


def words(v):
    """A capture's word as the reports show it."""
    return '0x%x' % (int(v, 16) if isinstance(v, str) else v)


class Page(html.parser.HTMLParser):
    """The <h2>s (id, text) of a page, and per h2 id its tables as rows of
    cell texts (ids: those of the tables that have an id, by it)."""

    def __init__(self, text):
        super().__init__()
        self.h2, self.tables, self.ids = [], {}, {}
        self.where = self.cell = None
        self.in_h2 = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == 'h2':
            self.where = dict(attrs).get('id')
            self.h2.append([self.where, ''])
            self.in_h2 = True
        elif tag == 'table':
            self.tables.setdefault(self.where, []).append([])
            if dict(attrs).get('id'):
                self.ids[dict(attrs)['id']] = self.tables[self.where][-1]
        elif tag == 'tr':
            self.tables[self.where][-1].append([])
        elif tag in ('td', 'th'):
            self.cell = ''

    def handle_endtag(self, tag):
        if tag == 'h2':
            self.in_h2 = False
        elif tag in ('td', 'th'):
            self.tables[self.where][-1][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        elif self.in_h2:
            self.h2[-1][1] += data


def render(cap):
    with tempfile.TemporaryDirectory() as d:
        write_reports(cap, d, ['md', 'html'])
        out = {}
        for ext in ('md', 'html'):
            with open(os.path.join(d, 'report.' + ext)) as f:
                out[ext] = f.read()
        return out


class Sections(unittest.TestCase):
    def test_trace_sections_in_order(self):
        for name in ('trace-connect', 'trace-connect-i386'):
            cap = load(name)
            d = model.build(cap)
            want = ['setup', 'user', 'entry', 'pt_regs', 'dispatch', 'return'] + \
                (['compare'] if cap.get('compare') else [])
            self.assertEqual([s.id for s in d.sections], want, name)
            self.assertEqual([''.join(s.heading).split('.')[0] for s in d.sections],
                             [str(n + 1) for n in range(len(want))], name)
            self.assertIn(cap['setup']['syscall']['name'], ''.join(d.title))

    def test_timeline_sections_in_order(self):
        for name in ('timeline-connect-udp-unix', 'timeline-unfinished'):
            cap = load(name)
            d = model.build(cap)
            self.assertEqual([s.id for s in d.sections],
                             ['scenario-' + s['scenario'] for s in cap['scenarios']] + ['dispatch'])
            for s, scn in zip(d.sections, cap['scenarios']):
                self.assertTrue(''.join(s.heading).startswith('Scenario %s' % scn['scenario']))

    def test_unknown_schema_writes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(ValueError):
                write_reports({'schema': 'labctl-trace/99'}, d, ['md', 'html'])
            self.assertEqual(os.listdir(d), [])


class Html(unittest.TestCase):
    NAMES = ('trace-connect', 'trace-connect-i386', 'timeline-connect-udp-unix',
             'timeline-unfinished')

    def test_one_h2_per_section_with_its_id_and_heading(self):
        for name in self.NAMES:
            cap = load(name)
            d = model.build(cap)
            page = Page(render(cap)['html'])
            self.assertEqual([tuple(h) for h in page.h2],
                             [(s.id, ''.join(s.heading)) for s in d.sections], name)

    def test_md_has_the_same_sections(self):
        for name in self.NAMES:
            cap = load(name)
            heads = [line[3:].replace('`', '') for line in render(cap)['md'].split('\n')
                     if line.startswith('## ')]
            self.assertEqual(heads, [''.join(s.heading) for s in model.build(cap).sections])

    def test_every_pt_regs_value_is_in_the_html_table(self):
        for name in ('trace-connect', 'trace-connect-i386'):
            cap = load(name)
            table, = Page(render(cap)['html']).tables['pt_regs']
            self.assertEqual(table[0], ['offset', 'field', 'value', 'meaning'])
            rows = {r[1]: r for r in table[1:]}
            self.assertEqual(len(rows), len(cap['pt_regs']['fields']))
            for f in cap['pt_regs']['fields']:
                self.assertEqual(rows[f['field']][:3], [str(f['offset']), f['field'],
                                                        words(f['value'])], name)

    def test_every_step_is_a_row(self):
        cap = load('trace-connect')
        tables = Page(render(cap)['html']).ids
        for sec, steps in (('entry', cap['entry']['steps']), ('return', cap['return']['steps'])):
            rows = tables['steps-' + sec][1:]
            self.assertEqual([r[1] for r in rows], [words(s['pc']) for s in steps], sec)
            self.assertEqual([r[3] for r in rows], [s['insn'] for s in steps], sec)

    def test_every_timeline_event_is_a_row(self):
        cap = load('timeline-connect-udp-unix')
        tables = Page(render(cap)['html']).tables
        for scn in cap['scenarios']:
            rows = tables['scenario-' + scn['scenario']][0][1:]
            self.assertEqual([(r[0], r[6]) for r in rows],
                             [(str(e['seq']), str(e.get('ret', 'still in the kernel')))
                              for e in scn['events']])

    def test_checks_are_shown_by_their_result(self):
        cap = load('trace-connect')
        cap['return']['checks']['rsp_restored'] = False
        out = render(cap)
        self.assertIn('| user rsp restored | **NO** |', out['md'])
        self.assertIn('<td class="bad">NO</td>', out['html'])
        table = Page(out['html']).tables['return'][1]
        self.assertEqual(dict(table[1:])['user rsp restored'], 'NO')

    def test_capture_text_is_escaped(self):
        cap = load('trace-connect')
        banner = 'Linux <b>x</b> & "y" | z'
        cap['setup']['kernel']['banner'] = banner
        table = Page(render(cap)['html']).tables['setup'][0]
        self.assertEqual(dict(table[1:])['kernel'], banner)


def stepper_steps(page):
    """The steps report.html's stepper embeds, read back as JSON."""
    m = re.search(r'<script type="application/json" id="stepper-steps">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


class Stepper(unittest.TestCase):
    """The stepper's data (its script is tested in a browser: tests/browser)."""

    def test_its_steps_are_the_tables_rows(self):
        for name in ('trace-connect', 'trace-connect-i386'):
            page = render(load(name))['html']
            tables = Page(page).ids
            steps = stepper_steps(page)
            self.assertEqual([s['cells'] for s in steps],
                             tables['steps-entry'][1:] + tables['steps-return'][1:], name)
            self.assertEqual([(s['table'], s['row']) for s in steps],
                             [('steps-entry', i) for i in range(len(tables['steps-entry']) - 1)] +
                             [('steps-return', i) for i in range(len(tables['steps-return']) - 1)])

    def test_a_call_without_a_return_steps_its_entry(self):
        cap = load('trace-exit')
        steps = stepper_steps(render(cap)['html'])
        self.assertEqual(len(steps), len(cap['entry']['steps']))

    def test_no_source_line_closes_its_script(self):
        cap = load('trace-connect')
        line = '\t</script><script>alert(1)</script> & <!--'
        cap['entry']['steps'][1]['source']['text'] = line
        page = render(cap)['html']
        self.assertNotIn('</script><script>alert', page)
        self.assertIn(line.strip(), stepper_steps(page)[1]['cells'][5])

    def test_md_has_no_stepper(self):
        out = render(load('trace-connect'))
        self.assertIn('id="stepper"', out['html'])
        self.assertNotIn('stepper', out['md'])


class Text(unittest.TestCase):
    def test_marked_arguments_stay_runs(self):
        runs = doc.text('at %s holds %d = %s.', '0x10', 42, doc.Code('sys_x'))
        self.assertEqual(runs, ('at 0x10 holds 42 = ', 'sys_x', '.'))
        self.assertIsInstance(runs[1], doc.Code)
        self.assertEqual(to_md.inline(runs), 'at 0x10 holds 42 = `sys_x`.')
        self.assertEqual(to_html.inline(runs), 'at 0x10 holds 42 = <code>sys_x</code>.')

    def test_a_value_is_not_a_format(self):
        self.assertEqual(doc.text('%s%%', '100%s'), ('100%s%',))
        with self.assertRaises(TypeError):
            doc.text('%s', 1, 2)


class Command(unittest.TestCase):
    def test_module_renders_a_saved_capture_as_write_reports_does(self):
        path = os.path.join(HERE, 'captures', 'timeline-unfinished.json')
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([sys.executable, '-m', 'labctl.report', path, d, 'md,json,html'],
                               env=dict(os.environ, PYTHONPATH=GDB_DIR), capture_output=True,
                               text=True)
            self.assertEqual((p.returncode, p.stderr), (0, ''))
            self.assertEqual(sorted(os.listdir(d)), ['report.html', 'report.md'])
            with open(os.path.join(d, 'report.md')) as f:
                self.assertEqual(f.read(), render(load('timeline-unfinished'))['md'])

    def test_module_fails_with_a_message(self):
        p = subprocess.run([sys.executable, '-m', 'labctl.report', '/nonexistent.json', '/tmp', 'md'],
                           env=dict(os.environ, PYTHONPATH=GDB_DIR), capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn('/nonexistent.json', p.stderr)



class Backtrace(unittest.TestCase):
    """A frame's words say only what DWARF and the symbols said."""

    def frame(self, **kw):
        f = {'pc': 0x10, 'function': 'f', 'symbol': 'f', 'inline': False,
             'file': 'net/socket.c', 'line': 7}
        f.update(kw)
        return f

    def test_inlined_into_the_next_frame(self):
        bt = trace_model.bt_text([
            self.frame(function='__do_sys_connect', symbol='__x64_sys_connect+0x13', inline=True),
            self.frame(function='__se_sys_connect', symbol='__x64_sys_connect+0x13', inline=True),
            self.frame(function='__x64_sys_connect', symbol='__x64_sys_connect+0x13')])
        lines = bt.splitlines()
        self.assertIn('__do_sys_connect (inlined into __se_sys_connect) at net/socket.c:7',
                      lines[0])
        self.assertIn('__se_sys_connect (inlined into __x64_sys_connect)', lines[1])
        self.assertTrue(lines[2].endswith('in __x64_sys_connect at net/socket.c:7'))

    def test_an_alias_is_not_inlining(self):
        bt = trace_model.bt_text([self.frame(function='__do_sys_getpid',
                                             symbol='__x64_sys_getpid', alias=True)])
        self.assertIn('__do_sys_getpid (alias __x64_sys_getpid)', bt)
        self.assertNotIn('inlined', bt)

    def test_another_symbol_is_named_as_such(self):
        bt = trace_model.bt_text([self.frame(function='f', symbol='g+0x4', alias=False)])
        self.assertIn('f (in symbol g)', bt)
        self.assertNotIn('inlined', bt)


class Compare(unittest.TestCase):
    """The two ways in, side by side, for a call that does not come back
    (exit --abi i386): both captures have an end, no return."""

    def test_a_call_without_a_return(self):
        cap = load('trace-connect-i386')
        end = load('trace-exit')['end']
        for c in (cap, cap['compare']):
            del c['return']
            c['end'] = end
        rows = {r[0]: r[1:] for r in Page(render(cap)['html']).tables['compare'][0]}
        self.assertEqual(rows['back to user mode'], ['with exit status %d' % end['status']] * 2)
        self.assertEqual(rows['instructions stepped: entry / exit'],
                         ['%d / -' % len(c['entry']['steps']) for c in (cap['compare'], cap)])


class Stub(unittest.TestCase):
    def cap(self, stub):
        return {'setup': {'syscall': {'name': 'kexec_load', 'nr': 246}},
                'dispatch': {'table_entry': {'stub': stub}}}

    def test_the_stub_and_its_option_are_named(self):
        st = {'file': 'kernel/sys_ni.c', 'defined_in': 'kernel/kexec.c', 'option': 'CONFIG_KEXEC'}
        blocks = trace_model.stub(self.cap(st), st)
        md = '\n'.join(to_md.inline(b.text) for b in blocks)
        self.assertIn('built without `kexec_load`', md)
        self.assertIn('kernel/sys_ni.c', md)
        self.assertIn('kernel/kexec.c, which `CONFIG_KEXEC` builds', md)

    def test_no_stub_no_words(self):
        self.assertEqual(trace_model.stub(self.cap(None), None), [])


if __name__ == '__main__':
    unittest.main()
