"""System files for the office server: `central serve`, the members' portal, and the nightly ledger backup
with rotation.

Pure functions of ``OfficeOptions`` give each file's text; ``write_office_files`` lays them out as they go on
the server (``etc/systemd/system/...``), never overwriting, so they can be copied as they are or checked
with ``systemd-analyze verify --root``. docs/backup.md explains the
schedule, the rotation and copying backups off the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from provisioning.errors import InvalidName
from provisioning.files import write_new_files

SERVE_UNIT: Final = "koperasi-central.service"
PORTAL_UNIT: Final = "koperasi-portal.service"
NOTIFY_UNIT: Final = "koperasi-notify.service"
DEVICE_RE: Final = re.compile(r"^/dev/[A-Za-z0-9._/:-]+$")
LISTEN_RE: Final = re.compile(r"^(127\.0\.0\.1|\[::1\]|localhost):[0-9]{1,5}$")
URL_RE: Final = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")
MAX_WORKERS: Final = 64
BACKUP_UNIT: Final = "koperasi-backup.service"
BACKUP_TIMER: Final = "koperasi-backup.timer"
USER_RE: Final = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
PATH_RE: Final = re.compile(r"^/[A-Za-z0-9._/-]*$")
BROKER_RE: Final = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")
TIME_RE: Final = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
RESTART_DELAY_S: Final = 5
START_LIMIT_BURST: Final = 10
START_LIMIT_INTERVAL_S: Final = 600
BACKUP_TIMEOUT_S: Final = 4 * 3600  # a nightly backup still running after this is stuck
BACKUP_JITTER_S: Final = 600
MAX_KEEP: Final = 10_000


@dataclass(frozen=True)
class OfficeOptions:
    """What differs between offices: paths, the service user, the broker, the backup time and rotation."""

    prefix: str = "/opt/koperasi"  # the venv lives in <prefix>/venv
    data_dir: str = "/var/lib/koperasi"
    db: str = "/var/lib/koperasi/central.sqlite"  # or a postgresql:// URL (password in the env file)
    backup_dir: str = "/var/backups/koperasi"
    user: str = "koperasi"
    broker: str = "127.0.0.1:8883"
    tls_dir: str = "/etc/koperasi/tls"  # ca.pem, central.pem, central.key from provisioning
    backup_time: str = "02:30"  # local time of the nightly backup
    keep_daily: int = 14
    keep_monthly: int = 12
    lang: str = "id"
    portal_listen: str = "127.0.0.1:8080"  # loopback: nginx or Caddy in front terminates TLS
    portal_url: str = "https://portal.koperasi.example"  # what members open, printed with activation codes
    portal_workers: int = 2  # about one per CPU core
    office_key: str = "/etc/koperasi/office.key"  # members' disputes and loan payouts are signed with it
    notify_modem: str = "/dev/ttyUSB2"  # the GSM modem of the SMS service (docs/notify.md)

    @property
    def python(self) -> str:
        return f"{self.prefix}/venv/bin/python"

    @property
    def env_file(self) -> str:
        """Optional secrets (KOP_DB for a PostgreSQL URL with its password, KOP_BROKER_PASSWORD)."""
        return "/etc/koperasi/central.env"


def check_options(options: OfficeOptions) -> OfficeOptions:
    """Refuse values that would make a broken unit."""
    if not USER_RE.match(options.user):
        raise InvalidName(
            f"nama pengguna {options.user!r} tidak sah", f"user name {options.user!r} is not valid"
        )
    for name, value in (
        ("prefix", options.prefix),
        ("data-dir", options.data_dir),
        ("backup-dir", options.backup_dir),
        ("tls-dir", options.tls_dir),
    ):
        if not PATH_RE.match(value):
            raise InvalidName(
                f"--{name} {value!r} harus path absolut tanpa spasi",
                f"--{name} {value!r} must be an absolute path without spaces",
            )
    if not (PATH_RE.match(options.db) or options.db.startswith("postgresql://")) or " " in options.db:
        raise InvalidName(
            f"--db {options.db!r} harus path absolut atau URL postgresql:// (kata sandi di "
            f"{options.env_file})",
            f"--db {options.db!r} must be an absolute path or a postgresql:// URL (password in "
            f"{options.env_file})",
        )
    if options.db.startswith("postgresql://") and ":" in options.db.split("://", 1)[1].split("@", 1)[0]:
        raise InvalidName(
            f"--db tidak boleh memuat kata sandi; taruh KOP_DB=... di {options.env_file}",
            f"--db must not carry a password; put KOP_DB=... in {options.env_file}",
        )
    if not BROKER_RE.match(options.broker):
        raise InvalidName(
            f"--broker {options.broker!r} harus HOST:PORT", f"--broker {options.broker!r} must be HOST:PORT"
        )
    if not TIME_RE.match(options.backup_time):
        raise InvalidName(
            f"--backup-time {options.backup_time!r} harus JJ:MM, mis. 02:30",
            f"--backup-time {options.backup_time!r} must be HH:MM, e.g. 02:30",
        )
    if not 1 <= options.keep_daily <= MAX_KEEP or not 0 <= options.keep_monthly <= MAX_KEEP:
        raise InvalidName(
            f"--keep-daily harus 1..{MAX_KEEP}, --keep-monthly 0..{MAX_KEEP}",
            f"--keep-daily must be 1..{MAX_KEEP}, --keep-monthly 0..{MAX_KEEP}",
        )
    if not LISTEN_RE.match(options.portal_listen):
        raise InvalidName(
            f"--portal-listen {options.portal_listen!r} harus alamat loopback, mis. 127.0.0.1:8080 "
            "(TLS di nginx/Caddy)",
            f"--portal-listen {options.portal_listen!r} must be a loopback address such as 127.0.0.1:8080 "
            "(TLS at nginx/Caddy)",
        )
    if not URL_RE.match(options.portal_url):
        raise InvalidName(
            f"--portal-url {options.portal_url!r} harus seperti https://portal.koperasi.example",
            f"--portal-url {options.portal_url!r} must look like https://portal.koperasi.example",
        )
    if not 1 <= options.portal_workers <= MAX_WORKERS:
        raise InvalidName(
            f"--portal-workers harus 1..{MAX_WORKERS}", f"--portal-workers must be 1..{MAX_WORKERS}"
        )
    if not PATH_RE.match(options.office_key):
        raise InvalidName(
            f"--office-key {options.office_key!r} harus path absolut tanpa spasi",
            f"--office-key {options.office_key!r} must be an absolute path without spaces",
        )
    if not DEVICE_RE.match(options.notify_modem):
        raise InvalidName(
            f"--notify-modem {options.notify_modem!r} harus port serial di /dev, mis. /dev/ttyUSB2",
            f"--notify-modem {options.notify_modem!r} must be a serial port under /dev, e.g. /dev/ttyUSB2",
        )
    return options


def _db_argument(options: OfficeOptions) -> str:
    # A PostgreSQL URL with its password lives in the env file as KOP_DB; central reads --db from it.
    return "" if options.db.startswith("postgresql://") else f"--db {options.db} "


def serve_unit(options: OfficeOptions) -> str:
    """Central's MQTT service: ingest, ack, downlinks; restarted by systemd when it exits (crash-only)."""
    tls = options.tls_dir
    return f"""[Unit]
Description=Koperasi central serve (device uplinks into the ledger)
After=network-online.target mosquitto.service postgresql.service
Wants=network-online.target
StartLimitIntervalSec={START_LIMIT_INTERVAL_S}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=simple
Restart=always
RestartSec={RESTART_DELAY_S}
TimeoutStopSec=30
User={options.user}
Group={options.user}
WorkingDirectory={options.data_dir}
Environment=KOP_LANG={options.lang}
Environment=PYTHONDONTWRITEBYTECODE=1
EnvironmentFile=-{options.env_file}
ExecStart={options.python} -m central {_db_argument(options)}serve --broker {options.broker} \\
    --ca {tls}/ca.pem --cert {tls}/central.pem --key {tls}/central.key
ProtectSystem=strict
ReadWritePaths={options.data_dir}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
"""


