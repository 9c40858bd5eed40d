"""The service manager's notify protocol (``sd_notify(3)``), shared by kiosk and centre.

A service started by systemd with ``Type=notify`` tells it when it is ready
(``READY=1``) and, with ``WatchdogSec=``, that it is still alive
(``WATCHDOG=1``) at least every ``WATCHDOG_USEC`` microseconds; a service
that stops pinging is killed and started again. systemd names the socket
in ``NOTIFY_SOCKET``: a path, or an abstract address when it starts with
``@``. Each message is one datagram of ``KEY=VALUE`` lines.

These are the few documented lines of the protocol (systemd's own
``sd_notify`` reference implementation does the same), so no library is
needed. Outside systemd (``NOTIFY_SOCKET`` unset) every call is a no-op.

This is the one piece of I/O in ``contract/``: a datagram to the local
service manager, never the network.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

_log = logging.getLogger(__name__)

#: The longest message the service manager reads in one datagram.
_MAX_MESSAGE = 4096


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (e.g. ``"READY=1"``) to the service manager.

    Returns whether a datagram was sent. Without ``NOTIFY_SOCKET`` nothing is
    sent; a socket that is gone or refuses is logged once per call and never
    raises: a service must not stop because its manager cannot be told.
    """
    environ = os.environ if env is None else env
    address = environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address[0] not in "/@":
        _log.warning("NOTIFY_SOCKET is neither a path nor an abstract address: ignored")
        return False
    target = "\0" + address[1:] if address[0] == "@" else address
    data = state.encode("utf-8")
    if len(data) > _MAX_MESSAGE:
        raise ValueError("notify message too long")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(1.0)
            sock.sendto(data, target)
    except OSError as exc:
        _log.warning("could not notify the service manager: %s", exc.strerror or exc)
        return False
    return True


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """How often to send ``WATCHDOG=1``: half of ``WATCHDOG_USEC``, or ``None``.

    ``None`` when no watchdog is asked for, when ``WATCHDOG_USEC`` is not a
    positive integer, or when ``WATCHDOG_PID`` names another process (the
    watchdog is then that process's to feed).
    """
    environ = os.environ if env is None else env
    usec = environ.get("WATCHDOG_USEC", "")
    if not usec.isascii() or not usec.isdigit() or int(usec) <= 0:
        return None
    pid = environ.get("WATCHDOG_PID", "")
    if pid and (not pid.isascii() or not pid.isdigit() or int(pid) != os.getpid()):
        return None
    return int(usec) / 1_000_000 / 2
