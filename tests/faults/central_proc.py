"""Central serve that dies between commit and ack: the fault suite's stand-in for a crash at the worst moment.

    python -m tests.faults.central_proc --db LEDGER --port P --username central --crash-after N

After its N-th ingest round has committed, and before the ack is published, it calls ``os._exit``.
"""

from __future__ import annotations

import argparse
import os
import sys

from central.ledger import Ledger
from central.serve import Server, ServeSettings
from sync.settings import BrokerSettings

CRASH_EXIT_CODE = 86


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", default="")
    parser.add_argument("--crash-after", type=int, required=True)
    args = parser.parse_args()
    ledger = Ledger.open(args.db)
    commits = {"n": 0}

    def after_commit(_device: str, _contiguous: int) -> None:
        commits["n"] += 1
        if commits["n"] >= args.crash_after:
            print(f"crashing after commit {commits['n']}", flush=True)
            os._exit(CRASH_EXIT_CODE)

    broker = BrokerSettings(
        port=args.port, username=args.username, password=os.environ.get("KOP_BROKER_PASSWORD", "")
    )
    Server(ledger, ServeSettings(coop=ledger.config.coop, broker=broker), after_commit=after_commit).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
