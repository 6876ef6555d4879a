"""System files for a Raspberry Pi kiosk: systemd units, udev rules, read-only root notes.

All text comes from pure functions of ``PiOptions``; ``write_pi_files`` lays them out as they go on the
Pi (``etc/systemd/system/...``, ``etc/udev/rules.d/...``) under an output directory, so they can be
copied onto the image as they are, or checked on a build machine (``systemd-analyze verify --root``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from provisioning.errors import InvalidName
from provisioning.files import write_new_files

USB_ID_RE: Final = re.compile(r"^[0-9a-f]{4}$")
USER_RE: Final = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
PATH_RE: Final = re.compile(r"^/[A-Za-z0-9._/-]*$")
KIOSK_UNIT: Final = "koperasi-kiosk.service"
# Stable names the udev rule gives the scanner and the printer (what the kiosk and doctor open).
SCANNER_NODE: Final = "/dev/koperasi/scanner"
PRINTER_NODE: Final = "/dev/koperasi/printer"
SYNC_UNIT: Final = "koperasi-sync.service"
UDEV_RULES: Final = "99-koperasi.rules"
READONLY_NOTES: Final = "README-readonly-root.md"
# A service that stops answering the watchdog for this long is killed and restarted by systemd.
WATCHDOG_S: Final = 60
RESTART_DELAY_S: Final = 5
START_LIMIT_BURST: Final = 10
START_LIMIT_INTERVAL_S: Final = 600


@dataclass(frozen=True)
class PiOptions:
    """What differs between kiosks: paths, the kiosk user, and the USB ids of the scanner and printer."""

    prefix: str = "/opt/koperasi"  # the venv lives in <prefix>/venv
    data_dir: str = "/var/lib/koperasi"  # the writable data partition
    device_dir: str = "/var/lib/koperasi/device"
    user: str = "kiosk"
    scanner_vendor: str = "05e0"  # Zebra/Symbol scanners; find yours with `lsusb`
    scanner_product: str = "1200"
    printer_vendor: str | None = "0416"  # a common ESC/POS thermal printer (Winbond-based)
    printer_product: str | None = "5011"
    lang: str = "id"

    @property
    def python(self) -> str:
        return f"{self.prefix}/venv/bin/python"


def check_options(options: PiOptions) -> PiOptions:
    """Refuse values that would make a broken unit or rule."""
    for name, value in (
        ("scanner-vendor", options.scanner_vendor),
        ("scanner-product", options.scanner_product),
        ("printer-vendor", options.printer_vendor),
        ("printer-product", options.printer_product),
    ):
        if value is not None and not USB_ID_RE.match(value):
            raise InvalidName(
                f"--{name} {value!r} harus 4 digit heksadesimal huruf kecil, lihat `lsusb` (mis. 05e0)",
                f"--{name} {value!r} must be 4 lowercase hex digits, see `lsusb` (e.g. 05e0)",
            )
    if (options.printer_vendor is None) != (options.printer_product is None):
        raise InvalidName(
            "--printer-vendor dan --printer-product harus diberikan bersama",
            "--printer-vendor and --printer-product go together",
        )
    if not USER_RE.match(options.user):
        raise InvalidName(
            f"nama pengguna {options.user!r} tidak sah", f"user name {options.user!r} is not valid"
        )
    for name, value in (
        ("prefix", options.prefix),
        ("data-dir", options.data_dir),
        ("device-dir", options.device_dir),
    ):
        if not PATH_RE.match(value):
            raise InvalidName(
                f"--{name} {value!r} harus path absolut tanpa spasi",
                f"--{name} {value!r} must be an absolute path without spaces",
            )
    return options


def _service(
    description: str, after: str, exec_start: str, options: PiOptions, *, wants: str = "", extra: str = ""
) -> str:
    wants_line = f"Wants={wants}\n" if wants else ""
    return f"""[Unit]
Description={description}
After={after}
{wants_line}StartLimitIntervalSec={START_LIMIT_INTERVAL_S}
StartLimitBurst={START_LIMIT_BURST}

[Service]
# The watchdog wrapper reports READY and pings systemd while the service lives; if it stops pinging
# (the service hung) systemd kills and restarts it, as it does when the service exits with an error.
Type=notify
NotifyAccess=all
WatchdogSec={WATCHDOG_S}
Restart=on-failure
RestartSec={RESTART_DELAY_S}
TimeoutStopSec=20
User={options.user}
Group={options.user}
WorkingDirectory={options.device_dir}
Environment=KOP_LANG={options.lang}
Environment=PYTHONDONTWRITEBYTECODE=1
{extra}ExecStart={options.python} -m provisioning watchdog -- {exec_start}
# The root file system is read-only; only the data partition is written.
ProtectSystem=strict
ReadWritePaths={options.data_dir}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
"""


def sync_unit(options: PiOptions) -> str:
    """The device's sync service: outbox up, acks and snapshots down, over MQTT with TLS."""
    return _service(
        "Koperasi sync (device outbox to central over MQTT)",
        "network-online.target time-sync.target",
        f"{options.python} -m sync --device {options.device_dir}",
        options,
        wants="network-online.target",
    )


