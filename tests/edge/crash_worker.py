"""Child process for the power-loss test: records sales (some voids, some acks) in a loop until killed.

After each commit it prints the recorded id, so the parent knows a set of sales that were certainly
committed; a kill may land anywhere, including between commit and print.
"""

from __future__ import annotations

import random
import sys

from edge.device import Device
from edge.errors import OutOfStock

SKUS = ("8991001", "8991002", "TELUR", "PULSA")
MAX_ITERATIONS = 100_000


def main(directory: str, seed: int) -> None:
    """Record until killed (bounded, in case the parent never kills)."""
    rng = random.Random(seed)
    with Device.open(directory) as dev:
        print("ready", flush=True)
        last = None
        for i in range(MAX_ITERATIONS):
            if i % 5 == 4:
                dev.mark_acked(max(0, dev.status().last_seq - 3))  # acks too must be all or nothing
            if last is not None and i % 7 == 3:
                dev.record_void(last, "uji mati listrik")
                last = None
                continue
            lines = [(rng.choice(SKUS), rng.choice((1, 2, "0.5", "1.25"))) for _ in range(rng.randint(1, 3))]
            try:
                rec = dev.record_sale(lines, member=rng.choice((None, "A001", "A002")), payment="cash")
            except OutOfStock:
                continue
            last = rec.id
            print(rec.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
