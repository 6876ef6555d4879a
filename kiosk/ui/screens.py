"""The screens. Each one builds its widgets once and redraws its texts in ``refresh`` (language switch).

Screens hold no business rules: they show the controller's state (``kiosk.ui.root.KioskRoot``) and
call its methods on touches. Widgets that tests and screenshots look at carry stable ``ids`` in
``self.w``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.relativelayout import RelativeLayout
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.model import CartLine, credit_available_rp, estimate_points, format_points, format_rp
from kiosk.ui import text as tx
from kiosk.ui.widgets import (
    AMBER,
    BAR,
    BLUE,
    GREEN,
    GREY,
    INK,
    MUTED,
    RED,
    Big,
    ClipScroll,
    Keypad,
    Panel,
    Text,
    paint,
)

if TYPE_CHECKING:
    from kiosk.services import MemberSummary
    from kiosk.ui.root import KioskRoot

ROW_PX: Final = 30
ROW_PX_MIN: Final = 22  # a 17sp line still fits
VALUE_PX: Final = 112
COUNTER_COLUMNS: Final = 3
SEARCH_RESULTS_SHOWN: Final = 8
SPARE_ROWS_MAX: Final = 24  # rows kept for reuse beyond those on screen


class KioskScreen(RelativeLayout):
    """Common base: a reference to the controller and a table of named widgets.

    No background of its own: the window is cleared to the paper colour, and with software OpenGL
    every full-window fill costs several milliseconds a frame.
    """

    def __init__(self, root: KioskRoot, *, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.k = root
        self.w: dict[str, Any] = {}
        self.build()

    def t(self, msgid: str) -> str:
        return self.k.t(msgid)

    def rp(self, amount_rp: int) -> str:
        return format_rp(amount_rp, self.k.translator.lang)

    def build(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def on_pre_enter(self) -> None:
        self.refresh()

    def texts(self) -> list[str]:
        """Every text this screen shows right now (tests and screenshot checks read them)."""
        found: list[str] = []
        stack: list[Any] = [self]
        while stack:
            widget = stack.pop()
            value = getattr(widget, "text", None)
            if isinstance(value, str) and value and not isinstance(widget, TextInput):
                found.append(value)
            stack.extend(reversed(widget.children))
        return found


class ScreenStack(RelativeLayout):
    """Shows one screen at a time. Kivy's ScreenManager does the same behind a stencil, which redraws
    the whole screen area twice more each frame (costly with software OpenGL); transitions are not used.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.views: dict[str, KioskScreen] = {}
        self._current = ""

    def add_screen(self, view: KioskScreen) -> None:
        self.views[view.name] = view
        if not self._current:
            self.current = view.name

    @property
    def current(self) -> str:
        return self._current

    @current.setter
    def current(self, name: str) -> None:
        if name == self._current:
            return
        view = self.views[name]
        view.on_pre_enter()
        if self._current:
            self.remove_widget(self.views[self._current])
        self.add_widget(view)
        self._current = name


# ------------------------------------------------------------------------------------------------


class IdleScreen(KioskScreen):
    """The shop kiosk at rest: an invitation to scan one's own member card."""

    def build(self) -> None:
        box = BoxLayout(orientation="vertical", padding=(40, 16), spacing=10)
        self.w["coop"] = Text(size_sp="26sp", bold=True, halign="center", height=50, color=BAR)
        self.w["invite"] = Text(size_sp="40sp", bold=True, halign="center")
        self.w["explain"] = Text(size_sp="22sp", halign="center", color=MUTED, height=90)
        card = BoxLayout(size_hint=(None, None), size=(240, 120), pos_hint={"center_x": 0.5})
        paint(card, BLUE)
        self.w["card"] = Text(size_sp="22sp", bold=True, halign="center", color=(1, 1, 1, 1))
        card.add_widget(self.w["card"])
        bottom = BoxLayout(size_hint_y=None, height=60, spacing=10)
        bottom.add_widget(Widget())
        self.w["clerk"] = Big(action=self.k.show_login, color=GREY, size_hint_x=None, width=230)
        bottom.add_widget(self.w["clerk"])
        for name in ("coop", "invite"):
            box.add_widget(self.w[name])
        box.add_widget(card)
        box.add_widget(self.w["explain"])
        box.add_widget(bottom)
        self.add_widget(box)

    def refresh(self) -> None:
        info = self.k.info
        self.w["coop"].text = info.coop_name if info and info.coop_name else self.t("Cooperative kiosk")
        self.w["invite"].text = self.t("Scan your member card")
        self.w["card"].text = self.t("MEMBER CARD")
        self.w["explain"].text = self.t(
            "See your points, savings, loan, credit, recent purchases and your SHU estimate."
        )
        self.w["clerk"].text = self.t("Clerk sign-in")


# ------------------------------------------------------------------------------------------------


