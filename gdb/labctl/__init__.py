# labctl's GDB package: loaded by `labctl trace` into `gdb -batch -nx`.
#
# Importing it registers the commands (one gdb.Command each, in the style of
# the kernel's scripts/gdb/linux/):
#   lab-trace PARAMS.json      capture one system call, write the JSON report
#   lab-timeline PARAMS.json   record a scenario's socket calls as JSON
from labctl import trace  # noqa: F401  (registers lab-trace)
from labctl import timeline  # noqa: F401  (registers lab-timeline)
