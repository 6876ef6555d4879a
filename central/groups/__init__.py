"""Member development in groups (docs/groups.md): Focus Group Symbiosis groups with their cadre and members,
their meetings with attendance, and the cadres' visit reports with photos.

``rules`` holds the pure rules (checks, attendance rates); ``store`` keeps them in side tables of the
ledger database. Nothing here touches the journal.
"""
