"""The kiosk's pure rules: cart arithmetic, keypad, money text, point estimates, shift totals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.model import (
    KEYPAD_MAX_DIGITS,
    Cart,
    Product,
    ShiftFact,
    add_to_cart,
    estimate_points,
    format_points,
    format_rp,
    keypad_press,
    point_rules_from_config,
    remove_line,
    set_qty,
    summarize_shift,
)

PRODUCTS = [Product(f"SKU{i}", f"Item {i}", "toko", 500 * (i + 1), 400 * (i + 1)) for i in range(6)]


@settings(deadline=None)  # laws, not speed: a busy machine must not fail them
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 50)), max_size=30))
def test_cart_total_is_the_sum_of_what_was_added(adds: list[tuple[int, int]]) -> None:
    """Whatever order items are added in, the total is each product's price times its added quantity."""
    cart = Cart()
    for index, qty in adds:
        cart = add_to_cart(cart, PRODUCTS[index], qty)
    expected = sum(PRODUCTS[i].price_rp * q for i, q in adds)
    assert cart.total_rp == expected
    assert len({line.product.sku for line in cart.lines}) == len(cart.lines)
    assert all(isinstance(line.amount_rp, int) for line in cart.lines)


@settings(deadline=None)  # laws, not speed: a busy machine must not fail them
@given(st.integers(1, 500), st.integers(-5, 500))
def test_set_qty_replaces_and_zero_removes(first: int, qty: int) -> None:
    """Setting a quantity replaces it; zero or less removes the line, as removing it does."""
    cart = add_to_cart(Cart(), PRODUCTS[0], first)
    changed = set_qty(cart, "SKU0", qty)
    if qty <= 0:
        assert changed == remove_line(cart, "SKU0") == Cart()
    else:
        assert changed.lines[0].qty == qty


@settings(deadline=None)  # laws, not speed: a busy machine must not fail them
@given(st.lists(st.sampled_from(["0", "1", "5", "9", "back", "clear"]), max_size=40))
def test_keypad_never_exceeds_its_digits_or_starts_with_zero(keys: list[str]) -> None:
    """The quantity keypad stays within its digit bound and never shows a leading zero."""
    text = ""
    for key in keys:
        text = keypad_press(text, key)
        assert len(text) <= KEYPAD_MAX_DIGITS
        assert not text.startswith("0")


def test_pin_keypad_keeps_leading_zeros() -> None:
    """A PIN may start with 0."""
    assert (
        keypad_press(keypad_press("", "0", leading_zero=True, max_digits=8), "7", leading_zero=True) == "07"
    )


def test_rupiah_text_per_language() -> None:
    """Indonesian groups thousands with dots, English with commas; never decimals."""
    assert format_rp(1_250_000) == "Rp 1.250.000"
    assert format_rp(1_250_000, "en") == "Rp 1,250,000"
    assert format_rp(0) == "Rp 0"
    assert format_points(Decimal("1234.5")) == "1.234,50"
    assert format_points(Decimal("1234.5"), "en") == "1,234.50"


def test_points_follow_seed_004_rules_and_central_config() -> None:
    """Toko credit counts margin at Rp 2,000 a point; a config downlink list can change a rule."""
    cart = add_to_cart(Cart(), Product("B", "Beras", "toko", 72_000, 66_000), 1)
    rules = point_rules_from_config(None)
    assert estimate_points(cart.lines, "toko", "credit", rules) == Decimal("3.00")
    assert estimate_points(cart.lines, "toko", "cash", rules) == Decimal("6.00")
    cafe = add_to_cart(Cart(), Product("K", "Kopi", "cafe", 5_000, 1_000), 3)
    assert estimate_points(cafe.lines, "cafe", "cash", rules) == Decimal("3.75")
    central = [{"unit": "cafe", "basis": "amount", "rp_per_point": 5_000, "payment": None}]
    assert estimate_points(cafe.lines, "cafe", "cash", point_rules_from_config(central)) == Decimal("3.00")
    assert estimate_points(cafe.lines, "isi-ulang", "cash", rules) == Decimal("0.00")


@settings(deadline=None)  # laws, not speed: a busy machine must not fail them
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sale", "void", "savings_deposit"]),
            st.sampled_from(["cash", "credit"]),
            st.integers(0, 1_000_000),
        ),
        max_size=40,
    )
)
def test_cash_to_deposit_is_cash_in_minus_cash_voided(facts: list[tuple[str, str, int]]) -> None:
    """Cash expected = cash sales + deposits - cash voids; credit never enters the drawer."""
    items = [ShiftFact(kind, "cash" if kind == "savings_deposit" else pay, rp) for kind, pay, rp in facts]
    summary = summarize_shift("2026-11-22T08:00:00+07:00", items)
    cash_in = sum(f.total_rp for f in items if f.kind in ("sale", "savings_deposit") and f.payment == "cash")
    cash_out = sum(f.total_rp for f in items if f.kind == "void" and f.payment == "cash")
    assert summary.cash_expected_rp == cash_in - cash_out
    assert summary.total_rp == sum(f.total_rp for f in items if f.kind == "sale")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
SUMMARY_KEYS = st.sampled_from(
    ["member", "name", "as_of", "year", "points", "savings", "loan", "credit", "recent", "shu_estimate_rp"]
)


@settings(deadline=None)  # laws, not speed: a busy machine must not fail them
@given(st.dictionaries(SUMMARY_KEYS, JSON, max_size=10))
def test_any_summary_shape_reads_without_crashing(data: dict[str, object]) -> None:
    """Whatever central or the saved copy holds, reading it gives figures (0 when missing), no crash."""
    from kiosk.model import format_points
    from kiosk.services import parse_summary

    summary = parse_summary(data, cached=True)
    assert isinstance(summary.shu_estimate_rp, int)
    for value in (summary.points_total, summary.points_passive, *(v for _, v in summary.points_active)):
        format_points(value)  # every figure can be shown
    assert all(isinstance(rp, int) for _, rp in summary.savings)
    assert len(summary.recent) <= 10
