"""The kiosk's pure rules: the cart, the keypad, money text, point estimates and the shift summary.

Plain functions over frozen dataclasses; no Kivy, no database, no clock. Screens call these and draw
the result. Business rules that decide money (prices, credit limits, stock) live in ``edge``; what
is here only prepares what the clerk sees and what the kiosk asks ``edge`` to record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

# Bounds (STYLE.md: bound everything).
MAX_CART_LINES: Final = 100  # the envelope's own limit on lines
MAX_LINE_QTY: Final = 9_999  # a quantity typed at the counter; more is a typo
KEYPAD_MAX_DIGITS: Final = 4  # so the keypad can never exceed MAX_LINE_QTY
PIN_MAX_DIGITS: Final = 8

# Seed 004: rupiah per point for each unit; toko distinguishes cash and credit and counts the margin.
DEFAULT_POINT_RULES: Final[Mapping[str, tuple[str, int]]] = {
    "toko:cash": ("margin", 1_000),
    "toko:credit": ("margin", 2_000),
    "fotokopi": ("amount", 4_500),
    "cafe": ("amount", 4_000),
    "kiostel": ("amount", 5_000),
}


@dataclass(frozen=True)
class Product:
    """One catalog item as the screens show it."""

    sku: str
    name: str
    unit: str
    price_rp: int
    cost_rp: int = 0
    stock: int | None = None


@dataclass(frozen=True)
class CartLine:
    """One line of the cart: a product and a whole quantity."""

    product: Product
    qty: int

    @property
    def amount_rp(self) -> int:
        return self.product.price_rp * self.qty

    @property
    def margin_rp(self) -> int:
        return (self.product.price_rp - self.product.cost_rp) * self.qty


@dataclass(frozen=True)
class Cart:
    """The sale being put together at a counter; lines in the order they were first added."""

    lines: tuple[CartLine, ...] = ()

    @property
    def total_rp(self) -> int:
        return sum(line.amount_rp for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.qty for line in self.lines)

    def is_empty(self) -> bool:
        return not self.lines

    def as_sale_lines(self) -> list[tuple[str, int]]:
        """The ``(sku, qty)`` pairs ``edge``'s ``record_sale`` takes."""
        return [(line.product.sku, line.qty) for line in self.lines]


class CartFull(ValueError):
    """Adding would exceed ``MAX_CART_LINES`` or ``MAX_LINE_QTY``."""


def add_to_cart(cart: Cart, product: Product, qty: int = 1) -> Cart:
    """A cart with ``qty`` more of ``product``: merged into its line when it is already there."""
    if qty <= 0:
        raise ValueError(f"qty must be above 0, got {qty}")
    for index, line in enumerate(cart.lines):
        if line.product.sku == product.sku:
            new_qty = line.qty + qty
            if new_qty > MAX_LINE_QTY:
                raise CartFull(f"at most {MAX_LINE_QTY} of one item")
            lines = list(cart.lines)
            lines[index] = CartLine(product, new_qty)
            return replace(cart, lines=tuple(lines))
    if len(cart.lines) >= MAX_CART_LINES:
        raise CartFull(f"at most {MAX_CART_LINES} lines")
    if qty > MAX_LINE_QTY:
        raise CartFull(f"at most {MAX_LINE_QTY} of one item")
    return replace(cart, lines=(*cart.lines, CartLine(product, qty)))


def set_qty(cart: Cart, sku: str, qty: int) -> Cart:
    """A cart where the line of ``sku`` has ``qty``; 0 or less removes the line."""
    if qty > MAX_LINE_QTY:
        raise CartFull(f"at most {MAX_LINE_QTY} of one item")
    lines = []
    for line in cart.lines:
        if line.product.sku != sku:
            lines.append(line)
        elif qty > 0:
            lines.append(CartLine(line.product, qty))
    return replace(cart, lines=tuple(lines))


def remove_line(cart: Cart, sku: str) -> Cart:
    """A cart without the line of ``sku``."""
    return set_qty(cart, sku, 0)


def keypad_press(
    text: str, key: str, *, max_digits: int = KEYPAD_MAX_DIGITS, leading_zero: bool = False
) -> str:
    """The keypad's text after pressing ``key``: a digit, ``back`` (delete one) or ``clear``.

    A leading zero is dropped for quantities (kept for PINs with ``leading_zero``) and the text
    never grows beyond ``max_digits``.
    """
    if key == "clear":
        return ""
    if key == "back":
        return text[:-1]
    if len(key) != 1 or not key.isdigit():
        raise ValueError(f"unknown key {key!r}")
    if len(text) >= max_digits:
        return text
    if text == "" and key == "0" and not leading_zero:
        return text
    return text + key


def format_rp(amount_rp: int, lang: str = "id") -> str:
    """Rupiah as people read it: ``Rp 12.500`` in Indonesian, ``Rp 12,500`` in English."""
    sign = "-" if amount_rp < 0 else ""
    grouped = f"{abs(int(amount_rp)):,}"
    if lang == "id":
        grouped = grouped.replace(",", ".")
    return f"{sign}Rp {grouped}"


