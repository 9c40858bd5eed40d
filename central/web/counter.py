"""``/counter``: the counter (loket) page: pick a desk, call, recall, hold, transfer, close.

The page reads the request, calls :mod:`central.office` (desks, queue,
steps, registrations) and renders. Its live part (the called tickets, the
waiting and held tickets with their wait) is ``/counter/panel``, a fragment
the page's script asks for again and again, a long poll: the request is held
until the office's newest event moves past ``after`` or the desk's waiting
list (:func:`central.office.desks.waiting_mark`, checked every
:data:`WAITING_CHECK_S`: a ticket issued at a kiosk makes no event) moves
past ``seen``, or :data:`PANEL_WAIT_S` passes (the wait times move on). The
script swaps in only the parts that changed and keeps the focus where it was.

The actions are forms posting to ``/counter/<action>``, each naming the
ticket the page showed; the script sends them with ``fetch`` (``Accept:
application/json``: a JSON answer with a message in the page's language),
without it they answer with the page. An action on a ticket that is no
longer where the page showed it is refused (409) and changes nothing. The
registration of the called ticket is ``/counter/registration/<ticket>``:
personal data, audited at each view.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, select

from central.access.audit import utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import Context
from central.errors import (
    ApiError,
    CounterBusy,
    Forbidden,
    HeldGoesBack,
    NoDesk,
    PastDayTicket,
    UnknownCounter,
)
from central.office import calls, desks, numbering, queue, registrations, steps
from central.office.counters import offered
from central.tables import offices
from central.web.bookings_today import ServiceDay, service_days
from central.web.counter_texts import ACTION_BUTTONS, ACTIONS, TEXTS
from central.web.forms import page_router
from central.web.pages import language, render
from central.web.problems import asks_json, script_answer
from central.web.session import Csrf, StaffPage
from contract.wire import ErrorCode

router = page_router()

#: How long a panel request waits for news before it answers anyway (seconds).
PANEL_WAIT_S = 20.0
#: How often a waiting panel request looks at the desk's waiting list (seconds).
WAITING_CHECK_S = 2.0
FieldText = Annotated[str, Form(max_length=100)]


def _offices(conn: Connection, staff: StaffPrincipal) -> list[tuple[str, str]]:
    query = select(offices.c.id, offices.c.name).where(offices.c.active.is_(True))
    if staff.office_id is not None:
        query = query.where(offices.c.id == staff.office_id)
    return [(r.id, r.name) for r in conn.execute(query.order_by(offices.c.id))]


def _today(ctx: Any) -> dt.date:
    return numbering.local_day(utc_now(), ctx.settings.zone)


def _panel_context(ctx: Any, conn: Connection, desk: desks.Desk, lang: str) -> dict[str, Any]:
    now = utc_now()
    today = _today(ctx)
    state = desks.desk_state(conn, desk, today, now)
    facts = queue.catalog_facts(conn, ctx.documents)

    def name(service_id: str) -> str:
        names = facts.service_names.get(service_id)
        return names[lang] if names else service_id

    def minutes(row: queue.TicketRow) -> int:
        return max(0, int((now - row.queued_at).total_seconds() // 60))

    # A counter a new catalog dropped calls nothing back: its held tickets go back to a
    # queue instead (their own, or another if the catalog dropped that too), or they (and
    # the desk, which may not leave them) are stuck. With no active service left to take
    # them, or held on a day before today (a queue is a day's), they are closed there
    # (served or not come). The page offers what the steps allow: one rule,
    # steps.held_way, ticket by ticket; and no transfer of a day before's ticket called
    # here (steps.transfer refuses it).
    gone = desk.counter not in offered(conn, desk.office_id)
    ways = {row.id: steps.held_way(conn, row, today) for row in state.held}
    going_back = steps.GO_BACK in ways.values()
    queues = numbering.office_services(conn, desk.office_id) if going_back else {}
    current = state.current
    return {
        "state": state,
        "service_name": name,
        "wait_minutes": minutes,
        "last_event": calls.last_id(conn, desk.office_id),
        "waiting_mark": desks.waiting_mark(conn, desk, today, now),
        # asked ahead at a kiosk, its citizen still there: call-next passes it by
        "at_kiosk": lambda row: queue.at_kiosk(row, now),
        "counter_gone": gone,
        "current_past": current is not None and current.day < today,
        "held_ways": ways,
        # Why the closing ones close: no service left to take them, or a day before today.
        "held_closes": any(ways[r.id] == steps.CLOSE and r.day >= today for r in state.held),
        "held_past_closes": any(ways[r.id] == steps.CLOSE and r.day < today for r in state.held),
        "held_goes_back": going_back,
        "return_queues": {sid: name(sid) for sid in queues},
    }


def _page(
    request: Request, ctx: Any, staff: StaffPrincipal, *, status: int = 200, problem: str = ""
) -> HTMLResponse:
    lang = language(request)
    with ctx.db.read() as conn:
        desk = desks.desk_of(conn, staff, _today(ctx), utc_now())
        office_list = _offices(conn, staff)
        office_id = desk.office_id if desk else (office_list[0][0] if office_list else "")
        services = numbering.office_services(conn, office_id) if office_id else {}
        facts = queue.catalog_facts(conn, ctx.documents)
        counters = offered(conn, office_id) if office_id else []
        panel = _panel_context(ctx, conn, desk, lang) if desk else {}
    today: list[ServiceDay] = []
    if desk is not None:
        with ctx.db.begin() as conn:  # reading the day's bookings marks due no-shows
            today = service_days(conn, ctx, desk.office_id, lang, service_ids=list(desk.queues))
    names = {
        sid: (facts.service_names.get(sid) or {}).get(lang, info.name)
        for sid, info in services.items()
    }
    return render(
        request,
        "counter.html",
        TEXTS,
        status=status,
        staff=staff,
        desk=desk,
        offices=office_list,
        office_id=office_id,
        services=names,
        counters=counters,
        problem=problem,
        actions=ACTION_BUTTONS,
        label=desks.label,
        today=today,
        show_entries=True,
        **panel,
    )


@router.get("/counter")
def counter_page(request: Request, staff: StaffPage, ctx: Context) -> HTMLResponse:
    return _page(request, ctx, staff)


@router.post("/counter/desk", response_model=None)
def choose_desk(
    request: Request,
    staff: StaffPage,
    ctx: Context,
    _: Csrf,
    office_id: FieldText = "",
    counter: FieldText = "",
    queues: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> Response:
    """Sit at a counter of the office, calling from its services.

    Refused as every step of the page is: with the refusal's status (422 for a
    counter the office does not have, 409 for leaving one with a ticket still
    there, 403 for another office, 400 for no service of the office), the page
    saying what to do, or to a script (:func:`central.web.problems.asks_json`) the
    same message as JSON.
    """
    chosen = office_id or staff.office_id or ""
    try:
        with ctx.db.begin() as conn:
            desk = desks.choose(
                conn, staff, chosen, counter, list(queues or []), utc_now(), day=_today(ctx)
            )
    except ApiError as exc:
        key = _desk_problem(exc)
        if asks_json(request):
            return _answer(request, exc.status, key)
        return _page(request, ctx, staff, status=exc.status, problem=key)
    return _answer(request, 200, "counter.desk.at", counter=desks.label(desk.counter))


def _desk_problem(exc: ApiError) -> str:
    """The page's message for a refused choice of desk."""
    if isinstance(exc, CounterBusy):
        return "counter.problem.leave"
    if isinstance(exc, UnknownCounter):
        return "counter.problem.no_counter"
    if isinstance(exc, Forbidden):
        return "counter.problem.other_office"
    return "counter.problem.desk"


