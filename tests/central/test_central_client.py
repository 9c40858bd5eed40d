"""CentralClient against peers that fail: closed ports, garbage, silence, a killed server.

Every fault is a real socket on 127.0.0.1; nothing in ``requests`` is patched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import pytest

import kiosk.client.client
import kiosk.client.errors
from central.process import start_central
from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.client import CentralClient
from kiosk.client.errors import (
    CentralAuthError,
    CentralError,
    CentralProtocolError,
    CentralRefused,
    CentralUnavailable,
)
from testkit.peers import http_reply

pytestmark = pytest.mark.timeout(30)

FAST = 0.5  # seconds: the client timeout used against misbehaving peers
#: Seconds a call to the real centre may take on a machine loaded by the whole suite.
PATIENT = 5.0


class Peer(Protocol):
    url: str


StartRaw = Callable[[bytes | None], Peer]


def test_public_names() -> None:
    assert kiosk.client.client.__all__ == [
        "CatalogFetch",
        "CentralClient",
        "CitizenLookup",
        "DocumentFetch",
    ]
    assert kiosk.client.errors.__all__ == [
        "CentralAuthError",
        "CentralError",
        "CentralProtocolError",
        "CentralRefused",
        "CentralUnavailable",
    ]
    assert issubclass(CentralUnavailable, CentralError)
    assert issubclass(CentralProtocolError, CentralError)
    assert issubclass(CentralAuthError, CentralError)
    assert issubclass(CentralRefused, CentralProtocolError)
    assert not issubclass(CentralError, OSError), "requests' OSError base must not show through"


@pytest.mark.parametrize("url", ["", "127.0.0.1:8470", "ftp://host", "http://"])
def test_rejects_a_bad_base_url(url: str) -> None:
    with pytest.raises(ValueError, match="central URL"):
        CentralClient(url)


def test_closed_port_is_unavailable_quickly(closed_port: int) -> None:
    with CentralClient(f"http://127.0.0.1:{closed_port}", timeout_s=FAST) as client:
        started = time.monotonic()
        with pytest.raises(CentralUnavailable) as caught:
            client.fetch_catalog()
        assert time.monotonic() - started < FAST
        assert caught.value.status is None
        assert client.health() is False


@pytest.mark.parametrize(
    ("reply", "error", "status"),
    [
        pytest.param(
            http_reply("200 OK", b"not json", "Content-Type: application/json"),
            CentralProtocolError,
            None,
            id="200-not-json",
        ),
        pytest.param(http_reply("200 OK", b"\xff\xfe{"), CentralProtocolError, None, id="not-utf8"),
        pytest.param(http_reply("200 OK", b"[1, 2]"), CentralProtocolError, None, id="json-array"),
        pytest.param(
            b"\x00\x01garbage that is not HTTP\r\n\r\n", CentralProtocolError, None, id="not-http"
        ),
        pytest.param(b"SSH-2.0-OpenSSH_9.6\r\n", CentralProtocolError, None, id="other-protocol"),
        pytest.param(http_reply("404 Not Found", b"{}"), CentralProtocolError, 404, id="404"),
        pytest.param(
            http_reply("304 Not Modified", b""), CentralProtocolError, 304, id="304-unasked"
        ),
        pytest.param(
            http_reply("302 Found", b"", "Location: /elsewhere"),
            CentralProtocolError,
            302,
            id="redirect",
        ),
        pytest.param(
            http_reply("500 Internal Server Error", b"{}"), CentralUnavailable, 500, id="500"
        ),
        pytest.param(
            http_reply("401 Unauthorized", b'{"error": "unauthenticated"}'),
            CentralAuthError,
            401,
            id="401",
        ),
        pytest.param(http_reply("403 Forbidden", b"no json"), CentralAuthError, 403, id="403"),
        pytest.param(http_reply("503 Service Unavailable", b""), CentralUnavailable, 503, id="503"),
        pytest.param(b"", CentralUnavailable, None, id="closed-without-answer"),
        pytest.param(
            b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"ver',
            CentralUnavailable,
            None,
            id="cut-short",
        ),
        pytest.param(None, CentralUnavailable, None, id="never-answers"),
    ],
)
def test_misbehaving_peer(
    raw_server: StartRaw, reply: bytes | None, error: type[CentralError], status: int | None
) -> None:
    peer = raw_server(reply)
    with CentralClient(peer.url, timeout_s=FAST) as client:
        started = time.monotonic()
        with pytest.raises(error) as caught:
            client.fetch_catalog()
        assert time.monotonic() - started < FAST + 1.0
    assert type(caught.value) is error
    assert caught.value.status == status
    assert peer.url in str(caught.value)


def test_health_is_false_on_garbage(raw_server: StartRaw) -> None:
    peer = raw_server(http_reply("200 OK", b"not json"))
    with CentralClient(peer.url, timeout_s=FAST) as client:
        assert client.health() is False


def test_not_modified_keeps_the_etag_when_the_server_omits_it(raw_server: StartRaw) -> None:
    peer = raw_server(http_reply("304 Not Modified", b""))
    with CentralClient(peer.url, timeout_s=FAST) as client:
        fetched = client.fetch_catalog('"v1"')
    assert (fetched.not_modified, fetched.etag, fetched.data) == (True, '"v1"', None)


def test_killed_server_is_unavailable() -> None:
    server = start_central(seed_demo=True)
    try:
        with CentralClient(server.url, timeout_s=PATIENT) as client:
            client.enrol(DEMO_ENROLMENT_CODE)
            assert client.fetch_catalog().data is not None  # keeps a pooled connection
            server.process.kill()
            server.process.wait(5)
            with pytest.raises(CentralUnavailable):
                client.fetch_catalog()
            assert client.health() is False
    finally:
        server.stop()
    assert server.process.returncode is not None
