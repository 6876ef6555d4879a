"""`make demo`: the whole system on one machine, each part through its real command line.

1. Books: a cooperative with the default config, sample members and products, a year of transactions from
   several units ingested; cash book summary, balance sheet and income statement.
2. Year-end: the demo year is closed; the SHU allocation and the top of the per-member table.
3. Devices: enrolled devices (toko, cafe, fotokopi and an outpost that goes offline) sync through a broker
   into a fresh central ledger; every recorded transaction is shown to be in the ledger once.
4. Hardware: a receipt printed to a file and read back (text and QR code), an SMS through a fake modem.
5. Kiosk: every screen rendered headlessly to PNG files.

Everything is written under ``koperasi-demo/`` in the system's temporary directory (or ``--out DIR``),
which is replaced on each run. It is kept outside the repository on purpose: the demo creates a CA, and a
CA's key must never sit in a work tree where it could be committed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_YEAR = "2025"
STEP_TIMEOUT_S = 600


def _banner(title: str) -> None:
    print(f"\n{'=' * 78}\n  {title}\n{'=' * 78}", flush=True)


def _run(args: list[str], *, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    """Run one of the system's own commands; show its output; stop the demo if it fails."""
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"$ python {shown}", flush=True)
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"demo step failed (exit {proc.returncode}): python {shown}")
    if not quiet:
        print(proc.stdout.rstrip(), flush=True)
    return proc.stdout


def _head(text: str, lines: int) -> str:
    rows = text.rstrip().splitlines()
    more = len(rows) - lines
    return "\n".join(rows[:lines] + ([f"... ({more} more lines)"] if more > 0 else []))


def _head_tail(text: str, first: int, last: int) -> str:
    rows = text.rstrip().splitlines()
    if len(rows) <= first + last:
        return "\n".join(rows)
    return "\n".join([*rows[:first], f"... ({len(rows) - first - last} lines)", *rows[-last:]])


def books(out: Path) -> Path:
    _banner("1. Buku besar pusat / the central ledger")
    db = out / "books.sqlite"
    central = ["-m", "central", "--db", str(db)]
    _run([*central, "init"])
    jsonl = out / f"transactions-{DEMO_YEAR}.jsonl"
    _run([*central, "demo-data", "--year", DEMO_YEAR, "--out", str(jsonl), "--per-day", "40"])
    _run([*central, "ingest", str(jsonl)])
    cashbook = _run(
        [*central, "report", "cashbook", "--from", f"{DEMO_YEAR}-12-01", "--to", f"{DEMO_YEAR}-12-31"],
        quiet=True,
    )
    print(_head_tail(cashbook, 8, 6))
    _run([*central, "report", "balance-sheet", "--to", f"{DEMO_YEAR}-12-31"])
    _run([*central, "report", "income", "--year", DEMO_YEAR])
    return db


def year_end(db: Path) -> None:
    _banner(f"2. Tutup buku {DEMO_YEAR} dan SHU / closing {DEMO_YEAR} and the SHU")
    central = ["-m", "central", "--db", str(db)]
    _run([*central, "close-year", DEMO_YEAR, "--by", "demo"])
    print(_head(_run([*central, "report", "shu", "--year", DEMO_YEAR], quiet=True), 30))


def devices(out: Path, books_db: Path) -> None:
    _banner("3. Perangkat, sinkronisasi, dan pos luar yang luring / devices, sync and an offline outpost")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import demo_network

    if not demo_network.run(out / "network", books_db):
        raise SystemExit("demo: the ledger does not hold every recorded transaction exactly once")


def hardware(out: Path) -> None:
    _banner("4. Struk dan SMS / receipt and SMS")
    _run(["-m", "drivers", "demo", "--out", str(out / "hardware")])


def kiosk(out: Path) -> None:
    _banner("5. Layar kios / kiosk screens")
    shots = out / "screens"
    _run(
        ["-m", "kiosk", "--screenshots", str(shots)],
        env={"SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "offscreen")},
        quiet=True,
    )
    files = sorted(shots.glob("*.png"))
    print(f"{len(files)} screenshots at 800x480 in {shots}:")
    for path in files:
        print(f"  {path.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "koperasi-demo",
        help="where to write, outside the repository (replaced each run)",
    )
    parser.add_argument("--only", choices=["books", "devices", "hardware", "kiosk"], help="run one part only")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.monotonic()
    if args.only in (None, "books", "devices"):
        db = books(out)
    if args.only is None:
        year_end(db)
    if args.only in (None, "devices"):
        devices(out, db)
    if args.only in (None, "hardware"):
        hardware(out)
    if args.only in (None, "kiosk"):
        kiosk(out)
    _banner(f"Selesai dalam {time.monotonic() - started:.0f} detik / done; everything is under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
