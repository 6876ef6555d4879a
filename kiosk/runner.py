"""Worker threads between the screens and the device: nothing that waits runs on the UI thread.

A ``Runner`` owns one object (the ``Services`` of a device, or a printer) created inside its own
thread, so thread-bound resources such as a SQLite connection stay on that thread. The UI submits
named calls; results wait in one shared ``Outcomes`` queue that the UI drains on its own clock
(callbacks only enqueue; STYLE.md). Queues are bounded; a full queue refuses the call at once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kiosk import errors

log = logging.getLogger(__name__)

MAX_PENDING_CALLS: Final = 64
MAX_OUTCOMES: Final = 256
DRAIN_BATCH: Final = 32
STOP_JOIN_S: Final = 5.0

OnOk = Callable[[Any], None]
OnError = Callable[[errors.KioskError], None]


@dataclass(frozen=True)
class _Call:
    method: str
    args: tuple[Any, ...]
    on_ok: OnOk | None
    on_error: OnError | None


class Outcomes:
    """Results of calls, waiting for the UI thread; ``drain`` runs their callbacks there."""

    def __init__(self, maxsize: int = MAX_OUTCOMES, on_put: Callable[[], None] | None = None) -> None:
        self._queue: queue.Queue[tuple[Callable[..., None], Any]] = queue.Queue(maxsize=maxsize)
        self.on_put = on_put  # wakes the UI thread (a thread-safe Kivy trigger): no waiting for a frame

    def put(self, callback: Callable[..., None], value: Any) -> None:
        self._queue.put((callback, value))
        wake = self.on_put
        if wake is not None:
            wake()

    def drain(self, limit: int = DRAIN_BATCH) -> int:
        """Run up to ``limit`` waiting callbacks on the calling (UI) thread; returns how many ran."""
        ran = 0
        while ran < limit:
            try:
                callback, value = self._queue.get_nowait()
            except queue.Empty:
                break
            try:
                callback(value)
            except Exception:  # a screen bug must not stop the kiosk; it is logged in full
                log.exception("callback %r failed", callback)
            ran += 1
        return ran

    def pending(self) -> int:
        return self._queue.qsize()


class Runner:
    """One worker thread that owns ``factory()`` and runs its methods one call at a time."""

    def __init__(self, name: str, factory: Callable[[], Any], outcomes: Outcomes) -> None:
        self.name = name
        self._factory = factory
        self._outcomes = outcomes
        self._calls: queue.Queue[_Call | None] = queue.Queue(maxsize=MAX_PENDING_CALLS)
        self._thread = threading.Thread(target=self._run, name=f"kiosk-{name}", daemon=True)
        self._busy = threading.Event()
        self._ready = threading.Event()
        self.start_error: BaseException | None = None

    def start(self) -> Runner:
        self._thread.start()
        return self

    def submit(
        self, method: str, *args: Any, on_ok: OnOk | None = None, on_error: OnError | None = None
    ) -> bool:
        """Queue ``target.method(*args)``; False (and nothing queued) when the queue is full."""
        try:
            self._calls.put_nowait(_Call(method, args, on_ok, on_error))
        except queue.Full:
            log.warning("%s: %d calls already waiting; refused %s", self.name, MAX_PENDING_CALLS, method)
            return False
        return True

    def idle(self) -> bool:
        """True when no call is waiting or running."""
        return self._calls.empty() and not self._busy.is_set()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._calls.put(None, timeout=STOP_JOIN_S)
        except queue.Full:
            log.warning("%s: could not queue stop", self.name)
        self._thread.join(timeout=STOP_JOIN_S)

    def _run(self) -> None:
        try:
            target = self._factory()
        except BaseException as err:  # reported to every call below, never raised into the UI
            self.start_error = err
            target = None
            log.error("%s could not start: %s", self.name, err)
        self._ready.set()
        try:
            while True:
                call = self._calls.get()
                if call is None:
                    break
                self._busy.set()
                try:
                    self._one(target, call)
                finally:
                    self._busy.clear()
        finally:
            close = getattr(target, "close", None)
            if callable(close):
                try:
                    close()
                except Exception as err:
                    log.warning("%s: close failed: %s", self.name, err)

    def _one(self, target: Any, call: _Call) -> None:
        try:
            if target is None:
                raise errors.ConfigError(reason=str(self.start_error))
            result = getattr(target, call.method)(*call.args)
        except errors.KioskError as err:
            if call.on_error is not None:
                self._outcomes.put(call.on_error, err)
            return
        except Exception as err:  # an unexpected failure becomes a calm message, logged in full
            log.exception("%s.%s failed", self.name, call.method)
            if call.on_error is not None:
                self._outcomes.put(call.on_error, errors.KioskError(detail=str(err)))
            return
        if call.on_ok is not None:
            self._outcomes.put(call.on_ok, result)
