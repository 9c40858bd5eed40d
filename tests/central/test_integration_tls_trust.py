"""The centre's calls to BPJS and SATUSEHAT share one TLS context per trust configuration.

A test CA (testkit.tls_proxy.make_city_ca) signs the certificate of a TLS stand-in on
127.0.0.1 (testkit.peers.Dripper); the centre trusts it as it trusts a city's own
authority, through OpenSSL's default paths, here moved by ``SSL_CERT_FILE``. Every
exchange (central/integrations/http.py, the one door of BPJS's and SATUSEHAT's clients)
verifies the stand-in's certificate through the context :func:`trust_context` gives, and
that context's own handshake counter shows every exchange went through it: one context,
not one per call. Another CA file named gets a context of its own; the first is used
again when it is named again. The deadline and the cap still hold over it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.errors import TooLarge, TooSlow, Unreachable
from central.integrations.http import Answer, exchange, trust_context
from testkit.peers import Dripper, http_reply
from testkit.tls_proxy import CityCA, make_city_ca

pytestmark = pytest.mark.timeout(60)

BODY = b'{"metadata": {"code": 200, "message": "Ok"}}'


def _new_ca(folder: Path) -> CityCA:
    folder.mkdir()
    return make_city_ca(folder)


def _server_tls(ca: CityCA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ca.cert_pem, ca.key_pem)
    return context


@pytest.fixture
def city(tmp_path: Path) -> CityCA:
    return _new_ca(tmp_path / "city")


@pytest.fixture
def stand_in(city: CityCA) -> Iterator[Dripper]:
    with Dripper(http_reply("200 OK", BODY), b"", tls=_server_tls(city)) as peer:
        yield peer


def _https(peer: Dripper) -> str:
    return peer.url.replace("http://", "https://") + "/antreanrs/antrean/updatewaktu"


def _post(peer: Dripper, *, deadline_s: float = 10.0, max_bytes: int = 65536) -> Answer:
    return exchange(
        "POST",
        _https(peer),
        headers={"Content-Type": "application/json"},
        body=b'{"taskid": 4}',
        deadline_s=deadline_s,
        max_bytes=max_bytes,
    )


def _handshakes(context: ssl.SSLContext) -> int:
    """The client handshakes that ended well through ``context`` (OpenSSL's own count)."""
    return int(context.session_stats()["connect_good"])


def _trusting(monkeypatch: pytest.MonkeyPatch, ca: CityCA) -> None:
    """Trust ``ca`` alone, as a CA file named to OpenSSL's default paths."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_pem))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def test_every_https_exchange_of_the_process_verifies_through_one_context(
    monkeypatch: pytest.MonkeyPatch, city: CityCA, stand_in: Dripper
) -> None:
    """Three answers read, one too slow and one too long: five handshakes, all through
    the one context, and the deadline and the cap hold as before."""
    _trusting(monkeypatch, city)
    shared = trust_context()
    before = _handshakes(shared)
    for _ in range(3):
        answer = _post(stand_in)
        assert (answer.status, answer.body) == (200, BODY)
    tls = _server_tls(city)
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\nConnection: close\r\n\r\n"
    slow = Dripper(head, b"x" * 400, interval_s=0.05, tls=tls)
    long = Dripper(http_reply("200 OK", b"x" * 4096), b"", tls=tls)
    with slow, long:
        with pytest.raises(TooSlow):
            _post(slow, deadline_s=0.5)
        with pytest.raises(TooLarge):
            _post(long, max_bytes=1024)
    assert _handshakes(shared) - before == 5
    assert trust_context() is shared


def test_another_ca_file_gets_a_context_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, city: CityCA, stand_in: Dripper
) -> None:
    other = _new_ca(tmp_path / "other")
    with Dripper(http_reply("200 OK", BODY), b"", tls=_server_tls(other)) as elsewhere:
        _trusting(monkeypatch, city)
        first = trust_context()
        assert _post(stand_in).status == 200
        with pytest.raises(Unreachable):  # the other CA is not trusted under the first
            _post(elsewhere)
        _trusting(monkeypatch, other)
        assert _post(elsewhere).status == 200
        assert _post(elsewhere).status == 200
        second = trust_context()
        assert second is not first
        _trusting(monkeypatch, city)
        assert _post(stand_in).status == 200
        assert trust_context() is first
    assert (_handshakes(first), _handshakes(second)) == (2, 2)
