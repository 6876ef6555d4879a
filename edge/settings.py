"""device.toml: who the device is and where its broker lives (docs/contracts.md, "Device directory")."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from edge.errors import InvalidSettings
from sync.envelope import CODE_RE, DEVICE_RE

SETTINGS_FILE: Final = "device.toml"
COOP_RE: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
DEFAULT_COOP: Final = "kopmaju"
DEFAULT_PORT: Final = 1883


@dataclass(frozen=True)
class BrokerSettings:
    """The [broker] table: where sync/ connects and with which credentials."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    tls: bool = False
    ca: str = "ca.crt"
    cert: str = "client.crt"
    key: str = "client.key"
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class DeviceSettings:
    """device.toml as a value."""

    coop: str
    device: str
    unit: str
    branch: str
    broker: BrokerSettings = field(default_factory=BrokerSettings)


def validate(settings: DeviceSettings, path: str = SETTINGS_FILE) -> DeviceSettings:
    """Return ``settings`` unchanged, or raise ``InvalidSettings`` naming the first bad value."""
    checks = (
        ("coop", settings.coop, COOP_RE),
        ("device", settings.device, DEVICE_RE),
        ("unit", settings.unit, CODE_RE),
        ("branch", settings.branch, CODE_RE),
    )
    for name, value, pattern in checks:
        if not isinstance(value, str) or not pattern.match(value):
            raise InvalidSettings(
                path,
                f"{name} = {value!r} bukan kode yang sah (huruf kecil, angka, '-' atau '_')",
                f"{name} = {value!r} is not a valid code (lowercase letters, digits, '-' or '_')",
            )
    port = settings.broker.port
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise InvalidSettings(
            path, f"broker.port = {port!r} harus 1..65535", f"broker.port = {port!r} must be 1..65535"
        )
    if not settings.broker.host:
        raise InvalidSettings(path, "broker.host kosong", "broker.host is empty")
    return settings


def parse_broker_address(text: str) -> tuple[str, int]:
    """``host:port`` (or just ``host``) as typed on the command line."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        return text, DEFAULT_PORT
    if not port_text.isdigit() or not host:
        raise InvalidSettings(
            "--broker", f"{text!r} harus berbentuk host:port", f"{text!r} must look like host:port"
        )
    return host, int(port_text)


def from_dict(data: dict[str, Any], path: str = SETTINGS_FILE) -> DeviceSettings:
    """Settings from parsed TOML, with defaults for anything optional."""
    broker_data = data.get("broker", {})
    if not isinstance(broker_data, dict):
        raise InvalidSettings(path, "[broker] harus berupa tabel", "[broker] must be a table")
    known = set(BrokerSettings.__dataclass_fields__)
    broker = BrokerSettings(**{k: v for k, v in broker_data.items() if k in known})
    try:
        settings = DeviceSettings(
            coop=data.get("coop", DEFAULT_COOP),
            device=data["device"],
            unit=data["unit"],
            branch=data["branch"],
            broker=broker,
        )
    except KeyError as err:
        raise InvalidSettings(
            path, f"kunci {err.args[0]} tidak ada", f"key {err.args[0]} is missing"
        ) from err
    return validate(settings, path)


def load(directory: Path) -> DeviceSettings:
    """Read ``directory/device.toml``."""
    path = directory / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InvalidSettings(str(path), f"bukan TOML yang sah ({err})", f"not valid TOML ({err})") from err
    return from_dict(data, str(path))


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def dumps(settings: DeviceSettings) -> str:
    """The TOML text of ``settings`` (same layout as docs/contracts.md)."""
    lines = [f"{name} = {_value(getattr(settings, name))}" for name in ("coop", "device", "unit", "branch")]
    lines.append("")
    lines.append("[broker]")
    for name in BrokerSettings.__dataclass_fields__:
        lines.append(f"{name} = {_value(getattr(settings.broker, name))}")
    return "\n".join(lines) + "\n"
