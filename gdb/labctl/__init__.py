# labctl's GDB package: loaded by `labctl trace` into `gdb -batch -nx`.
#
# `python import labctl.register` registers the commands (one gdb.Command
# each, in the style of the kernel's scripts/gdb/linux/):
#   lab-trace PARAMS.json      capture one system call, write the JSON report
#   lab-timeline PARAMS.json   record a scenario's socket calls as JSON
#   lab-stop PARAMS.json       stop at the program's syscall for an interactive
#                              session: lab-step, lab-regs, lab-where, lab-report
#                              (interactive.py)
# The package itself imports nothing, so its pure modules (capture, and
# report: the renderers) load without GDB, in the fast tests and in
# `python3 -m labctl.report`.
