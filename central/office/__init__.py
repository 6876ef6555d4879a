"""The central office's own entries: every money movement made at the office is a signed envelope on the
office's own chain (ARCHITECTURE.md, "Central's inside, as it grows"), ingested like a device's.

``identity`` keeps the office's key and device registration, ``entries`` and ``opening`` build envelope
bodies (pure), ``record`` signs them as the next envelopes of the office chain and ingests them.
"""
