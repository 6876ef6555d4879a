"""device.toml as the transport reads it: defaults, relative TLS paths, and readable refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync import settings
from sync.errors import SettingsError

BASE = 'coop = "kopmaju"\ndevice = "toko-01"\nunit = "toko"\nbranch = "pusat"\n'


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "device.toml").write_text(text)
    return tmp_path


def test_defaults(tmp_path: Path) -> None:
    """A device.toml without [broker] or [sync] gets the loopback broker and default tuning."""
    got = settings.load(_write(tmp_path, BASE))
    assert (got.coop, got.device, got.branch) == ("kopmaju", "toko-01", "pusat")
    broker = got.broker
    assert (broker.host, broker.port, broker.tls, broker.mqtt_version) == ("127.0.0.1", 1883, False, 5)
    assert got.tuning == settings.UplinkTuning()


def test_tls_paths_are_relative_to_directory(tmp_path: Path) -> None:
    """ca/cert/key resolve against the device directory."""
    for name in ("ca.crt", "client.crt", "client.key"):
        (tmp_path / name).write_text("x")
    text = BASE + '[broker]\ntls = true\nca = "ca.crt"\ncert = "client.crt"\nkey = "client.key"\n'
    got = settings.load(_write(tmp_path, text))
    assert got.broker.ca == tmp_path / "ca.crt"
    assert got.broker.key == tmp_path / "client.key"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('coop = "k"\n', "device is missing"),
        (BASE.replace("toko-01", "Toko 01"), "lowercase"),
        (BASE + "[broker]\nport = 70000\n", "between 1 and 65535"),
        (BASE + '[broker]\nport = "1883"\n', "whole number"),
        (BASE + "[broker]\ntls = true\n", "tls = true needs the file ca"),
        (BASE + "[broker]\nmqtt_version = 4\n", "5 or 3"),
        (BASE + "[sync]\nbatch_max = 0\n", "batch_max"),
        ("coop = [", "cannot be read"),
    ],
)
def test_bad_settings_named(tmp_path: Path, text: str, reason: str) -> None:
    """Each wrong or missing key raises SettingsError naming the key and the fix."""
    with pytest.raises(SettingsError, match=reason):
        settings.load(_write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    """A directory without device.toml is refused with a hint."""
    with pytest.raises(SettingsError, match="device directory"):
        settings.load(tmp_path)
