"""What a request's head may be before the centre reads it: one size, no control
characters, one way to frame its body.

h11 reads a request's head (its request line and headers) for uvicorn, and lets
through three shapes a city's server should not serve:

* **a head of any size that arrives whole**: h11's limit (16 KiB) holds only for a
  head still unfinished, so one of 70 KB sent in one write was read and served;
* **control characters in a header's value** (``\\x01``, ``\\x1f``, ``\\x7f``): h11
  refuses NUL, CR, LF, VT and FF, and lets the rest through to the routes, the logs
  and the database;
* **a body framed two ways**: ``Transfer-Encoding`` and ``Content-Length`` both, or
  ``Transfer-Encoding`` in a request older than HTTP/1.1 (h11 reads any version of the
  form ``d.d``, and one below 1.1 as HTTP/1.0). h11 reads the body as chunked; a proxy
  in front may have read it by its length, and the two then disagree on where the
  next request begins (request smuggling). RFC 9112 §6.1 lets a server refuse it and
  bids it close the connection whatever it does.

:class:`ScreenedConnection` is h11's server side with these rules: each head is held
to them before the protocol (central/connections.py) sees it, so no route, of the
pages or of the API, ever gets one. A head over :data:`MAX_HEAD_BYTES` is refused unread, from
the bytes buffered, however they arrived; the other two once h11 has read the head.
Each refusal is a :class:`Refusal`: the status and error body to answer (Bahasa
Indonesia first, never a byte of the request) and the sentence to log. The cost on
a normal request is a length compared and one pass over its headers.

A chunked body carries lines of its own that h11 reads whole as well: each chunk's size
line, with its extensions (``5;name=value``), which h11 drops unread, and the trailer
section after the last chunk (``0``), header fields read like a head's. h11 bounds them
only while they are unfinished (16 KiB), so megabytes of extensions or trailer fields
sent in one write were buffered and read. A chunk-size line longer than
:data:`MAX_CHUNK_LINE_BYTES` is refused (``400``: RFC 9112 §7.1.1 bids a server limit
extensions and answer a 4xx; they are no header fields, and 4 KiB is the line Go's
server allows, with its CRLF), and so are chunk-size lines that outweigh their data by
more than :data:`MAX_CHUNK_OVERHEAD_BYTES` at any point of the body (``400``: many lines
under the limit, each with a byte of data, would carry megabytes of extensions, which
``--max-body``, counting the data alone, never sees; as in Go's server, a later chunk
with more data than its line pays back what earlier lines owed, so extensions stay
within a fixed share of the data, some 14 bytes a byte of it at the most, each line
dropped by h11 as it is read: bandwidth, never memory); a trailer section larger than
:data:`MAX_HEAD_BYTES` too (``431``: trailer fields are header fields, RFC 9110 §6.5,
held to the head's limit). All are judged from the bytes buffered before h11 reads them,
so however the body is split into reads. A body that is not chunked costs nothing more;
a chunked one, a search for each chunk's size line's end (at most 4 KiB, from the
line's start again at each read while it is unfinished) and its size read, and a
search of at most 16 KiB when that many bytes wait at its trailer section.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import h11

#: The most bytes a request's head (request line, headers, the blank line after them)
#: may hold, however it arrives: h11's own default for a head still unfinished, which
#: the connection keeps too.
MAX_HEAD_BYTES = 16 * 1024

#: The most bytes a chunk-size line may hold with its extensions and its CRLF, however
#: it arrives (the line Go's HTTP server allows; h11's own limit, 16 KiB, holds only
#: for a line still unfinished).
MAX_CHUNK_LINE_BYTES = 4 * 1024
#: What a chunked body's size lines may hold together beyond their allowance: each
#: chunk's line may take 16 bytes and twice its data's length free (``1\r\nX\r\n``, a byte
#: a chunk, is well within), and what a line takes beyond it, with the CRLF after its
#: data, is owed, and a chunk's line that takes less than its allowance pays back what
#: earlier lines owed (the rule of Go's server). Past this much owed at once, the body is
#: refused: many lines each under :data:`MAX_CHUNK_LINE_BYTES` cannot carry extensions
#: beyond a fixed share of the data (some 14 bytes a byte of data at the most).
MAX_CHUNK_OVERHEAD_BYTES = 16 * 1024

#: Where h11 ends a head: the first blank line (``\n`` or ``\r\n`` line ends).
_HEAD_END = re.compile(rb"\n\r?\n")
#: The control characters a header's value may not hold: all of C0 but HTAB, and DEL
#: (RFC 9110 §5.5: a value is visible characters, obs-text, spaces and tabs). h11
#: refuses NUL, LF, VT, FF and CR itself; they are here so that the rule is whole.
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
#: The last chunk's size line as h11 reads it (1 to 20 hex digits, all zero, then any
#: extensions, spaces or tabs, CRLF): the trailer section follows it.
_LAST_CHUNK = re.compile(rb"0{1,20}(?:;[^\n]*)?[ \t]*\r\n")
#: A chunk-size line's size, as h11 reads it.
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,20}")


@dataclass(frozen=True)
class Refusal:
    """A request refused before any route: its answer, and what the log says of it."""

    status: int
    reason: bytes
    body: bytes
    #: For the log: what was wrong, never what the request held.
    said: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _body(error: str, detail: str) -> bytes:
    return json.dumps({"error": error, "detail": detail}).encode("utf-8")


TOO_LARGE = Refusal(
    431,
    b"Request Header Fields Too Large",
    _body(
        "request_header_fields_too_large",
        "Permintaan HTTP ditolak: baris permintaan dan kepalanya lebih dari 16 KiB. / "
        "Request refused: its request line and headers are larger than 16 KiB.",
    ),
    f"its head is larger than {MAX_HEAD_BYTES} bytes",
)
CONTROL_CHARACTER = Refusal(
    400,
    b"Bad Request",
    _body(
        "bad_request",
        "Permintaan HTTP tidak sah: nilai salah satu kepalanya memuat karakter kendali. / "
        "Invalid HTTP request: the value of one of its headers holds a control character.",
    ),
    "a header's value holds a control character",
)
TWO_FRAMINGS = Refusal(
    400,
    b"Bad Request",
    _body(
        "bad_request",
        "Permintaan HTTP tidak sah: kepalanya menyatakan panjang isinya dengan dua cara "
        "(Transfer-Encoding dan Content-Length), atau memakai Transfer-Encoding pada "
        "HTTP/1.0 atau yang lebih lama. / Invalid HTTP request: its headers declare its "
        "body's length two ways (Transfer-Encoding and Content-Length), or use "
        "Transfer-Encoding in HTTP/1.0 or older.",
    ),
    "its head frames its body two ways (Transfer-Encoding with Content-Length, "
    "or Transfer-Encoding in HTTP/1.0 or older)",
)

CHUNK_LINE_TOO_LONG = Refusal(
    400,
    b"Bad Request",
    _body(
        "bad_request",
        "Permintaan HTTP tidak sah: baris ukuran salah satu potongan (chunk) isinya, "
        "dengan ekstensinya, lebih dari 4 KiB. / Invalid HTTP request: a chunk-size line "
        "of its body, with its extensions, is longer than 4 KiB.",
    ),
    f"a chunk-size line of its body is longer than {MAX_CHUNK_LINE_BYTES} bytes",
)
TOO_MUCH_CHUNK_OVERHEAD = Refusal(
    400,
    b"Bad Request",
    _body(
        "bad_request",
        "Permintaan HTTP tidak sah: baris ukuran potongan (chunk) isinya, dengan "
        "ekstensinya, bersama-sama lebih panjang daripada yang diizinkan isinya. / "
        "Invalid HTTP request: the chunk-size lines of its body, with their extensions, "
        "are longer together than its data allows.",
    ),
    f"the chunk-size lines of its body hold more than {MAX_CHUNK_OVERHEAD_BYTES} bytes "
    "beyond what its data allows",
)
TRAILERS_TOO_LARGE = Refusal(
    431,
    b"Request Header Fields Too Large",
    _body(
        "request_header_fields_too_large",
        "Permintaan HTTP ditolak: kolom trailer sesudah isinya (chunked) lebih dari "
        "16 KiB. / Request refused: the trailer fields after its chunked body are larger "
        "than 16 KiB.",
    ),
    f"the trailer section of its chunked body is larger than {MAX_HEAD_BYTES} bytes",
)


class Framing(enum.Enum):
    """How a request's head frames its body, as h11 reads it."""

    #: No ``Content-Length`` (or ``0``), no ``Transfer-Encoding``: no body.
    NONE = "none"
    #: By its ``Content-Length``: a body that ends where the count does.
    LENGTH = "length"
    #: By its chunks (``Transfer-Encoding``: h11 knows only ``chunked``, and refuses any
    #: other): a body that ends with its own last chunk and trailer section.
    CHUNKED = "chunked"


