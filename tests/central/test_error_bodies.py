"""A body that is not JSON, or a request that is not HTTP, gets exactly the error
docs/central-api.md shows."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
import requests

from central.process import RunningCentral, start_central
from testkit.api_docs import documented_after
from testkit.centre_accounts import bearer
from testkit.centres import TEST_SERVER_ARGS
from testkit.raw_http import answer_to, read_answer, split_answers
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(60)
JSON = {"Content-Type": "application/json"}


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


#: Where docs/central-api.md shows the answer to a head that cannot be read.
HEAD_UNREADABLE = "or HTTP/1.1 without `Host`)"
#: Requests h11 cannot read, so uvicorn answers them before any route: a request line
#: that is no request line, a header without its colon, a header name with a space, a NUL
#: in a value, HTTP/1.1 without a Host, a length that is no number. (A head past 16 KiB:
#: tests/central/test_request_heads.py.)
UNREADABLE = {
    "line": b"GARBAGE\r\n\r\n",
    "colon": b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
    "name": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n",
    "nul": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x00b\r\n\r\n",
    "host": b"GET / HTTP/1.1\r\n\r\n",
    "length": b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n",
}


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_request_the_server_cannot_read_gets_the_documented_400_body(
    central_server: RunningCentral, raw: bytes
) -> None:
    expected = documented_after(HEAD_UNREADABLE)
    head, _, body = answer_to(central_server.url, raw).partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close" and int(headers["content-length"]) == len(body)
    assert json.loads(body) == expected
    # The server goes on serving.
    assert requests.get(f"{central_server.url}/health", timeout=5).status_code == 200


#: Requests whose head h11 reads but whose chunked body it cannot: a chunk size that is
#: no hex number, a chunk longer than its size, a trailer without its colon.
BROKEN_BODIES = {
    "size": b"zz\r\n{}\r\n0\r\n\r\n",
    "chunk": b"2\r\n{}}\r\n0\r\n\r\n",
    "trailer": b"2\r\n{}\r\n0\r\nNo colon\r\n\r\n",
}
CHUNKED_POST = (
    b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def _answers(received: bytes) -> list[tuple[str, Any]]:
    """Each answer's status line and JSON body, in order, from what one connection got."""
    return [(answer.status_line, json.loads(answer.body)) for answer in split_answers(received)]


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_a_request_whose_body_cannot_be_read_gets_a_400_that_says_the_body(
    central_server: RunningCentral, body: bytes
) -> None:
    """The 400 said "its request line or headers cannot be read" when they had been read
    and the body was what went wrong."""
    expected = documented_after("whose body is not what they declare")
    answers = _answers(answer_to(central_server.url, CHUNKED_POST + body))
    assert answers == [("HTTP/1.1 400 Bad Request", expected)]


def test_what_follows_a_body_longer_than_its_length_gets_a_400_that_says_so(
    central_server: RunningCentral,
) -> None:
    """A body longer than its Content-Length: the request is answered as it was measured
    (two bytes, ``{}``: no code), and the rest, read as the next request, is none."""
    after_body = documented_after("longer than its `Content-Length` said")
    raw = (
        b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 2\r\n\r\n{}, "code": "x"}\r\n\r\n'
    )
    answers = _answers(answer_to(central_server.url, raw))
    assert [status.split()[1] for status, _ in answers] == ["422", "400"], answers
    assert answers[1][1] == after_body
    # A broken head sent later on a connection, not with a request: the head's 400.
    host, port = central_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GARBAGE\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert _answers(received) == [("HTTP/1.1 400 Bad Request", documented_after(HEAD_UNREADABLE))]


