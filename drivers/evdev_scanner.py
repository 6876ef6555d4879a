"""USB barcode scanners in keyboard mode, read from ``/dev/input/eventN`` and grabbed exclusively.

Grabbing (``EVIOCGRAB``) means the kernel hands the scanner's key events to this process only, so
a scan never types into the kiosk UI or a terminal. If the grab fails the scanner is not read at
all: scans leaking into the UI as keystrokes is worse than no scanner.

The device is found by its path, or by USB vendor/product id, or by (part of) its name, through
python-evdev. The one I/O primitive is ``os.read`` of whole ``struct input_event`` records; decoding
is ``drivers.keydecode``. The same path can read a FIFO or a recording (``grab=False``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import time
from collections.abc import Callable
from typing import Final

from drivers.errors import DeviceGone, DeviceNotFound, GrabFailed
from drivers.keydecode import EVENT_SIZE, DecoderConfig, Fragment, KeyDecoder, parse_events
from drivers.scan import Scan
from drivers.scanner import ScannerBase

# _IOW('E', 0x90, int): grab (1) or release (0) an input device for this file descriptor only.
EVIOCGRAB: Final = 0x40044590
READ_EVENTS_MAX: Final = 512
_GONE_ERRNOS: Final = frozenset({errno.ENODEV, errno.EIO, errno.EBADF, errno.ENXIO})


def list_input_devices() -> list[tuple[str, str, int, int]]:
    """Every readable input device as (path, name, vendor id, product id)."""
    try:
        import evdev
    except ImportError:  # pragma: no cover - evdev is a dependency on Linux
        return []
    found = []
    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue
        try:
            found.append((path, device.name, device.info.vendor, device.info.product))
        finally:
            device.close()
    return found


def find_device(
    vendor: int | None = None,
    product: int | None = None,
    name: str | None = None,
    devices: Callable[[], list[tuple[str, str, int, int]]] = list_input_devices,
) -> str:
    """The path of the first input device matching vendor/product id and/or a name fragment."""
    if vendor is None and product is None and not name:
        raise ValueError("give a vendor/product id or a name to look for")
    for path, dev_name, dev_vendor, dev_product in devices():
        if vendor is not None and dev_vendor != vendor:
            continue
        if product is not None and dev_product != product:
            continue
        if name and name.lower() not in dev_name.lower():
            continue
        return path
    wanted = ", ".join(
        part
        for part in (
            f"vendor 0x{vendor:04x}" if vendor is not None else "",
            f"product 0x{product:04x}" if product is not None else "",
            f"name containing {name!r}" if name else "",
        )
        if part
    )
    raise DeviceNotFound(
        f"no input device with {wanted}; is the scanner plugged in? List devices with "
        "`python -m drivers scan --list` (needs read access to /dev/input, e.g. group 'input')",
        f"tidak ada perangkat input dengan {wanted}; apakah pemindai sudah dicolok? Lihat daftar dengan "
        "`python -m drivers scan --list` (perlu akses baca ke /dev/input, misalnya grup 'input')",
    )


class EvdevScanner(ScannerBase):
    """A keyboard-wedge scanner (module docstring). Give ``path``, or ``vendor``/``product``/``name``."""

    def __init__(
        self,
        path: str | None = None,
        *,
        vendor: int | None = None,
        product: int | None = None,
        name: str | None = None,
        config: DecoderConfig | None = None,
        grab: bool = True,
        reopen: bool = True,
        finder: Callable[[], str] | None = None,
        queue_size: int | None = None,
    ) -> None:
        super().__init__(reopen=reopen, **({"queue_size": queue_size} if queue_size else {}))
        if finder is None:
            if path is not None:
                fixed = path

                def finder() -> str:
                    return fixed
            else:

                def finder() -> str:
                    return find_device(vendor, product, name)

        self._finder = finder
        self.grab = grab
        self.config = config or DecoderConfig()
        self.path = path or ""
        self.source = f"evdev:{self.path}" if self.path else "evdev"
        self._decoder = KeyDecoder(self.config, self.source)
        self._fd: int | None = None
        self._rest = b""
        self._last_data = 0.0

    def _open(self) -> None:
        path = self._finder()
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError as err:
            raise DeviceNotFound(
                f"scanner {path} does not exist; is it plugged in?",
                f"pemindai {path} tidak ada; apakah sudah dicolok?",
            ) from err
        except PermissionError as err:
            raise DeviceNotFound(
                f"no permission to read {path}; add the kiosk user to group 'input' or install the udev rule",
                f"tidak ada izin membaca {path}; tambahkan pengguna kiosk ke grup 'input' atau pasang "
                "aturan udev",
            ) from err
        if self.grab:
            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as err:
                os.close(fd)
                raise GrabFailed(
                    f"could not grab {path} exclusively ({err.strerror}); another program holds it or it is "
                    "not an input device. Not reading it, so scans cannot leak into the screen as keystrokes",
                    f"tidak bisa mengambil alih {path} secara eksklusif ({err.strerror}); program lain "
                    "memakainya atau bukan perangkat input. Tidak dibaca, agar hasil pindai tidak bocor "
                    "ke layar",
                ) from err
        self._fd = fd
        self.path = path
        self.source = f"evdev:{path}"
        self._decoder = KeyDecoder(self.config, self.source)
        self._rest = b""
        self._last_data = time.monotonic()

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if self.grab:
            with contextlib.suppress(OSError):  # unplugged: the kernel already released it
                fcntl.ioctl(fd, EVIOCGRAB, 0)
        os.close(fd)
        for fragment in self._decoder.reset():
            self.fragments.append(fragment)

    def _read(self, timeout_s: float) -> list[Scan | Fragment]:
        fd = self._fd
        if fd is None:
            raise DeviceGone("scanner is not open", "pemindai belum dibuka")
        try:
            ready, _, _ = select.select([fd], [], [], timeout_s)
            data = os.read(fd, EVENT_SIZE * READ_EVENTS_MAX) if ready else None
        except BlockingIOError:
            data = None
        except OSError as err:
            if err.errno in _GONE_ERRNOS:
                raise DeviceGone(
                    f"scanner {self.path} disappeared ({err.strerror}); waiting for it to come back",
                    f"pemindai {self.path} terlepas ({err.strerror}); menunggu dicolok kembali",
                ) from err
            raise
        if data == b"":
            raise DeviceGone(
                f"scanner {self.path} closed (end of stream); waiting for it to come back",
                f"pemindai {self.path} tertutup; menunggu dicolok kembali",
            )
        out: list[Scan | Fragment] = []
        now = time.monotonic()
        if data:
            self._last_data = now
            data = self._rest + data
            whole = len(data) - len(data) % EVENT_SIZE
            self._rest = data[whole:]
            for event in parse_events(data[:whole]):
                out.extend(self._decoder.feed(event))
        elif self._decoder.pending and now - self._last_data > self.config.timeout_s:
            # Nothing came for longer than the inter-key timeout: end or drop what was typed.
            out.extend(self._decoder.expire(float("inf")))
        return out
