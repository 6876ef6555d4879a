"""The transparency log: every accepted envelope is a leaf of an RFC 6962 / RFC 9162 Merkle tree whose
signed checkpoints anybody can check (docs/transparency.md).

The verifier (``merkle``, ``checkpoint``, ``verify``, ``python -m central.transparency verify``) needs
neither the database nor the ledger: this package's face imports nothing, and those modules import only
the standard library and ``cryptography``. The log's storage (``tables``, ``log``) uses SQLAlchemy and is
imported by the ledger's ingest; ``audit`` compares a ledger with its log.
"""
