# labctl's GDB package: loaded by `labctl trace` into `gdb -batch -nx`.
#
# Importing it registers the commands (one gdb.Command each, in the style of
# the kernel's scripts/gdb/linux/):
#   lab-trace PARAMS.json   capture one system call, write the JSON report
from labctl import trace  # noqa: F401  (registers lab-trace)
