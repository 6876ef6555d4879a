"""The kiosk's controller and top-level widget: status bar, screens, message banner.

State lives here (clerk, cart, member, payment, last sale); screens draw it. Every call to the device
goes through a ``Runner`` (worker thread) and comes back through ``Outcomes``, drained each frame on
the UI thread together with waiting scans, so a slow store, a slow central or a slow printer never
freezes the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.modalview import ModalView

from drivers.scan import Scan
from kiosk import errors
from kiosk.i18n import LANGUAGES, Translator
from kiosk.model import (
    Cart,
    CartFull,
    PointRule,
    Product,
    ShiftSummary,
    add_to_cart,
    keypad_press,
    point_rules_from_config,
    set_qty,
)
from kiosk.runner import Outcomes, Runner
from kiosk.scanning import ScanFeed
from kiosk.services import (
    COUNTER_UNITS,
    Clerk,
    CountedLine,
    CountInfo,
    DeviceInfo,
    DeviceStatus,
    HandinDone,
    Member,
    MemberSummary,
    Purchase,
    SaleDone,
)
from kiosk.ui import text as tx
from kiosk.ui.count_screen import CountScreen
from kiosk.ui.screens import (
    CheckoutScreen,
    CounterScreen,
    DoneScreen,
    IdleScreen,
    KioskScreen,
    LoginScreen,
    MemberScreen,
    PaymentScreen,
    ScreenStack,
    ShiftScreen,
)
from kiosk.ui.widgets import AMBER, BAR, BLUE, GREEN, GREY, RED, WHITE, Big, Text, paint, set_background

log = logging.getLogger(__name__)

STATUS_BAR_PX: Final = 40
STATUS_EVERY_S: Final = 2.0
MEMBER_TIMEOUT_S: Final = 45.0
BANNER_SHOW_S: Final = 12.0
PIN_DIGITS_MAX: Final = 8
COUNT_DIGITS_MAX: Final = 5  # whole units counted in one go: up to 99,999, within the envelope's limit
HANDIN_DIGITS_MAX: Final = 10  # whole rupiah: up to Rp 9.999.999.999, within the envelope's limit
DISPUTE_REASON: Final = "Anggota melapor di kiosk: bukan pembelian saya"


@dataclass(frozen=True)
class Parts:
    """What a kiosk is made of: how to reach the device, the printer and the scanners."""

    services: Callable[[], Any]
    printer: Callable[[], Any]
    feed: ScanFeed
    scanner_state: Callable[[], str] = lambda: "none"


class StatusBar(BoxLayout):
    """Online/offline, outbox depth, last sync, printer and scanner, clerk, language switch."""

    def __init__(self, root: KioskRoot, **kwargs: Any) -> None:
        super().__init__(size_hint_y=None, height=STATUS_BAR_PX, padding=(8, 2), spacing=8, **kwargs)
        paint(self, BAR)
        self.k = root
        self.w: dict[str, Any] = {}
        for name, width in (
            ("device", 0.22),
            ("online", 0.2),
            ("sync", 0.24),
            ("printer", 0.17),
            ("scanner", 0.17),
        ):
            label = Text(size_sp="14sp", color=WHITE, size_hint_x=width)
            self.w[name] = label
            self.add_widget(label)
        self.w["lang"] = Big(
            action=root.toggle_language,
            color=GREY,
            size_sp="15sp",
            size_hint_x=None,
            width=56,
            height=STATUS_BAR_PX - 4,
        )
        self.add_widget(self.w["lang"])

    def refresh(self) -> None:
        k = self.k
        t = k.t
        info, status = k.info, k.status
        where = info.device if info else "-"
        if k.clerk is not None:
            where = f"{where} · {k.clerk.name}"
        self.w["device"].text = where
        if status is None:
            self.w["online"].text = t("Starting...")
            self.w["sync"].text = ""
        else:
            log_problem = getattr(status, "log_problem", "")
            self.w["online"].color = AMBER if log_problem else WHITE
            if getattr(status, "revoked", False):
                self.w["online"].text = t("Device REVOKED: ask the board")
            elif log_problem:  # central's books showed this device a history it cannot prove: say so
                self.w["online"].text = t("BOOKS WARNING: tell the board")
            else:
                self.w["online"].text = t("Online") if status.online else t("Offline (saved here)")
            self.w["sync"].text = t("Waiting {count} · sync {time}").format(
                count=status.outbox_depth, time=tx.clock(status.last_sync_at)
            )
            refused = getattr(status, "refused", 0)
            if refused:  # the clerk sees that central refused some: the office looks at them
                self.w["sync"].text += " · " + t("{count} refused by central").format(count=refused)
            self.w["sync"].color = AMBER if refused else WHITE
        self.w["printer"].text = t("Printer: {state}").format(state=k.state_name(k.printer_state))
        self.w["scanner"].text = t("Scanner: {state}").format(state=k.state_name(k.parts.scanner_state()))
        self.w["lang"].text = "EN" if k.translator.lang == "id" else "ID"


class Banner(BoxLayout):
    """A message across the bottom: what happened and what to do next, with an OK button."""

    def __init__(self, root: KioskRoot, **kwargs: Any) -> None:
        super().__init__(
            size_hint=(1, None), height=96, pos_hint={"x": 0, "y": 0}, padding=10, spacing=10, **kwargs
        )
        paint(self, RED)
        self.k = root
        self.text = Text(size_sp="19sp", color=WHITE)
        self.ok = Big("OK", action=root.hide_banner, color=GREY, size_hint_x=None, width=110, height=70)
        self.add_widget(self.text)
        self.add_widget(self.ok)
        self.kind = "error"


class KioskRoot(FloatLayout):
    """The whole kiosk UI; ``close`` stops its workers."""

    def __init__(
        self, parts: Parts, translator: Translator, *, unit_hint: str = "toko", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.parts = parts
        self.translator = translator
        # Scans and workers' results wake the UI thread at once (Kivy's interruptible clock, see
        # ``boot``) instead of waiting for the next frame: two frames less from a scan to the screen.
        self._wake = Clock.create_trigger(self._tick, 0)
        self.outcomes = Outcomes(on_put=self._wake)
        self.edge = Runner("edge", parts.services, self.outcomes).start()
        self.slow = Runner("summary", parts.services, self.outcomes).start()
        self.printer = Runner("printer", parts.printer, self.outcomes).start()
        # state
        self.info: DeviceInfo | None = None
        self.unit = unit_hint
        self.status: DeviceStatus | None = None
        self.printer_state = "none"
        self.point_rules: dict[str, PointRule] = point_rules_from_config(None)
        self.clerks: list[Clerk] = []
        self.clerk: Clerk | None = None
        self.login_choice: Clerk | None = None
        self.pin_text = ""
        self.shift_since: str | None = None
        self.shift_summary: ShiftSummary | None = None
        self.handin_text = ""  # the cash counted at shift close, as typed on the keypad
        self.handin_done: HandinDone | None = None
        # count mode (stok opname): the count being counted, the item scanned, the quantity typed, what
        # this kiosk counted for it (latest first), and whether the office closed it meanwhile
        self.counting: CountInfo | None = None
        self.count_item: Product | None = None
        self.count_qty = ""
        self.count_lines: list[CountedLine] = []
        self.count_closed = False
        self.count_saving = False
        self.cart = Cart()
        self.sale_member: Member | None = None
        self.payment = "cash"
        self.saving = False
        self.last_sale: SaleDone | None = None
        self.print_state = "idle"
        self.print_error: errors.KioskError | None = None
        self.search_results: list[Product] = []
        self.search_done = False
        self.counter_products: list[Product] = []
        self.counter_choice: Product | None = None
        self.counter_qty = ""
        self.self_member: Member | None = None
        self.self_summary: MemberSummary | None = None
        self.self_summary_error: errors.KioskError | None = None
        self.member_session = 0
        self.dialog: ModalView | None = None
        self.banner_message: tuple[str, str] | None = None
        self._status_pending = False
        self._member_timeout: Any = None
        self._banner_timeout: Any = None
        self.ticks = 0
        # widgets (no background: the window is cleared to the paper colour, see ``KioskScreen``)
        column = BoxLayout(orientation="vertical")
        self.status_bar = StatusBar(self)
        column.add_widget(self.status_bar)
        self.screens = ScreenStack()
        self.views: dict[str, KioskScreen] = {}
        for name, cls in (
            ("idle", IdleScreen),
            ("member", MemberScreen),
            ("login", LoginScreen),
            ("checkout", CheckoutScreen),
            ("counter", CounterScreen),
            ("payment", PaymentScreen),
            ("done", DoneScreen),
            ("shift", ShiftScreen),
            ("count", CountScreen),
        ):
            view = cls(self, name=name)
            self.views[name] = view
            self.screens.add_screen(view)
        column.add_widget(self.screens)
        self.add_widget(column)
        self.banner = Banner(self)
        # start
        self._events = [Clock.schedule_interval(self._poll, STATUS_EVERY_S)]
        parts.feed.on_push = self._wake
        self._wake()
        self.edge.submit("info", on_ok=self._got_info, on_error=self._startup_error)
        self.edge.submit("point_rules", on_ok=self._got_rules)
        self.edge.submit("clerks", on_ok=self._got_clerks)
        self.printer.submit("state", on_ok=self._got_printer_state)
        self._poll(0)
        self.show("idle")

    # ---- plumbing ---------------------------------------------------------------------------------

    def t(self, msgid: str) -> str:
        return self.translator.tr(msgid)

    def state_name(self, state: str) -> str:
        names = {
            "ok": "OK",
            "paper_out": self.t("no paper"),
            "offline": self.t("off"),
            "none": "-",
            "printing": self.t("printing"),
        }
        return names.get(state, state)

    def close(self) -> None:
        self.parts.feed.on_push = None
        self.outcomes.on_put = None
        self._wake.cancel()
        for event in self._events:
            event.cancel()
        for runner in (self.edge, self.slow, self.printer):
            runner.stop()

    def idle(self) -> bool:
        """True when no call to a worker is waiting or running and no outcome is undelivered."""
        return self.edge.idle() and self.slow.idle() and self.printer.idle() and self.outcomes.pending() == 0

    def _tick(self, _dt: float) -> None:
        self.ticks += 1
        self.outcomes.drain()
        for scan in self.parts.feed.take():
            self.on_scan(scan)
        if self.outcomes.pending() or len(self.parts.feed):  # more than one batch: again next frame
            self._wake()

    def _poll(self, _dt: float) -> None:
        if not self._status_pending:
            self._status_pending = True
            self.edge.submit("status", on_ok=self._got_status, on_error=self._status_failed)
        self.printer.submit("state", on_ok=self._got_printer_state)

    def _got_status(self, status: DeviceStatus) -> None:
        self._status_pending = False
        before = self.status.count if self.status is not None else None
        self.status = status
        self.status_bar.refresh()
        if status.count != before:
            self._count_announced(status.count)

    def _status_failed(self, _err: errors.KioskError) -> None:
        self._status_pending = False

    def _got_printer_state(self, state: str) -> None:
        if self.print_state != "printing":
            self.printer_state = state
        self.status_bar.refresh()

    def _got_info(self, info: DeviceInfo) -> None:
        self.info = info
        self.unit = info.unit
        if info.unit in COUNTER_UNITS:
            self.edge.submit("products", info.unit, on_ok=self._got_counter_products)
        self.refresh()

    def _startup_error(self, err: errors.KioskError) -> None:
        self.show_error(err)

    def _got_rules(self, rules: dict[str, PointRule]) -> None:
        self.point_rules = rules

    def _got_clerks(self, clerks: list[Clerk]) -> None:
        self.clerks = clerks
        if self.screens.current == "login":
            self.current_view().refresh()

    def _got_counter_products(self, products: list[Product]) -> None:
        self.counter_products = products
        if self.screens.current == "counter":
            self.current_view().refresh()

    def status_bar_texts(self) -> list[str]:
        return [w.text for w in self.status_bar.w.values() if w.text]

    def current_view(self) -> KioskScreen:
        return self.views[self.screens.current]

    def show(self, name: str) -> None:
        if self.screens.current == "member" and name != "member":
            self._forget_member()
        if self.screens.current == name:
            self.views[name].refresh()
        else:
            self.screens.current = name
        self.status_bar.refresh()

    def refresh(self) -> None:
        self.status_bar.refresh()
        self.current_view().refresh()

    def toggle_language(self) -> None:
        order = list(LANGUAGES)
        self.translator.switch(order[(order.index(self.translator.lang) + 1) % len(order)])
        self.refresh()
        if self.banner_message is not None and self.banner.parent is not None:
            self.hide_banner()

    # ---- messages --------------------------------------------------------------------------------

    def show_error(self, err: errors.KioskError) -> None:
        what, next_step = err.texts(self.t)
        self.show_banner(what, next_step, kind="error")

    def show_banner(self, what: str, next_step: str = "", *, kind: str = "error") -> None:
        self.banner_message = (what, next_step)
        self.banner.text.text = f"[b]{what}[/b]\n{next_step}" if next_step else f"[b]{what}[/b]"
        self.banner.text.markup = True
        set_background(self.banner, {"error": RED, "info": GREEN, "warn": AMBER}.get(kind, BLUE))
        self.banner.kind = kind
        if self.banner.parent is None:
            self.add_widget(self.banner)
        if self._banner_timeout is not None:
            self._banner_timeout.cancel()
        self._banner_timeout = Clock.schedule_once(lambda _dt: self.hide_banner(), BANNER_SHOW_S)

    def hide_banner(self) -> None:
        if self.banner.parent is not None:
            self.remove_widget(self.banner)
        self.banner_message = None

    # ---- scans -----------------------------------------------------------------------------------

    def on_scan(self, scan: Scan) -> None:
        """Route one scan by screen: member card or product code."""
        screen = self.screens.current
        if self.dialog is not None:
            return
        if screen in ("idle", "member"):
            if scan.kind == "member_card":
                self.start_member_session(scan.code)
            else:
                self.show_banner(
                    self.t("This is not a member card."),
                    self.t("Scan the card with your name on it."),
                    kind="warn",
                )
        elif screen in ("checkout", "counter", "payment", "done"):
            if scan.kind == "member_card":
                self.edge.submit(
                    "member_by_card", scan.code, on_ok=self._sale_member_found, on_error=self.show_error
                )
            elif screen == "payment":
                self.show_banner(
                    self.t("Payment is open."), self.t("Press Back to add more items."), kind="warn"
                )
            else:
                self.edge.submit("product", scan.code, on_ok=self._scanned_product, on_error=self.show_error)
        elif screen == "count":
            if scan.kind == "member_card":
                self.show_banner(
                    self.t("This is a member card."), self.t("Scan the item's barcode."), kind="warn"
                )
            else:
                self.edge.submit(
                    "product",
                    scan.code,
                    on_ok=self._count_scanned,
                    on_error=lambda _e: self._count_unknown(scan.code),
                )
        elif screen == "login":
            self.show_banner(
                self.t("Sign in first."), self.t("Choose your name and enter your PIN."), kind="warn"
            )

    def _scanned_product(self, product: Product) -> None:
        if self.screens.current == "done":
            self.new_sale()
        self.add_product(product)

    # ---- member self-service -----------------------------------------------------------------------

    def start_member_session(self, card_code: str) -> None:
        self.member_session += 1
        session = self.member_session
        self.edge.submit(
            "member_by_card",
            card_code,
            on_ok=lambda member: self._self_member_found(session, member),
            on_error=self._self_member_error,
        )

    def _self_member_error(self, err: errors.KioskError) -> None:
        self._forget_member()
        self.show("idle")
        self.show_error(err)

    def _self_member_found(self, session: int, member: Member) -> None:
        if session != self.member_session:
            return
        self.hide_banner()
        self.self_member = member
        self.self_summary = None
        self.self_summary_error = None
        # The saved copy first (a quick local read), then central's answer replaces it when it comes.
        self.edge.submit(
            "saved_summary",
            member.number,
            on_ok=lambda saved: self._self_saved_summary(session, member.number, saved),
        )
        self.slow.submit(
            "member_summary",
            member.number,
            on_ok=lambda summary: self._self_summary(session, member.number, summary),
            on_error=lambda err: self._self_summary_failed(session, err),
        )
        self.show("member")
        self.member_touched()

    def _self_summary(self, session: int, number: str, summary: MemberSummary) -> None:
        # Only the member on screen, and only the latest scan: a late answer for someone else is dropped.
        if (
            session != self.member_session
            or self.self_member is None
            or summary.member != number
            or self.self_member.number != number
        ):
            log.info("dropped a member summary that is not for the member on screen")
            return
        self.self_summary = summary
        if self.screens.current == "member":
            self.current_view().refresh()

    def _self_saved_summary(self, session: int, number: str, saved: MemberSummary | None) -> None:
        if saved is not None and self.self_summary is None:
            self._self_summary(session, number, saved)

    def _self_summary_failed(self, session: int, err: errors.KioskError) -> None:
        if session != self.member_session or self.self_member is None:
            return
        if self.self_summary is not None:  # the saved copy stays on screen, labelled as such
            return
        self.self_summary_error = err
        if self.screens.current == "member":
            self.current_view().refresh()

    def member_touched(self) -> None:
        if self._member_timeout is not None:
            self._member_timeout.cancel()
        self._member_timeout = Clock.schedule_once(lambda _dt: self.member_done(), MEMBER_TIMEOUT_S)

    def member_done(self) -> None:
        self.close_dialog()
        self.show("idle")

    def _forget_member(self) -> None:
        self.member_session += 1
        self.self_member = None
        self.self_summary = None
        self.self_summary_error = None
        if self._member_timeout is not None:
            self._member_timeout.cancel()
            self._member_timeout = None
        member_view = self.views["member"]
        assert isinstance(member_view, MemberScreen)
        member_view.clear()

    def ask_dispute(self, purchase: Purchase) -> None:
        self.member_touched()
        question = (
            self.t("Report this purchase as not yours?")
            + "\n"
            + (
                f"{tx.when(purchase.at, self.t)} · {tx.name_of(tx.UNIT_NAMES, purchase.unit, self.t)} · "
                f"{self.views['member'].rp(purchase.total_rp)}"
            )
        )
        self.open_dialog(question, self.t("Yes, report it"), lambda: self.record_dispute(purchase))

    def record_dispute(self, purchase: Purchase) -> None:
        member = self.self_member
        if member is None:
            return
        self.edge.submit(
            "record_dispute",
            member.number,
            purchase.id,
            DISPUTE_REASON,
            on_ok=lambda _ref: self.show_banner(
                self.t("Your report is saved."),
                self.t("The supervisor will check this purchase. Thank you."),
                kind="info",
            ),
            on_error=self.show_error,
        )

    def open_dialog(self, question: str, yes_text: str, on_yes: Callable[[], None]) -> None:
        self.close_dialog()
        view = ModalView(size_hint=(0.8, 0.6), auto_dismiss=False)
        box = BoxLayout(orientation="vertical", padding=16, spacing=12)
        paint(box, WHITE)
        box.add_widget(Text(question, size_sp="22sp", halign="center"))
        row = BoxLayout(size_hint_y=None, height=72, spacing=12)
        no = Big(self.t("Cancel"), action=self.close_dialog, color=GREY, height=72)

        def yes() -> None:
            self.close_dialog()
            on_yes()

        ok = Big(yes_text, action=yes, color=AMBER, height=72)
        row.add_widget(no)
        row.add_widget(ok)
        box.add_widget(row)
        view.add_widget(box)
        view.yes_button, view.no_button = ok, no
        self.dialog = view
        view.open(animation=False)

    def close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.dismiss(animation=False)
            self.dialog = None

    # ---- clerk -----------------------------------------------------------------------------------

    def show_login(self) -> None:
        self.pin_text = ""
        self.login_choice = self.clerks[0] if len(self.clerks) == 1 else None
        self.edge.submit("clerks", on_ok=self._got_clerks)
        self.show("login")

    def show_idle(self) -> None:
        self.pin_text = ""
        self.show("idle")

    def choose_clerk(self, clerk: Clerk) -> None:
        self.login_choice = clerk
        self.pin_text = ""
        self.current_view().refresh()

    def pin_key(self, key: str) -> None:
        self.pin_text = keypad_press(self.pin_text, key, max_digits=PIN_DIGITS_MAX, leading_zero=True)
        self.current_view().refresh()

    def submit_pin(self) -> None:
        if self.login_choice is None:
            self.show_banner(self.t("Choose your name first."), self.t("Then enter your PIN."), kind="warn")
            return
        pin, self.pin_text = self.pin_text, ""
        self.current_view().refresh()
        self.edge.submit(
            "check_pin", self.login_choice.id, pin, on_ok=self._signed_in, on_error=self.show_error
        )

    def _signed_in(self, clerk: Clerk) -> None:
        from kiosk.services import now_text

        self.hide_banner()
        self.clerk = clerk
        self.shift_since = now_text()
        self.clear_sale(show_screen=False)
        self.show(self.sale_screen())

    def sale_screen(self) -> str:
        return "counter" if self.unit in COUNTER_UNITS else "checkout"

    def show_shift(self) -> None:
        if self.clerk is None or self.shift_since is None:
            return
        self.shift_summary = None
        self.handin_text = ""
        self.edge.submit(
            "shift_summary", self.clerk.id, self.shift_since, on_ok=self._got_shift, on_error=self.show_error
        )
        self.show("shift")

    def handin_key(self, key: str) -> None:
        if self.handin_done is not None:
            return
        # a leading zero is kept so that a shift without cash can hand in 0 (int() drops it for the amount)
        text = keypad_press(self.handin_text, key, max_digits=HANDIN_DIGITS_MAX, leading_zero=True)
        self.handin_text = text if text.strip("0") or len(text) <= 1 else "0"
        self.current_view().refresh()

    def record_handin(self) -> None:
        """Record the cash counted as this shift's hand-in (once: the device refuses a second)."""
        if self.clerk is None or self.shift_since is None or self.handin_done is not None:
            return
        counted = int(self.handin_text or "0")
        self.edge.submit(
            "record_handin",
            self.clerk.id,
            counted,
            self.shift_since,
            on_ok=self._handed_in,
            on_error=self.show_error,
        )

    def _handed_in(self, done: HandinDone) -> None:
        self.handin_done = done
        if self.screens.current == "shift":
            self.current_view().refresh()

    def _got_shift(self, summary: ShiftSummary) -> None:
        self.shift_summary = summary
        if self.screens.current == "shift":
            self.current_view().refresh()

    # ---- count mode (stok opname) -------------------------------------------------------------------

    def _count_announced(self, count: CountInfo | None) -> None:
        """Central's announcement changed: a count opened, or the one being counted was closed."""
        gone = self.counting is not None and (count is None or count.id != self.counting.id)
        if gone and self.counting is not None and not self.count_closed:
            self.count_closed = True
            self.show_error(errors.CountClosed(count=self.counting.id))
        self._refresh_if("shift")
        self._refresh_if("count")

    def show_count(self) -> None:
        """Enter count mode for the open count of this unit (from the end-of-shift screen)."""
        count = self.status.count if self.status is not None else None
        if self.clerk is None or count is None:
            self.show_error(errors.NoCountOpen())
            return
        if self.counting is None or self.counting.id != count.id:
            self.count_lines = []
            self.count_item = None
        self.counting = count
        self.count_closed = False
        self.count_qty = ""
        self.edge.submit("counted", count.id, on_ok=self._got_counted, on_error=self.show_error)
        self.show("count")

    def _got_counted(self, lines: list[CountedLine]) -> None:
        self.count_lines = list(lines)
        self._refresh_if("count")

    def _count_scanned(self, product: Product) -> None:
        if product.unit != self.unit:
            self.show_error(errors.NotCountedHere(name=product.name))
            return
        self.hide_banner()
        self.count_item = product
        self.count_qty = ""
        self._refresh_if("count")

    def _count_unknown(self, code: str) -> None:
        self.count_item = None
        self.count_qty = ""
        self.show_error(errors.UnknownCountItem(code=code))
        self._refresh_if("count")

    def count_key(self, key: str) -> None:
        if self.count_closed:
            return
        # a leading zero is kept so that an empty shelf can be counted 0
        text = keypad_press(self.count_qty, key, max_digits=COUNT_DIGITS_MAX, leading_zero=True)
        self.count_qty = text if text.strip("0") or len(text) <= 1 else "0"
        self.current_view().refresh()

    def count_add(self) -> None:
        self._record_count(add=True)

    def count_replace(self) -> None:
        self._record_count(add=False)

    def _record_count(self, *, add: bool) -> None:
        item, count = self.count_item, self.counting
        if self.clerk is None or item is None or count is None or not self.count_qty or self.count_closed:
            return
        if self.count_saving:
            return
        self.count_saving = True
        self.edge.submit(
            "record_count",
            count.id,
            item.sku,
            int(self.count_qty),
            self.clerk.id,
            add,
            on_ok=self._counted,
            on_error=self._count_failed,
        )
        self._refresh_if("count")

    def _counted(self, line: CountedLine) -> None:
        self.count_saving = False
        self.count_lines = [line] + [ln for ln in self.count_lines if ln.sku != line.sku]
        self.count_qty = ""
        self._refresh_if("count")

    def _count_failed(self, err: errors.KioskError) -> None:
        self.count_saving = False
        if isinstance(err, errors.CountClosed):
            self.count_closed = True
        self.show_error(err)
        self._refresh_if("count")

    def leave_count(self) -> None:
        self.count_item = None
        self.count_qty = ""
        self.show_shift()

    def logout(self) -> None:
        self.counting = None
        self.count_item = None
        self.count_qty = ""
        self.count_lines = []
        self.count_closed = False
        self.clerk = None
        self.shift_since = None
        self.shift_summary = None
        self.handin_text = ""
        self.handin_done = None
        self.clear_sale(show_screen=False)
        self.show("idle")

    # ---- the sale --------------------------------------------------------------------------------

    def add_product(self, product: Product, qty: int = 1) -> None:
        if self.clerk is None:
            return
        if product.unit != self.unit:
            self.show_error(
                errors.SaleRefused(
                    reason=self.t("{name} is sold at another counter.").format(name=product.name)
                )
            )
            return
        try:
            self.cart = add_to_cart(self.cart, product, qty)
        except CartFull:
            self.show_error(errors.CartTooLarge())
            return
        self.current_view().refresh()

    def change_qty(self, sku: str, delta: int) -> None:
        line = next((ln for ln in self.cart.lines if ln.product.sku == sku), None)
        if line is None:
            return
        try:
            self.cart = set_qty(self.cart, sku, line.qty + delta)
        except CartFull:
            self.show_error(errors.CartTooLarge())
        self.current_view().refresh()

    def search(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        self.edge.submit("search_products", text, on_ok=self._got_search, on_error=self.show_error)

    def _got_search(self, products: list[Product]) -> None:
        self.search_results = [p for p in products if p.unit == self.unit]
        self.search_done = True
        if self.screens.current == "checkout":
            self.current_view().refresh()

    def counter_choose(self, product: Product) -> None:
        self.counter_choice = product
        self.counter_qty = ""
        self.current_view().refresh()

    def counter_key(self, key: str) -> None:
        self.counter_qty = keypad_press(self.counter_qty, key)
        self.current_view().refresh()

    def counter_add(self) -> None:
        if self.counter_choice is None:
            return
        qty = int(self.counter_qty or "1")
        self.add_product(self.counter_choice, qty)
        self.counter_qty = ""
        self.current_view().refresh()

    def _sale_member_found(self, member: Member) -> None:
        if not member.active:
            self.show_error(errors.MemberInactive(name=member.name))
            return
        if self.screens.current == "done":
            self.new_sale()
        self.sale_member = member
        self.current_view().refresh()

    def set_walk_in(self) -> None:
        self.sale_member = None
        self.payment = "cash"
        self.current_view().refresh()

    def set_payment(self, payment: str) -> None:
        if payment == "credit" and self.sale_member is None:
            self.show_error(errors.CreditNeedsMember())
            return
        self.payment = payment
        self.current_view().refresh()

    def show_payment(self) -> None:
        if self.cart.is_empty():
            self.show_error(errors.EmptyCart())
            return
        if self.sale_member is None:
            self.payment = "cash"
        self.show("payment")

    def back_to_sale(self) -> None:
        self.show(self.sale_screen() if self.clerk else "idle")

    def clear_sale(self, *, show_screen: bool = True) -> None:
        self.cart = Cart()
        self.sale_member = None
        self.payment = "cash"
        self.saving = False
        self.search_results = []
        self.search_done = False
        self.counter_choice = None
        self.counter_qty = ""
        if show_screen:
            self.current_view().refresh()

    def confirm_sale(self) -> None:
        if self.saving:
            return
        if self.cart.is_empty():
            self.show_error(errors.EmptyCart())
            return
        self.saving = True
        self.current_view().refresh()
        self.edge.submit(
            "record_sale",
            self.cart,
            self.sale_member,
            self.payment,
            self.clerk,
            on_ok=self._sale_saved,
            on_error=self._sale_refused,
        )

    def _sale_refused(self, err: errors.KioskError) -> None:
        self.saving = False
        self.current_view().refresh()
        self.show_error(err)

    def _sale_saved(self, sale: SaleDone) -> None:
        self.saving = False
        self.hide_banner()
        self.last_sale = sale
        self.cart = Cart()
        self.sale_member = None
        self.payment = "cash"
        self.start_print(sale)
        self.show("done")

    def start_print(self, sale: SaleDone) -> None:
        if self.printer_state == "none":
            self.print_state = "none"
            return
        self.print_state = "printing"
        self.print_error = None
        info = self.info
        self.printer.submit(
            "print_sale", sale, info, self.translator.lang, on_ok=self._printed, on_error=self._print_failed
        )

    def _printed(self, _result: Any) -> None:
        self.print_state = "printed"
        self.printer_state = "ok"
        self._refresh_if("done")

    def _print_failed(self, err: errors.KioskError) -> None:
        self.print_state = "failed"
        self.print_error = err
        self.printer_state = "paper_out" if isinstance(err, errors.PrinterOutOfPaper) else "offline"
        self._refresh_if("done")
        self.status_bar.refresh()

    def _refresh_if(self, screen: str) -> None:
        if self.screens.current == screen:
            self.current_view().refresh()

    def reprint(self) -> None:
        if self.last_sale is not None and self.print_state != "printing":
            self.start_print(self.last_sale)
            self._refresh_if("done")

    def new_sale(self) -> None:
        self.clear_sale(show_screen=False)
        self.show(self.sale_screen() if self.clerk else "idle")
