"""``/board/{token}``: the waiting room's TV, its live stream, and the voice clips it plays.

Public routes guarded by the board's token (no login on a TV): an unknown or
revoked token gets a refusal page (403) and no stream. The token is 256
random bits, so a refusal is not counted against the address (a revoked TV
retrying all day must not lock an office's staff out of their logins).

The stream (``/board/{token}/events``) is Server-Sent Events: one ``call``
message per event of the office (``id:`` is the event's id, so the browser's
``Last-Event-ID``, or ``?after=``, resumes after the last one seen), a
``state`` message when the waiting counts or the running text change, a
``heartbeat`` message every :data:`HEARTBEAT_S` (an event rather than a
comment, so the board's script can tell a silent dead connection), and an
end after :data:`STREAM_S` or as soon as the server begins to stop, after
which the board connects again: no stream holds a server's shutdown. A
stream never polls the database on its own: it waits on
:class:`central.live.LiveFeed` (one poller per process) and reads only when
woken, or at its heartbeat.

One board token holds at most :data:`STREAMS_PER_BOARD` open streams per
server process; one more is refused with 429 until one ends, so a leaked
board URL cannot take every connection the server allows.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.types import Receive, Scope, Send

from central.access.audit import utc_now
from central.api.deps import AppContext, get_context
from central.office import board_feed, boards, calls, numbering
from central.office.boards import Board
from central.web.forms import page_router
from central.web.pages import Texts, render

router = page_router()

HEARTBEAT_S = 15.0
STREAM_S = 240.0
RETRY_MS = 2000
#: Open streams one board token may hold on one server process (a TV needs one).
STREAMS_PER_BOARD = 3
CLIP = r"^[a-z_]{1,20}$"

TEXTS: Texts = {
    "board.title": ("Papan antrean", "Queue board"),
    "board.calling": ("Nomor dipanggil", "Now calling"),
    "board.counter": ("Loket", "Counter"),
    "board.none": ("Belum ada panggilan", "No call yet"),
    "board.recent": ("Panggilan sebelumnya", "Called before"),
    "board.waiting": ("Menunggu", "Waiting"),
    "board.people": ("orang", "people"),
    "board.offline": ("terputus", "disconnected"),
    "board.online": ("tersambung", "connected"),
    "board.revoked": (
        "Papan ini sudah dicabut. Hubungi petugas.",
        "This board has been revoked. Ask the staff.",
    ),
    "board.refused": (
        "Papan ini tidak dikenal atau sudah dicabut. Minta petugas mendaftarkan papan baru.",
        "This board is unknown or revoked. Ask staff to register a new board.",
    ),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "login.title": ("Masuk petugas", "Staff login"),
}


def _board(ctx: AppContext, token: str) -> Board | None:
    with ctx.db.read() as conn:
        return boards.authenticate(conn, token)


def _refused(request: Request) -> HTMLResponse:
    return render(request, "refused.html", TEXTS, status=403, reason="board.refused")


@router.get("/board/{token}", response_model=None)
def board_page(request: Request, token: Annotated[str, Path(max_length=100)]) -> Response:
    ctx = get_context(request)
    board = _board(ctx, token)
    if board is None:
        return _refused(request)
    now = utc_now()
    day = numbering.local_day(now, ctx.settings.zone)
    with ctx.db.read() as conn:
        view = board_feed.snapshot(conn, board.office_id, day, ctx.documents)
    local = now.astimezone(ctx.settings.zone)
    return render(
        request,
        "board.html",
        TEXTS,
        view=view,
        board=board,
        events_url=f"/board/{token}/events?after={view.last_id}",
        zone=ctx.settings.timezone,
        clock=local.strftime("%H:%M"),
    )


def _sse(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _read(ctx: AppContext, board: Board, after_id: int) -> tuple[bool, list[str]]:
    """(still active, the messages of the office's events after ``after_id``)."""
    now = utc_now()
    with ctx.db.read() as conn:
        if not boards.is_active(conn, board.id):
            return False, []
        rows = calls.after(conn, board.office_id, after_id)
        names = board_feed.names(conn, ctx.documents) if rows else {}
        return True, [
            _sse("call", board_feed.event_message(row, now, names, conn), int(row.id))
            for row in rows
        ]


def _state(ctx: AppContext, board: Board) -> dict[str, Any]:
    day = numbering.local_day(utc_now(), ctx.settings.zone)
    with ctx.db.read() as conn:
        return board_feed.state_message(conn, board.office_id, day, ctx.documents)


async def _stream(ctx: AppContext, board: Board, after_id: int) -> AsyncIterator[str]:
    started = beat = time.monotonic()
    last_state: dict[str, Any] | None = None
    yield f"retry: {RETRY_MS}\n\n"
    while True:
        seen = ctx.live.version(board.office_id)  # before reading: a wake after it is not lost
        active, messages = await run_in_threadpool(_read, ctx, board, after_id)
        if not active:
            yield _sse("revoked", {})
            return
        for message in messages:  # the calls first: the state can wait a moment
            after_id = int(message.split("\n", 1)[0][4:])
            yield message
        # Woken (a call, a ticket issued, the running text) or at the heartbeat:
        # the waiting counts and the running text are read again.
        state = await run_in_threadpool(_state, ctx, board)
        if state != last_state:
            last_state = state
            yield _sse("state", state)
        if len(messages) >= 200:
            continue  # more to catch up on
        now = time.monotonic()
        if now - started >= STREAM_S:
            return
        if now - beat >= HEARTBEAT_S:
            beat = now
            yield _sse("heartbeat", {})
        await ctx.live.wait(board.office_id, HEARTBEAT_S, seen)
        if ctx.live.ending:
            return  # the server is stopping: the TV connects again, to one that runs


class _Open:
    """How many streams each board holds open on this process."""

    def __init__(self) -> None:
        self._count: dict[str, int] = {}

    def take(self, board_id: str) -> Callable[[], None] | None:
        """A release for one more stream of ``board_id``, or ``None`` at the cap."""
        held = self._count.get(board_id, 0)
        if held >= STREAMS_PER_BOARD:
            return None
        self._count[board_id] = held + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            left = self._count[board_id] - 1
            if left:
                self._count[board_id] = left
            else:
                del self._count[board_id]

        return release


#: On the event loop only: no lock needed.
OPEN_STREAMS = _Open()


class _BoardStream(StreamingResponse):
    """A board's stream that gives its place back however it ends (or if it never starts)."""

    def __init__(self, content: AsyncIterator[str], release: Callable[[], None]) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


def _resume_from(request: Request, after: int | None) -> int | None:
    sent = request.headers.get("last-event-id", "")
    if sent.isdigit() and len(sent) <= 18:
        return int(sent)
    return after


@router.get("/board/{token}/events", response_model=None)
async def board_events(
    request: Request,
    token: Annotated[str, Path(max_length=100)],
    after: Annotated[int | None, Query(ge=0, le=10**18)] = None,
) -> Response:
    ctx = get_context(request)
    board = await run_in_threadpool(_board, ctx, token)
    if board is None:
        return PlainTextResponse("board unknown or revoked", status_code=403)
    release = OPEN_STREAMS.take(board.id)
    if release is None:
        return PlainTextResponse(
            "this board has too many open streams",
            status_code=429,
            headers={"Retry-After": str(RETRY_MS // 1000)},
        )
    try:
        start = _resume_from(request, after)
        if start is None:

            def newest() -> int:
                with ctx.db.read() as conn:
                    return calls.last_id(conn, board.office_id)

            start = await run_in_threadpool(newest)
    except BaseException:
        release()
        raise
    return _BoardStream(_stream(ctx, board, start), release)


@router.get("/voice/{name}.wav", response_model=None)
def voice_clip(request: Request, name: Annotated[str, Path(pattern=CLIP)]) -> Response:
    """One word of an announcement (public: the clips are the same for every office)."""
    found = get_context(request).voice.clip(name)
    if found is None:
        return PlainTextResponse("no such clip", status_code=404)
    return FileResponse(
        found,
        media_type="audio/wav",
        headers={"Cache-Control": "public, max-age=86400"},
        stat_result=None,
    )
