"""The Kivy application around ``KioskRoot``; helpers drive it without a main loop (tests, screenshots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from kivy.app import App
from kivy.base import EventLoop
from kivy.core.window import Window

from kiosk.i18n import Translator
from kiosk.ui.root import KioskRoot, Parts
from kiosk.ui.widgets import PAPER

MAX_PUMP_FRAMES: Final = 2_000
PUMP_SLEEP_S: Final = 0.002


class KioskApp(App):
    """``python -m kiosk --device-config DIR``: the kiosk on the real window."""

    title = "Koperasi kiosk"

    def __init__(self, parts: Parts, translator: Translator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parts = parts
        self.translator = translator
        self.kiosk: KioskRoot | None = None

    def build(self) -> KioskRoot:
        Window.clearcolor = PAPER
        self.kiosk = KioskRoot(self.parts, self.translator)
        return self.kiosk

    def on_start(self) -> None:
        import gc

        gc.collect()
        gc.freeze()

    def on_stop(self) -> None:
        if self.kiosk is not None:
            self.kiosk.close()


def attach(parts: Parts, translator: Translator) -> KioskRoot:
    """A kiosk on the (offscreen) window without ``App.run``; pump it with ``pump``."""
    EventLoop.ensure_window()
    Window.clearcolor = PAPER
    root = KioskRoot(parts, translator)
    Window.add_widget(root)
    return root


def detach(root: KioskRoot) -> None:
    root.close_dialog()
    root.close()
    Window.remove_widget(root)


def frame() -> None:
    """Run one frame: clock callbacks, input, drawing."""
    EventLoop.idle()


def pump(
    root: KioskRoot, until: Callable[[], bool] | None = None, *, frames_max: int = MAX_PUMP_FRAMES
) -> bool:
    """Run frames until the workers are idle and ``until()`` holds (bounded); True when it held."""
    import time

    for _ in range(frames_max):
        frame()
        if root.idle() and (until is None or until()):
            frame()
            return True
        time.sleep(PUMP_SLEEP_S)
    return False
