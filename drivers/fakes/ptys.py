"""The far end of a fake serial device: a raw pseudo-terminal pair (no /dev/ttyUSB needed)."""

from __future__ import annotations

import os
import tty


def open_raw_pty() -> tuple[int, int, str]:
    """``(master, slave, port)``: a raw pty pair; a driver opens ``port``, the fake uses ``master``."""
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def close_pty(master: int, slave: int) -> None:
    """Close both ends of a pair made by ``open_raw_pty``."""
    os.close(master)
    os.close(slave)
