"""A service manager's notify socket, for tests: what a service tells systemd.

:class:`NotifyListener` binds a datagram socket in a temporary folder (the
path goes into a child's ``NOTIFY_SOCKET``) and collects every message sent to
it, each with the time it arrived, on a reader thread, until it is closed.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from testkit.waits import wait_until


@dataclass(frozen=True)
class Notice:
    #: ``time.monotonic()`` when the datagram arrived.
    at: float
    #: The datagram's ``KEY=VALUE`` lines.
    lines: tuple[str, ...]


class NotifyListener:
    """A bound ``AF_UNIX`` datagram socket and the messages it has received."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="anjungan-notify-")
        self.path = str(Path(self._dir.name) / "notify")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        self._sock.settimeout(0.2)
        self._lock = threading.Lock()
        self._notices: list[Notice] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="notify-listener", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            notice = Notice(time.monotonic(), tuple(data.decode("utf-8").splitlines()))
            with self._lock:
                self._notices.append(notice)

    def notices(self) -> list[Notice]:
        with self._lock:
            return list(self._notices)

    def with_line(self, line: str) -> list[Notice]:
        """The messages that carry ``line`` (``"READY=1"``, ``"WATCHDOG=1"``)."""
        return [n for n in self.notices() if line in n.lines]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self._sock.close()
        self._dir.cleanup()

    def __enter__(self) -> NotifyListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def ready_then_pings(
    listener: NotifyListener, child: subprocess.Popen[bytes], *, ready_within_s: float
) -> tuple[Notice, bytes]:
    """Waits for ``child`` to say READY=1, then for three watchdog pings after it; stops
    the child however that ends. Its READY=1 message and what it wrote on stderr."""
    try:
        wait_until(lambda: bool(listener.with_line("READY=1")), ready_within_s, "READY=1")
        ready = listener.with_line("READY=1")[0]
        wait_until(
            lambda: len([n for n in listener.with_line("WATCHDOG=1") if n.at > ready.at]) >= 3,
            30.0,
            "three watchdog pings after READY=1",
        )
    finally:
        child.terminate()
        _, stderr = child.communicate(timeout=30)
    return ready, stderr
