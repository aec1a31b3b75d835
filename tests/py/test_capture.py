"""gdb/labctl/capture.py: the writer cannot write what a reader refuses."""
import json
import os
import random
import tempfile
import unittest

from labctl import capture


def strict_load(text):
    """A reader as strict as jansson (signed 64-bit integers) and JSON
    itself (no NaN): an independent route to what labctl's C reader takes."""
    def parse_int(s):
        v = int(s)
        if not -2 ** 63 <= v < 2 ** 63:
            raise ValueError('integer out of int64 range: %s' % s)
        return v

    def no_constant(s):
        raise ValueError('not JSON: %s' % s)
    return json.loads(text, parse_int=parse_int, parse_constant=no_constant)


def round_trip(data):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'capture.json')
        capture.write(path, capture.encode(data))
        with open(path) as f:
            return strict_load(f.read())


class Encode(unittest.TestCase):
    def test_the_unfinished_event_of_issue_18(self):
        # A timeline event still in the kernel at power-off, as timeline.py
        # keeps it: its private kernel stack pointer is not written.
        ev = {'seq': 7, 'call': 'accept', 'return_to': 0xffffffff81001234,
              '_rsp': 18446612682073702200}
        out = round_trip({'events': [ev], 'unfinished': [7]})
        self.assertEqual(out['events'][0], {'seq': 7, 'call': 'accept',
                                            'return_to': '0xffffffff81001234'})

    def test_addresses_by_key_are_hex_whatever_their_size(self):
        out = round_trip({'pc': 0x401000, 'regs': {'cs': 0x33, 'r11': 0x246}, 'nr': 42})
        self.assertEqual(out, {'pc': '0x401000', 'regs': {'cs': '0x33', 'r11': '0x246'}, 'nr': 42})

    def test_out_of_range_integers_under_any_key(self):
        out = round_trip({'new_key': 2 ** 64 - 1, 'low': -2 ** 63 - 1, 'edge': 2 ** 63 - 1,
                          'nested': [[2 ** 63]]})
        self.assertEqual(out, {'new_key': '0xffffffffffffffff', 'low': '-0x8000000000000001',
                               'edge': 2 ** 63 - 1, 'nested': [['0x8000000000000000']]})

    def test_no_private_key_at_any_depth(self):
        out = round_trip({'_a': 1, 'b': [{'_c': 2, 'd': {'_e': 3, 'f': 4}}]})
        self.assertEqual(out, {'b': [{'d': {'f': 4}}]})

    def test_bools_none_and_non_finite_floats(self):
        out = round_trip({'ok': True, 'x': None, 't': float('nan'), 'u': float('inf'), 'v': 1.5})
        self.assertEqual(out, {'ok': True, 'x': None, 't': None, 'u': None, 'v': 1.5})

    def test_random_captures_always_read_back(self):
        rnd = random.Random(18)
        keys = ['a', 'seq', '_p', 'pc', 'value', 'words', 'events', 'ret']

        def value(depth):
            r = rnd.random()
            if depth > 3 or r < 0.5:
                return rnd.choice([rnd.randrange(-2 ** 70, 2 ** 70), rnd.randrange(-5, 5),
                                   2 ** 64 - rnd.randrange(1, 1 << 40), 'x', True, None, 0.5])
            if r < 0.75:
                return [value(depth + 1) for _ in range(rnd.randrange(4))]
            return {rnd.choice(keys): value(depth + 1) for _ in range(rnd.randrange(4))}
        for _ in range(300):
            data = {rnd.choice(keys): value(0) for _ in range(5)}
            out = round_trip(data)
            self.assertNotIn('_p', json.dumps(out))

    def test_written_whole_or_not_at_all(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'capture.json')
            capture.write(path, {'ok': True})
            with self.assertRaises(TypeError):
                capture.write(path, {'ok': object()})
            self.assertEqual(os.listdir(d), ['capture.json'])
            with open(path) as f:
                self.assertEqual(json.load(f), {'ok': True})


if __name__ == '__main__':
    unittest.main()
