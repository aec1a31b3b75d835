# A system call this kernel was built without: its sys_call_table entry is
# an -ENOSYS stub from kernel/sys_ni.c.  Which file of the source tree
# defines the real call, and which config option compiles that code in,
# both read from the kernel source (pure Python: no GDB needed).
import os
import re

# The one file of stubs: sys_ni_syscall and, through COND_SYSCALL, a weak
# __x64_sys_NAME / __ia32_sys_NAME returning -ENOSYS for every call that
# a config option can leave out.
STUB_FILE = 'kernel/sys_ni.c'

# Where SYSCALL_DEFINEs live; the rest of the tree (drivers, sound, ...)
# defines none of x86's calls.
DIRS = ('kernel', 'mm', 'fs', 'ipc', 'security', 'net', 'block', 'arch/x86', 'io_uring')

_IF = re.compile(r'^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)$')
_CONFIG = re.compile(r'\bCONFIG_\w+')


def is_stub_file(path):
    """Is PATH (as DWARF names the handler's file) kernel/sys_ni.c?"""
    return bool(path) and (path == STUB_FILE or path.endswith('/' + STUB_FILE))


def defining_file(source, name):
    """The file under SOURCE (relative) whose SYSCALL_DEFINEn(NAME, ...)
    defines the call, or None."""
    define = re.compile(r'\b(?:COMPAT_)?SYSCALL_DEFINE\d\(%s\s*[,)]' % re.escape(name))
    for top in DIRS:
        for d, subdirs, files in os.walk(os.path.join(source, top)):
            subdirs.sort()
            for f in sorted(files):
                if not f.endswith('.c'):
                    continue
                path = os.path.join(d, f)
                with open(path, errors='replace') as fh:
                    text = fh.read()
                if 'SYSCALL_DEFINE' in text and define.search(text):
                    return os.path.relpath(path, source)
    return None


def _enclosing_option(text, name):
    """The CONFIG_ option of the innermost #if/#ifdef around NAME's
    SYSCALL_DEFINE in TEXT, or None."""
    define = re.compile(r'\b(?:COMPAT_)?SYSCALL_DEFINE\d\(%s\s*[,)]' % re.escape(name))
    stack = []
    for line in text.splitlines():
        if define.search(line):
            for cond in reversed(stack):
                m = cond and _CONFIG.search(cond)
                if m:
                    return m.group(0)
            return None
        m = _IF.match(line)
        if not m:
            continue
        word, rest = m.groups()
        if word in ('ifdef', 'if'):
            stack.append(rest)
        elif word == 'ifndef':
            stack.append(None)      # built when the option is not set
        elif word in ('elif', 'else') and stack:
            stack[-1] = None        # the option names the other branch
        elif word == 'endif' and stack:
            stack.pop()
    return None


def _makefile_option(source, directory, entry):
    """The CONFIG_ option of DIRECTORY/Makefile's line that builds ENTRY
    ('kexec.o' or 'bpf/'): in the line (obj-$(CONFIG_KEXEC) += kexec.o) or
    in the ifeq/ifdef around it; None when neither names one."""
    path = os.path.join(source, directory, 'Makefile')
    try:
        with open(path, errors='replace') as fh:
            text = fh.read().replace('\\\n', ' ')
    except OSError:
        return None
    word = re.compile(r'(?:^|\s)%s(?:\s|$)' % re.escape(entry))
    conds = []
    for line in text.splitlines():
        head = line.split('#')[0].strip()
        first = head.split(None, 1)[0] if head else ''
        if first in ('ifeq', 'ifneq', 'ifdef', 'ifndef'):
            m = _CONFIG.search(head)
            conds.append(m.group(0) if m and first in ('ifeq', 'ifdef') else None)
            continue
        if first == 'else' and conds:
            conds[-1] = None        # the option names the other branch
            continue
        if first == 'endif' and conds:
            conds.pop()
            continue
        lhs, sep, rhs = head.partition('=')
        if not sep or not word.search(rhs):
            continue
        m = re.search(r'\$\((CONFIG_\w+)\)', lhs)
        if m:
            return m.group(1)
        for cond in reversed(conds):
            if cond:
                return cond
    return None


def config_option(source, name):
    """{'file', 'option'}: where the call NAME is defined and the option that
    builds it (an #ifdef around the definition, else the Makefile line of
    its object, else of a directory above it); None when the tree does not
    define NAME.  'option' is None when neither names one."""
    rel = defining_file(source, name)
    if rel is None:
        return None
    with open(os.path.join(source, rel), errors='replace') as fh:
        option = _enclosing_option(fh.read(), name)
    directory, entry = os.path.split(rel)
    entry = entry[:-2] + '.o'
    while option is None and directory:
        option = _makefile_option(source, directory, entry)
        directory, entry = os.path.split(directory)
        entry += '/'
    return {'file': rel, 'option': option}
