"""Small helpers for the transport tests: drive a Link until a condition holds (bounded by a deadline)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from central.ledger import Ledger
from central.serve import Server, ServeSettings
from edge.device import Device
from provisioning.world import DeviceSpec, World, build
from sync.link import Event, Link, Subscription
from sync.settings import BrokerSettings

# A generous bound for conditions that normally hold within milliseconds (CI machines are slow, shared).
WAIT_S = 20.0
SUBSCRIBE_WAIT_S = 30.0  # central's first connection and downlinks, on a loaded machine


def pump(link: Link, until: Callable[[list[Event]], bool], timeout_s: float = WAIT_S) -> list[Event]:
    """Step ``link`` and collect its events until ``until(events)`` is true; fail the test on timeout."""
    events: list[Event] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        link.step(0.02)
        fresh = link.drain()
        events.extend(fresh)
        if until(events):
            return events
    raise AssertionError(f"condition not reached in {timeout_s} s; events: {events[-10:]}")


def user_link(port: int, user: str, password: str, *subs: str) -> Link:
    """A link that logs in to a password-protected broker as ``user`` and subscribes to ``subs``."""
    settings = BrokerSettings(port=port, username=user, password=password)
    return Link(settings, f"c-{user}", subscriptions=[Subscription(s) for s in subs])


def kinds(events: list[Event]) -> list[str]:
    return [e.kind.value for e in events]


def rice_catalog(sku: str) -> dict[str, object]:
    """A one-item catalog snapshot (version 1) for the devices of a transport test."""
    item = {"sku": sku, "name": "Beras", "unit": "toko", "price_rp": 65000, "cost_rp": 58000, "stock": None}
    return {"name": "catalog", "kind": "snapshot", "version": 1, "items": [item]}


@contextlib.contextmanager
def served_world(root: Path, port: int, devices: list[str], sku: str) -> Iterator[tuple[World, Server]]:
    """A ledger and device directories (each holding ``rice_catalog(sku)``) with central serving on a thread.

    Yields once central is subscribed, which it is when it has published its first downlinks.
    """
    world = build(root, broker=BrokerSettings(port=port), devices=[DeviceSpec(d) for d in devices])
    for directory in world.devices.values():
        with Device.open(directory) as dev:
            dev.apply_downlink("catalog", rice_catalog(sku))
    ledger = Ledger.open(world.ledger_path)
    server = Server(ledger, ServeSettings(coop=world.coop, broker=BrokerSettings(port=port)))
    stop = threading.Event()
    thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + SUBSCRIBE_WAIT_S
    while server.stats.downlinks == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield world, server
    finally:
        stop.set()
        thread.join(10)
        ledger.close()
