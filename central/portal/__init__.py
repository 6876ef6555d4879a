"""The web portal (docs/portal.md): the cooperative's books for every member and each member's own
account, server-rendered for a cheap phone, with tiered access from one matrix (``access``).

``create_app(ledger, settings)`` gives the ASGI application; ``python -m central portal`` serves it.
"""

from central.portal.app import create_app
from central.portal.settings import Settings

__all__ = ["Settings", "create_app"]