def backup_unit(options: OfficeOptions) -> str:
    """One backup run: a dated, checked copy of the ledger into the backup folder, then rotation."""
    return f"""[Unit]
Description=Koperasi nightly ledger backup (checked copy, rotation: docs/backup.md)
After=network-online.target postgresql.service {SERVE_UNIT}

[Service]
Type=oneshot
User={options.user}
Group={options.user}
Environment=KOP_LANG={options.lang}
Environment=PYTHONDONTWRITEBYTECODE=1
EnvironmentFile=-{options.env_file}
# Runs beside serve: the SQLite online backup API (or pg_dump) reads one consistent snapshot.
ExecStart={options.python} -m central {_db_argument(options)}backup --dir {options.backup_dir} \\
    --keep-daily {options.keep_daily} --keep-monthly {options.keep_monthly}
TimeoutStartSec={BACKUP_TIMEOUT_S}
Nice=10
IOSchedulingClass=idle
UMask=0077
ProtectSystem=strict
ReadWritePaths={options.data_dir} {options.backup_dir}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes
"""


def backup_timer(options: OfficeOptions) -> str:
    """Every night at ``backup_time``; a night the server was off is made up at the next boot."""
    return f"""[Unit]
Description=Koperasi nightly ledger backup at {options.backup_time}

[Timer]
OnCalendar=*-*-* {options.backup_time}:00
Persistent=true
RandomizedDelaySec={BACKUP_JITTER_S}
Unit={BACKUP_UNIT}

[Install]
WantedBy=timers.target
"""


