# The DWARF line table of vmlinux as elfutils' libdw reads it: the row for
# an address.  GDB's own table is not enough for a frame's line: where
# several rows share an address (a function's line, then zero-length
# inlined helpers' rows, then the function's line again), GDB keeps only
# the last statement row, often a header's (include/linux/file.h:65 for
# __sys_connect), and drops the function's own.  libdw keeps them all and
# answers as addr2line does.  libdw.so.1 comes with GDB (libdebuginfod1);
# it is reached through ctypes, as it has no Python binding in Debian.
import ctypes
from ctypes import POINTER, byref, c_char_p, c_int, c_uint64, c_void_p


class _Callbacks(ctypes.Structure):
    # Dwfl_Callbacks (elfutils/libdwfl.h)
    _fields_ = [('find_elf', c_void_p), ('find_debuginfo', c_void_p),
                ('section_address', c_void_p), ('debuginfo_path', c_void_p)]


class LineTable:
    """vmlinux's line rows; row() is None where libdw is missing."""

    def __init__(self, path):
        self.mod = None
        try:
            dw = ctypes.CDLL('libdw.so.1')
        except OSError:
            return
        dw.dwfl_begin.restype = c_void_p
        dw.dwfl_begin.argtypes = [c_void_p]
        dw.dwfl_report_offline.restype = c_void_p
        dw.dwfl_report_offline.argtypes = [c_void_p, c_char_p, c_char_p, c_int]
        dw.dwfl_report_end.argtypes = [c_void_p, c_void_p, c_void_p]
        dw.dwfl_module_getsrc.restype = c_void_p
        dw.dwfl_module_getsrc.argtypes = [c_void_p, c_uint64]
        dw.dwfl_lineinfo.restype = c_char_p
        dw.dwfl_lineinfo.argtypes = [c_void_p, POINTER(c_uint64), POINTER(c_int),
                                     POINTER(c_int), c_void_p, c_void_p]
        fn = lambda f: ctypes.cast(f, c_void_p).value
        # kept: libdw holds on to the callbacks for the session's life
        self.callbacks = _Callbacks(fn(dw.dwfl_build_id_find_elf),
                                    fn(dw.dwfl_standard_find_debuginfo),
                                    fn(dw.dwfl_offline_section_address), None)
        dwfl = dw.dwfl_begin(byref(self.callbacks))
        if not dwfl:
            return
        mod = dw.dwfl_report_offline(dwfl, b'vmlinux', path.encode(), -1)
        dw.dwfl_report_end(dwfl, None, None)
        self.dw, self.mod = dw, mod

    def row(self, addr):
        """(file, line) of the row that covers ADDR, or None."""
        if not self.mod:
            return None
        line = self.dw.dwfl_module_getsrc(self.mod, addr)
        if not line:
            return None
        start, number = c_uint64(), c_int()
        path = self.dw.dwfl_lineinfo(line, byref(start), byref(number), None, None, None)
        if not path or number.value <= 0:
            return None
        return path.decode(errors='replace'), number.value


_tables = {}


def table(path):
    if path not in _tables:
        _tables[path] = LineTable(path)
    return _tables[path]
