"""``python -m central``: the operator's command line, a thin shell over the domain packages."""

from central.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
