"""Request heads a city's centre refuses before any route: one larger than 16 KiB
however it arrives, one with a control character in a header's value, one that frames
its body two ways; and a request beyond ``--max-connections``. A chunked body whose
chunk-size line is longer than 4 KiB, or whose trailer section is larger than 16 KiB,
however it arrives. Each gets the error body docs/central-api.md shows, one line in the
log, and its connection closed; nothing of it reaches a route.

Real sockets on 127.0.0.1 to a real centre; the bytes are written by hand, as no client
library would send them.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator

import pytest
import requests

from central.process import RunningCentral, start_central
from central.request_heads import MAX_CHUNK_LINE_BYTES, MAX_CHUNK_OVERHEAD_BYTES, MAX_HEAD_BYTES
from testkit.api_docs import documented_after
from testkit.centres import SHARED_START_S, TEST_SERVER_ARGS
from testkit.raw_http import RawAnswer, answer_to, connect, read_answer, split_answers, until_closed
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(120)

#: Where docs/central-api.md shows each answer.
TOO_LARGE = "larger than 16 KiB, however it arrives"
CONTROL = "A control character in a header's value"
TWO_FRAMINGS = "A body framed two ways"
CHUNK_LINE = "is longer than 4 KiB with its line end"
TRAILERS = "blank line after them) is larger than 16 KiB"
OVERHEAD = "twice its data's length"
OVERLOADED = "Beyond `--max-connections` open connections"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    with start_central(extra_args=TEST_SERVER_ARGS, timeout_s=SHARED_START_S) as running:
        yield running


def head_of(size: int, first: bytes = b"GET /health HTTP/1.1", extra: bytes = b"") -> bytes:
    """A request head of exactly ``size`` bytes up to its blank line: ``first``, a Host,
    the header lines ``extra`` and ordinary headers of 80 bytes each (the last longer)."""
    start = first + b"\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" + extra
    room = size - len(start) - 2
    count = (room - 40) // 80
    lines = [b"X-Pad-%05d: %s\r\n" % (n, b"v" * 65) for n in range(count)]
    lines.append(b"X-Pad-last: " + b"w" * (room - 80 * count - 14) + b"\r\n")
    head = start + b"".join(lines) + b"\r\n"
    assert len(head) == size
    return head


def only_answer(received: bytes) -> RawAnswer:
    """The one answer ``received`` holds."""
    answers = split_answers(received)
    assert len(answers) == 1, [answer.status_line for answer in answers]
    return answers[0]


def assert_refused(received: bytes, status: int, documented: str) -> RawAnswer:
    """``received`` (all a connection got before its close) is one answer: ``status``
    with the error body docs/central-api.md shows after ``documented``."""
    answer = only_answer(received)
    assert answer.status == status, answer.status_line
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["connection"] == "close"
    assert json.loads(answer.body) == documented_after(documented)
    return answer


def logged(centre: RunningCentral, sentence: str) -> str:
    """The centre's log, once ``sentence`` is in it."""
    wait_until(lambda: sentence in centre.output_tail(), 30, f"the line {sentence!r}")
    return centre.output_tail()


# -- the size of a head ------------------------------------------------------------------


def test_a_head_of_the_limit_made_of_many_ordinary_headers_is_served(
    centre: RunningCentral,
) -> None:
    head = head_of(MAX_HEAD_BYTES, extra=b"Connection: close\r\n")
    assert head.count(b"\r\n") > 200
    answer = only_answer(answer_to(centre.url, head))
    assert answer.status == 200, answer.status_line


def test_a_keep_alive_connection_serves_two_heads_of_the_limit(centre: RunningCentral) -> None:
    with connect(centre.url) as sock:
        for _ in range(2):
            sock.sendall(head_of(MAX_HEAD_BYTES))
            assert read_answer(sock).startswith(b"HTTP/1.1 200 ")


def _in_one_write(centre: RunningCentral, raw: bytes) -> bytes:
    return answer_to(centre.url, raw)


