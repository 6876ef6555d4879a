"""Catalogs are complete and compile; the command line answers --help fast and refuses bad input calmly."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

from kiosk.i18n import Translator, compile_po, extract_messages, parse_po, po_path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_message_has_an_indonesian_translation_with_the_same_placeholders() -> None:
    """Each text shown is in both catalogs; Indonesian is translated and keeps every {placeholder}."""
    ids = extract_messages()
    assert len(ids) > 100
    catalog_id = parse_po(po_path("id").read_text(encoding="utf-8"))
    catalog_en = parse_po(po_path("en").read_text(encoding="utf-8"))
    for msgid in ids:
        assert catalog_id.get(msgid), f"no Indonesian text for {msgid!r}"
        assert msgid in catalog_en, f"{msgid!r} missing from the English catalog"
        assert sorted(PLACEHOLDER.findall(catalog_id[msgid])) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_compiled_catalog_reads_back_through_gettext() -> None:
    """The small msgfmt writes .mo bytes that Python's gettext reads, escapes and non-ASCII included."""
    po = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello \\"you\\""\nmsgstr "Halo · \\"kamu\\""\n'
    )
    catalog = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    assert catalog.gettext('Hello "you"') == 'Halo · "kamu"'
    assert catalog.gettext("unknown") == "unknown"


def test_translator_defaults_to_indonesian_and_switches() -> None:
    """Indonesian by default; English on request."""
    tr = Translator()
    assert tr("Scan your member card") == "Pindai kartu anggota Anda"
    tr.switch("en")
    assert tr("Scan your member card") == "Scan your member card"


def _run(*args: str, env_lang: str | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    env.pop("KOP_LANG", None)
    if env_lang:
        env["KOP_LANG"] = env_lang
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_help_lists_the_modes() -> None:
    """`python -m kiosk --help` exits 0 and names --device-config and --screenshots."""
    result = _run("--help")
    assert result.returncode == 0
    assert "--device-config" in result.stdout
    assert "--screenshots" in result.stdout


def test_missing_device_directory_is_a_clear_refusal(tmp_path: Path) -> None:
    """A device directory that is not there gives a message with the next step, exit 2, no traceback."""
    result = _run("--device-config", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "tidak ada atau tidak berisi device.toml" in result.stderr
    assert "python -m edge init" in result.stderr
    assert "Traceback" not in result.stderr
    english = _run("--device-config", str(tmp_path / "nope"), env_lang="en")
    assert "does not exist or has no device.toml" in english.stderr


def test_bad_scanner_spec_is_refused() -> None:
    """A scanner that is neither serial: nor evdev: is named in the refusal."""
    result = _run("--demo", "--scanner", "usb-thing", "--lang", "en")
    assert result.returncode == 2
    assert "Scanner usb-thing is not understood." in result.stderr


def test_every_command_line_option_is_documented() -> None:
    """docs/kiosk.md names every option of `python -m kiosk`."""
    from kiosk.__main__ import build_parser

    doc = (ROOT / "docs" / "kiosk.md").read_text(encoding="utf-8")
    options = [
        opt for action in build_parser()._actions for opt in action.option_strings if opt.startswith("--")
    ]
    missing = [opt for opt in options if opt not in doc and opt != "--help"]
    assert missing == []
