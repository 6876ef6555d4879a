"""Run every benchmark in scripts/bench/ and print each figure beside its baseline and target.

python scripts/bench.py            # full sizes (several minutes)
python scripts/bench.py --quick    # small sizes, a quick sanity run
python scripts/bench.py ledger sync  # only these areas
python scripts/bench.py portal --lines 100000 --no-pg   # options after the areas go to the portal benchmark
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AREAS = (
    "ledger",
    "purchases",
    "shu",
    "loans",
    "stock",
    "cashflow",
    "transparency",
    "edge",
    "sync",
    "drivers",
    "kiosk",
    "provisioning",
    "portal",
)
OWN_OPTIONS = "portal"  # the one benchmark that takes options of its own (see scripts/bench/portal.py)


def _load(area: str):  # type: ignore[no-untyped-def]
    path = HERE / "bench" / f"{area}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{area}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("areas", nargs="*", help=f"which benchmarks, of {', '.join(AREAS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes for a quick run")
    args, extra = parser.parse_known_args(argv)
    if extra and OWN_OPTIONS not in args.areas:
        parser.error(f"options {' '.join(extra)} are for the {OWN_OPTIONS} benchmark: name it first")
    unknown = sorted(set(args.areas) - set(AREAS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    sys.path.insert(0, str(ROOT))
    failures = 0
    for area in args.areas or AREAS:
        if not (HERE / "bench" / f"{area}.py").exists():
            print(f"== {area}: no benchmark yet")
            continue
        print(f"== {area}", flush=True)
        started = time.monotonic()
        try:
            options = ["--quick"] if args.quick else []
            code = _load(area).main(options + (extra if area == OWN_OPTIONS else []))
        except Exception as err:  # one broken benchmark must not hide the others' figures
            print(f"== {area} FAILED: {type(err).__name__}: {err}", flush=True)
            code = 1
        print(f"== {area} done in {time.monotonic() - started:.1f} s (exit {code})", flush=True)
        failures += code != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
