"""A stand-in for a kiosk: records sales on a device until its chain reaches ``--upto``, printing each id.

    python -m tests.faults.recorder DIR --upto 500 --seed 3 [--start ISO --step-s 600]

Each line ``ok <seq> <id>`` is printed (and flushed) after the commit returned, so every printed id is
committed for sure. The fault suite kills this process at random (SIGKILL, the stand-in for power loss)
and starts it again; it then continues from the device's last seq. ``--start``/``--step-s`` give the
device a simulated clock (a device that sells for a week without a connection).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta

from edge.device import Device
from edge.errors import CreditLimitExceeded, StoreBusy
from provisioning.world import MEMBERS

MAX_TRIES_PER_SALE = 50


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--upto", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default="")
    parser.add_argument("--step-s", type=float, default=0.0)
    args = parser.parse_args()
    members = [m[0] for m in MEMBERS]
    clock = None
    if args.start:
        start = datetime.fromisoformat(args.start)
        state = {"n": 0}

        def fake_clock() -> datetime:
            state["n"] += 1
            return start + timedelta(seconds=args.step_s * state["n"])

        clock = fake_clock
    with Device.open(args.directory, clock=clock) as dev:
        last = dev.status().last_seq
        if clock is not None:
            state["n"] = last * 4  # continue the simulated week where the last run stopped
        rng = random.Random(args.seed * 1_000_003 + last)
        skus = [p.sku for p in dev.products(dev.settings.unit)]
        while last < args.upto:
            lines = [(rng.choice(skus), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
            member = rng.choice([None, None, *members])
            payment = "credit" if member is not None and rng.random() < 0.2 else "cash"
            for _ in range(MAX_TRIES_PER_SALE):
                try:
                    rec = dev.record_sale(lines=lines, member=member, payment=payment)
                    break
                except CreditLimitExceeded:
                    payment = "cash"
                except StoreBusy:
                    continue
            else:
                print("store stayed busy", file=sys.stderr)
                return 1
            print(f"ok {rec.seq} {rec.id}", flush=True)
            last = rec.seq
    return 0


if __name__ == "__main__":
    sys.exit(main())
