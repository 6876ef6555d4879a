"""The portal's office pages (routes in ``central.portal.access.MATRIX``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from starlette.responses import Response

from central.portal.web import Req

PAGES: Final[dict[str, Callable[[Req], Response]]] = {}