def format_points(points: Decimal | float | int | str, lang: str = "id") -> str:
    """Points with two decimals (they are exact to two decimals), in the language's notation."""
    value = Decimal(str(points)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


@dataclass(frozen=True)
class PointRule:
    """Rupiah per point for a unit (and payment), on a basis: ``amount`` paid or ``margin`` earned."""

    basis: str
    rp_per_point: int


def point_rules_from_config(value: object) -> dict[str, PointRule]:
    """Point rules from the config downlink's ``point_rules`` value, falling back to seed 004's table.

    Accepted shapes: central's list ``[{"unit", "basis", "rp_per_point", "payment"}, ...]``, a mapping
    ``{"toko:cash": {"basis": "margin", "rp_per_point": 1000}, ...}`` or ``{"cafe": 4000, ...}``
    (amount basis). Anything unreadable is skipped.
    """
    rules = {key: PointRule(basis, rp) for key, (basis, rp) in DEFAULT_POINT_RULES.items()}
    if isinstance(value, list):  # central's config downlink: [{"unit", "basis", "rp_per_point", "payment"}]
        value = {
            (f"{item.get('unit')}:{item['payment']}" if item.get("payment") else str(item.get("unit"))): item
            for item in value
            if isinstance(item, Mapping) and item.get("unit")
        }
    if not isinstance(value, Mapping):
        return rules
    for key, rule in value.items():
        if isinstance(rule, bool):
            continue
        if isinstance(rule, int) and rule > 0:
            rules[str(key)] = PointRule("amount", rule)
        elif isinstance(rule, Mapping):
            basis, rp = rule.get("basis", "amount"), rule.get("rp_per_point")
            if isinstance(rp, str) and rp.isdigit():
                rp = int(rp)
            if basis in ("amount", "margin") and isinstance(rp, int) and not isinstance(rp, bool) and rp > 0:
                rules[str(key)] = PointRule(str(basis), rp)
    return rules


def estimate_points(
    lines: Iterable[CartLine], unit: str, payment: str, rules: Mapping[str, PointRule]
) -> Decimal:
    """The points a member earns on a sale, as shown on screen and receipt (an estimate: central decides).

    Kept exact to two decimals, rounded half up; 0 for a unit without a rule.
    """
    rule = rules.get(f"{unit}:{payment}") or rules.get(unit)
    if rule is None:
        return Decimal("0.00")
    lines = tuple(lines)
    basis_rp = (
        sum(line.margin_rp for line in lines)
        if rule.basis == "margin"
        else sum(line.amount_rp for line in lines)
    )
    value = Decimal(max(basis_rp, 0)) / Decimal(rule.rp_per_point)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ShiftFact:
    """One transaction a clerk recorded during the shift: its kind, payment and total (for a void, the
    kind it voids)."""

    kind: str
    payment: str
    total_rp: int
    ref_kind: str | None = None


@dataclass(frozen=True)
class ShiftSummary:
    """End-of-shift figures: sales per payment method, voids, other cash taken, and the cash to hand in."""

    since: str
    sales_count: int
    cash_rp: int
    credit_rp: int
    voids_count: int = 0
    voids_rp: int = 0
    deposits_rp: int = 0
    installments_rp: int = 0
    cash_expected_rp: int = 0
    withdrawals_rp: int = 0  # savings paid out, less withdrawals voided

    @property
    def total_rp(self) -> int:
        return self.cash_rp + self.credit_rp


def summarize_shift(since: str, facts: Iterable[ShiftFact]) -> ShiftSummary:
    """Add up a shift with edge's rule (``edge.rules.shift_summary``); the kiosk uses it for demo data."""
    from edge.rules import OutboxFact, shift_summary

    summary = shift_summary("", since, (OutboxFact(f.kind, f.payment, f.total_rp, f.ref_kind) for f in facts))
    return shift_from_edge(summary)


def shift_from_edge(summary: Any) -> ShiftSummary:
    """The kiosk's view of an ``edge.rules.ShiftSummary`` (totals per payment method flattened)."""
    return ShiftSummary(
        since=summary.since,
        sales_count=summary.sales_count,
        cash_rp=int(summary.sales_rp.get("cash", 0)),
        credit_rp=int(summary.sales_rp.get("credit", 0)),
        voids_count=summary.voids_count,
        voids_rp=int(sum(summary.voids_rp.values())),
        deposits_rp=summary.deposits_rp,
        installments_rp=summary.installments_rp,
        cash_expected_rp=summary.cash_expected_rp,
        withdrawals_rp=int(getattr(summary, "withdrawals_rp", 0)),
    )


def credit_available_rp(limit_rp: int, used_rp: int) -> int:
    """Credit a member may still use (never below 0)."""
    return max(limit_rp - used_rp, 0)
