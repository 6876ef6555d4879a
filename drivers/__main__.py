"""``python -m drivers``: see drivers/cli.py."""

import os
import sys

from drivers.cli import main

# The reader of a pipe went away (``python -m drivers ... | head``): stop quietly like a Unix tool, with
# 128 + SIGPIPE. The same as edge/pipes.py, which drivers may not import (tests/test_layers.py).
try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    code = 141
raise SystemExit(code)
