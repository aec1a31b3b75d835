# How the GDB commands talk to labctl: progress lines on stdout, the
# capture as JSON in a file (gdb/SCHEMA.md; written by labctl.capture).
import gdb


def phase(name):
    """One progress line for labctl (which names the phase on a timeout)."""
    gdb.write('labctl-phase: %s\n' % name)
    gdb.flush()
