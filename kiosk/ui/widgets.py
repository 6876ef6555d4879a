"""Building blocks of the screens: readable text, large touch targets, a numeric keypad, panels.

Sizes follow the 7-inch 800x480 panel read at arm's length: body text 20 sp, touch targets at least
56 px high, colours with strong contrast on a light background.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from kivy.graphics import Color, Rectangle
from kivy.graphics.scissor_instructions import ScissorPop, ScissorPush
from kivy.graphics.stencil_instructions import StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

INK: Final = (0.10, 0.12, 0.16, 1)
MUTED: Final = (0.35, 0.38, 0.42, 1)
PAPER: Final = (0.97, 0.97, 0.95, 1)
PANEL: Final = (1, 1, 1, 1)
BAR: Final = (0.13, 0.25, 0.40, 1)
GREEN: Final = (0.11, 0.55, 0.30, 1)
BLUE: Final = (0.14, 0.40, 0.70, 1)
GREY: Final = (0.45, 0.48, 0.52, 1)
RED: Final = (0.72, 0.18, 0.16, 1)
AMBER: Final = (0.85, 0.55, 0.05, 1)
WHITE: Final = (1, 1, 1, 1)
TOUCH_MIN_PX: Final = 56
BODY_SP: Final = "20sp"
SHORT_LABEL_CHARS: Final = 8


def paint(widget: Any, rgba: tuple[float, float, float, float]) -> None:
    """Give ``widget`` a solid background that follows its position and size."""
    with widget.canvas.before:
        color = Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget._bg = (color, rect)

    def follow(instance: Any, _value: Any) -> None:
        rect.pos = instance.pos
        rect.size = instance.size

    widget.bind(pos=follow, size=follow)


def set_background(widget: Any, rgba: tuple[float, float, float, float]) -> None:
    """Change the colour given by ``paint``."""
    widget._bg[0].rgba = rgba


class Text(Label):
    """A wrapped, left-aligned label in ink colour."""

    def __init__(
        self,
        text: str = "",
        *,
        size_sp: str = BODY_SP,
        bold: bool = False,
        color: tuple[float, float, float, float] = INK,
        halign: str = "left",
        height: int | None = None,
        **kwargs: Any,
    ) -> None:
        if height is not None:
            kwargs.setdefault("size_hint_y", None)
            kwargs["height"] = height
        super().__init__(
            text=text, font_size=size_sp, bold=bold, color=color, halign=halign, valign="middle", **kwargs
        )
        self.bind(size=self._wrap)

    def _wrap(self, _instance: Any, size: Any) -> None:
        self.text_size = (size[0], None)  # a texture only as tall as the text: cheaper to draw


class Big(Button):
    """A large coloured touch button; ``action`` runs on release."""

    def __init__(
        self,
        text: str = "",
        *,
        action: Callable[[], None] | None = None,
        color: tuple[float, float, float, float] = BLUE,
        size_sp: str = "22sp",
        height: int | None = TOUCH_MIN_PX,
        **kwargs: Any,
    ) -> None:
        if height is not None:
            kwargs.setdefault("size_hint_y", None)
            kwargs["height"] = height
        super().__init__(
            text=text,
            font_size=size_sp,
            bold=True,
            background_normal="",
            background_down="",
            background_color=color,
            color=WHITE,
            halign="center",
            valign="middle",
            **kwargs,
        )
        self.base_color = color
        self.action = action
        self.bind(size=self._wrap, text=self._wrap)

    def _wrap(self, *_args: Any) -> None:
        # Short labels need no wrapping width: their texture stays as small as the text (cheap to draw).
        wrap = len(self.text) > SHORT_LABEL_CHARS or "\n" in self.text
        self.text_size = (self.width - 12, None) if wrap else (None, None)

    def on_press(self) -> None:
        self.background_color = (*tuple(c * 0.8 for c in self.base_color[:3]), 1)

    def on_release(self) -> None:
        self.background_color = self.base_color
        if self.action is not None and not self.disabled:
            self.action()

    def set_enabled(self, enabled: bool) -> None:
        self.disabled = not enabled
        self.background_color = self.base_color if enabled else (0.75, 0.77, 0.80, 1)
        self.background_disabled_normal = ""


class Panel(BoxLayout):
    """A white box with padding, for grouping figures."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("padding", 8)
        kwargs.setdefault("spacing", 2)
        super().__init__(**kwargs)
        paint(self, PANEL)


KEYPAD_KEYS: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back")


class Keypad(GridLayout):
    """A large 3x4 numeric keypad; ``on_key`` gets ``"0"``..``"9"``, ``"clear"`` or ``"back"``."""

    def __init__(
        self, on_key: Callable[[str], None], *, key_height: int = TOUCH_MIN_PX, **kwargs: Any
    ) -> None:
        super().__init__(cols=3, spacing=4, size_hint_y=None, height=4 * key_height + 3 * 4, **kwargs)
        self.buttons: dict[str, Big] = {}
        for key in KEYPAD_KEYS:
            label = {"clear": "C", "back": "<"}.get(key, key)
            color = GREY if key in ("clear", "back") else BAR
            button = Big(
                label, action=lambda k=key: on_key(k), color=color, size_sp="26sp", height=key_height
            )
            self.buttons[key] = button
            self.add_widget(button)


class ClipScroll(ScrollView):
    """A ScrollView clipped by the scissor test instead of StencilView's stencil.

    The stencil costs two extra fills of the view's area every frame (a third of the window for the
    cart), several milliseconds with software OpenGL; the scissor test costs nothing. The clip is kept
    in window coordinates from ``to_window``: the kiosk's layout is fixed (800x480, no transitions).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        stencil = (StencilPush, StencilUse, StencilUnUse, StencilPop)
        for group in (self.canvas.before, self.canvas.after):
            marks = [i for i, ins in enumerate(group.children) if isinstance(ins, stencil)]
            if len(marks) == 2:  # StencilPush .. StencilUse, or StencilUnUse .. StencilPop, and between
                doomed = group.children[marks[0] : marks[1] + 1]
                # The Rectangle first: removing it takes its texture binding along.
                for ins in sorted(doomed, key=lambda ins: not isinstance(ins, Rectangle)):
                    if ins in group.children:
                        group.remove(ins)
        self._scissor = ScissorPush(x=0, y=0, width=1, height=1)
        self.canvas.before.add(self._scissor)
        self.canvas.after.insert(0, ScissorPop())
        self.bind(pos=self._clip, size=self._clip, parent=self._clip)

    def _clip(self, *_args: Any) -> None:
        x, y = self.to_window(*self.pos)
        left, bottom = math.floor(x), math.floor(y)  # whole pixels that cover the view, as the stencil did
        self._scissor.x, self._scissor.y = left, bottom
        self._scissor.width = max(1, math.ceil(x + self.width) - left)
        self._scissor.height = max(1, math.ceil(y + self.height) - bottom)