def _in_two_writes(centre: RunningCentral, raw: bytes) -> bytes:
    with connect(centre.url) as sock:
        sock.sendall(raw[:10_000])  # under the limit, unfinished
        sock.sendall(raw[10_000:])
        return until_closed(sock)


def _after_a_request(centre: RunningCentral, raw: bytes) -> bytes:
    """What a connection gets for ``raw`` sent once a request on it was answered."""
    with connect(centre.url) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(raw)
        return until_closed(sock)


#: Heads over the limit, by shape: many headers, one value padded with spaces (which h11
#: strips), a long request target, a POST with its body, one still unfinished.
TOO_LARGE_HEADS = {
    "headers": head_of(70_000),
    "one byte over": head_of(MAX_HEAD_BYTES + 1),
    "padded value": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: "
    + b" " * 20_000
    + b"a\r\n\r\n",
    "long target": b"GET /health?q=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "post": head_of(
        40_000,
        b"POST /api/v1/enrol HTTP/1.1",
        b"Content-Type: application/json\r\nContent-Length: 2\r\n",
    )
    + b"{}",
    "unfinished": b"GET /?x=" + b"A" * 20_000,
}
#: How a head arrives: in one write, in two (the first under the limit), after a request
#: answered on the same connection.
ARRIVALS = {
    "one write": _in_one_write,
    "two writes": _in_two_writes,
    "after a request": _after_a_request,
}


@pytest.mark.parametrize("arrive", ARRIVALS.values(), ids=ARRIVALS.keys())
@pytest.mark.parametrize("raw", TOO_LARGE_HEADS.values(), ids=TOO_LARGE_HEADS.keys())
def test_a_head_over_the_limit_is_refused_however_it_arrives(
    centre: RunningCentral, raw: bytes, arrive: Callable[[RunningCentral, bytes], bytes]
) -> None:
    """A head of 70 KB that arrived whole was read and served: h11's 16 KiB held only for
    a head still unfinished. The answer is the 431, never a route's (``/health``'s 200,
    enrol's 422), and the connection is closed after it."""
    assert_refused(arrive(centre, raw), 431, TOO_LARGE)
    logged(centre, f"refused a request (431): its head is larger than {MAX_HEAD_BYTES} bytes")


def test_the_refusal_reaches_a_client_still_sending(centre: RunningCentral) -> None:
    """The centre answered a head too large and closed the socket with the rest of the
    client's bytes unread: the kernel then resets the connection, and the reset lost the
    answer (the client's read failed with "connection reset"). The answer arrives whole,
    and then the connection's end."""
    with connect(centre.url) as sock:
        sock.sendall(head_of(70_000) + b"x" * 500_000)
        received = until_closed(sock)
    assert_refused(received, 431, TOO_LARGE)


def test_what_follows_a_body_with_no_head_end_within_the_limit_is_named_so(
    centre: RunningCentral,
) -> None:
    """Bytes that came with a request, after its body, are read as the next request; more
    than 16 KiB of them without a head's end say what followed that body, as any others
    that are no request do."""
    raw = (
        b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}" + b"x" * 20_000
    )
    answers = split_answers(answer_to(centre.url, raw))
    assert [answer.status for answer in answers] == [422, 400]
    assert json.loads(answers[1].body) == documented_after("longer than its `Content-Length` said")


