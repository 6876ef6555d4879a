"""``python -m edge``: see edge/cli.py."""

from __future__ import annotations

import sys

from edge.cli import main
from edge.pipes import run_piped

if __name__ == "__main__":
    sys.exit(run_piped(main))