def portal_unit(options: OfficeOptions) -> str:
    """The members' portal (uvicorn on loopback behind nginx or Caddy with TLS), restarted when it exits."""
    https = " --https" if options.portal_url.startswith("https://") else ""
    return f"""[Unit]
Description=Koperasi members' portal (web, behind the TLS proxy)
After=network-online.target postgresql.service
Wants=network-online.target
StartLimitIntervalSec={START_LIMIT_INTERVAL_S}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=simple
Restart=always
RestartSec={RESTART_DELAY_S}
TimeoutStopSec=30
User={options.user}
Group={options.user}
WorkingDirectory={options.data_dir}
Environment=KOP_LANG={options.lang}
Environment=PYTHONDONTWRITEBYTECODE=1
EnvironmentFile=-{options.env_file}
ExecStart={options.python} -m central {_db_argument(options)}portal --listen {options.portal_listen} \\
    --workers {options.portal_workers}{https} --public-url {options.portal_url} \\
    --office-key {options.office_key}
ProtectSystem=strict
ReadWritePaths={options.data_dir}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
"""


def notify_unit(options: OfficeOptions) -> str:
    """The SMS service (docs/notify.md): campaigns and the outbox through the GSM modem; restarted when it
    exits. SIGTERM stops it between two messages; the dialout group opens the modem's port."""
    return f"""[Unit]
Description=Koperasi SMS service (reminders, greetings, announcements through the GSM modem)
After=network-online.target postgresql.service
Wants=network-online.target
StartLimitIntervalSec={START_LIMIT_INTERVAL_S}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=simple
Restart=always
RestartSec={RESTART_DELAY_S}
TimeoutStopSec=90
User={options.user}
Group={options.user}
SupplementaryGroups=dialout
WorkingDirectory={options.data_dir}
Environment=KOP_LANG={options.lang}
Environment=PYTHONDONTWRITEBYTECODE=1
EnvironmentFile=-{options.env_file}
ExecStart={options.python} -m central {_db_argument(options)}notify --modem {options.notify_modem}
ProtectSystem=strict
ReadWritePaths={options.data_dir}
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
"""


def office_files(options: OfficeOptions) -> dict[str, str]:
    """Relative path -> content of every generated file."""
    check_options(options)
    return {
        f"etc/systemd/system/{SERVE_UNIT}": serve_unit(options),
        f"etc/systemd/system/{PORTAL_UNIT}": portal_unit(options),
        f"etc/systemd/system/{NOTIFY_UNIT}": notify_unit(options),
        f"etc/systemd/system/{BACKUP_UNIT}": backup_unit(options),
        f"etc/systemd/system/{BACKUP_TIMER}": backup_timer(options),
    }


def write_office_files(options: OfficeOptions, out: Path) -> tuple[Path, ...]:
    """Write ``office_files`` under ``out`` (never overwriting); returns the paths written."""
    return write_new_files(office_files(options), out)
