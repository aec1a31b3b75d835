#!/usr/bin/env python3
"""The fast Python tier: gdb/'s pure modules and renderers, without GDB.

Runs every tests/py/test_*.py with unittest and prints one line per test
in the form tests/run counts: "ok NAME", "not ok NAME", "skip NAME: why".
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, 'gdb'), HERE]


class LineResult(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print('ok py: %s' % test.id(), flush=True)

    def _fail(self, test, err, kind):
        print('not ok py: %s (%s)' % (test.id(), kind), flush=True)
        print('    ' + self._exc_info_to_string(err, test).replace('\n', '\n    '), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err, 'failed')

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err, 'error')

    def addSubTest(self, test, subtest, err):
        # a failed subtest fails its test, which then reports no success
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail(subtest, err, 'failed')

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print('skip py: %s: %s' % (test.id(), reason), flush=True)


def main():
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    if suite.countTestCases() == 0:
        print('not ok py: no tests found in %s' % HERE)
        return 1
    runner = unittest.TextTestRunner(stream=open(os.devnull, 'w'), resultclass=LineResult)
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
