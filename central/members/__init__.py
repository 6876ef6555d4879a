"""Members and products as the office keeps them: import rows, their checks, card codes (pure)."""
