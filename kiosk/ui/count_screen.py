"""The clerk's count mode (stok opname): scan an item, type how many are on the shelf, add it.

Entered from the end-of-shift screen while the office holds a count open for this kiosk's unit. Each
press of Add records the item's new total on the device (a ``count_line`` envelope for central); the
list shows what this kiosk counted, latest first. When the office closes the count the screen says so
and takes nothing more (docs/kiosk.md, "Count mode").
"""

from __future__ import annotations

from typing import Final

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.ui import text as tx
from kiosk.ui.screens import KioskScreen
from kiosk.ui.widgets import BLUE, GREEN, GREY, INK, MUTED, RED, Big, Keypad, Panel, Text

LINES_SHOWN: Final = 6


class CountScreen(KioskScreen):
    """Count mode: the item scanned, a quantity keypad, Add and Replace, and what this kiosk counted."""

    def build(self) -> None:
        box = BoxLayout(orientation="vertical", padding=(24, 8), spacing=6)
        self.w["title"] = Text(size_sp="26sp", bold=True, height=42)
        self.w["hint"] = Text(size_sp="17sp", color=MUTED, height=26)
        box.add_widget(self.w["title"])
        box.add_widget(self.w["hint"])
        middle = BoxLayout(spacing=14)
        left = BoxLayout(orientation="vertical", spacing=6)
        item = Panel(size_hint_y=None, height=96)
        self.w["item"] = Text(size_sp="22sp", bold=True, height=34)
        self.w["item_detail"] = Text(size_sp="17sp", color=MUTED, height=26)
        item.add_widget(self.w["item"])
        item.add_widget(self.w["item_detail"])
        left.add_widget(item)
        self.w["list_title"] = Text(size_sp="17sp", bold=True, color=MUTED, height=24)
        left.add_widget(self.w["list_title"])
        self.w["lines"] = Panel(spacing=2)
        left.add_widget(self.w["lines"])
        middle.add_widget(left)
        right = BoxLayout(orientation="vertical", spacing=4, size_hint_x=0.42)
        self.w["qty"] = Text(size_sp="22sp", bold=True, height=34)
        right.add_widget(self.w["qty"])
        self.w["count_keypad"] = Keypad(self.k.count_key, key_height=40)
        right.add_widget(self.w["count_keypad"])
        actions = BoxLayout(size_hint_y=None, height=52, spacing=6)
        self.w["add"] = Big(action=self.k.count_add, color=BLUE, height=52, size_sp="18sp")
        self.w["replace"] = Big(
            action=self.k.count_replace, color=GREY, height=52, size_sp="16sp", size_hint_x=0.8
        )
        actions.add_widget(self.w["add"])
        actions.add_widget(self.w["replace"])
        right.add_widget(actions)
        middle.add_widget(right)
        box.add_widget(middle)
        buttons = BoxLayout(size_hint_y=None, height=60, spacing=8)
        self.w["back"] = Big(action=self.k.leave_count, color=GREY, height=60)
        buttons.add_widget(self.w["back"])
        box.add_widget(buttons)
        self.add_widget(box)

    def _refresh_item(self) -> None:
        k = self.k
        item = k.count_item
        if item is None:
            self.w["item"].text = self.t("Scan an item")
            self.w["item"].color = MUTED
            self.w["item_detail"].text = self.t("Every place of an item adds up: shelf, then store room.")
            return
        self.w["item"].text = item.name
        self.w["item"].color = INK
        held = next((line.qty for line in k.count_lines if line.sku == item.sku), None)
        so_far = self.t("counted here so far: {qty}").format(qty=held) if held is not None else ""
        self.w["item_detail"].text = f"{item.sku}   {so_far}".rstrip()

    def _refresh_lines(self) -> None:
        k = self.k
        lines = self.w["lines"]
        lines.clear_widgets()
        self.w["list_title"].text = self.t("Counted on this kiosk: {count} items").format(
            count=len(k.count_lines)
        )
        for line in k.count_lines[:LINES_SHOWN]:
            row = BoxLayout(size_hint_y=None, height=30)
            row.add_widget(Text(line.name, size_sp="18sp"))
            row.add_widget(Text(line.qty, size_sp="18sp", bold=True, halign="right", size_hint_x=0.3))
            lines.add_widget(row)
        if len(k.count_lines) > LINES_SHOWN:
            more = len(k.count_lines) - LINES_SHOWN
            lines.add_widget(Text(self.t("and {count} more").format(count=more), size_sp="16sp", color=MUTED))
        lines.add_widget(Widget())

    def refresh(self) -> None:
        k = self.k
        count = k.counting
        if count is None:
            self.w["title"].text = self.t("Stock count")
        elif count.section:
            self.w["title"].text = self.t("Stock count {count}: {section}").format(
                count=count.id, section=count.section
            )
        else:
            self.w["title"].text = self.t("Stock count {count}: every item").format(count=count.id)
        if k.count_closed:
            self.w["hint"].text = self.t("The office closed this count. Nothing more is taken.")
            self.w["hint"].color = RED
        else:
            started = tx.when(count.started, self.t) if count is not None else "-"
            self.w["hint"].text = self.t("Started {when}. Scan, type the quantity, press Add.").format(
                when=started
            )
            self.w["hint"].color = MUTED
        self._refresh_item()
        self._refresh_lines()
        qty = k.count_qty
        self.w["qty"].text = self.t("Quantity: {qty}").format(qty=qty or "-")
        self.w["qty"].color = GREEN if qty else MUTED
        self.w["add"].text = self.t("Add")
        self.w["replace"].text = self.t("Set as total")
        ready = k.count_item is not None and bool(qty) and not k.count_closed and not k.count_saving
        self.w["add"].set_enabled(ready)
        self.w["replace"].set_enabled(ready)
        for button in self.w["count_keypad"].buttons.values():
            button.set_enabled(not k.count_closed)
        self.w["back"].text = self.t("Back to the shift")
