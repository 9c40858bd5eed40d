"""The shipped nginx configuration, run on loopback, against what a city's network sends it.

packaging/nginx/anjungan-central.conf with only its ports, names, certificate paths
and upstream replaced (testkit/tls_proxy.py), in front of a real centre. The kiosk's
side of it (trust, sync through the proxy) is tests/kiosk/test_central_tls_trust.py.
"""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from testkit.peers import Dripper
from testkit.tls_proxy import (
    SHIPPED,
    CityCA,
    RunningProxy,
    make_city_ca,
    proxied_centre,
    shipped_proxy_or_skip,
)

pytestmark = pytest.mark.timeout(90)

OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def rsa_ca(tmp_path_factory: pytest.TempPathFactory) -> CityCA:
    return make_city_ca(tmp_path_factory.mktemp("rsa-ca"), key="rsa")


@pytest.fixture(scope="module")
def proxy(rsa_ca: CityCA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProxy]:
    """The shipped nginx in front of a centre of its own."""
    with proxied_centre(rsa_ca, tmp_path_factory.mktemp("nginx")) as (_, running):
        yield running


def _negotiated(proxy: RunningProxy, *args: str) -> str | None:
    """The suite ``openssl s_client`` agreed with the proxy, or None when refused."""
    if OPENSSL is None:
        pytest.skip("openssl is not installed")
    port = urlsplit(proxy.url).port
    done = subprocess.run(
        [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", *args],
        input=b"",
        capture_output=True,
        timeout=20,
        check=False,
    )
    for line in done.stdout.decode(errors="replace").splitlines():
        if "Cipher is " in line:
            suite = line.rsplit("Cipher is ", 1)[1].strip()
            return None if suite == "(NONE)" else suite
    return None


# TLS 1.2 suites without forward secrecy (plain RSA key exchange) or with CBC and SHA-1:
# a recorded session could be read later with the key, or is open to padding attacks.
WEAK_TLS12 = (
    "AES128-SHA",
    "AES256-SHA",
    "AES128-SHA256",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "CAMELLIA128-SHA",
    "ARIA128-GCM-SHA256",
    "DHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-RSA-AES128-SHA256",
)


@pytest.mark.parametrize("suite", WEAK_TLS12)
def test_with_an_rsa_certificate_tls12_refuses_a_suite_without_forward_secrecy_or_aead(
    proxy: RunningProxy, suite: str
) -> None:
    assert _negotiated(proxy, "-tls1_2", "-cipher", suite) is None


def test_with_an_rsa_certificate_tls12_and_13_still_agree_on_strong_suites(
    proxy: RunningProxy,
) -> None:
    assert _negotiated(proxy, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256") == (
        "ECDHE-RSA-AES128-GCM-SHA256"
    )
    assert _negotiated(proxy, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305") == (
        "ECDHE-RSA-CHACHA20-POLY1305"
    )
    assert _negotiated(proxy, "-tls1_3") == "TLS_AES_256_GCM_SHA384"
    assert _negotiated(proxy, "-tls1_1") is None


#: How long a test waits for the proxy to close a stalled connection before failing:
#: above the centre's own 10 s header deadline, below nginx's default 60 s.
BOUND_S = 25.0


def _stalled(proxy: RunningProxy, ca: CityCA, first: bytes) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(ca.ca_pem))
    port = urlsplit(proxy.url).port
    assert port is not None
    raw = socket.create_connection(("127.0.0.1", port), timeout=BOUND_S)
    sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
    sock.sendall(first)
    return sock


def _closed_within_bound(sock: ssl.SSLSocket) -> bytes:
    """What the proxy sent before closing; fails the test if it is still open at the bound."""
    received = b""
    deadline = time.monotonic() + BOUND_S
    with sock:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                break
            except (ssl.SSLError, ConnectionResetError):
                return received
            if not chunk:
                return received
            received += chunk
    pytest.fail(f"the proxy still held the stalled connection after {BOUND_S} s")


