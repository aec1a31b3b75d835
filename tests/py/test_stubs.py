"""Naming what a stub leaves out (gdb/labctl/stubs.py): the file that
defines a call and the config option that builds it, read from a source
tree.  Trees here are written by the test in the kernel's own forms
(SYSCALL_DEFINE, obj-$(CONFIG_X) += x.o, ifeq blocks, #ifdef); the real
tree is checked end to end (tests/e2e/trace.sh, against nm and make)."""
import os
import shutil
import tempfile
import unittest

from labctl import stubs


def tree(test, files):
    root = tempfile.mkdtemp(prefix='stubs-')
    test.addCleanup(shutil.rmtree, root)
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(text)
    return root


# kernel/time/Makefile's way: itimer.o under an option, stubs.o otherwise.
POSIX_TIMERS_MAKEFILE = ('ifeq ($(CONFIG_POSIX_TIMERS),y)\n'
                         ' obj-y += itimer.o\nelse\n obj-y += stubs.o\n'
                         'endif\n')


class ConfigOption(unittest.TestCase):
    def test_the_objects_makefile_line(self):
        root = tree(self, {'kernel/kexec.c': 'SYSCALL_DEFINE4(kexec_load, unsigned long, entry)\n{}\n',
                     'kernel/Makefile': 'obj-y = fork.o\nobj-$(CONFIG_KEXEC) += kexec.o\n'})
        self.assertEqual(stubs.config_option(root, 'kexec_load'),
                         {'file': 'kernel/kexec.c', 'option': 'CONFIG_KEXEC'})

    def test_a_continued_line(self):
        root = tree(self, {'mm/swapfile.c': 'SYSCALL_DEFINE2(swapon, const char __user *, f, int, x)\n',
                     'mm/Makefile': 'obj-$(CONFIG_SWAP) += page_io.o \\\n\tswapfile.o\n'})
        self.assertEqual(stubs.config_option(root, 'swapon')['option'], 'CONFIG_SWAP')

    def test_an_ifeq_block_around_obj_y(self):
        root = tree(self, {'kernel/time/itimer.c': 'SYSCALL_DEFINE1(alarm, unsigned int, seconds)\n',
                     'kernel/time/Makefile': POSIX_TIMERS_MAKEFILE})
        self.assertEqual(stubs.config_option(root, 'alarm')['option'], 'CONFIG_POSIX_TIMERS')

    def test_the_else_branch_names_no_option(self):
        root = tree(self, {'kernel/time/stubs.c': 'SYSCALL_DEFINE1(alarm2, int, x)\n',
                     'kernel/time/Makefile': POSIX_TIMERS_MAKEFILE})
        self.assertEqual(stubs.config_option(root, 'alarm2'),
                         {'file': 'kernel/time/stubs.c', 'option': None})

    def test_an_ifdef_around_the_definition(self):
        root = tree(self, {'mm/mprotect.c': '#ifdef CONFIG_ARCH_HAS_PKEYS\n#ifndef FOO\n#endif\n'
                                      'SYSCALL_DEFINE2(pkey_alloc, unsigned long, f, '
                                      'unsigned long, r)\n#endif\n',
                     'mm/Makefile': 'obj-y += mprotect.o\n'})
        self.assertEqual(stubs.config_option(root, 'pkey_alloc')['option'],
                         'CONFIG_ARCH_HAS_PKEYS')

    def test_an_ifndef_is_not_the_option(self):
        root = tree(self, {'mm/a.c': '#ifndef CONFIG_MMU\n#else\n#endif\n'
                               '#ifndef CONFIG_FOO\nSYSCALL_DEFINE0(thing)\n#endif\n',
                     'mm/Makefile': 'obj-$(CONFIG_THING) += a.o\n'})
        self.assertEqual(stubs.config_option(root, 'thing')['option'], 'CONFIG_THING')

    def test_a_directory_option_above(self):
        root = tree(self, {'kernel/bpf/syscall.c': 'SYSCALL_DEFINE3(bpf, int, cmd)\n',
                     'kernel/bpf/Makefile': 'obj-y += syscall.o\n',
                     'kernel/Makefile': 'obj-$(CONFIG_BPF) += bpf/\n'})
        self.assertEqual(stubs.config_option(root, 'bpf')['option'], 'CONFIG_BPF')

    def test_a_longer_name_is_not_the_call(self):
        root = tree(self, {'fs/a.c': 'SYSCALL_DEFINE1(flock2, int, x)\n',
                     'fs/b.c': 'SYSCALL_DEFINE2(flock, unsigned int, fd, unsigned int, cmd)\n',
                     'fs/Makefile': 'obj-$(CONFIG_A) += a.o\nobj-$(CONFIG_FILE_LOCKING) += b.o\n'})
        self.assertEqual(stubs.config_option(root, 'flock'),
                         {'file': 'fs/b.c', 'option': 'CONFIG_FILE_LOCKING'})

    def test_a_call_the_tree_lacks(self):
        self.assertIsNone(stubs.config_option(tree(self, {'kernel/Makefile': ''}), 'nosuch'))


class StubFile(unittest.TestCase):
    def test_paths(self):
        self.assertTrue(stubs.is_stub_file('kernel/sys_ni.c'))
        self.assertTrue(stubs.is_stub_file('/src/tree/kernel/sys_ni.c'))
        self.assertFalse(stubs.is_stub_file('/src/tree/kernel/sys_ni.cc'))
        self.assertFalse(stubs.is_stub_file(None))


if __name__ == '__main__':
    unittest.main()
