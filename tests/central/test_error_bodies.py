"""A body that is not JSON, or a request that is not HTTP, gets exactly the error
docs/central-api.md shows."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from central.process import RunningCentral
from testkit.centre_accounts import bearer

pytestmark = pytest.mark.timeout(60)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "central-api.md"
JSON = {"Content-Type": "application/json"}


def documented_after(phrase: str) -> Any:
    """The first JSON example in docs/central-api.md after ``phrase``."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(phrase)
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.DOTALL)
    assert block is not None, f"no JSON example after {phrase!r}"
    return json.loads(block.group(1))


def test_a_body_that_is_not_text_gets_the_documented_400(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    expected = documented_after("bytes that are not UTF-8")
    for path, headers in (
        ("/api/v1/enrol", JSON),
        ("/api/v1/staff/login", JSON),
        ("/api/v1/citizens/lookup", {**JSON, **bearer(kiosk_token)}),
    ):
        answer = requests.post(
            central_server.url + path, data=b"\xff\xfe{", headers=headers, timeout=5
        )
        assert (answer.status_code, answer.json()) == (400, expected), path


def test_a_body_with_a_json_syntax_error_gets_the_documented_422(
    central_server: RunningCentral,
) -> None:
    expected = documented_after("here the body `{not json`")
    answer = requests.post(
        f"{central_server.url}/api/v1/enrol", data=b"{not json", headers=JSON, timeout=5
    )
    assert (answer.status_code, answer.json()) == (422, expected)


#: Requests h11 cannot read, so uvicorn answers them before any route: a request line
#: that is no request line, a header without its colon, a header name with a space, a NUL
#: in a value, HTTP/1.1 without a Host, a length that is no number, a request line still
#: unfinished past h11's 16 KiB.
UNREADABLE = {
    "line": b"GARBAGE\r\n\r\n",
    "colon": b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
    "name": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n",
    "nul": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x00b\r\n\r\n",
    "host": b"GET / HTTP/1.1\r\n\r\n",
    "length": b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n",
    "unfinished": b"GET /?x=" + b"A" * 20_000,
}


def _answer_to(url: str, raw: bytes) -> bytes:
    """What the server sends back to ``raw`` on a connection of its own, up to its close."""
    host, port = url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        while chunk := sock.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_request_the_server_cannot_read_gets_the_documented_400_body(
    central_server: RunningCentral, raw: bytes
) -> None:
    expected = documented_after("still unfinished past 16 KiB")
    head, _, body = _answer_to(central_server.url, raw).partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close" and int(headers["content-length"]) == len(body)
    assert json.loads(body) == expected
    # The server goes on serving.
    assert requests.get(f"{central_server.url}/health", timeout=5).status_code == 200
