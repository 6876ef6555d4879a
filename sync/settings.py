"""The transport's view of a device directory's ``device.toml`` (plain data, read once at start).

Keys (see docs/contracts.md): ``coop``, ``device``, ``unit``, ``branch`` and a ``[broker]`` table with
``host``, ``port``, ``tls``, ``ca``, ``cert``, ``key`` (paths relative to the directory), ``username``,
``password``. Optional, for this package only:

    [broker]
    keepalive_s = 60          # ping interval; raise it on slow, metered links
    mqtt_version = 5          # 5, or 3 for MQTT 3.1.1 brokers (the embedded amqtt broker)
    [sync]
    batch_max = 200           # envelopes per MQTT message
    window = 16               # MQTT messages in flight (published, not yet PUBACKed)
    drain_tx_per_s = 20000    # bound on the backlog drain rate
    ack_timeout_s = 20        # resend what is unacknowledged after this long without progress
    retention_s = 604800      # keep delivered rows this long before pruning them
    compress = true
    reconnect_max_s = 30      # longest wait between reconnect attempts (exponential backoff, jitter)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sync.errors import SettingsError

DEVICE_TOML: Final = "device.toml"
KEEPALIVE_S_DEFAULT: Final = 60
KEEPALIVE_S_MIN: Final = 5
KEEPALIVE_S_MAX: Final = 3600
_ID_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


@dataclass(frozen=True)
class BrokerSettings:
    """Where and how to reach the MQTT broker."""

    host: str = "127.0.0.1"
    port: int = 1883
    tls: bool = False
    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    username: str = ""
    password: str = ""
    keepalive_s: int = KEEPALIVE_S_DEFAULT
    mqtt_version: int = 5


@dataclass(frozen=True)
class UplinkTuning:
    """Bounds of the uplink loop; the defaults suit a LAN, outposts lower ``batch_max`` and ``window``."""

    batch_max: int = 200
    window: int = 16
    drain_tx_per_s: int = 20_000
    ack_timeout_s: float = 20.0
    retention_s: int = 7 * 24 * 3600
    compress: bool = True
    reconnect_max_s: float = 30.0


@dataclass(frozen=True)
class LinkSettings:
    """Everything the sync service needs to know about its device."""

    directory: Path
    coop: str
    device: str
    unit: str
    branch: str
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    tuning: UplinkTuning = field(default_factory=UplinkTuning)


def _get(table: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    value = table.get(key, default)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SettingsError(
            f"{where}: {key} must be a whole number, got {value!r}",
            f"{where}: {key} harus bilangan bulat, bukan {value!r}",
        )
    if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise SettingsError(
            f"{where}: {key} must be a number, got {value!r}", f"{where}: {key} harus angka, bukan {value!r}"
        )
    if kind is bool and not isinstance(value, bool):
        raise SettingsError(
            f"{where}: {key} must be true or false, got {value!r}",
            f"{where}: {key} harus true atau false, bukan {value!r}",
        )
    if kind is str and not isinstance(value, str):
        raise SettingsError(
            f"{where}: {key} must be text in quotes, got {value!r}",
            f"{where}: {key} harus teks dalam tanda kutip, bukan {value!r}",
        )
    return float(value) if kind is float else value


def _path(directory: Path, value: str) -> Path | None:
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else directory / path


def _range(where: str, key: str, value: float, low: float, high: float) -> SettingsError:
    return SettingsError(
        f"{where}: {key} {value} must be between {low} and {high}",
        f"{where}: {key} {value} harus antara {low} dan {high}",
    )


def parse(directory: Path, data: dict[str, Any]) -> LinkSettings:
    """Build settings from the parsed TOML of ``directory/device.toml``; ``SettingsError`` names a bad key."""
    where = str(directory / DEVICE_TOML)
    ids = {}
    for key in ("coop", "device", "unit", "branch"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise SettingsError(
                f'{where}: {key} is missing; add e.g. {key} = "..." at the top',
                f'{where}: {key} tidak ada; tambahkan misalnya {key} = "..." di bagian atas',
            )
        if key in ("coop", "device", "branch") and not _ID_RE.match(value):
            raise SettingsError(
                f"{where}: {key} {value!r} may hold only lowercase letters, digits, '-' and '_' (at most 48)",
                f"{where}: {key} {value!r} hanya boleh berisi huruf kecil, angka, '-' dan '_' (maks. 48)",
            )
        ids[key] = value
    btable = data.get("broker", {})
    if not isinstance(btable, dict):
        raise SettingsError(f"{where}: [broker] must be a table", f"{where}: [broker] harus berupa tabel")
    bw = f"{where} [broker]"
    port = _get(btable, "port", int, 1883, bw)
    if not 1 <= port <= 65535:
        raise _range(bw, "port", port, 1, 65535)
    keepalive = _get(btable, "keepalive_s", int, KEEPALIVE_S_DEFAULT, bw)
    if not KEEPALIVE_S_MIN <= keepalive <= KEEPALIVE_S_MAX:
        raise _range(bw, "keepalive_s", keepalive, KEEPALIVE_S_MIN, KEEPALIVE_S_MAX)
    version = _get(btable, "mqtt_version", int, 5, bw)
    if version not in (3, 5):
        raise SettingsError(
            f"{bw}: mqtt_version must be 5 or 3 (MQTT 3.1.1), got {version}",
            f"{bw}: mqtt_version harus 5 atau 3 (MQTT 3.1.1), bukan {version}",
        )
    tls = _get(btable, "tls", bool, False, bw)
    broker = BrokerSettings(
        host=_get(btable, "host", str, "127.0.0.1", bw),
        port=port,
        tls=tls,
        ca=_path(directory, _get(btable, "ca", str, "", bw)),
        cert=_path(directory, _get(btable, "cert", str, "", bw)),
        key=_path(directory, _get(btable, "key", str, "", bw)),
        username=_get(btable, "username", str, "", bw),
        password=_get(btable, "password", str, "", bw),
        keepalive_s=keepalive,
        mqtt_version=version,
    )
    if tls:
        for name in ("ca", "cert", "key"):
            path = getattr(broker, name)
            if path is None or not path.is_file():
                raise SettingsError(
                    f'{bw}: tls = true needs the file {name} = "..." ({path or "not set"} is missing)',
                    f'{bw}: tls = true memerlukan berkas {name} = "..." ({path or "belum diisi"} tidak ada)',
                )
    stable = data.get("sync", {})
    if not isinstance(stable, dict):
        raise SettingsError(f"{where}: [sync] must be a table", f"{where}: [sync] harus berupa tabel")
    sw = f"{where} [sync]"
    defaults = UplinkTuning()
    tuning = UplinkTuning(
        batch_max=_get(stable, "batch_max", int, defaults.batch_max, sw),
        window=_get(stable, "window", int, defaults.window, sw),
        drain_tx_per_s=_get(stable, "drain_tx_per_s", int, defaults.drain_tx_per_s, sw),
        ack_timeout_s=_get(stable, "ack_timeout_s", float, defaults.ack_timeout_s, sw),
        retention_s=_get(stable, "retention_s", int, defaults.retention_s, sw),
        compress=_get(stable, "compress", bool, defaults.compress, sw),
        reconnect_max_s=_get(stable, "reconnect_max_s", float, defaults.reconnect_max_s, sw),
    )
    from sync.batch import MAX_BATCH_ENVELOPES

    if not 1 <= tuning.batch_max <= MAX_BATCH_ENVELOPES:
        raise _range(sw, "batch_max", tuning.batch_max, 1, MAX_BATCH_ENVELOPES)
    if not 1 <= tuning.window <= 64:
        raise _range(sw, "window", tuning.window, 1, 64)
    if not 1.0 <= tuning.reconnect_max_s <= 3600:
        raise _range(sw, "reconnect_max_s", tuning.reconnect_max_s, 1, 3600)
    if tuning.drain_tx_per_s < 1 or tuning.ack_timeout_s <= 0 or tuning.retention_s < 0:
        raise SettingsError(
            f"{sw}: drain_tx_per_s and ack_timeout_s must be above 0, retention_s at least 0",
            f"{sw}: drain_tx_per_s dan ack_timeout_s harus di atas 0, retention_s paling sedikit 0",
        )
    return LinkSettings(
        directory=directory,
        coop=ids["coop"],
        device=ids["device"],
        unit=ids["unit"],
        branch=ids["branch"],
        broker=broker,
        tuning=tuning,
    )


def load(directory: Path | str) -> LinkSettings:
    """Read ``directory/device.toml``; ``SettingsError`` says what is missing or wrong."""
    base = Path(directory)
    path = base / DEVICE_TOML
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise SettingsError(
            f"{path} does not exist; is {base} a device directory (python -m edge init)?",
            f"{path} tidak ada; apakah {base} direktori perangkat (python -m edge init)?",
        ) from err
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SettingsError(f"{path} cannot be read: {err}", f"{path} tidak dapat dibaca: {err}") from err
    return parse(base, data)
