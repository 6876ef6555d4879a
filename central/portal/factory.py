"""The portal built inside each uvicorn worker process (``central portal --workers N``).

uvicorn starts several workers only from an import string, so ``central portal`` puts what the one
process would have had (the ledger's address and the settings from the command line) in an environment
variable, and each worker opens its own ``Ledger`` here. The sessions, lockouts, CSRF and session keys all
live in the ledger's database, so the workers share them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from starlette.types import ASGIApp

from central.ledger import Ledger
from central.portal.app import create_app
from central.portal.settings import Settings

ENV: Final = "KOP_PORTAL_WORKER"


def worker_env(db: str, settings: Settings) -> str:
    """What a worker needs to build the same portal, as the value of ``ENV``."""
    return json.dumps(
        {
            "db": db,
            "secure_cookies": settings.secure_cookies,
            "public_url": settings.public_url,
            "office_key": str(settings.office_key) if settings.office_key else None,
        }
    )


def app() -> ASGIApp:
    """uvicorn's factory: the portal over the ledger named in ``ENV``."""
    given: dict[str, Any] = json.loads(os.environ[ENV])
    settings = Settings(
        secure_cookies=bool(given["secure_cookies"]),
        public_url=given["public_url"],
        office_key=Path(given["office_key"]) if given["office_key"] else None,
    )
    return create_app(Ledger.open(given["db"]), settings)
