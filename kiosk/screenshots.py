"""``python -m kiosk --screenshots DIR``: every screen rendered at 800x480 with demo data, as PNG files.

The screens are driven the way a person would: scans go into the scan feed, touches press buttons.
Each file is listed with the texts its screen showed, so a check can compare picture and words.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.scan import make_scan
from kiosk.i18n import Translator
from kiosk.printing import MemoryPrinter
from kiosk.scanning import ScanFeed
from kiosk.services import DemoServices


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file, the screen it shows and the texts on that screen."""

    path: Path
    screen: str
    texts: tuple[str, ...]


def capture(root: Any, path: Path) -> Shot:
    """Save the window as ``path`` (PNG) and return what the screen showed."""
    from kivy.core.window import Window

    from kiosk.ui.app import frame

    frame()
    frame()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        saved = Window.screenshot(name=os.path.join(tmp, "shot.png"))
        shutil.move(saved, path)
    texts = list(root.current_view().texts()) + list(root.status_bar_texts())
    if root.banner.parent is not None:
        texts.append(root.banner.text.text)
    if root.dialog is not None:
        texts.extend(w.text for w in root.dialog.walk() if isinstance(getattr(w, "text", None), str))
    return Shot(path, root.screens.current, tuple(t for t in texts if t))


def render_all(directory: Path, *, lang: str = "id") -> list[Shot]:
    """Render every screen into ``directory``; returns the shots in order."""
    from kiosk.ui.app import attach, detach, pump
    from kiosk.ui.root import Parts

    shots: list[Shot] = []

    def kiosk(services: DemoServices, printer: MemoryPrinter) -> tuple[Any, ScanFeed]:
        feed = ScanFeed()
        parts = Parts(
            services=lambda: services, printer=lambda: printer, feed=feed, scanner_state=lambda: "ok"
        )
        root = attach(parts, Translator(lang))
        pump(root, lambda: root.info is not None and root.status is not None)
        return root, feed

    def scan(root: Any, feed: ScanFeed, code: str, until: Callable[[], bool] | None = None) -> None:
        feed.push(make_scan(code, "demo", 0.0))
        pump(root, until)

    def shot(root: Any, name: str) -> None:
        shots.append(capture(root, directory / f"{name}.png"))

    # The shop kiosk: member self-service.
    services = DemoServices(unit="toko")
    printer = MemoryPrinter()
    root, feed = kiosk(services, printer)
    shot(root, "01-idle")
    scan(root, feed, "KP7Q3M9X2K4D8F", lambda: root.self_summary is not None)
    shot(root, "02-member")
    root.ask_dispute(root.self_summary.recent[0])
    pump(root)
    shot(root, "03-dispute")
    root.close_dialog()
    services.online = False
    root.member_done()
    scan(root, feed, "KP7Q3M9X2K4D8F", lambda: root.self_summary is not None)
    pump(root, lambda: root.status is not None and not root.status.online)
    shot(root, "04-member-offline")
    services.online = True
    root._poll(0)
    pump(root, lambda: root.status is not None and root.status.online)
    root.member_done()
    scan(root, feed, "KP000000000000")
    shot(root, "05-card-not-recognised")
    root.hide_banner()
    # The shop checkout.
    root.show_login()
    pump(root, lambda: bool(root.clerks))
    root.choose_clerk(next(c for c in root.clerks if c.id == "sari"))
    for key in "12":
        root.pin_key(key)
    shot(root, "06-login")
    for key in "34":
        root.pin_key(key)
    root.submit_pin()
    pump(root, lambda: root.clerk is not None)
    for code in ("8991234500011", "8991234500028", "8991234500042", "8991234500042"):
        scan(root, feed, code)
    root.search("teh")
    pump(root, lambda: root.search_done)
    shot(root, "07-checkout")
    scan(root, feed, "8990000000001")
    shot(root, "08-unknown-product")
    root.hide_banner()
    scan(root, feed, "KP7Q3M9X2K4D8F", lambda: root.sale_member is not None)
    root.show_payment()
    root.set_payment("credit")
    shot(root, "09-payment")
    root.confirm_sale()
    pump(root, lambda: root.print_state == "printed")
    shot(root, "10-done")
    scan(root, feed, "KP4H8N2R6T1W9Z")
    for code in ("8991234500011", "8991234500073"):
        scan(root, feed, code)
    pump(root, lambda: root.sale_member is not None)
    root.show_payment()
    root.set_payment("credit")
    root.confirm_sale()
    pump(root, lambda: root.banner.parent is not None)
    shot(root, "11-credit-limit")
    root.hide_banner()
    root.set_payment("cash")
    printer.paper = False
    root.confirm_sale()
    pump(root, lambda: root.print_state == "failed")
    shot(root, "12-printer-out-of-paper")
    printer.paper = True
    root.show_shift()
    pump(root, lambda: root.shift_summary is not None)
    shot(root, "13-shift")
    detach(root)
    # A photocopy counter.
    services = DemoServices(unit="fotokopi")
    root, feed = kiosk(services, MemoryPrinter())
    root.show_login()
    pump(root, lambda: bool(root.clerks) and bool(root.counter_products))
    root.choose_clerk(next(c for c in root.clerks if c.id == "sari"))
    for key in "1234":
        root.pin_key(key)
    root.submit_pin()
    pump(root, lambda: root.clerk is not None)
    root.counter_choose(root.counter_products[0])
    root.counter_key("4")
    root.counter_add()
    root.counter_choose(root.counter_products[2])
    for key in "25":
        root.counter_key(key)
    pump(root)
    shot(root, "14-counter-fotokopi")
    detach(root)
    # Count mode (stok opname) at the shop kiosk, from the end-of-shift screen.
    services = DemoServices(unit="toko")
    root, feed = kiosk(services, MemoryPrinter())
    root.show_login()
    pump(root, lambda: bool(root.clerks))
    root.choose_clerk(next(c for c in root.clerks if c.id == "sari"))
    for key in "1234":
        root.pin_key(key)
    root.submit_pin()
    pump(root, lambda: root.clerk is not None)
    root.show_shift()
    root.show_count()
    pump(root, lambda: root.screens.current == "count")
    for code, qty in (("8991234500042", "48"), ("8991234500028", "12"), ("8991234500011", "30")):
        scan(root, feed, code, lambda c=code: root.count_item is not None and root.count_item.sku == c)
        for key in qty:
            root.count_key(key)
        root.count_add()
        pump(root, lambda: not root.count_saving)
    scan(root, feed, "8991234500011")
    for key in "8":
        root.count_key(key)
    pump(root)
    shot(root, "15-count")
    scan(root, feed, "8990000000001", lambda: root.banner.parent is not None)
    shot(root, "16-count-unknown-item")
    root.hide_banner()
    services.count = None
    root._poll(0)
    pump(root, lambda: root.count_closed)
    shot(root, "17-count-closed")
    detach(root)
    return shots


def main(directory: str, lang: str = "id") -> int:
    from kiosk.ui import boot

    boot.prepare(headless=True)
    target = Path(directory)
    shots = render_all(target, lang=lang)
    for item in shots:
        print(item.path)
    return 0