def screen_head(request: h11.Request) -> tuple[Refusal | None, Framing]:
    """Why ``request``'s head (read by h11) is refused, or ``None``, and how it frames
    its body: one pass over its headers."""
    transfer_encoding = content_length = False
    framing = Framing.NONE
    for name, value in request.headers:
        if _CONTROL.search(value) is not None:
            return CONTROL_CHARACTER, framing
        if name == b"transfer-encoding":
            transfer_encoding = True
            framing = Framing.CHUNKED
        elif name == b"content-length":
            content_length = True
            # h11 has checked it is digits; all zeros is no body.
            if framing is Framing.NONE and value.strip(b"0"):
                framing = Framing.LENGTH
    # Versions are d.d: compared as bytes, as h11 compares them itself.
    if transfer_encoding and (content_length or request.http_version < b"1.1"):
        return TWO_FRAMINGS, framing
    return None, framing


def head_too_large(buffered: bytes) -> bool:
    """Whether the head at the start of ``buffered`` (more than :data:`MAX_HEAD_BYTES`)
    ends past the limit, or not at all within it."""
    return _HEAD_END.search(buffered, 0, MAX_HEAD_BYTES) is None


def trailers_too_large(buffered: bytearray, start: int) -> bool:
    """Whether the trailer section at ``start`` in ``buffered`` is over
    :data:`MAX_HEAD_BYTES`: judged once that many bytes are buffered from its start,
    finished or not, and only then (nothing shorter is searched)."""
    if len(buffered) - start < MAX_HEAD_BYTES:
        return False
    # No trailer fields (h11 reads a blank line there as the section's end), or their
    # end within the limit.
    if buffered.startswith((b"\n", b"\r\n"), start):
        return False
    return _HEAD_END.search(buffered, start, start + MAX_HEAD_BYTES) is None


