"""``python -m drivers``: see drivers/cli.py."""

from drivers.cli import main

raise SystemExit(main())
