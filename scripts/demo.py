"""`make demo`: the whole system on one machine, each part through its real command line.

1. Books: a cooperative with the default config, sample members and products, a year of transactions from
   several units ingested; cash book summary, balance sheet and income statement.
2. Year-end: the demo year is closed; the SHU allocation and the top of the per-member table.
3. Devices: enrolled devices (toko, cafe, fotokopi and an outpost that goes offline) sync through a broker
   into a fresh central ledger; every recorded transaction is shown to be in the ledger once.
4. Hardware: a receipt printed to a file and read back (text and QR code), an SMS through a fake modem.
5. Kiosk: every screen rendered headlessly to PNG files.
6. Portal: the web portal served over the demo's ledger on a free loopback port, demo logins with known
   passwords (a member, the ketua, a pengawas, an office account), screenshots taken with Debian's Chromium at
   phone and desktop size; on a terminal it waits for Enter before stopping the portal.

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


# Demo logins with known passwords: (login, password, staff role or None). The sample members' roles come
# from the member database (central.sample: A001 ketua, A004 pengawas, A006 onwards anggota).
DEMO_LOGINS = (
    ("A006", "anggota-demo", None),
    ("A001", "ketua-demo", None),
    ("A004", "pengawas-demo", None),
    ("KANTOR", "kantor-demo", "staf"),
)
CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"phone": (360, 740), "desktop": (1280, 800)}
OPTIONAL_PAGES = ("/board", "/purchases", "/members")  # shown when they exist (HTTP 200) in this version


def _demo_logins(db: Path) -> list[tuple[str, str, str]]:
    """Give each demo login its known password; (login, password, role as the portal reads it)."""
    import portal_run

    from central.ledger import Ledger

    shown = []
    with Ledger.open(str(db)) as ledger:
        for login, password, staff in DEMO_LOGINS:
            portal_run.give_login(ledger, login, password, staff_role=staff)
            role = staff or str((ledger.member(login) or {}).get("role", "anggota"))
            shown.append((login, password, role))
    return shown


def _screenshots(url: str, shots: Path, logins: list[tuple[str, str, str]]) -> list[str]:
    """Login, home, cash book, balance sheet as a member; the board's pages as the ketua if they exist."""
    from playwright.sync_api import sync_playwright

    member = next(row for row in logins if row[2] == "anggota")
    board = next(row for row in logins if row[2] == "ketua")
    december = f"from={DEMO_YEAR}-12-01&to={DEMO_YEAR}-12-31"
    member_pages = [
        ("home", "/home"),
        ("cashbook", f"/cashbook?{december}"),
        ("balance-sheet", f"/reports/balance-sheet?on={DEMO_YEAR}-12-31"),
        ("purchases", "/purchases"),
        ("loans", "/loans"),
    ]
    board_pages = [
        ("board", f"/board?on={DEMO_YEAR}-12-31"),
        ("members", "/members"),
        ("loan-aging", f"/loans/aging?on={DEMO_YEAR}-12-31"),
    ]
    notes = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for size, (width, height) in SIZES.items():
                for (login, password, _), pages in ((member, member_pages), (board, board_pages)):
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    page.goto(f"{url}/login")
                    if login == member[0]:
                        page.screenshot(path=str(shots / f"portal-{size}-login.png"), full_page=True)
                    page.fill("#login", login)
                    page.fill("#password", password)
                    page.click("button[type=submit]")
                    page.wait_for_url("**/home", timeout=30_000)
                    for name, path in pages:
                        response = page.goto(f"{url}{path}")
                        status = response.status if response is not None else 0
                        if status != 200:
                            if path.split("?")[0] in OPTIONAL_PAGES:
                                notes.append(f"{path} ({size}): HTTP {status}, no screenshot")
                                continue
                            raise SystemExit(f"demo: the portal answered {status} for {path}")
                        page.screenshot(path=str(shots / f"portal-{size}-{name}.png"), full_page=True)
                    context.close()
        finally:
            browser.close()
    return notes


def portal(out: Path, db: Path) -> None:
    _banner("6. Portal web anggota / the members' web portal")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ROOT))
    import portal_run

    logins = _demo_logins(db)
    shots = out / "screens"
    shots.mkdir(exist_ok=True)
    with portal_run.running_portal(str(db), out / "portal.log") as running:
        print(f"Portal berjalan di / the portal runs at: {running.url}  (log: {out / 'portal.log'})")
        print("Login demo / demo logins:")
        print(f"  {'login':<10} {'kata sandi / password':<24} peran / role")
        for login, password, role in logins:
            print(f"  {login:<10} {password:<24} {role}")
        if CHROMIUM.exists():
            notes = _screenshots(running.url, shots, logins)
            files = sorted(shots.glob("portal-*.png"))
            print(f"{len(files)} tangkapan layar portal / portal screenshots (360x740, 1280x800) in {shots}:")
            for path in files:
                print(f"  {path.name}")
            for note in notes:
                print(f"  belum ada / not in this version: {note}")
        else:
            print(f"Chromium tidak ada / not installed ({CHROMIUM}): no portal screenshots")
        if sys.stdin.isatty():
            print(f"Buka / open {running.url}/login")
            input("Tekan Enter untuk berhenti / Press Enter to stop ")
    print("Portal dihentikan / the portal is stopped")


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
    parser.add_argument(
        "--only",
        choices=["books", "devices", "hardware", "kiosk", "portal"],
        help="run one part only (portal: the books, then the portal)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.monotonic()
    if args.only in (None, "books", "devices", "portal"):
        db = books(out)
    if args.only is None:
        year_end(db)
    if args.only in (None, "devices"):
        devices(out, db)
    if args.only in (None, "hardware"):
        hardware(out)
    if args.only in (None, "kiosk"):
        kiosk(out)
    if args.only in (None, "portal"):
        portal(out, db)
    _banner(f"Selesai dalam {time.monotonic() - started:.0f} detik / done; everything is under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