def test_a_client_stalling_in_its_headers_or_body_is_dropped(
    proxy: RunningProxy, rsa_ca: CityCA
) -> None:
    # Both at once: the two waits overlap.
    headers = _stalled(proxy, rsa_ca, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
    body = _stalled(
        proxy,
        rsa_ca,
        b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    assert b"200 OK" not in _closed_within_bound(headers)
    assert b"200 OK" not in _closed_within_bound(body)


def _raw(proxy: RunningProxy, ca: CityCA, request: bytes) -> bytes:
    """Everything the proxy answers to ``request`` before it closes the connection."""
    sock = _stalled(proxy, ca, request)
    return _closed_within_bound(sock)


def test_a_request_for_another_host_is_closed_unanswered(
    proxy: RunningProxy, rsa_ca: CityCA
) -> None:
    # The centre redirects /ready/ to /ready: were it told the client's Host, the
    # redirect would send the client to a name of the client's choosing.
    own = _raw(
        proxy, rsa_ca, b"GET /ready/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert own.startswith(b"HTTP/1.1 307"), own[:200]
    assert b"\r\nlocation: https://127.0.0.1/ready\r\n" in own.lower()
    for host in (b"evil.example", b"evil.example:443", b"127.0.0.2"):
        answer = _raw(
            proxy,
            rsa_ca,
            b"GET /ready/ HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n",
        )
        assert answer == b"", (host, answer[:200])


def test_a_request_without_host_is_served_as_for_the_centres_name(
    proxy: RunningProxy, rsa_ca: CityCA
) -> None:
    answer = _raw(proxy, rsa_ca, b"GET /health HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


def test_plain_http_redirects_to_the_centres_name_whatever_host_it_names(
    proxy: RunningProxy,
) -> None:
    answer = requests.get(
        f"{proxy.http_url}/api/v1/catalog",
        headers={"Host": "evil.example"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/api/v1/catalog"


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf-token" content="[^"]*"', "", page)


def test_metrics_through_the_proxy_look_like_any_path_that_does_not_exist(
    proxy: RunningProxy, rsa_ca: CityCA
) -> None:
    ca = str(rsa_ca.ca_pem)
    for path, query in (
        ("/metrics", ""),
        ("//metrics", ""),
        ("/%6Detrics", ""),
        ("/metrics", "?format=text"),
    ):
        unknown = requests.get(f"{proxy.url}/tidak-ada-halaman-ini{query}", verify=ca, timeout=10)
        assert unknown.status_code == 404
        answer = requests.get(f"{proxy.url}{path}{query}", verify=ca, timeout=10)
        assert answer.status_code == 404, path
        assert "anjungan_" not in answer.text, path
        assert _without_csrf(answer.text) == _without_csrf(unknown.text), path
        for header in ("Content-Type", "Content-Security-Policy", "Server"):
            assert answer.headers.get(header) == unknown.headers.get(header), (path, header)


def test_nginx_names_no_version(proxy: RunningProxy, rsa_ca: CityCA) -> None:
    ca = str(rsa_ca.ca_pem)
    answers = [
        requests.get(f"{proxy.url}/health", verify=ca, timeout=10),
        requests.get(f"{proxy.http_url}/health", allow_redirects=False, timeout=10),
    ]
    for answer in answers:
        assert answer.headers["Server"] == "nginx", answer.url
        assert not re.search(r"nginx/\d", answer.text), answer.url


def test_a_body_over_the_centres_cap_gets_its_documented_answer_through_the_proxy(
    proxy: RunningProxy, rsa_ca: CityCA
) -> None:
    ca = str(rsa_ca.ca_pem)
    huge = b"{" + b" " * 2_000_000 + b"}"
    sent = {"Content-Type": "application/json"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 50_000

    # A route that refuses the caller first answers a streamed body without reading it.
    # A route that refuses the caller first answers a streamed body without reading it.
    for path, body in (
        ("/api/v1/enrol", huge),
        ("/api/v1/enrol", chunks()),
        ("/api/v1/tickets", huge),
        ("/api/v1/tidak-ada", huge),
    ):
        answer = requests.post(f"{proxy.url}{path}", data=body, headers=sent, verify=ca, timeout=20)
        assert answer.status_code == 413, path
        assert answer.json()["error"] == "content_too_large", (path, answer.text[:200])
    envelope = requests.post(
        f"{proxy.url}/api/v1/wsrs/antrean", data=huge, headers=sent, verify=ca, timeout=20
    )
    assert envelope.status_code == 413
    assert envelope.json()["metadata"]["message"].startswith("Permintaan terlalu besar")


#: A live stream as a centre that does NOT ask for it unbuffered would send it (the
#: centre itself adds ``X-Accel-Buffering: no``; this stand-in leaves that to the
#: proxy's configuration): the first event at once, then a byte now and then.
STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    b"Connection: close\r\n\r\nevent: state\ndata: {}\n\n"
)


def _first_event(url: str, ca: CityCA, timeout_s: float) -> str:
    with requests.get(url, verify=str(ca.ca_pem), stream=True, timeout=timeout_s) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines(decode_unicode=True)
        first: str = next(line for line in lines if line.startswith("event:"))
        return first


def test_the_proxy_itself_passes_a_boards_stream_as_it_is_written(
    rsa_ca: CityCA, tmp_path: Path
) -> None:
    with (
        Dripper(STREAM_HEAD, b":" * 600, interval_s=0.05) as standin,
        shipped_proxy_or_skip(f"http://127.0.0.1:{standin.port}", rsa_ca, tmp_path) as front,
    ):
        assert _first_event(f"{front.url}/board/papan-1/events", rsa_ca, 10) == "event: state"
        # The same stream on any other path is held back by nginx's buffering: what
        # the board's location turns off is what makes the difference above.
        with pytest.raises(requests.exceptions.ReadTimeout):
            _first_event(f"{front.url}/api/v1/lain", rsa_ca, 3)


def test_an_idle_kiosks_connection_outlives_its_heartbeat_interval() -> None:
    """The number a citizen waits for reuses the connection the last heartbeat kept
    open: the proxy keeps an idle connection longer than a kiosk's heartbeat interval
    (with room for a heartbeat late by half an interval), so it is never closed for
    idleness between two heartbeats."""
    from kiosk.config import SyncSection

    [seconds] = re.findall(r"^\s*keepalive_timeout\s+(\d+)s;", SHIPPED.read_text(), re.M)
    assert int(seconds) > SyncSection().heartbeat_interval_s * 1.5
