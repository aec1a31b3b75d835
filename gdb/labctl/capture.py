# Writing a capture file (gdb/SCHEMA.md): pure Python, no GDB, so the fast
# tests exercise it (tests/py).
#
# labctl reads captures with jansson, whose integers are signed 64-bit, and
# users read them with jq and JavaScript, whose numbers are doubles.  So the
# writer cannot emit what a reader refuses: addresses are "0x..." strings by
# key (ADDRESS_KEYS, every integer under 'regs'), and any other integer
# outside the signed 64-bit range is one too, wherever it is; private
# fields (a leading '_') are the writer's bookkeeping and never written.
import json
import math
import os

ADDRESS_KEYS = frozenset((
    'addr', 'pc', 'next_pc', 'pc_after', 'rsp', 'rsp_before', 'rsp_after', 'word', 'value',
    'before', 'after', 'entry_addr', 'user_rsp', 'kernel_stack_top', 'file', 'socket', 'sk',
    'function_addr', 'syscall_addrs', 'breakpoints', 'raw', 'regs', 'rdi', 'rsi', 'rax',
    'regs_ax', 'user_pc', 'user_rax', 'user_cs', 'user_ss', 'words', 'frame_top', 'task',
    'from_rsp', 'args_addr', 'tss_sp0', 'return_to',
    # a call that does not come back (end): the frame it rewrote, the
    # signal frame the kernel wrote on the user stack
    'ip', 'sp', 'was_ip', 'was_sp', 'handler', 'frame', 'saved_ip', 'saved_ax'))

INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1


def encode(obj, key=None, every=False):
    """OBJ as it is written: addresses as hex, no private keys, no NaN."""
    every = every or key == 'regs'
    if isinstance(obj, dict):
        return {k: encode(v, k, every) for k, v in obj.items()
                if not (isinstance(k, str) and k.startswith('_'))}
    if isinstance(obj, (list, tuple)):
        return [encode(v, key, every) for v in obj]
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int):
        if every or key in ADDRESS_KEYS or not INT64_MIN <= obj <= INT64_MAX:
            return '0x%x' % obj if obj >= 0 else '-0x%x' % -obj
        return obj
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_atomic(path, text):
    """Write TEXT to PATH whole or not at all (a temporary file, then
    rename): for captures and the reports rendered from them."""
    tmp = '%s.tmp.%d' % (path, os.getpid())
    try:
        with open(tmp, 'w') as f:
            f.write(text)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write(path, data):
    """Write DATA (already encoded) to PATH whole or not at all."""
    write_atomic(path, json.dumps(data, indent=1, allow_nan=False) + '\n')
