"""Whatever the centre sends, nothing but a CentralError leaves the client.

Real peers on 127.0.0.1 answer each call with crafted or generated garbage;
every public call either returns or raises from the tree in
kiosk/client/errors.py. The generated cases also check that no answer reaches
the client's last-resort net (an ERROR log line naming an unexpected failure).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError, CentralProtocolError, CentralUnavailable
from testkit.peers import RawServer, http_reply

pytestmark = pytest.mark.timeout(120)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
FAST = 2.0

Call = Callable[[CentralClient], object]
CALLS: dict[str, Call] = {
    "enrol": lambda c: c.enrol("CODE"),
    "kiosk_me": lambda c: c.kiosk_me(),
    "allocate": lambda c: c.allocate_ticket("t-1", "s-1", deadline_s=FAST),
    "void": lambda c: c.void_ticket("t-1"),
    "lease": lambda c: c.request_lease("s-1", __import__("datetime").date(2026, 1, 5), 5),
    "return_lease": lambda c: c.return_lease("l-1", 3),
    "submit": lambda c: c.submit([{"key": "k-1", "kind": "ticket", "body": {}}]),
    "heartbeat": lambda c: c.heartbeat({}),
    "catalog": lambda c: c.fetch_catalog('"v1"'),
    "trust": lambda c: c.fetch_trust(),
    "lookup": lambda c: c.lookup_citizen(card_number="PKU-000001", deadline_s=FAST),
    "applications": lambda c: c.applications(nik="1471010101010001", deadline_s=FAST),
    "health_info": lambda c: c.health_info(deadline_s=FAST),
    "queue": lambda c: c.queue_state(deadline_s=FAST),
}


@pytest.fixture
def peer() -> Iterator[RawServer]:
    server = RawServer(b"")
    try:
        yield server
    finally:
        server.close()


def ask(peer: RawServer, reply: bytes, call: Call) -> object:
    peer.reply = reply
    with CentralClient(peer.url, timeout_s=FAST, token=TOKEN) as client:
        return call(client)


DEEP = b"[" * 5000 + b"]" * 5000  # past the recursion limit, under every cap


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(DEEP, id="nested-past-the-recursion-limit"),
        pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="nested-40-deep"),
        pytest.param(b'{"number": NaN, "x": Infinity}', id="nan-infinity"),
        pytest.param(b'{"number": 1e999}', id="float-overflow"),
        pytest.param(b'{"number": ' + b"9" * 5000 + b"}", id="int-past-max-str-digits"),
        pytest.param(b'{"number": ' + b"9" * 30 + b"}", id="int-past-64-bits"),
        pytest.param(b'{"status": "ok", "status": "down"}', id="duplicate-keys"),
        pytest.param('{"status": "ok"}'.encode("utf-16"), id="utf-16"),
        pytest.param(b'{"status": "\xff"}', id="not-utf-8"),
    ],
)
@pytest.mark.parametrize("call", ["allocate", "lookup", "catalog", "queue", "submit"])
def test_malformed_json_is_a_protocol_error(peer: RawServer, body: bytes, call: str) -> None:
    with pytest.raises(CentralProtocolError, match="body is not JSON"):
        ask(peer, http_reply("200 OK", body), CALLS[call])


def test_health_never_raises_on_deep_nesting(peer: RawServer) -> None:
    peer.reply = http_reply("200 OK", DEEP)
    with CentralClient(peer.url, timeout_s=FAST) as client:
        assert client.health() is False


def test_a_refusal_with_a_deeply_nested_body_is_still_a_refusal(peer: RawServer) -> None:
    with pytest.raises(CentralProtocolError, match=r"refused \(409 no reason given\)"):
        ask(peer, http_reply("409 Conflict", DEEP), CALLS["void"])


def test_a_retry_after_that_is_no_number_is_ignored(peer: RawServer) -> None:
    # "²" is a digit to str.isdigit() but not to float(): it used to escape as ValueError.
    reply = http_reply("503 Service Unavailable", b"", "Retry-After: \xb2")
    with pytest.raises(CentralUnavailable) as caught:
        ask(peer, reply, CALLS["heartbeat"])
    assert caught.value.retry_after_s is None


def test_a_parser_that_fails_unexpectedly_is_a_protocol_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(data: dict[str, object]) -> object:
        return data["missing"]  # KeyError: not the AnswerError parsers promise

    with (
        CentralClient("http://127.0.0.1:9", token=TOKEN) as client,
        pytest.raises(CentralProtocolError, match=r"answer malformed \(KeyError\)"),
    ):
        client._parse("/api/v1/x", broken, {})
    assert "KeyError" in caplog.text


# -- generated garbage ---------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
fields = st.sampled_from(
    ["number", "day", "start", "end", "results", "returned", "found", "record", "status"]
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["json", "shaped", "bytes", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "deep":
        depth = draw(st.integers(30, 3000))
        return b'{"a":' * depth + b"0" + b"}" * depth
    import json as stdlib_json

    value: object
    if kind == "shaped":  # the fields the parsers read, with values of any type
        value = draw(st.dictionaries(fields, json_values, max_size=6))
    else:
        value = draw(json_values)
    return stdlib_json.dumps(value, allow_nan=True).encode()


@st.composite
def replies(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))  # not HTTP at all
    status = draw(
        st.sampled_from(
            [
                "200 OK",
                "201 Created",
                "304 Not Modified",
                "400 Bad",
                "404 Not Found",
                "409 Conflict",
                "429 Slow",
                "503 Busy",
            ]
        )
    )
    body = draw(bodies())
    headers = []
    if draw(st.booleans()):
        body = gzip.compress(body)
        headers.append("Content-Encoding: gzip")
    if draw(st.booleans()):
        headers.append(f"Retry-After: {draw(st.text(max_size=12).map(_latin1))}")
    if draw(st.booleans()):
        headers.append(f"ETag: {draw(st.text(max_size=12).map(_latin1))}")
    return http_reply(status, body, *headers)


def _latin1(text: str) -> str:
    return "".join(c for c in text if c.isprintable() and ord(c) < 256)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reply=replies(), call=st.sampled_from(sorted(CALLS)))
def test_any_answer_returns_or_raises_a_central_error(
    peer: RawServer, caplog: pytest.LogCaptureFixture, reply: bytes, call: str
) -> None:
    caplog.clear()
    with (
        caplog.at_level(logging.ERROR, logger="kiosk.client.client"),
        contextlib.suppress(CentralError),
    ):
        ask(peer, reply, CALLS[call])
    assert not caplog.records, caplog.text  # the last-resort net never had to catch