class ScreenedConnection(h11.Connection):
    """h11's server side, holding each request's head to the rules above.

    A head refused is handed to ``refuse`` (which answers it and closes the
    connection) and never returned: the caller sees :data:`h11.NEED_DATA`, as if
    nothing had come. ``screen`` may then refuse a head that keeps the rules, for
    reasons of its own (the centre's load). A chunked body whose size line or trailer
    section is over its limit, or whose size lines outweigh its data, is handed to
    ``refuse`` likewise, while the body is read (``their_state`` is
    :data:`h11.SEND_BODY`): the route may have begun, or answered.
    """

    def __init__(
        self,
        refuse: Callable[[Refusal], None],
        screen: Callable[[h11.Request], Refusal | None],
    ) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self._refuse = refuse
        self._screen = screen
        #: A head was refused: nothing more is read from the connection.
        self._refused = False
        #: The method of the request whose head was read in this cycle (refused or not),
        #: ``None`` before one is: an answer to ``HEAD`` carries no body.
        self.request_method: bytes | None = None
        #: How the head read in this cycle frames its body; no body before one is read.
        self.body_framing = Framing.NONE
        #: A chunked body's size lines so far beyond their allowance (MAX_CHUNK_OVERHEAD_BYTES).
        self._chunk_overhead = 0

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        if self._refused:
            return h11.NEED_DATA
        if self.their_state is not h11.IDLE:  # a body, or waiting for our answer
            if self.body_framing is Framing.CHUNKED and self.their_state is h11.SEND_BODY:
                refusal = self._chunk_framing_refusal()
                if refusal is not None:
                    return self._refused_with(refusal)
            return super().next_event()
        # A head is next. h11 checks its size only while it is unfinished; more bytes
        # than the limit buffered must hold the head's end within it, or it is refused
        # before h11 spends time reading it. The buffer's length is h11's own
        # (h11.Connection keeps the buffer as ``_receive_buffer``); the bytes are read
        # (``trailing_data``, a copy) only when there are that many.
        if len(self._receive_buffer) > MAX_HEAD_BYTES and head_too_large(self.trailing_data[0]):
            return self._refused_with(TOO_LARGE)
        event = super().next_event()
        if type(event) is h11.Request:
            self.request_method = event.method
            refusal, self.body_framing = screen_head(event)
            refusal = refusal or self._screen(event)
            if refusal is not None:
                return self._refused_with(refusal)
        return event

    def start_next_cycle(self) -> None:
        super().start_next_cycle()
        self.request_method = None
        self.body_framing = Framing.NONE
        self._chunk_overhead = 0

    def _chunk_framing_refusal(self) -> Refusal | None:
        """The refusal of the chunk-size line or trailer section h11 reads next, if it
        is over its limit, or ``None``.

        Each is judged before h11 reads it, from the bytes buffered: a line once its
        CRLF is in (h11 then reads it in this step, so each is counted once towards
        :data:`MAX_CHUNK_OVERHEAD_BYTES`), or once :data:`MAX_CHUNK_LINE_BYTES` are in
        without it; a trailer section once :data:`MAX_HEAD_BYTES` are in. However the
        body was split into reads, the same line or section is refused. A last chunk's
        line (size ``0``) is followed at once by the trailer section, which h11 reads in
        the same step, so that is judged with it.

        Where h11 stands in the body is its chunked reader's (h11 0.16's
        ``ChunkedReader``: bytes left of the chunk's data, the CRLF after the data
        still to drop, whether the trailer section is next), and the bytes are read in
        h11's buffer itself (``_receive_buffer._data``), never copied: a chunked body
        sent whole may hold thousands of chunks, each asked for in turn."""
        reader = self._reader
        if reader._bytes_in_chunk:  # type: ignore[union-attr]
            return None  # inside a chunk's data, which h11 hands on as it comes
        buffered: bytearray = self._receive_buffer._data
        if reader._reading_trailer:  # type: ignore[union-attr]
            return TRAILERS_TOO_LARGE if trailers_too_large(buffered, 0) else None
        footer: bytes = reader._bytes_to_discard  # type: ignore[union-attr]
        if len(buffered) <= len(footer) or not buffered.startswith(footer):
            return None  # nothing of the line yet; or no CRLF after the data: h11 refuses
        start = len(footer)
        end = buffered.find(b"\r\n", start, start + MAX_CHUNK_LINE_BYTES)
        if end < 0:
            if len(buffered) - start >= MAX_CHUNK_LINE_BYTES:
                return CHUNK_LINE_TOO_LONG
            return None  # the line is still to come
        size = _CHUNK_SIZE.match(buffered, start, end)
        if size is None:
            return None  # no size: h11 refuses the line
        chunk_bytes = int(size[0], 16)
        # The line, and the CRLF after its data, beyond 16 bytes and twice the data.
        excess = self._chunk_overhead + (end - start) + 2 - 16 - 2 * chunk_bytes
        self._chunk_overhead = max(excess, 0)
        if self._chunk_overhead > MAX_CHUNK_OVERHEAD_BYTES:
            return TOO_MUCH_CHUNK_OVERHEAD
        if chunk_bytes == 0 and _LAST_CHUNK.fullmatch(buffered, start, end + 2) is not None:
            return TRAILERS_TOO_LARGE if trailers_too_large(buffered, end + 2) else None
        return None

    def _refused_with(self, refusal: Refusal) -> type[h11.NEED_DATA]:
        self._refused = True
        self._refuse(refusal)
        return h11.NEED_DATA
