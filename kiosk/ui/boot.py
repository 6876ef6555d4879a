"""Kivy start-up: settings that must be in place before ``kivy.core.window`` is first imported.

Kivy reads its configuration at import time, so this module is the first of ``kiosk.ui`` to import
Kivy and everything else imports Kivy only after ``prepare`` ran.
"""

from __future__ import annotations

import os
import tempfile
from typing import Final

WIDTH: Final = 800
HEIGHT: Final = 480
# Mesa's software renderer (llvmpipe, used where there is no GPU driver) rasterises on worker threads by
# default; their per-thread buffers made the kiosk's memory jump by 20-40 MB at random moments (measured:
# 217-226 MB after 1,000 sales with them, 185 MB flat without). An 800x480 window is drawn fast enough on
# the UI thread. GPU drivers (the Pi's V3D) ignore the variable; an operator's own setting wins.
SOFTWARE_GL_THREADS: Final = "0"
_state = {"prepared": False}


def prepare(*, headless: bool = False, fullscreen: bool = False, max_fps: int | None = None) -> None:
    """Set Kivy's environment and window size (800x480, the 7-inch panel); idempotent.

    ``max_fps`` 0 lets tests run frames back to back instead of pacing them at 60 per second.
    """
    if _state["prepared"]:
        return
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_LEVEL", "warning")
    os.environ.setdefault("LP_NUM_THREADS", SOFTWARE_GL_THREADS)
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kiosk-kivy-")
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("KIVY_CLIPBOARD", "dummy")
    from kivy.config import Config

    Config.set("graphics", "width", str(WIDTH))
    Config.set("graphics", "height", str(HEIGHT))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
    # Interruptible clock: a scan or a worker's result wakes the UI loop at once instead of waiting
    # out the frame (KioskRoot schedules no every-frame callback, which would keep this clock spinning).
    Config.set("kivy", "kivy_clock", "interrupt")
    if max_fps is not None:
        Config.set("graphics", "maxfps", str(max_fps))
    if not headless:  # a touch panel has no keyboard: the search field docks Kivy's on-screen one
        Config.set("kivy", "keyboard_mode", "systemanddock")
    _state["prepared"] = True