CHUNKED_ENROL = (
    b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
#: Requests without a body, or whose body's end is its own, and their answers.
BODY_ENDS_KNOWN = {
    "get": (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200),
    "length 0": (b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", 405),
    "chunked": (CHUNKED_ENROL + b"2\r\n{}\r\n0\r\n\r\n", 422),
}


@pytest.mark.parametrize(("first", "status"), BODY_ENDS_KNOWN.values(), ids=BODY_ENDS_KNOWN.keys())
def test_a_head_over_the_limit_after_a_body_whose_end_is_known_is_a_431(
    centre: RunningCentral, first: bytes, status: int
) -> None:
    """A head too large that came in one write with a request without a body (a ``GET``,
    a ``POST`` of ``Content-Length: 0``) or with a chunked body (whose end is its own) is
    the next request's and nothing else: it got the 400 for what followed a body longer
    than its Content-Length, of which there was none."""
    answers = split_answers(answer_to(centre.url, first + head_of(70_000)))
    assert [answer.status for answer in answers] == [status, 431]
    assert json.loads(answers[1].body) == documented_after(TOO_LARGE)


# -- control characters ------------------------------------------------------------------

#: Heads with a control character in a header's value, on a page, the API and /health.
WITH_CONTROL = {
    "soh": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: NIK3201\x01x\r\n\r\n",
    "backspace": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: NIK3201\x08\r\n\r\n",
    "shift out": b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: NIK3201\x0etext/html\r\n\r\n",
    "unit separator": b"POST /api/v1/citizens/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Authorization: Bearer NIK3201\x1fy\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    "delete": b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: session=NIK3201\x7f\r\n\r\n",
    "escape": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Referer: http://x/\x1b[2J NIK3201\r\n\r\n",
}


@pytest.mark.parametrize("raw", WITH_CONTROL.values(), ids=WITH_CONTROL.keys())
def test_a_control_character_in_a_header_value_is_refused_and_never_repeated(
    centre: RunningCentral, raw: bytes
) -> None:
    """h11 refuses NUL, CR and LF in a value, and let the other control characters through
    to the routes (and the log, and the database)."""
    received = answer_to(centre.url, raw)
    assert_refused(received, 400, CONTROL)
    assert not any(byte < 0x20 or byte == 0x7F for byte in received.replace(b"\r\n", b""))
    log = logged(centre, "refused a request (400): a header's value holds a control character")
    assert "NIK3201" not in log


def test_tabs_and_bytes_past_ascii_in_a_value_are_still_served(centre: RunningCentral) -> None:
    """A value may hold tabs between its characters, and obs-text (RFC 9110 §5.5)."""
    raw = (
        b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\tb \xc3\xa9\r\n"
        b"Connection: close\r\n\r\n"
    )
    assert only_answer(answer_to(centre.url, raw)).status == 200


# -- a body framed two ways --------------------------------------------------------------

ENROL = b"POST /api/v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
#: A request whose next one is hidden in its body for whoever reads it by its length, or
#: by its chunks: each server in a chain may see a different second request.
TWO_WAYS = {
    "te then cl": ENROL
    + b"Transfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "cl then te": ENROL
    + b"Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te in http/1.0": b"POST /api/v1/enrol HTTP/1.0\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    # h11 reads any version of the form d.d, and a request below 1.1 as it reads 1.0.
    "te in http/0.9": b"POST /api/v1/enrol HTTP/0.9\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te in http/0.0": b"POST /api/v1/enrol HTTP/0.0\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "smuggled by chunks": ENROL + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"0\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "smuggled by length": b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 44\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b"0\r\n\r\nGET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
}


@pytest.mark.parametrize("raw", TWO_WAYS.values(), ids=TWO_WAYS.keys())
def test_a_body_framed_two_ways_is_refused_and_the_connection_closed(
    centre: RunningCentral, raw: bytes
) -> None:
    """Transfer-Encoding with Content-Length was read by its chunks and served, and what
    followed on the connection was served as the next request: a proxy in front that read
    it by its length would see another. One 400, nothing after it."""
    assert_refused(answer_to(centre.url, raw), 400, TWO_FRAMINGS)
    logged(centre, "refused a request (400): its head frames its body two ways")


def test_the_connection_refused_reads_nothing_more(centre: RunningCentral) -> None:
    """What the client sends after the refusal's answer is never read as a request."""
    with connect(centre.url) as sock:
        sock.sendall(ENROL + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")
        head = read_answer(sock)
        assert head.startswith(b"HTTP/1.1 400 ")
        try:
            sock.sendall(b"0\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            return  # closed already: nothing can be read
        assert until_closed(sock) == b""


# -- a chunked body's lines --------------------------------------------------------------


def chunk_line(size: int, length: int) -> bytes:
    """A chunk-size line for ``size`` bytes, exactly ``length`` bytes long with its CRLF,
    padded by an extension (which h11 drops unread)."""
    start = b"%x;nik=3201" % size
    line = start + b"a" * (length - len(start) - 2) + b"\r\n"
    assert len(line) == length
    return line


def trailers_of(size: int) -> bytes:
    """A trailer section exactly ``size`` bytes long, up to and with its blank line."""
    start = b"X-Nik: 3201\r\n"
    room = size - len(start) - 2
    count = (room - 40) // 80
    lines = [b"X-Pad-%05d: %s\r\n" % (n, b"v" * 65) for n in range(count)]
    lines.append(b"X-Pad-last: " + b"w" * (room - 80 * count - 14) + b"\r\n")
    section = start + b"".join(lines) + b"\r\n"
    assert len(section) == size
    return section


#: Chunked bodies of ``{}`` (read by the route, which answers 422 for it) whose lines are
#: at their limits: a chunk-size line of 4 KiB, the last chunk's line of 4 KiB (with
#: trailers), a trailer section of 16 KiB, all three, thousands of one-byte chunks, and
#: chunk-size lines of 20 KB together, each within its chunk's allowance.
AT_THE_LIMITS = {
    "chunk line": chunk_line(2, MAX_CHUNK_LINE_BYTES) + b"{}\r\n0\r\n\r\n",
    "last chunk's line": b"2\r\n{}\r\n" + chunk_line(0, MAX_CHUNK_LINE_BYTES) + b"X: y\r\n\r\n",
    "trailers": b"2\r\n{}\r\n0\r\n" + trailers_of(MAX_HEAD_BYTES),
    "all three": chunk_line(2, MAX_CHUNK_LINE_BYTES)
    + b"{}\r\n"
    + chunk_line(0, MAX_CHUNK_LINE_BYTES)
    + trailers_of(MAX_HEAD_BYTES),
    "one-byte chunks": b"".join(b"1\r\n%c\r\n" % byte for byte in b"{" + b" " * 20_000 + b"}")
    + b"0\r\n\r\n",
    "lines within their allowance": b"".join(
        chunk_line(100, 16 + 2 * 100 - 2) + piece + b"\r\n"
        for piece in (b"{" + b" " * 99, *[b" " * 100] * 98, b" " * 99 + b"}")
    )
    + b"0\r\n\r\n",
}
#: Chunked bodies with a line over its limit, and their status: a chunk-size line of 4 KiB
#: and a byte, one of megabytes, one unfinished, one after a chunk, the last chunk's; a
#: trailer section of 16 KiB and a byte, one of megabytes, one unfinished, one after a
#: last chunk's line with an extension.
OVER_THE_LIMITS = {
    "chunk line": (chunk_line(2, MAX_CHUNK_LINE_BYTES + 1) + b"{}\r\n0\r\n\r\n", 400),
    "megabytes of extension": (chunk_line(2, 3_000_000) + b"{}\r\n0\r\n\r\n", 400),
    "unfinished line": (chunk_line(2, 10_000)[:-2], 400),
    "line after a chunk": (b"1\r\n{\r\n" + chunk_line(1, 5_000) + b"}\r\n0\r\n\r\n", 400),
    "last chunk's line": (
        b"2\r\n{}\r\n" + chunk_line(0, MAX_CHUNK_LINE_BYTES + 1) + b"\r\n",
        400,
    ),
    "trailers": (b"2\r\n{}\r\n0\r\n" + trailers_of(MAX_HEAD_BYTES + 1), 431),
    "megabytes of trailers": (b"2\r\n{}\r\n0\r\n" + trailers_of(3_000_000), 431),
    "unfinished trailers": (b"2\r\n{}\r\n0\r\n" + trailers_of(20_000)[:-4], 431),
    "trailers after an extension": (
        b"2\r\n{}\r\n" + chunk_line(0, 100) + trailers_of(MAX_HEAD_BYTES + 1),
        431,
    ),
}
#: Where a body is split in two writes: a byte in, a byte before the line limit, at it,
#: inside the CRLF of the first line, half-way, a byte before its end.
SPLITS: dict[str, Callable[[bytes], int]] = {
    "at 1": lambda body: 1,
    "a byte before the line limit": lambda body: MAX_CHUNK_LINE_BYTES - 1,
    "at the line limit": lambda body: MAX_CHUNK_LINE_BYTES,
    "inside a CRLF": lambda body: max(body.find(b"\r\n"), 0) + 1,
    "half-way": lambda body: len(body) // 2,
    "a byte before the end": lambda body: len(body) - 1,
}
#: Bytes sent one a write: past every limit, the rest in one write.
BYTE_BY_BYTE = MAX_CHUNK_LINE_BYTES + MAX_HEAD_BYTES + 400


def send_in_writes(sock: socket.socket, pieces: list[bytes]) -> None:
    """Each piece in a write of its own (``TCP_NODELAY``: a segment each); sending stops
    if the centre has closed its side of the connection (what it answered is read
    after)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for piece in pieces:
            sock.sendall(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass


def arrivals(body: bytes) -> dict[str, list[bytes]]:
    """The ways ``body`` arrives after its head: in one write with it, a byte at a time,
    or split in two writes at each of :data:`SPLITS`."""
    by_byte = [body[at : at + 1] for at in range(min(len(body), BYTE_BY_BYTE))]
    ways = {"one write": [body], "byte by byte": [*by_byte, body[BYTE_BY_BYTE:]]}
    for name, split in SPLITS.items():
        at = split(body)
        ways[f"split {name}"] = [body[:at], body[at:]]
    return ways


def answers_for(centre: RunningCentral, head: bytes, pieces: list[bytes]) -> bytes:
    with connect(centre.url) as sock:
        sock.sendall(head)
        send_in_writes(sock, pieces)
        return until_closed(sock)


@pytest.mark.parametrize("body", AT_THE_LIMITS.values(), ids=AT_THE_LIMITS.keys())
def test_a_chunked_body_with_lines_at_their_limits_is_served_however_it_arrives(
    centre: RunningCentral, body: bytes
) -> None:
    """The route reads the body (``{}``) and answers it."""
    head = CHUNKED_ENROL.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    for way, pieces in arrivals(body).items():
        answer = only_answer(answers_for(centre, head, pieces))
        assert answer.status == 422, (way, answer.status_line, answer.body)


@pytest.mark.parametrize(("body", "status"), OVER_THE_LIMITS.values(), ids=OVER_THE_LIMITS.keys())
def test_a_chunked_body_with_a_line_over_its_limit_is_refused_however_it_arrives(
    centre: RunningCentral, body: bytes, status: int
) -> None:
    """A chunk-size line of megabytes of extensions, or megabytes of trailer fields, sent
    in one write was read whole by h11 (its 16 KiB held only for a line still
    unfinished) and the request served. One refusal, before any answer of the route; the
    connection closed; nothing of the line in the log."""
    documented = CHUNK_LINE if status == 400 else TRAILERS
    for way, pieces in arrivals(body).items():
        received = answers_for(centre, CHUNKED_ENROL, pieces)
        answer = only_answer(received)
        assert answer.status == status, (way, answer.status_line, answer.body)
        assert json.loads(answer.body) == documented_after(documented), way
    said = (
        f"refused a request (400): a chunk-size line of its body is longer than "
        f"{MAX_CHUNK_LINE_BYTES} bytes"
        if status == 400
        else f"refused a request (431): the trailer section of its chunked body is larger "
        f"than {MAX_HEAD_BYTES} bytes"
    )
    log = logged(centre, said)
    assert "nik=3201" not in log and "aaaa" not in log and "X-Pad" not in log
    # The route, begun when the head came first, was told its client is gone: no error.
    assert "Traceback" not in log and "ERROR" not in log, log


#: One-byte chunks whose lines, each under 4 KiB, outweigh their data: the fifth takes
#: the lines past 16 KiB beyond their allowance.
OUTWEIGHED = b"".join(chunk_line(1, 4_000) + b"%c\r\n" % byte for byte in b"{    }") + b"0\r\n\r\n"


def test_a_chunked_body_whose_lines_outweigh_its_data_is_refused_however_it_arrives(
    centre: RunningCentral,
) -> None:
    """Chunk-size lines each under 4 KiB, each with its chunk of one byte, carried megabytes
    of extensions past ``--max-body`` (which counts the data alone), each line read and
    dropped by h11. Beyond 16 bytes and twice its data a line's length counts; past 16 KiB
    of it, the one refusal."""
    assert 4 * (4_000 - 16) < MAX_CHUNK_OVERHEAD_BYTES < 5 * (4_000 - 16)
    for way, pieces in arrivals(OUTWEIGHED).items():
        answer = only_answer(answers_for(centre, CHUNKED_ENROL, pieces))
        assert answer.status == 400, (way, answer.status_line, answer.body)
        assert json.loads(answer.body) == documented_after(OVERHEAD), way
    log = logged(
        centre,
        "refused a request (400): the chunk-size lines of its body hold more than "
        f"{MAX_CHUNK_OVERHEAD_BYTES} bytes beyond what its data allows",
    )
    assert "nik=3201" not in log and "aaaa" not in log
    assert "Traceback" not in log and "ERROR" not in log, log


#: One-byte chunks whose lines stay just under what the lines may take beyond their data.
UNDER_THE_OVERHEAD = (
    b"".join(chunk_line(1, 4_000) + b"%c\r\n" % byte for byte in b"{  }") + b"0\r\n\r\n"
)


def test_what_one_chunked_body_took_beyond_its_data_is_not_held_against_the_next(
    centre: RunningCentral,
) -> None:
    """Each request on a kept connection starts with nothing owed: two bodies, each just
    under the limit, are both served."""
    assert MAX_CHUNK_OVERHEAD_BYTES > 4 * (4_000 - 16)
    with connect(centre.url) as sock:
        for _ in range(3):
            sock.sendall(CHUNKED_ENROL + UNDER_THE_OVERHEAD)
            answer = only_answer(read_answer(sock))
            assert answer.status == 422, (answer.status_line, answer.body)


def test_a_chunk_line_over_its_limit_after_the_answer_closes_the_connection(
    centre: RunningCentral,
) -> None:
    """A route that answers without reading the body (``POST /health``'s 405) keeps its
    answer; the line over the limit that follows closes the connection, without a second
    answer (h11 refuses one) or a reset, and without an error in the log."""
    with connect(centre.url) as sock:
        sock.sendall(
            b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n"
        )
        assert read_answer(sock).startswith(b"HTTP/1.1 405 ")
        send_in_writes(sock, [chunk_line(2, 100_000)])
        assert until_closed(sock) == b""
    log = logged(centre, "a chunk-size line of its body is longer than")
    assert "Traceback" not in log and "ERROR" not in log, log


# -- beyond --max-connections ------------------------------------------------------------


def test_beyond_max_connections_a_request_gets_the_documented_503_with_retry_after() -> None:
    """uvicorn's own answer was plain text ("Service Unavailable"), without Retry-After."""
    extra = ("--max-connections", "4", "--header-timeout", "60", "--body-timeout", "60")
    with start_central(extra_args=(*TEST_SERVER_ARGS, *extra), timeout_s=SHARED_START_S) as c:
        held = [connect_from(c, f"127.0.0.{2 + n // 2}") for n in range(4)]  # 2 an address
        try:
            for sock in held:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 12")  # open, unfinished
            with connect_from(c, "127.0.0.9") as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                answer = assert_refused(until_closed(sock), 503, OVERLOADED)
            assert answer.headers["retry-after"] == "2"
        finally:
            for sock in held:
                sock.close()
        logged(c, "refused a request (503): the centre holds as many open connections")
        # Once they close, the centre serves again.
        wait_until(lambda: _served(c), 30, "a request served once the connections closed")


def connect_from(centre: RunningCentral, source: str) -> socket.socket:
    """A connection from another loopback address (all of 127.0.0.0/8 is this host)."""
    return socket.create_connection(
        ("127.0.0.1", centre.port), timeout=10, source_address=(source, 0)
    )


def _served(centre: RunningCentral) -> bool:
    try:
        return requests.get(f"{centre.url}/health", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


# -- a HEAD request ----------------------------------------------------------------------

#: HEAD requests the centre answers before any route, by what refuses them: a control
#: character, two framings, a chunked body that breaks off (h11), the connection limit.
HEAD = b"HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
HEAD_REFUSED = {
    "control": (HEAD + b"X-Note: NIK3201\x01\r\n\r\n", 400, CONTROL),
    "two framings": (
        HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        400,
        TWO_FRAMINGS,
    ),
    "broken chunks": (
        HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
        400,
        "whose body is not what they declare",
    ),
}


def assert_head_only(received: bytes, status: int, documented: str) -> dict[str, str]:
    """``received`` is the head of the answer ``status`` whose body docs/central-api.md
    shows after ``documented``, with that body's length, and nothing after it: an answer
    to HEAD has no body."""
    head, blank, rest = received.partition(b"\r\n\r\n")
    assert blank and rest == b"", received
    status_line, *lines = head.decode("ascii").split("\r\n")
    assert status_line.split()[1] == str(status), status_line
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    body = json.dumps(documented_after(documented)).encode("utf-8")
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(body))
    assert headers["connection"] == "close"
    return headers


def test_a_head_request_refused_gets_the_answer_head_alone_and_no_error_logged() -> None:
    """The centre's refusal wrote its error body after the head of its answer to a HEAD
    request: h11 refuses a body there, and the refusal escaped ("Fatal error:
    protocol.data_received() call failed", a traceback in the log), the answer cut off
    and the connection reset. Beyond ``--max-connections`` likewise."""
    warning = "Invalid HTTP request received."
    extra = ("--max-connections", "4", "--header-timeout", "60", "--body-timeout", "60")
    with start_central(extra_args=(*TEST_SERVER_ARGS, *extra), timeout_s=SHARED_START_S) as c:
        for raw, status, documented in HEAD_REFUSED.values():
            assert_head_only(answer_to(c.url, raw), status, documented)
        held = [connect_from(c, f"127.0.0.{2 + n // 2}") for n in range(4)]  # 2 an address
        try:
            for sock in held:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 12")  # open, unfinished
            with connect_from(c, "127.0.0.9") as sock:
                sock.sendall(HEAD + b"\r\n")
                headers = assert_head_only(until_closed(sock), 503, OVERLOADED)
            assert headers["retry-after"] == "2"
        finally:
            for sock in held:
                sock.close()
        wait_until(lambda: _served(c), 30, "a request served once the connections closed")
        # A request line that is none, on a connection of its own: its warning comes after
        # whatever the HEAD requests logged, on the same stream.
        assert answer_to(c.url, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
        wait_until(lambda: c.output_tail().count(warning) == 2, 30, "both warnings")
        log = c.output_tail()
    assert "Traceback" not in log and "ERROR" not in log, log


# -- every worker ------------------------------------------------------------------------


def test_every_worker_refuses_the_same_heads() -> None:
    """``--workers N``: each worker serves with the centre's protocol and its rules."""
    with start_central(
        extra_args=(*TEST_SERVER_ARGS, "--workers", "2"), timeout_s=SHARED_START_S
    ) as c:
        for _ in range(4):  # the kernel hands connections to either worker
            assert_refused(answer_to(c.url, TOO_LARGE_HEADS["headers"]), 431, TOO_LARGE)
            assert_refused(answer_to(c.url, TWO_WAYS["cl then te"]), 400, TWO_FRAMINGS)
            assert_refused(answer_to(c.url, WITH_CONTROL["soh"]), 400, CONTROL)
            assert _served(c)
