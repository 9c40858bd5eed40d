"""The fault proxy's "down": connections are refused, and its port stays its own.

While down, no socket made elsewhere (a connection's own end, which the kernel picks
from the free ports) may take the port, or ``up`` would fail with "address already in
use" and the kiosk's URL would name someone else's port.
"""

from __future__ import annotations

import socket

import pytest
import requests

from testkit.fault_proxy import LOOPBACK, FaultProxy


def test_a_proxy_down_refuses_and_keeps_its_port_for_up() -> None:
    upstream = socket.socket()
    upstream.bind((LOOPBACK, 0))
    proxy = FaultProxy(target_port=upstream.getsockname()[1])
    try:
        port = proxy.port
        for _ in range(3):
            proxy.down()
            with pytest.raises(requests.ConnectionError):
                requests.get(proxy.url, timeout=5)
            other = socket.socket()
            try:
                with pytest.raises(OSError):  # EADDRINUSE: the proxy keeps it
                    other.bind((LOOPBACK, port))
            finally:
                other.close()
            proxy.up()
            assert proxy.port == port
            with socket.create_connection((LOOPBACK, port), timeout=5):
                pass  # accepted again
    finally:
        proxy.close()
        upstream.close()
    freed = socket.socket()  # closed, the proxy holds nothing
    try:
        freed.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        freed.bind((LOOPBACK, port))
    finally:
        freed.close()
