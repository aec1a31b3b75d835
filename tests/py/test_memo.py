"""gdb/labctl/memo.py: what is learnt is read back as it was put, whole or
not at all; a memo that cannot be read or written costs time, not a trace."""
import json
import os
import tempfile
import unittest

from labctl import memo


class Memo(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, 'gdb-memo.json')

    def tearDown(self):
        self.dir.cleanup()

    def test_round_trip(self):
        value = {'addr': 0xffffffff81a0c004, 'symbol': 'cpu_tss_rw', 'offset': 4,
                 'field': 'x86_tss.sp0', 'name': 'cpu_tss_rw.x86_tss.sp0'}
        memo.load(self.path)
        self.assertIsNone(memo.get('describe', 'ffffffff81a0c004'))
        memo.put('describe', 'ffffffff81a0c004', value)
        memo.save()
        with open(self.path) as f:      # python's own reader, not memo's
            self.assertEqual(json.load(f), {'describe': {'ffffffff81a0c004': value}})
        memo.load(self.path)
        self.assertEqual(memo.get('describe', 'ffffffff81a0c004'), value)
        self.assertEqual(os.listdir(self.dir.name), ['gdb-memo.json'])

    def test_nothing_learnt_nothing_written(self):
        memo.load(self.path)
        memo.save()
        self.assertFalse(os.path.exists(self.path))

    def test_none_kept(self):
        memo.load(None)
        memo.put('describe', '1', {'x': 1})
        memo.save()
        self.assertEqual(os.listdir(self.dir.name), [])

    def test_unreadable_is_empty(self):
        for text in ('{"describe": {"1": ', '[1, 2]', '\x00\xff'):
            with open(self.path, 'w') as f:
                f.write(text)
            memo.load(self.path)
            self.assertIsNone(memo.get('describe', '1'), text)

    def test_unwritable_costs_nothing_but_time(self):
        # (a directory that is not there: read-only ones are writable to root)
        memo.load(os.path.join(self.dir.name, 'gone', 'gdb-memo.json'))
        memo.put('describe', '1', {'x': 1})
        memo.save()     # no exception, nothing left
        self.assertEqual(os.listdir(self.dir.name), [])
        # a file in the way of the rename: the temporary file is removed
        os.mkdir(self.path)
        memo.load(self.path)
        memo.put('describe', '1', {'x': 1})
        memo.save()
        self.assertEqual(os.listdir(self.dir.name), ['gdb-memo.json'])


if __name__ == '__main__':
    unittest.main()