def kiosk_unit(options: PiOptions) -> str:
    """The touch UI on the Pi's screen (Kivy on KMS/DRM, no desktop needed)."""
    return _service(
        "Koperasi kiosk (touch UI)",
        f"{SYNC_UNIT} systemd-user-sessions.service",
        f"{options.python} -m kiosk --device-config {options.device_dir} --fullscreen "
        f"--scanner evdev:{SCANNER_NODE}"
        + (f" --printer file:{PRINTER_NODE}" if options.printer_vendor else ""),
        options,
        wants=SYNC_UNIT,
        extra=(
            "SupplementaryGroups=input video render dialout lp\n"
            f"Environment=KIVY_HOME={options.data_dir}/kivy\n"
            "Environment=KIVY_NO_ARGS=1\n"
        ),
    )


def udev_rules(options: PiOptions) -> str:
    """Pin the scanner (and printer) by USB vendor/product id, give the kiosk user access, stable names."""
    lines = [
        "# Generated by `python -m provisioning pi-files`. Find ids with `lsusb` (ID vendor:product).",
        "# Barcode scanner as a keyboard (evdev): the kiosk reads it, the console does not see it as typing.",
        'ACTION=="add|change", SUBSYSTEM=="input", KERNEL=="event*", '
        f'ATTRS{{idVendor}}=="{options.scanner_vendor}", ATTRS{{idProduct}}=="{options.scanner_product}", '
        f'MODE="0660", GROUP="{options.user}", SYMLINK+="koperasi/scanner", '
        'ENV{LIBINPUT_IGNORE_DEVICE}="1"',
        "# The same scanner in serial (CDC-ACM) mode.",
        'ACTION=="add|change", SUBSYSTEM=="tty", '
        f'ATTRS{{idVendor}}=="{options.scanner_vendor}", ATTRS{{idProduct}}=="{options.scanner_product}", '
        f'MODE="0660", GROUP="{options.user}", SYMLINK+="koperasi/scanner-serial"',
    ]
    if options.printer_vendor and options.printer_product:
        lines += [
            "# ESC/POS receipt printer (USB printer class).",
            'ACTION=="add|change", SUBSYSTEM=="usbmisc", KERNEL=="lp*", '
            f'ATTRS{{idVendor}}=="{options.printer_vendor}", '
            f'ATTRS{{idProduct}}=="{options.printer_product}", '
            f'MODE="0660", GROUP="{options.user}", SYMLINK+="koperasi/printer"',
            "# Raw USB access for python-escpos' Usb printer class.",
            'ACTION=="add|change", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", '
            f'ATTR{{idVendor}}=="{options.printer_vendor}", ATTR{{idProduct}}=="{options.printer_product}", '
            f'MODE="0660", GROUP="{options.user}"',
        ]
    return "\n".join(lines) + "\n"


def readonly_notes(options: PiOptions) -> str:
    """How to run the Pi with a read-only root and a writable data partition."""
    return f"""# Read-only root, writable data partition

Power cuts are normal at a kiosk. Keep the root file system read-only so it cannot be corrupted, and put
everything that changes on a separate data partition mounted at `{options.data_dir}`:

- `{options.device_dir}`: the device directory (device.toml, keys, edge.sqlite with its WAL).
  SQLite runs with `synchronous=FULL` for money; an ext4 data partition mounted with `data=journal` or the
  default `data=ordered` and `commit=5` is fine.
- `{options.data_dir}/kivy`: Kivy's settings and logs (KIVY_HOME).

/etc/fstab on the Pi:

```
/dev/mmcblk0p2  /                  ext4  ro,noatime                      0 1
/dev/mmcblk0p3  {options.data_dir}  ext4  rw,noatime,commit=5,errors=remount-ro  0 2
tmpfs           /tmp               tmpfs nosuid,nodev,size=64m           0 0
tmpfs           /var/log           tmpfs nosuid,nodev,size=32m           0 0
tmpfs           /var/tmp           tmpfs nosuid,nodev,size=16m           0 0
```

Raspberry Pi OS can also do this for you: `raspi-config` > Performance > Overlay File System (root as an
overlay on tmpfs), leaving `{options.data_dir}` on its own partition writable.

The units use `ProtectSystem=strict` with `ReadWritePaths={options.data_dir}`, so the services cannot write
anywhere else even when the root is mounted read-write for an update. Updates: remount the root
read-write (`mount -o remount,rw /`), install, `sync`, reboot.

Clock: a Pi has no battery-backed clock. Envelopes carry the device clock, so enable time sync
(`systemctl enable systemd-timesyncd`) or add an RTC module; `python -m provisioning doctor` warns when
the clock is obviously wrong.

Install the files:

```
cp etc/systemd/system/*.service /etc/systemd/system/
cp etc/udev/rules.d/{UDEV_RULES} /etc/udev/rules.d/
useradd --system --create-home --home-dir {options.data_dir} {options.user}
udevadm control --reload && udevadm trigger
systemctl daemon-reload && systemctl enable --now {SYNC_UNIT} {KIOSK_UNIT}
```
"""


def pi_files(options: PiOptions) -> dict[str, str]:
    """Relative path -> content of every generated file."""
    check_options(options)
    return {
        f"etc/systemd/system/{SYNC_UNIT}": sync_unit(options),
        f"etc/systemd/system/{KIOSK_UNIT}": kiosk_unit(options),
        f"etc/udev/rules.d/{UDEV_RULES}": udev_rules(options),
        READONLY_NOTES: readonly_notes(options),
    }


def write_pi_files(options: PiOptions, out: Path) -> tuple[Path, ...]:
    """Write ``pi_files`` under ``out`` (never overwriting); returns the paths written."""
    return write_new_files(pi_files(options), out)