@router.get("/counter/panel")
async def panel(
    request: Request,
    staff: StaffPage,
    ctx: Context,
    after: Annotated[int, Query(ge=-1)] = -1,
    seen: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The live part of the page; held while ``after`` and ``seen`` are still the newest.

    Correct whether :meth:`central.live.LiveFeed.wait` returns at each poll
    interval or only when woken: the loop keeps its own deadline and looks
    again after every wait.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PANEL_WAIT_S

    def desk_now() -> tuple[desks.Desk | None, int, str]:
        """The staff member's desk (it may have changed), the newest event, the waiting mark."""
        with ctx.db.read() as conn:
            desk = desks.desk_of(conn, staff, _today(ctx), utc_now())
            if desk is None:
                return None, 0, ""
            return (
                desk,
                calls.last_id(conn, desk.office_id),
                desks.waiting_mark(conn, desk, _today(ctx), utc_now()),
            )

    def last_event(office_id: str) -> int:
        with ctx.db.read() as conn:
            return calls.last_id(conn, office_id)

    # A staff member of one office: the version before the first read. (Of every office:
    # after it, the desk naming the office; a wake in between waits WAITING_CHECK_S at most.)
    woken = ctx.live.version(staff.office_id) if staff.office_id else None
    desk, last, mark = await run_in_threadpool(desk_now)
    if desk is None:
        return HTMLResponse("", status_code=409)
    chosen, looked = desk, loop.time()
    if woken is None or desk.office_id != staff.office_id:
        woken = ctx.live.version(chosen.office_id)
    # After each wake-up (or poll interval) one indexed query for the newest event; every
    # WAITING_CHECK_S the desk and its waiting list too. Nothing is drawn until one moved.
    while after >= last and seen == mark and desk == chosen:
        left = deadline - loop.time()
        if left <= 0 or ctx.live.ending or await request.is_disconnected():
            break
        # The version taken before the last read: a wake that came while it read is not lost.
        await ctx.live.wait(chosen.office_id, min(left, WAITING_CHECK_S), seen=woken)
        woken = ctx.live.version(chosen.office_id)
        if loop.time() - looked >= WAITING_CHECK_S:
            desk, last, mark = await run_in_threadpool(desk_now)
            looked = loop.time()
        else:
            last = await run_in_threadpool(last_event, chosen.office_id)
    if desk is None:
        return HTMLResponse("", status_code=409)
    chosen = desk

    def draw() -> HTMLResponse:
        lang = language(request)
        with ctx.db.read() as conn:
            context = _panel_context(ctx, conn, chosen, lang)
        return render(
            request,
            "counter_panel.html",
            TEXTS,
            staff=staff,
            desk=chosen,
            label=desks.label,
            **context,
        )

    return await run_in_threadpool(draw)


def at_desk(staff: StaffPrincipal, desk: desks.Desk) -> StaffPrincipal:
    """``staff`` as the page acts for them: reaching only the desk's office.

    A counter is an office's: "Loket 1" of another office is another counter.
    An account for every office sits at one office's desk, so the steps and the
    registration it reaches through the page are that office's only; another
    office's ticket is unknown there (404), as to an account of one office.
    """
    return dataclasses.replace(staff, office_id=desk.office_id)


def _answer(request: Request, status: int, key: str, **values: object) -> Response:
    """To a script, ``key``'s message as JSON with ``status``; to a browser, the page again."""
    if asks_json(request):
        return script_answer(request, status, TEXTS, key, **values)
    return RedirectResponse("/counter", status_code=303)


def _act(
    request: Request, ctx: Any, staff: StaffPrincipal, action: str, form: dict[str, str]
) -> Response:
    now = utc_now()
    ticket_id = form.get("ticket_id", "")
    with ctx.db.begin() as conn:
        desk = desks.desk_of(conn, staff, _today(ctx), now)
        if desk is None:
            raise NoDesk("choose a counter and its services first")
        staff = at_desk(staff, desk)
        if action == "call-next":
            _, row = steps.call_next_at(conn, staff, desk, ticket_id or None, _today(ctx), now)
        elif action == "recall":
            row = steps.recall(conn, staff, ticket_id, desk.counter, now)
        elif action in ("served", "no-show"):
            status = queue.SERVED if action == "served" else queue.NO_SHOW
            row = steps.close(conn, staff, ticket_id, status, desk.counter, now, _today(ctx))
        elif action == "hold":
            row = steps.hold(conn, staff, ticket_id, desk.counter, now)
        elif action == "call-back":
            row = steps.call_back(conn, staff, ticket_id, desk.counter, now, _today(ctx))
        else:  # transfer
            row = steps.transfer(
                conn,
                staff,
                ticket_id,
                from_counter=desk.counter,
                queue_id=form.get("to_queue") or None,
                to_counter=form.get("to_counter") or None,
                now=now,
                day=_today(ctx),
            )
    ctx.live.wake(desk.office_id)
    if row is None:
        return _answer(request, 200, _nobody_called(ctx, desk, now))
    return _answer(request, 200, f"counter.done.{action}", number=row.display)


def _nobody_called(ctx: Any, desk: desks.Desk, now: dt.datetime) -> str:
    """Why "Panggil berikutnya" called nobody: nobody waits, or only numbers whose citizen
    is still at the kiosk (listed as waiting, "sedang di anjungan")."""
    with ctx.db.read() as conn:
        waiting = desks.desk_state(conn, desk, _today(ctx), now).waiting
    if any(queue.at_kiosk(row, now) for row in waiting):
        return "counter.done.nobody_yet"
    return "counter.done.nobody"


def _problem(exc: ApiError, action: str) -> str:
    """The page's message for a refused ``action``."""
    if isinstance(exc, NoDesk):
        return "counter.problem.no_desk"
    if isinstance(exc, CounterBusy):
        return "counter.problem.busy"
    if isinstance(exc, HeldGoesBack):
        return "counter.problem.gone_close"
    if isinstance(exc, PastDayTicket):
        return "counter.problem.past_day"
    if isinstance(exc, UnknownCounter):
        # A transfer names the counter to send to; any other step acts at the desk's own,
        # which a recall finds with its ticket still called there.
        if action == "transfer":
            return "counter.problem.to_counter"
        if action == "call-back":
            return "counter.problem.gone_held"
        if action == "hold":
            return "counter.problem.gone_hold"
        return "counter.problem.gone_recall" if action == "recall" else "counter.problem.gone"
    if exc.code == ErrorCode.UNKNOWN_SERVICE:
        return "counter.problem.to_queue"
    if exc.status == 409:
        return "counter.problem.state"
    if exc.status == 400:
        return "counter.problem.input"
    return "counter.problem.ticket"


@router.post("/counter/{action}", response_model=None)
def act(
    request: Request,
    action: str,
    staff: StaffPage,
    ctx: Context,
    _: Csrf,
    ticket_id: FieldText = "",
    to_queue: FieldText = "",
    to_counter: FieldText = "",
) -> Response:
    if action not in ACTIONS:
        return _answer(request, 404, "counter.problem.action")
    form = {"ticket_id": ticket_id, "to_queue": to_queue, "to_counter": to_counter}
    try:
        return _act(request, ctx, staff, action, form)
    except ApiError as exc:
        key = _problem(exc, action)
        if asks_json(request):
            return _answer(request, exc.status, key)
        return _page(request, ctx, staff, status=exc.status, problem=key)


@router.get("/counter/registration/{ticket_id}")
def registration(
    request: Request,
    ticket_id: Annotated[str, Path(max_length=64)],
    staff: StaffPage,
    ctx: Context,
) -> HTMLResponse:
    """The called ticket's registration (personal data): audited at every view."""
    lang = language(request)
    try:
        with ctx.db.begin() as conn:
            desk = desks.desk_of(conn, staff, _today(ctx), utc_now())
            if desk is None:
                raise NoDesk("choose a counter first")
            found = registrations.view(
                conn,
                at_desk(staff, desk),
                ticket_id,
                desk.counter,
                documents=ctx.documents,
                audit_key=ctx.audit_key,
                lang=lang,
                now=utc_now(),
            )
    except ApiError as exc:
        return render(
            request, "counter_registration.html", TEXTS, status=exc.status, found=None, refused=True
        )
    return render(request, "counter_registration.html", TEXTS, found=found, refused=False)
