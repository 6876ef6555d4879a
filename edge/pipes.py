"""Command-line output into a pipe whose reader went away (``python -m edge catalog list | head``).

A Unix tool stops quietly when its reader closes the pipe; Python raises ``BrokenPipeError`` at the
next write (or at the final flush) and prints a traceback. ``run_piped`` wraps a whole command-line
``main`` once, so no command needs its own handling. Used by ``edge`` and ``provisioning``; ``drivers``
(which imports nothing of edge) keeps the same few lines in its own entry point.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Final

# What a shell reports for a tool stopped by SIGPIPE (128 + 13).
EXIT_BROKEN_PIPE: Final = 128 + int(signal.SIGPIPE)


def run_piped(main: Callable[[], int]) -> int:
    """Run ``main`` and flush its output; if the reader of standard output has gone, stop quietly."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's own flush at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE
    return code
