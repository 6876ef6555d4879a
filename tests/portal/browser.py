"""Driving the portal in Debian's Chromium (Playwright): the sizes a page is looked at in, and a page of
each size logged in as somebody. Pages are waited for by URL or element (Playwright's bounded timeout)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from tests.portal.conftest import PASSWORD

CHROMIUM: Final = Path("/usr/bin/chromium")
SIZES: Final = {"phone": (360, 740), "desktop": (1280, 800)}


@contextmanager
def logged_in_pages(
    base_url: str, login: str, password: str = PASSWORD
) -> Iterator[Iterator[tuple[str, Any]]]:
    """(size name, page) for each of ``SIZES``, each page logged in as ``login`` at its home page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])

        def pages() -> Iterator[tuple[str, Any]]:
            for size, (width, height) in SIZES.items():
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(f"{base_url}/login")
                page.fill("#login", login)
                page.fill("#password", password)
                page.click("button[type=submit]")
                page.wait_for_url("**/home")
                yield size, page

        try:
            yield pages()
        finally:
            browser.close()
