# Importing this registers labctl's GDB commands (see __init__.py).
from labctl import trace  # noqa: F401  (registers lab-trace)
from labctl import timeline  # noqa: F401  (registers lab-timeline)
from labctl import interactive  # noqa: F401  (registers lab-stop, lab-step, lab-regs, ...)
from labctl import serve  # noqa: F401  (registers lab-serve)