def test_a_broken_head_after_a_request_without_a_body_gets_the_400_for_a_head(
    central_server: RunningCentral,
) -> None:
    """A broken head sent in one write with a request that has no body (or a chunked one,
    whose end is its own) is the next request's: the 400 said a body had run past its
    Content-Length."""
    chunked = (
        b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    for first in (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", chunked):
        answers = _answers(answer_to(central_server.url, first + b"GARBAGE\r\n\r\n"))
        assert answers[1:] == [("HTTP/1.1 400 Bad Request", documented_after(HEAD_UNREADABLE))]


def test_a_run_on_that_arrives_after_the_answer_is_read_as_a_head(
    central_server: RunningCentral,
) -> None:
    """The rest of a body longer than its Content-Length, sent once the request's answer
    is complete, cannot be told from a broken next request (docs/operations.md): it gets
    the 400 for a head, and the connection is closed."""
    host, port = central_server.url.removeprefix("http://").split(":")
    post = (
        b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(post)
        assert read_answer(sock).startswith(b"HTTP/1.1 422 ")
        sock.sendall(b', "code": "x"}\r\n\r\n')
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert _answers(received) == [("HTTP/1.1 400 Bad Request", documented_after(HEAD_UNREADABLE))]


def test_what_follows_a_body_longer_than_its_length_is_named_so_however_it_arrives(
    central_server: RunningCentral,
) -> None:
    """A route that answers without reading the body (here ``POST /health``'s 405) had
    answered before the rest of a body longer than its Content-Length arrived: the run-on
    bytes came in the read that finished the body, after the answer, and the 400 said the
    request line or headers could not be read. It names what followed the body, as when
    the bytes were there before the answer."""
    after_body = documented_after("longer than its `Content-Length` said")
    host, port = central_server.url.removeprefix("http://").split(":")
    post = b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\n{}"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(post)
        assert read_answer(sock).startswith(b"HTTP/1.1 405 ")
        sock.sendall(b'{}, "code": "x"}\r\n\r\n')  # the body's last two bytes, and more
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert _answers(received) == [("HTTP/1.1 400 Bad Request", after_body)]


def test_a_body_broken_after_the_answer_closes_the_connection_without_an_error_logged() -> None:
    """h11 found the chunked body of a request broken after the centre had answered it: the
    protocol then wrote its 400 on a connection whose answer was already sent, h11 refused,
    and every such request left an ERROR with a traceback in the log ("Fatal error:
    protocol.data_received() call failed"). Now the connection is only closed."""
    warning = "Invalid HTTP request received."
    with start_central(extra_args=TEST_SERVER_ARGS) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n"
            )
            assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"not a chunk\r\n")
            after = b""
            while chunk := sock.recv(65536):
                after += chunk
        assert after == b""  # closed; no second answer on a connection already answered
        # A request line that is none, on a connection of its own: its warning comes after
        # whatever the broken body logged, on the same stream.
        assert answer_to(server.url, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        wait_until(lambda: server.stderr_tail().count(warning) == 2, 30, "both warnings")
        log = server.output_tail()
    assert "Traceback" not in log and "ERROR" not in log, log


def test_a_body_broken_before_the_answer_gets_one_400_and_no_error_logged() -> None:
    """h11 found a chunked body broken before the route had answered: the 400 was written,
    and then the route's own answer met a connection already answered (a route answering
    without reading the body, here ``POST /health``'s 405), or a page's form reader met a
    body that would never come. Each left "Exception in ASGI application" with a traceback
    in the log, as did a form whose sender went away half-way. Now: the one 400, uvicorn's
    warning, and for the form one line saying its body did not arrive whole."""
    warning = "Invalid HTTP request received."
    expected = documented_after("whose body is not what they declare")
    form = b"Content-Type: application/x-www-form-urlencoded\r\n"
    with start_central(extra_args=TEST_SERVER_ARGS) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" + form + b"Content-Length: 100"
                b"\r\n\r\nusername=a"
            )  # and goes away
        wait_until(
            lambda: (
                "did not arrive whole" in server.output_tail()
                or "Traceback" in server.output_tail()
            ),
            30,
            "the form's line",
        )
        for head in (b"POST /health HTTP/1.1\r\n", b"POST /login HTTP/1.1\r\n" + form):
            raw = head + b"Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=b\r\nzz\r\n"
            answers = _answers(answer_to(server.url, raw))
            assert answers == [("HTTP/1.1 400 Bad Request", expected)]
        # A request line that is none, on a connection of its own: its warning comes after
        # whatever the broken bodies logged, on the same stream.
        assert answer_to(server.url, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        wait_until(lambda: server.output_tail().count(warning) == 3, 30, "the three warnings")
        log = server.output_tail()
    assert "Traceback" not in log and "ERROR" not in log, log
    assert log.count("did not arrive whole") == 2, log  # the form's, alone and after its 400
