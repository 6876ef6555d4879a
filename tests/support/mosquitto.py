"""Start Debian's Mosquitto on a free loopback port with a generated config, for tests.

Usage::

    with Mosquitto(tmp_path) as broker:            # plain listener, anonymous allowed
        ...broker.port...
    with Mosquitto(tmp_path, extra="...") as b:     # add lines (password_file, acl_file, TLS ...)
        b.restart()                                 # kill and start again on the same port (persistence on)
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from tests.support.net import free_port, wait_for_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Mosquitto:
    """One broker process; its config, persistence and log live in ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        extra: str = "",
        anonymous: bool = True,
        port: int | None = None,
        listener_options: str = "",
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.extra = extra
        self.anonymous = anonymous
        self.listener_options = listener_options
        self.proc: subprocess.Popen[bytes] | None = None
        self.config_path = self.directory / "mosquitto.conf"
        self.log_path = self.directory / "mosquitto.log"

    def config_text(self) -> str:
        return "\n".join(
            [
                "user root",
                "per_listener_settings false",
                f"listener {self.port} 127.0.0.1",
                self.listener_options,
                f"allow_anonymous {'true' if self.anonymous else 'false'}",
                "persistence true",
                f"persistence_location {self.directory}/",
                "autosave_interval 1",
                f"log_dest file {self.log_path}",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "max_inflight_messages 100",
                "max_queued_messages 100000",
                self.extra,
                "",
            ]
        )

    def start(self) -> Mosquitto:
        self.config_path.write_text(self.config_text())
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for_port(self.port, timeout_s=10)
        except TimeoutError as err:
            self.proc.kill()
            _, stderr = self.proc.communicate(timeout=5)
            log = self.log_path.read_text() if self.log_path.exists() else ""
            raise RuntimeError(f"mosquitto did not start: {stderr.decode()} {log}") from err
        return self

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self, *, kill: bool = True, down_s: float = 0.0) -> None:
        self.stop(kill=kill)
        time.sleep(down_s)
        self.start()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
