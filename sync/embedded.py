"""The embedded broker: amqtt, pure Python, in a thread of this process (one machine, `make demo`).

amqtt speaks MQTT 3.1.1 only, so devices and central that use it set ``mqtt_version = 3``; the
member-summary request then carries its reply topic and correlation in the body. Retained messages
live in memory: fine for a demo, not for production (use Mosquitto there).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from types import TracebackType
from typing import Any, Final

from sync.errors import BrokerConfigError

START_TIMEOUT_S: Final = 15.0
STOP_TIMEOUT_S: Final = 10.0


class EmbeddedBroker:
    """An amqtt broker listening on ``host:port`` (anonymous), run on its own event-loop thread."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    def _config(self) -> dict[str, Any]:
        return {
            "listeners": {
                "default": {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 1000}
            },
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }

    def _run(self) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._broker = Broker(self._config(), loop=loop)
            loop.run_until_complete(self._broker.start())
        except BaseException as err:  # reported to start() in the calling thread
            self._error = err
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def start(self) -> EmbeddedBroker:
        """Start the broker and wait until it listens; ``BrokerConfigError`` if it cannot."""
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._thread = threading.Thread(target=self._run, name="embedded-broker", daemon=True)
        self._thread.start()
        if not self._started.wait(START_TIMEOUT_S):
            raise BrokerConfigError(f"embedded broker did not start within {START_TIMEOUT_S} s")
        if self._error is not None:
            raise BrokerConfigError(
                f"embedded broker cannot listen on {self.host}:{self.port}: {self._error}"
            ) from self._error
        return self

    def stop(self) -> None:
        """Shut the broker down and join its thread."""
        loop, broker = self._loop, self._broker
        if loop is None or broker is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(broker.shutdown(), loop)
        try:
            future.result(STOP_TIMEOUT_S)
        except Exception:  # a broker that fails to shut down cleanly is stopped with its loop
            logging.getLogger(__name__).warning("embedded broker shutdown failed", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(STOP_TIMEOUT_S)
        self._broker = None

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
