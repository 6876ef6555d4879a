"""Widgets kept and reused across sales: what a reused widget shows and does is that of its new line."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.model import Cart, CartLine, Product, format_rp

pytestmark = pytest.mark.kivy

PRODUCTS = [Product(f"SKU{i}", f"Barang {i}", "toko", 1_000 * (i + 1), 800 * (i + 1)) for i in range(6)]


def test_a_reused_cart_row_changes_the_line_it_now_shows(kiosk_factory: Any) -> None:
    """After the cart is cleared its rows serve the next sale, and their - and + act on the new lines."""
    k = kiosk_factory("toko")
    k.sign_in()
    k.scan("8991234500011")
    k.scan("8991234500028")
    rows = k.view().rows
    made = rows.made
    k.press(k.view().w["footer"].cancel)
    assert k.root.cart.is_empty()
    k.scan("8991234500042")
    k.scan("8991234500011")
    assert rows.made == made
    top, below = rows.shown
    assert (top.sku, below.sku) == ("8991234500011", "8991234500042")
    k.press(top.plus)
    assert {line.product.sku: line.qty for line in k.root.cart.lines} == {
        "8991234500042": 1,
        "8991234500011": 2,
    }
    k.press(below.minus)
    assert [line.product.sku for line in k.root.cart.lines] == ["8991234500011"]
    shown = k.texts()
    assert "Mie Instan" not in shown
    assert "Beras 5 kg" in shown
    assert "Total Rp 144.000" in shown


carts = st.lists(
    st.lists(st.tuples(st.sampled_from(range(len(PRODUCTS))), st.integers(1, 30)), max_size=6),
    min_size=1,
    max_size=8,
)


@settings(deadline=None, max_examples=40)
@given(carts)
def test_cart_rows_show_exactly_the_cart_newest_on_top(
    window: Any, sequence: list[list[tuple[int, int]]]
) -> None:
    """For any run of carts the grid shows each cart's lines newest on top, building no row needlessly."""
    from kivy.uix.gridlayout import GridLayout

    from kiosk.ui.screens import CartRows

    grid = GridLayout(cols=1)
    rows = CartRows(grid, lambda _sku, _delta: None)
    largest = 0
    for picks in sequence:
        lines: dict[str, CartLine] = {}
        for index, qty in picks:
            lines[PRODUCTS[index].sku] = CartLine(PRODUCTS[index], qty)
        cart = Cart(tuple(lines.values()))
        largest = max(largest, len(cart.lines))
        rows.show(cart.lines, lambda rp: format_rp(rp, "id"), "id")
        laid_out = list(reversed(grid.children))  # Kivy lays children out last-added-first
        expected = list(reversed(cart.lines))
        assert [row.sku for row in laid_out] == [line.product.sku for line in expected]
        for row, line in zip(laid_out, expected, strict=True):
            assert row.qty.text == str(line.qty)
            assert row.amount.text == format_rp(line.amount_rp, "id")
            assert row.name.text.startswith(line.product.name + "\n")
        assert rows.made <= largest


def test_rows_scrolled_out_of_the_cart_are_not_drawn_outside_it(kiosk_factory: Any, tmp_path: Any) -> None:
    """A cart longer than its panel is clipped: no row's - button shows below the cart, over the footer."""
    from kivy.core.window import Window
    from PIL import Image

    from kiosk.ui.widgets import GREY

    k = kiosk_factory("toko")
    k.sign_in()
    for index in range(14):
        k.root.add_product(Product(f"X{index}", f"Barang {index}", "toko", 1_000, 800))
    k.pump()
    view = k.view()
    scroll = view.w["lines"].parent
    minus = view.rows.shown[0].minus
    left, _ = minus.to_window(minus.x, minus.y)
    _, bottom = scroll.to_window(scroll.x, scroll.y)
    shot = Image.open(Window.screenshot(name=str(tmp_path / "long.png"))).convert("RGB")
    grey = tuple(round(c * 255) for c in GREY[:3])
    height = shot.height
    below = [
        shot.getpixel((x, height - 1 - y))
        for x in range(int(left) + 4, int(left + minus.width) - 4, 4)
        for y in range(0, int(bottom) - 1, 2)
    ]
    assert all(max(abs(a - b) for a, b in zip(pixel, grey, strict=True)) > 12 for pixel in below)
