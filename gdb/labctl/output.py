# How the GDB commands talk to labctl: progress lines on stdout, the
# capture as JSON in a file (gdb/SCHEMA.md), written whole or not at all.
import json
import os

import gdb

# Keys whose values are addresses, register values or stack words: written
# as "0x..." strings, since 64-bit values do not survive JSON readers that
# use doubles (jq, JavaScript) or int64 (jansson).  See gdb/SCHEMA.md.
HEX_KEYS = frozenset((
    'addr', 'pc', 'next_pc', 'pc_after', 'rsp', 'rsp_before', 'rsp_after', 'word', 'value',
    'before', 'after', 'entry_addr', 'user_rsp', 'kernel_stack_top', 'file', 'socket', 'sk',
    'function_addr', 'syscall_addrs', 'breakpoints', 'raw', 'regs', 'rdi', 'rsi', 'rax',
    'regs_ax', 'user_pc', 'user_rax', 'user_cs', 'user_ss', 'words', 'frame_top', 'task', 'from_rsp', 'args_addr', 'tss_sp0', 'return_to'))


def phase(name):
    """One progress line for labctl (which names the phase on a timeout)."""
    gdb.write('labctl-phase: %s\n' % name)
    gdb.flush()


def hexify(obj, key=None, every=False):
    """Write HEX_KEYS' integers (every integer under 'regs') as hex."""
    every = every or key == 'regs'
    if isinstance(obj, dict):
        return {k2: hexify(v, k2, every) for k2, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [hexify(v, key, every) for v in obj]
    if isinstance(obj, int) and not isinstance(obj, bool) and (every or key in HEX_KEYS):
        return '0x%x' % obj
    return obj


def write_json(path, data):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    os.rename(tmp, path)
