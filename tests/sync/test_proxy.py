"""The fault-injection TCP proxy: forwards, counts bytes, cuts and restores, throttles."""

from __future__ import annotations

import asyncio

import pytest

from sync.backoff import Backoff
from sync.link import Link
from sync.settings import BrokerSettings
from tests.support.mosquitto import Mosquitto
from tests.support.proxy import Proxy, _Bucket
from tests.sync.helpers import kinds, pump


@pytest.mark.mqtt
def test_proxy_cut_and_restore(mosquitto: Mosquitto) -> None:
    """A link through the proxy loses its connection on cut and gets it back after restore."""
    with Proxy(mosquitto.port) as proxy:
        link = Link(BrokerSettings(port=proxy.port), "via-proxy", backoff=Backoff(initial_s=0.05, max_s=0.2))
        pump(link, lambda ev: link.connected)
        assert proxy.bytes_up > 0 and proxy.bytes_down > 0
        proxy.cut()
        pump(link, lambda ev: "disconnected" in kinds(ev))
        for _ in range(10):
            link.step(0.02)
        assert not link.connected
        proxy.restore()
        pump(link, lambda ev: link.connected)
        link.close()


def test_bucket_limits_chunks_and_waits() -> None:
    """A throttled bucket hands out chunks of a twentieth of its rate and makes takers wait for tokens."""
    bucket = _Bucket()
    assert bucket.chunk_limit() == 16 * 1024
    bucket.rate = 2000
    assert bucket.chunk_limit() == 100
    bucket.tokens = 0.0

    async def take() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await bucket.take(100)
        return loop.time() - start

    waited = asyncio.run(take())
    assert waited > 0
