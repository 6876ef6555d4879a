"""Entry point of `python -m provisioning`."""

from edge.pipes import run_piped
from provisioning.cli import main

raise SystemExit(run_piped(main))