def fit_rows_px(panel: Panel, count: int) -> int:
    """The row height (ROW_PX at most, ROW_PX_MIN at least) at which ``count`` rows fit in ``panel``."""
    inner = panel.height - panel.padding[1] - panel.padding[3]
    if count <= 0 or inner <= 0:
        return ROW_PX
    return int(max(ROW_PX_MIN, min(ROW_PX, (inner - panel.spacing * count) // count)))


class MemberScreen(KioskScreen):
    """A member's own figures after a card scan; goes back to idle by itself."""

    def build(self) -> None:
        outer = BoxLayout(orientation="vertical", padding=8, spacing=6)
        head = BoxLayout(size_hint_y=None, height=56, spacing=8)
        names = BoxLayout(orientation="vertical")
        self.w["name"] = Text(size_sp="26sp", bold=True)
        self.w["as_of"] = Text(size_sp="15sp", color=MUTED, height=20)
        names.add_widget(self.w["name"])
        names.add_widget(self.w["as_of"])
        head.add_widget(names)
        self.w["done"] = Big(action=self.k.member_done, color=GREEN, size_hint_x=None, width=150)
        head.add_widget(self.w["done"])
        outer.add_widget(head)
        columns = BoxLayout(spacing=6)
        self.w["col_points"] = Panel(size_hint_x=0.31)
        self.w["col_money"] = Panel(size_hint_x=0.35)
        self.w["col_recent"] = Panel(size_hint_x=0.34)
        for name in ("col_points", "col_money", "col_recent"):
            columns.add_widget(self.w[name])
        outer.add_widget(columns)
        self.add_widget(outer)
        # Row heights follow the panel's height (fit_rows_px): lay the figures out again when it changes.
        self.w["col_money"].bind(height=self._panel_resized)

    def _panel_resized(self, _panel: Any, _height: float) -> None:
        if self.k.self_member is not None and self.k.self_summary is not None:
            self.render(self.k.self_summary)

    def on_touch_down(self, touch: Any) -> bool:
        self.k.member_touched()
        return bool(super().on_touch_down(touch))

    def clear(self) -> None:
        """Forget everything shown: nothing of one member stays on screen for the next."""
        for name in ("name", "as_of"):
            self.w[name].text = ""
        for name in ("col_points", "col_money", "col_recent"):
            self.w[name].clear_widgets()

    def _row(
        self,
        panel: Panel,
        left: str,
        right: str = "",
        *,
        bold: bool = False,
        size_sp: str = "17sp",
        color: tuple[float, float, float, float] | None = None,
        value_px: int = VALUE_PX,
        height: int = ROW_PX,
    ) -> None:
        row = BoxLayout(size_hint_y=None, height=height)
        kwargs = {"color": color} if color else {}
        row.add_widget(Text(left, size_sp=size_sp, bold=bold, shorten=True, shorten_from="right", **kwargs))
        if right:
            row.add_widget(
                Text(
                    right,
                    size_sp=size_sp,
                    bold=bold,
                    halign="right",
                    size_hint_x=None,
                    width=value_px,
                    **kwargs,
                )
            )
        panel.add_widget(row)

    def refresh(self) -> None:
        member = self.k.self_member
        summary = self.k.self_summary
        self.w["done"].text = self.t("Done")
        if member is None:
            self.clear()
            return
        self.w["name"].text = f"{member.name}  ·  {member.number}"
        if summary is None:
            self.w["as_of"].text = self.t("Fetching your data...")
            for name in ("col_points", "col_money", "col_recent"):
                self.w[name].clear_widgets()
            if self.k.self_summary_error is not None:
                what, next_step = self.k.self_summary_error.texts(self.t)
                self._row(self.w["col_points"], what, bold=True, color=RED)
                self.w["col_points"].add_widget(Text(next_step, size_sp="17sp"))
            return
        self.render(summary)

    def render(self, s: MemberSummary) -> None:
        lang = self.k.translator.lang
        as_of = self.t("Data as of {when}").format(when=tx.when(s.as_of, self.t))
        if s.cached:
            as_of += "  ·  " + self.t("saved copy, the kiosk is offline")
        self.w["as_of"].text = as_of
        points = self.w["col_points"]
        points.clear_widgets()
        self._row(points, self.t("Points {year}").format(year=s.year), bold=True, size_sp="19sp")
        for source, value in s.points_active:
            self._row(
                points, tx.name_of(tx.POINT_SOURCES, source, self.t), format_points(value, lang), value_px=64
            )
        self._row(points, self.t("Passive points"), format_points(s.points_passive, lang), value_px=64)
        if s.points_bonus:
            self._row(points, self.t("Average bonus"), format_points(s.points_bonus, lang), value_px=64)
        self._row(points, self.t("Total points"), format_points(s.points_total, lang), bold=True, value_px=64)
        points.add_widget(Widget())
        self._row(points, self.t("SHU estimate"), bold=True, size_sp="19sp", color=GREEN)
        self._row(points, self.rp(s.shu_estimate_rp), bold=True, size_sp="26sp", color=GREEN)
        money = self.w["col_money"]
        money.clear_widgets()
        heading = {"bold": True, "size_sp": "19sp"}
        rows: list[tuple[str, str, dict[str, Any]]] = [(self.t("Savings"), "", heading)]
        for product, amount_rp in s.savings:
            rows.append((tx.name_of(tx.SAVINGS_NAMES, product, self.t), self.rp(amount_rp), {}))
        rows.append((self.t("Loan"), "", heading))
        rows.append((self.t("Outstanding"), self.rp(s.loan_outstanding_rp), {}))
        if s.next_installment_rp:
            rows.append((self.t("Next installment"), self.rp(s.next_installment_rp), {}))
            rows.append((self.t("Due"), tx.when(s.next_due, self.t, with_time=False), {}))
        rows.append((self.t("Shop credit"), "", heading))
        rows.append((self.t("Used"), self.rp(s.credit_used_rp), {}))
        rows.append((self.t("Limit"), self.rp(s.credit_limit_rp), {}))
        # Every row inside the panel, however many savings products: rows shrink rather than spill
        # over the heading above the panel.
        height = fit_rows_px(money, len(rows))
        for left, right, style in rows:
            self._row(money, left, right, height=height, **style)
        money.add_widget(Widget())
        recent = self.w["col_recent"]
        recent.clear_widgets()
        self._row(recent, self.t("Recent purchases"), bold=True, size_sp="19sp")
        if not s.recent:
            self._row(recent, self.t("No purchases yet this year."), color=MUTED)
        for purchase in s.recent[:5]:
            row = BoxLayout(size_hint_y=None, height=58, spacing=4)
            if purchase.kind == "sale":
                what = tx.name_of(tx.PAYMENT_NAMES, purchase.payment, self.t)
                if purchase.voided:
                    what += " · " + self.t("Voided")
            else:
                what = tx.name_of(tx.KIND_NAMES, purchase.kind, self.t)
            desc = (
                f"{tx.when(purchase.at, self.t, with_time=False)} · "
                f"{tx.name_of(tx.UNIT_NAMES, purchase.unit, self.t)}\n{self.rp(purchase.total_rp)} · {what}"
            )
            row.add_widget(Text(desc, size_sp="15sp"))
            recent.add_widget(row)
            if not purchase.disputable:  # deposits, installments, voids, disputes, voided sales
                continue
            button = Big(
                self.t("Not mine"),
                action=lambda p=purchase: self.k.ask_dispute(p),
                color=AMBER,
                size_sp="15sp",
                size_hint_x=None,
                width=96,
                height=54,
            )
            button.purchase_id = purchase.id
            row.add_widget(button)
        recent.add_widget(Widget())


# ------------------------------------------------------------------------------------------------


class LoginScreen(KioskScreen):
    """Clerk sign-in: choose your name, then the PIN on a large keypad."""

    def build(self) -> None:
        box = BoxLayout(padding=12, spacing=16)
        left = BoxLayout(orientation="vertical", spacing=8)
        self.w["title"] = Text(size_sp="28sp", bold=True, height=48)
        left.add_widget(self.w["title"])
        self.w["clerks"] = GridLayout(cols=2, spacing=6, size_hint_y=None, height=3 * 56 + 2 * 6)
        left.add_widget(self.w["clerks"])
        self.w["hint"] = Text(size_sp="18sp", color=MUTED, height=30)
        self.w["pin"] = Text(size_sp="40sp", bold=True, halign="center", height=56)
        left.add_widget(self.w["hint"])
        left.add_widget(self.w["pin"])
        left.add_widget(Widget())
        buttons = BoxLayout(size_hint_y=None, height=64, spacing=8)
        self.w["cancel"] = Big(action=self.k.show_idle, color=GREY, height=64, size_hint_x=0.4)
        self.w["ok"] = Big(action=self.k.submit_pin, color=GREEN, height=64)
        buttons.add_widget(self.w["cancel"])
        buttons.add_widget(self.w["ok"])
        left.add_widget(buttons)
        box.add_widget(left)
        self.w["keypad"] = Keypad(self.k.pin_key, key_height=88, size_hint_x=0.5)
        box.add_widget(self.w["keypad"])
        self.add_widget(box)

    def refresh(self) -> None:
        k = self.k
        self.w["title"].text = self.t("Clerk sign-in")
        grid = self.w["clerks"]
        key = (tuple(k.clerks[:6]), k.translator.lang)
        if (
            self.w.get("clerks_for") != key
        ):  # each PIN key redraws this screen: buttons only when clerks change
            self.w["clerks_for"] = key
            grid.clear_widgets()
            self.w["clerk_buttons"] = {}
            for clerk in k.clerks[:6]:
                button = Big(clerk.name, action=lambda c=clerk: k.choose_clerk(c), size_sp="18sp")
                self.w["clerk_buttons"][clerk.id] = button
                grid.add_widget(button)
            if not k.clerks:
                grid.add_widget(
                    Text(
                        self.t("No clerks on this device yet (python -m edge clerk add)."),
                        size_sp="16sp",
                        color=MUTED,
                    )
                )
        for clerk_id, button in self.w["clerk_buttons"].items():
            chosen = k.login_choice is not None and k.login_choice.id == clerk_id
            button.base_color = button.background_color = GREEN if chosen else BAR
        self.w["hint"].text = (
            self.t("Enter your PIN, {name}.").format(name=k.login_choice.name)
            if k.login_choice
            else self.t("Choose your name.")
        )
        self.w["pin"].text = "*" * len(k.pin_text) if k.pin_text else "-"
        self.w["ok"].text = self.t("Sign in")
        self.w["cancel"].text = self.t("Cancel")


# ------------------------------------------------------------------------------------------------


class SaleFooter(BoxLayout):
    """Total, member and the buttons to pay or cancel: the bottom of both sale screens."""

    def __init__(self, screen: KioskScreen, **kwargs: Any) -> None:
        super().__init__(size_hint_y=None, height=64, spacing=8, **kwargs)
        self.screen = screen
        k = screen.k
        self.total = Text(size_sp="26sp", bold=True)
        self.pay = Big(action=k.show_payment, color=GREEN, height=64, size_hint_x=0.34)
        self.cancel = Big(action=k.clear_sale, color=GREY, height=64, size_hint_x=0.2)
        self.shift = Big(action=k.show_shift, color=BAR, height=64, size_hint_x=0.2, size_sp="17sp")
        for widget in (self.total, self.shift, self.cancel, self.pay):
            self.add_widget(widget)

    def refresh(self) -> None:
        s = self.screen
        cart = s.k.cart
        self.total.text = s.t("Total {amount}").format(amount=s.rp(cart.total_rp))
        self.pay.text = s.t("Pay")
        self.cancel.text = s.t("Clear")
        self.shift.text = s.t("End shift")
        self.pay.set_enabled(not cart.is_empty())


class CartRow(BoxLayout):
    """One cart line: name and price, - quantity +, amount. Reused for whichever line it shows next."""

    def __init__(self, change_qty: Callable[[str, int], None]) -> None:
        super().__init__(size_hint_y=None, height=58, spacing=4)
        self.sku = ""
        self.name = Text("", size_sp="16sp")
        self.qty = Text("", size_sp="22sp", bold=True, halign="center", size_hint_x=None, width=52)
        self.amount = Text("", size_sp="17sp", bold=True, halign="right", size_hint_x=None, width=110)
        self.minus = Big(
            "-", action=lambda: change_qty(self.sku, -1), color=GREY, size_hint_x=None, width=52, height=54
        )
        self.plus = Big(
            "+", action=lambda: change_qty(self.sku, 1), color=BLUE, size_hint_x=None, width=52, height=54
        )
        for widget in (self.name, self.minus, self.qty, self.plus, self.amount):
            self.add_widget(widget)

    def show(self, line: CartLine, rp: Callable[[int], str]) -> None:
        # Kivy renders a label's text again only when it changes: an unchanged line costs nothing.
        self.sku = line.product.sku
        self.name.text = f"{line.product.name}\n{rp(line.product.price_rp)}"
        self.qty.text = str(line.qty)
        self.amount.text = rp(line.amount_rp)


class CartRows:
    """The cart's rows, newest on top, drawn from a bounded pool of ``CartRow`` widgets.

    A scan changes one row (or adds one at the top); the others keep their widgets and textures.
    Emptying the cart returns rows to the pool instead of leaving them to the garbage collector:
    a basket's worth of widgets per sale is what made the long collector pauses.
    """

    def __init__(self, grid: GridLayout, change_qty: Callable[[str, int], None]) -> None:
        self.grid = grid
        self.change_qty = change_qty
        self.shown: list[CartRow] = []  # top to bottom, as on screen
        self.spare: list[CartRow] = []
        self.made = 0  # rows ever built (tests check reuse)
        self.lang = ""

    def _take(self) -> CartRow:
        if self.spare:
            return self.spare.pop()
        self.made += 1
        return CartRow(self.change_qty)

    def show(self, lines: tuple[CartLine, ...], rp: Callable[[int], str], lang: str) -> None:
        wanted = [line.product.sku for line in reversed(lines)]  # the newest on top, where the eye goes
        current = [row.sku for row in self.shown]
        if lang != self.lang or wanted != current:
            self.lang = lang
            if wanted[1:] == current and wanted:  # one new line: a row on top, the rest stay put
                row = self._take()
                self.shown.insert(0, row)
                self.grid.add_widget(row, index=len(self.grid.children))
            else:
                self.grid.clear_widgets()
                while len(self.shown) > len(wanted):
                    row = self.shown.pop()
                    if len(self.spare) < SPARE_ROWS_MAX:
                        self.spare.append(row)
                while len(self.shown) < len(wanted):
                    self.shown.append(self._take())
                for row in self.shown:  # Kivy lays out the first added child first (on top)
                    self.grid.add_widget(row)
        for row, line in zip(self.shown, reversed(lines), strict=True):
            row.show(line, rp)


class CheckoutScreen(KioskScreen):
    """Shop checkout: scan items or search them by name; quantities with - and +."""

    def build(self) -> None:
        outer = BoxLayout(orientation="vertical", padding=6, spacing=6)
        body = BoxLayout(spacing=6)
        left = Panel(size_hint_x=0.6)
        self.w["cart_title"] = Text(size_sp="18sp", bold=True, height=28)
        left.add_widget(self.w["cart_title"])
        scroll = ClipScroll(do_scroll_x=False)
        self.w["lines"] = GridLayout(cols=1, spacing=4, size_hint_y=None)
        self.w["lines"].bind(minimum_height=self.w["lines"].setter("height"))
        self.rows = CartRows(self.w["lines"], self.k.change_qty)
        scroll.add_widget(self.w["lines"])
        left.add_widget(scroll)
        body.add_widget(left)
        right = Panel(size_hint_x=0.4, spacing=4)
        search_row = BoxLayout(size_hint_y=None, height=56, spacing=4)
        self.w["search"] = TextInput(multiline=False, font_size="22sp", write_tab=False)
        self.w["search"].bind(on_text_validate=lambda *_: self.k.search(self.w["search"].text))
        self.w["search_go"] = Big(
            action=lambda: self.k.search(self.w["search"].text), size_hint_x=None, width=90, size_sp="18sp"
        )
        search_row.add_widget(self.w["search"])
        search_row.add_widget(self.w["search_go"])
        right.add_widget(search_row)
        self.w["results"] = BoxLayout(orientation="vertical", spacing=4)
        right.add_widget(self.w["results"])
        self.w["member"] = Text(size_sp="16sp", color=MUTED, height=44)
        right.add_widget(self.w["member"])
        body.add_widget(right)
        outer.add_widget(body)
        self.w["footer"] = SaleFooter(self)
        outer.add_widget(self.w["footer"])
        self.add_widget(outer)

    def refresh(self) -> None:
        cart = self.k.cart
        self.w["cart_title"].text = (
            self.t("Items ({count})").format(count=cart.item_count)
            if cart.lines
            else self.t("Scan an item, or search by name.")
        )
        lang = self.k.translator.lang
        self.rows.show(cart.lines, self.rp, lang)
        self.w["search_go"].text = self.t("Find")
        self.w["search"].hint_text = self.t("Item name")
        key = (tuple(p.sku for p in self.k.search_results), self.k.search_done, lang)
        if self.w.get("results_for") != key:
            self.w["results_for"] = key
            results = self.w["results"]
            results.clear_widgets()
            for product in self.k.search_results[:SEARCH_RESULTS_SHOWN]:
                results.add_widget(
                    Big(
                        f"{product.name} · {self.rp(product.price_rp)}",
                        action=lambda p=product: self.k.add_product(p),
                        color=BAR,
                        size_sp="15sp",
                        height=48,
                    )
                )
            if self.k.search_done and not self.k.search_results:
                results.add_widget(
                    Text(self.t("Nothing found. Try another word."), size_sp="16sp", color=MUTED, height=40)
                )
            results.add_widget(Widget())
        self.w["member"].text = member_line(self)
        self.w["footer"].refresh()


def member_line(screen: KioskScreen) -> str:
    member = screen.k.sale_member
    if member is None:
        return screen.t("Member: scan the card now or at payment.")
    left = credit_available_rp(member.credit_limit_rp, member.credit_used_rp)
    return screen.t("Member: {name} ({number}), credit left {amount}").format(
        name=member.name, number=member.number, amount=screen.rp(left)
    )


class CounterScreen(KioskScreen):
    """Counter mode (cafe, photocopy, phone kiosk): a grid of the unit's items and a big keypad."""

    def build(self) -> None:
        outer = BoxLayout(orientation="vertical", padding=6, spacing=6)
        body = BoxLayout(spacing=6)
        scroll = ClipScroll(do_scroll_x=False, size_hint_x=0.58)
        self.w["grid"] = GridLayout(cols=COUNTER_COLUMNS, spacing=4, size_hint_y=None)
        self.w["grid"].bind(minimum_height=self.w["grid"].setter("height"))
        scroll.add_widget(self.w["grid"])
        body.add_widget(scroll)
        right = Panel(size_hint_x=0.42, spacing=4)
        self.w["chosen"] = Text(size_sp="18sp", bold=True, height=44)
        right.add_widget(self.w["chosen"])
        qty_row = BoxLayout(size_hint_y=None, height=56, spacing=4)
        self.w["qty"] = Text(size_sp="30sp", bold=True, halign="center")
        paint(self.w["qty"], (0.92, 0.93, 0.95, 1))
        self.w["add"] = Big(action=self.k.counter_add, color=GREEN, size_hint_x=0.55)
        qty_row.add_widget(self.w["qty"])
        qty_row.add_widget(self.w["add"])
        right.add_widget(qty_row)
        self.w["keypad"] = Keypad(self.k.counter_key, key_height=50)
        right.add_widget(self.w["keypad"])
        self.w["cart"] = Text(size_sp="15sp", color=MUTED)
        right.add_widget(self.w["cart"])
        body.add_widget(right)
        outer.add_widget(body)
        self.w["footer"] = SaleFooter(self)
        outer.add_widget(self.w["footer"])
        self.add_widget(outer)
        self._grid_for: tuple[str, ...] = ()

    def refresh(self) -> None:
        products = self.k.counter_products
        key = (*tuple(p.sku for p in products), self.k.translator.lang)
        if key != self._grid_for:
            grid = self.w["grid"]
            grid.clear_widgets()
            self.w["items"] = {}
            for product in products:
                button = Big(
                    f"{product.name}\n{self.rp(product.price_rp)}",
                    action=lambda p=product: self.k.counter_choose(p),
                    color=BAR,
                    size_sp="17sp",
                    height=84,
                )
                self.w["items"][product.sku] = button
                grid.add_widget(button)
            self._grid_for = key
        chosen = self.k.counter_choice
        for sku, button in self.w.get("items", {}).items():
            button.background_color = GREEN if chosen is not None and sku == chosen.sku else BAR
            button.base_color = button.background_color
        self.w["chosen"].text = chosen.name if chosen else self.t("Choose an item.")
        self.w["qty"].text = self.k.counter_qty or "1"
        self.w["add"].text = self.t("Add")
        self.w["add"].set_enabled(chosen is not None)
        cart = self.k.cart
        lines = [f"{ln.qty} x {ln.product.name}" for ln in cart.lines[-3:]]
        more = len(cart.lines) - 3
        if more > 0:
            lines.insert(0, self.t("... and {count} more").format(count=more))
        self.w["cart"].text = "\n".join(lines) if lines else self.t("No items yet.")
        self.w["footer"].refresh()


# ------------------------------------------------------------------------------------------------


class PaymentScreen(KioskScreen):
    """Member (card or walk-in), cash or credit, then confirm; edge commits the sale."""

    def build(self) -> None:
        outer = BoxLayout(padding=6, spacing=6)
        left = Panel(size_hint_x=0.48)
        self.w["title"] = Text(size_sp="20sp", bold=True, height=32)
        left.add_widget(self.w["title"])
        scroll = ClipScroll(do_scroll_x=False)
        self.w["lines"] = GridLayout(cols=1, size_hint_y=None, spacing=2)
        self.w["lines"].bind(minimum_height=self.w["lines"].setter("height"))
        scroll.add_widget(self.w["lines"])
        left.add_widget(scroll)
        self.w["total"] = Text(size_sp="30sp", bold=True, height=50)
        left.add_widget(self.w["total"])
        outer.add_widget(left)
        right = Panel(size_hint_x=0.52, spacing=6)
        self.w["member"] = Text(size_sp="18sp", height=64)
        right.add_widget(self.w["member"])
        self.w["walk_in"] = Big(action=self.k.set_walk_in, color=GREY, height=50, size_sp="18sp")
        right.add_widget(self.w["walk_in"])
        pay_row = BoxLayout(size_hint_y=None, height=72, spacing=6)
        self.w["cash"] = Big(action=lambda: self.k.set_payment("cash"), height=72)
        self.w["credit"] = Big(action=lambda: self.k.set_payment("credit"), height=72)
        pay_row.add_widget(self.w["cash"])
        pay_row.add_widget(self.w["credit"])
        right.add_widget(pay_row)
        self.w["points"] = Text(size_sp="17sp", color=MUTED, height=50)
        right.add_widget(self.w["points"])
        right.add_widget(Widget())
        buttons = BoxLayout(size_hint_y=None, height=72, spacing=6)
        self.w["back"] = Big(action=self.k.back_to_sale, color=GREY, height=72, size_hint_x=0.4)
        self.w["confirm"] = Big(action=self.k.confirm_sale, color=GREEN, height=72, size_sp="26sp")
        buttons.add_widget(self.w["back"])
        buttons.add_widget(self.w["confirm"])
        right.add_widget(buttons)
        outer.add_widget(right)
        self.add_widget(outer)

    def refresh(self) -> None:
        k = self.k
        cart = k.cart
        self.w["title"].text = self.t("Payment")
        self._show_lines(cart.lines)
        self.w["total"].text = self.t("Total {amount}").format(amount=self.rp(cart.total_rp))
        member = k.sale_member
        if member is None:
            self.w["member"].text = self.t("Scan the member card now, or sell to a walk-in customer.")
        else:
            self.w["member"].text = member_line(self)
        self.w["walk_in"].text = self.t("Walk-in customer (no card)")
        self.w["walk_in"].set_enabled(member is not None)
        self.w["cash"].text = self.t("Cash")
        self.w["credit"].text = self.t("Credit")
        selected, other = (
            (self.w["cash"], self.w["credit"]) if k.payment == "cash" else (self.w["credit"], self.w["cash"])
        )
        selected.base_color = selected.background_color = BLUE
        other.base_color = other.background_color = GREY
        self.w["credit"].set_enabled(member is not None)
        if member is None:
            self.w["points"].text = self.t("Walk-in customers earn no points.")
        else:
            points = estimate_points(cart.lines, k.unit, k.payment, k.point_rules)
            self.w["points"].text = self.t("Points earned (estimate): {points}").format(
                points=format_points(points, k.translator.lang)
            )
        self.w["back"].text = self.t("Back")
        self.w["confirm"].text = self.t("Saving...") if k.saving else self.t("Confirm")
        self.w["confirm"].set_enabled(not k.saving and not cart.is_empty())

    def _show_lines(self, lines: tuple[CartLine, ...]) -> None:
        # Rows are kept from sale to sale (bounded) and only their texts change: no widgets to collect.
        rows: list[tuple[BoxLayout, Text, Text]] = self.w.setdefault("rows", [])
        grid = self.w["lines"]
        while len(rows) < len(lines):
            rows.append(_payment_row())
        if len(grid.children) != len(lines):
            grid.clear_widgets()
            for row, _, _ in rows[: len(lines)]:
                grid.add_widget(row)
            del rows[max(len(lines), SPARE_ROWS_MAX) :]
        for (_, what, amount), line in zip(rows, lines, strict=False):
            what.text = f"{line.qty} x {line.product.name}"
            amount.text = self.rp(line.amount_rp)


# ------------------------------------------------------------------------------------------------


def _payment_row() -> tuple[BoxLayout, Text, Text]:
    row = BoxLayout(size_hint_y=None, height=ROW_PX)
    what = Text("", size_sp="16sp")
    amount = Text("", size_sp="16sp", halign="right", size_hint_x=0.45)
    row.add_widget(what)
    row.add_widget(amount)
    return row, what, amount


class DoneScreen(KioskScreen):
    """The sale is saved; the receipt prints (or says why not); points earned are shown."""

    def build(self) -> None:
        box = BoxLayout(orientation="vertical", padding=(30, 12), spacing=8)
        self.w["title"] = Text(size_sp="34sp", bold=True, color=GREEN, height=56)
        self.w["total"] = Text(size_sp="28sp", bold=True, height=48)
        self.w["detail"] = Text(size_sp="19sp", height=60)
        self.w["points"] = Text(size_sp="22sp", bold=True, color=BLUE, height=64)
        self.w["printing"] = Text(size_sp="19sp", color=MUTED, height=56)
        for name in ("title", "total", "detail", "points", "printing"):
            box.add_widget(self.w[name])
        box.add_widget(Widget())
        buttons = BoxLayout(size_hint_y=None, height=72, spacing=8)
        self.w["reprint"] = Big(action=self.k.reprint, color=AMBER, height=72, size_hint_x=0.4)
        self.w["next"] = Big(action=self.k.new_sale, color=GREEN, height=72)
        buttons.add_widget(self.w["reprint"])
        buttons.add_widget(self.w["next"])
        box.add_widget(buttons)
        self.add_widget(box)

    def refresh(self) -> None:
        sale = self.k.last_sale
        self.w["title"].text = self.t("Sale saved")
        self.w["next"].text = self.t("New sale")
        self.w["reprint"].text = self.t("Print again")
        if sale is None:
            for name in ("total", "detail", "points", "printing"):
                self.w[name].text = ""
            return
        lang = self.k.translator.lang
        self.w["total"].text = (
            self.t("Total {amount}").format(amount=self.rp(sale.total_rp))
            + "  ·  "
            + tx.name_of(tx.PAYMENT_NAMES, sale.payment, self.t)
        )
        who = f"{sale.member_name} ({sale.member})" if sale.member else self.t("Walk-in customer")
        self.w["detail"].text = self.t("No. {id}").format(id=sale.id) + "\n" + who
        if sale.member:
            self.w["points"].text = (
                self.t("Points earned (estimate): {points}").format(points=format_points(sale.points, lang))
                + "\n"
                + self.t("Central confirms the final points.")
            )
        else:
            self.w["points"].text = ""
        state = self.k.print_state
        if state == "printing":
            self.w["printing"].text = self.t("Printing the receipt...")
            self.w["printing"].color = MUTED
        elif state == "printed":
            self.w["printing"].text = self.t("Receipt printed.")
            self.w["printing"].color = GREEN
        elif state == "none":
            self.w["printing"].text = self.t("No printer on this counter.")
            self.w["printing"].color = MUTED
        elif self.k.print_error is not None:
            what, next_step = self.k.print_error.texts(self.t)
            self.w["printing"].text = f"{what}\n{next_step}"
            self.w["printing"].color = RED
        self.w["reprint"].set_enabled(state not in ("printing", "none"))


# ------------------------------------------------------------------------------------------------


class ShiftScreen(KioskScreen):
    """End of shift: sales by payment method, the cash to hand in as the daily deposit, and a keypad for
    the cash counted, recorded as the shift's hand-in."""

    def build(self) -> None:
        box = BoxLayout(orientation="vertical", padding=(30, 12), spacing=6)
        self.w["title"] = Text(size_sp="28sp", bold=True, height=50)
        self.w["since"] = Text(size_sp="17sp", color=MUTED, height=28)
        box.add_widget(self.w["title"])
        box.add_widget(self.w["since"])
        middle = BoxLayout(spacing=16)
        left = BoxLayout(orientation="vertical", spacing=4)
        self.w["table"] = Panel(spacing=4)
        left.add_widget(self.w["table"])
        self.w["deposit"] = Text(size_sp="26sp", bold=True, color=GREEN, height=50)
        left.add_widget(self.w["deposit"])
        middle.add_widget(left)
        right = BoxLayout(orientation="vertical", spacing=4, size_hint_x=0.42)
        self.w["counted"] = Text(size_sp="20sp", bold=True, height=34)
        right.add_widget(self.w["counted"])
        self.w["handin_keypad"] = Keypad(self.k.handin_key, key_height=40)
        right.add_widget(self.w["handin_keypad"])
        self.w["handin"] = Big(action=self.k.record_handin, color=BLUE, height=52, size_sp="18sp")
        right.add_widget(self.w["handin"])
        middle.add_widget(right)
        box.add_widget(middle)
        buttons = BoxLayout(size_hint_y=None, height=68, spacing=8)
        self.w["back"] = Big(action=self.k.back_to_sale, color=GREY, height=68)
        self.w["count"] = Big(action=self.k.show_count, color=BLUE, height=68, size_sp="20sp")
        self.w["logout"] = Big(action=self.k.logout, color=RED, height=68)
        buttons.add_widget(self.w["back"])
        buttons.add_widget(self.w["count"])
        buttons.add_widget(self.w["logout"])
        box.add_widget(buttons)
        self.add_widget(box)

    def _refresh_handin(self) -> None:
        k = self.k
        done = k.handin_done
        if done is None:
            counted = int(k.handin_text or "0")
            self.w["counted"].text = self.t("Cash counted: {amount}").format(amount=self.rp(counted))
            self.w["counted"].color = INK if k.handin_text else MUTED
            self.w["handin"].text = self.t("Record the hand-in")
        else:
            self.w["counted"].text = self.t("Handed in: {amount}").format(amount=self.rp(done.counted_rp))
            self.w["counted"].color = GREEN
            difference = done.counted_rp - done.expected_rp
            self.w["handin"].text = self.t("Difference: {amount}").format(amount=self.rp(difference))
        ready = done is None and bool(k.handin_text) and k.shift_summary is not None
        self.w["handin"].set_enabled(ready)
        for button in self.w["handin_keypad"].buttons.values():
            button.set_enabled(done is None)

    def _row(self, cells: tuple[str, str, str], *, bold: bool = False) -> None:
        row = BoxLayout(size_hint_y=None, height=34)
        row.add_widget(Text(cells[0], size_sp="20sp", bold=bold))
        row.add_widget(Text(cells[1], size_sp="20sp", bold=bold, halign="right", size_hint_x=0.5))
        row.add_widget(Text(cells[2], size_sp="20sp", bold=bold, halign="right", size_hint_x=0.7))
        self.w["table"].add_widget(row)

    def refresh(self) -> None:
        k = self.k
        clerk = k.clerk.name if k.clerk else "-"
        self.w["title"].text = self.t("End of shift: {clerk}").format(clerk=clerk)
        self.w["since"].text = self.t("Sales since {when}").format(when=tx.when(k.shift_since, self.t))
        self.w["back"].text = self.t("Back to sales")
        self.w["logout"].text = self.t("Close shift and sign out")
        count = k.status.count if k.status is not None else None
        # count mode only while the office holds a count open for this unit (the downlink says so)
        self.w["count"].text = (
            self.t("Stock count {count}").format(count=count.id) if count else self.t("No stock count")
        )
        self.w["count"].set_enabled(count is not None)
        self._refresh_handin()
        table = self.w["table"]
        table.clear_widgets()
        summary = k.shift_summary
        if summary is None:
            table.add_widget(Text(self.t("Counting the shift's sales..."), color=MUTED))
            self.w["deposit"].text = ""
            return
        self._row((self.t("Cash sales"), "", self.rp(summary.cash_rp)))
        self._row((self.t("Credit sales"), "", self.rp(summary.credit_rp)))
        self._row(
            (
                self.t("All sales"),
                self.t("{count} sales").format(count=summary.sales_count),
                self.rp(summary.total_rp),
            ),
            bold=True,
        )
        if summary.voids_count:
            self._row((self.t("Voided"), str(summary.voids_count), "-" + self.rp(summary.voids_rp)))
        if summary.deposits_rp:
            self._row((self.t("Savings deposits"), "", self.rp(summary.deposits_rp)))
        if summary.installments_rp:
            self._row((self.t("Loan installments"), "", self.rp(summary.installments_rp)))
        if summary.withdrawals_rp:
            self._row((self.t("Savings withdrawals"), "", self.rp(-summary.withdrawals_rp)))
        table.add_widget(Widget())
        self.w["deposit"].text = self.t("Cash to deposit: {amount}").format(
            amount=self.rp(summary.cash_expected_rp)
        )
