"""A user-space TCP proxy for fault injection on loopback: cut/restore, throttle, latency, random resets.

    with Proxy(target_port=broker.port) as proxy:      # clients connect to proxy.port
        proxy.cut()                                      # drop every connection, refuse new ones
        proxy.restore()
        proxy.shape(rate_bps=4000, latency_s=0.3, reset_mean_s=5.0)   # a poor outpost link
        proxy.bytes_up, proxy.bytes_down                 # bytes carried client->server, server->client

It runs an asyncio loop on its own thread. Throttling is one token bucket per direction shared by all
connections (the link is the bottleneck, not the socket); latency delays every chunk by the same time,
keeping order; resets abort a connection (RST) after an exponentially distributed lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
import time
from types import TracebackType
from typing import Final

CHUNK_MAX: Final = 16 * 1024
# With throttling, chunks are cut to this share of a second's budget so the rate stays smooth.
SLICES_PER_S: Final = 20
LATENCY_QUEUE_MAX: Final = 10_000
START_TIMEOUT_S: Final = 10.0


class _Bucket:
    """A token bucket of ``rate`` bytes/s (None = unlimited), at most one second of burst."""

    def __init__(self) -> None:
        self.rate: int | None = None
        self.tokens = 0.0
        self.stamp = time.monotonic()

    def chunk_limit(self) -> int:
        if self.rate is None:
            return CHUNK_MAX
        return max(1, min(CHUNK_MAX, self.rate // SLICES_PER_S))

    async def take(self, amount: int) -> None:
        while self.rate is not None:
            now = time.monotonic()
            self.tokens = min(float(self.rate), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= amount:
                self.tokens -= amount
                return
            await asyncio.sleep((amount - self.tokens) / self.rate)


class Proxy:
    """Forward 127.0.0.1:``port`` to ``target_host:target_port`` with injected faults."""

    def __init__(
        self, target_port: int, target_host: str = "127.0.0.1", port: int = 0, seed: int = 0
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = port
        self.rng = random.Random(seed)
        self.latency_s = 0.0
        self.reset_mean_s: float | None = None
        self.up = _Bucket()
        self.down = _Bucket()
        self.bytes_up = 0
        self.bytes_down = 0
        self.connections_total = 0
        self.resets_total = 0
        self._open = True
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- control (thread-safe) ------------------------------------------------------------------------
    def _call(self, fn: object) -> None:
        assert self._loop is not None
        done = threading.Event()

        def run() -> None:
            try:
                fn()  # type: ignore[operator]
            finally:
                done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(5)

    def cut(self) -> None:
        """Drop every open connection (RST) and refuse new ones until ``restore()``."""

        def do() -> None:
            self._open = False
            for writer in list(self._writers):
                _abort(writer)
            self._writers.clear()

        self._call(do)

    def restore(self) -> None:
        """Accept and forward connections again."""
        self._open = True

    def reset_all(self) -> None:
        """Drop every open connection once, keep accepting new ones."""

        def do() -> None:
            for writer in list(self._writers):
                _abort(writer)
            self._writers.clear()

        self._call(do)

    def shape(
        self, *, rate_bps: int | None = None, latency_s: float = 0.0, reset_mean_s: float | None = None
    ) -> None:
        """Set the link: bytes/s each way (None = unlimited), one-way latency, mean time between resets."""
        self.up.rate = rate_bps
        self.down.rate = rate_bps
        self.latency_s = latency_s
        self.reset_mean_s = reset_mean_s

    # -- forwarding -----------------------------------------------------------------------------------
    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, bucket: _Bucket, upward: bool
    ) -> None:
        pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=LATENCY_QUEUE_MAX)

        async def deliver() -> None:
            while True:
                due, data = await pending.get()
                if not data:
                    break
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(bucket.chunk_limit())
                if not data:
                    break
                await bucket.take(len(data))
                if upward:
                    self.bytes_up += len(data)
                else:
                    self.bytes_down += len(data)
                await pending.put((time.monotonic() + self.latency_s, data))
            await pending.put((0.0, b""))
            await sender
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            sender.cancel()
            _abort(writer)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if not self._open:
            _abort(client_w)
            return
        try:
            server_r, server_w = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            _abort(client_w)
            return
        self.connections_total += 1
        self._writers.update((client_w, server_w))
        tasks = [
            asyncio.create_task(self._pump(client_r, server_w, self.up, True)),
            asyncio.create_task(self._pump(server_r, client_w, self.down, False)),
        ]
        killer = None
        if self.reset_mean_s is not None:
            lifetime = self.rng.expovariate(1.0 / self.reset_mean_s)
            killer = asyncio.get_running_loop().call_later(lifetime, self._reset, client_w, server_w)
        await asyncio.gather(*tasks, return_exceptions=True)
        if killer is not None:
            killer.cancel()
        self._writers.discard(client_w)
        self._writers.discard(server_w)
        _abort(client_w)
        _abort(server_w)

    def _reset(self, *writers: asyncio.StreamWriter) -> None:
        self.resets_total += 1
        for writer in writers:
            _abort(writer)

    # -- lifecycle ------------------------------------------------------------------------------------
    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def start(self) -> Proxy:
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self.cut()
        loop = self._loop

        def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            loop.stop()

        loop.call_soon_threadsafe(shutdown)
        self._thread.join(START_TIMEOUT_S)
        self._loop = None

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with RST (linger 0), the way a dropped link or a crashed router looks to both ends."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.transport.abort()
