"""Subcommands for the device side and for members: pi-files, doctor, cards, watchdog (added below)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add(sub: Any, add_common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register the extra subcommands on ``sub``."""
