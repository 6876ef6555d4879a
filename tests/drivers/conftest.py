"""Fixtures for drivers/: pty pairs standing in for serial ports, FIFOs standing in for /dev/input."""

from __future__ import annotations

import contextlib
import os
import tty
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass
class Pty:
    """A pseudo-terminal pair: the driver opens ``port``; the test talks through ``master``."""

    master: int
    slave: int
    port: str

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def open_pty() -> Pty:
    """A raw pty pair (no echo, no line editing), as a USB-serial device looks to a driver."""
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    return Pty(master, slave, os.ttyname(slave))


@pytest.fixture
def pty() -> Iterator[Pty]:
    """One pty pair, closed after the test."""
    pair = open_pty()
    yield pair
    pair.close()
