"""The ledger: the store (one SQLite file or PostgreSQL database), its schema, idempotent ingest of
envelopes and their posting to the double-entry journal. The bottom layer of central: it imports none of
the packages that read it (books, yearend, serve, cli)."""

from central.ledger.store import Ledger

__all__ = ["Ledger"]
