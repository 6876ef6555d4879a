"""The kiosk's status bar warns, in the reader's language, when the device refused central's transparency
log checkpoint (a fork, an inconsistent checkpoint) or found its own sale missing from the log."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import Translator
from kiosk.printing import MemoryPrinter
from kiosk.scanning import ScanFeed
from kiosk.services import DemoServices, DeviceStatus, _log_problem

pytestmark = [pytest.mark.kivy]

FORK = ("fork", 120, 120, "", "")


class ForkedServices(DemoServices):
    """The demo kiosk whose device refused a forked checkpoint."""

    def status(self) -> DeviceStatus:
        return replace(super().status(), log_problem=_log_problem(FORK, "id"))


def test_the_problem_reads_in_both_languages() -> None:
    """The status carries the problem's text in the kiosk's language; none when all is well."""
    assert "LOG BERCABANG" in _log_problem(FORK, "id")
    assert "LOG FORKED" in _log_problem(FORK, "en")
    assert _log_problem(None, "id") == ""


@pytest.mark.parametrize(("lang", "warning"), [("id", "PERINGATAN BUKU"), ("en", "BOOKS WARNING")])
def test_status_bar_shows_the_books_warning(window: Any, tmp_path: Path, lang: str, warning: str) -> None:
    """The idle screen's status bar says to tell the board, instead of online/offline (a screenshot)."""
    from kiosk.screenshots import capture
    from kiosk.ui.app import attach, detach, pump
    from kiosk.ui.root import Parts

    services = ForkedServices(unit="toko")
    printer = MemoryPrinter()
    parts = Parts(
        services=lambda: services, printer=lambda: printer, feed=ScanFeed(), scanner_state=lambda: "ok"
    )
    root = attach(parts, Translator(lang))
    try:
        pump(root, lambda: root.info is not None and root.status is not None)
        shot = capture(root, tmp_path / f"witness-warning-{lang}.png")
        assert any(warning in text for text in shot.texts), shot.texts
        keep = os.environ.get("KOP_KIOSK_SCREENSHOTS")
        if keep:
            shutil.copy(shot.path, Path(keep) / shot.path.name)
    finally:
        detach(root)
