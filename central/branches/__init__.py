"""Branches (cabang): which devices belong to which branch, and the branches compared side by side."""
