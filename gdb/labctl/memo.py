# What GDB learns slowly of vmlinux and never differently: the member of a
# variable an address names (describe(): its type's compilation unit is
# expanded, 4-7 ms each, for the per-cpu slots the entry reads).  labctl
# names a file in the kernel's own cache entry (params 'memo'), whose vmlinux
# never changes; a command reads it first and, when it learnt something,
# writes it back whole (a temporary file, then rename).  Values keep JSON's
# types: an answer is the one GDB gave.
import json

from labctl import capture

_memo = {}
_path = [None]
_dirty = [False]


def load(path):
    """The memo at PATH (None: none kept); a missing or unreadable one is
    an empty one."""
    _memo.clear()
    _path[0], _dirty[0] = path, False
    if not path:
        return
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return
    if isinstance(data, dict):
        _memo.update(data)


def get(kind, key):
    """What was learnt of KEY (a string) as KIND, or None."""
    return _memo.get(kind, {}).get(key)


def put(kind, key, value):
    _memo.setdefault(kind, {})[key] = value
    _dirty[0] = True


def save():
    """Write the memo back when something was learnt.  One that cannot be
    written (a read-only cache) only makes the next command slower."""
    if not _dirty[0] or not _path[0]:
        return
    try:
        capture.write_atomic(_path[0], json.dumps(_memo, sort_keys=True))
    except OSError:
        pass
    _dirty[0] = False
