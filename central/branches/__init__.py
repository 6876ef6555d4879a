"""Branches (cabang): which devices belong to which branch (``scope``); the branches compared side by side
are ``central.consolidation``."""
