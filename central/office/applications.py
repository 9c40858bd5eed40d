"""Citizens' applications ("berkas") and their state: "is my document ready?".

Staff record an application when a citizen hands in a file (a KTP reprint, a
family card change, a permit) and move it along; a kiosk asks, for a citizen
whose card it has verified, which applications they have and in what state.
The kiosk's question is a citizen lookup like any other, found by the same
function (:func:`central.office.citizens.kiosk_find`): audited in
``citizen_lookups`` with a keyed hash of the card number or NIK and counted
against the kiosk's lookup budget (:mod:`central.access.lookup_budget`). So is a staff member's
recording of an application: its answer (``unknown_citizen`` or not) tells
whether the key exists, so :func:`staff_lookup` audits it the same way,
committed before the application is written, whatever becomes of that.

States: ``received`` (diterima) → ``in_progress`` (diproses) → ``ready``
(siap diambil) → ``collected``, or ``rejected``; ``on_hold`` (ditunda: waiting
for something from the citizen or another office) and back; see
:data:`TRANSITIONS`. Each carries a note per language: ``note`` in Bahasa
Indonesia, ``note_en`` in English; a kiosk shows the one of the citizen's
language only (:mod:`central.api.applications` sends both apart).

Two staff may edit one application at once. A form carries the
application's :attr:`Application.version` as it was shown; :func:`change`
given that version writes only if the application is still as it was (the
``UPDATE`` is guarded by the state and notes read), else it raises
:class:`central.errors.StaleEdit` and writes nothing. A note not given is
left as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Unpack

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.access.audit import record_event, utc_now
from central.access.staff import require_reach
from central.errors import (
    Conflict,
    Forbidden,
    InvalidApplicationTransition,
    NotFound,
    StaleEdit,
)
from central.messages import triggers
from central.office.citizens import (
    KeyKind,
    KioskAsks,
    Refused,
    audit_lookup,
    kiosk_find,
    normalise_key,
)
from central.office.listing import listed
from central.tables import catalog_versions, citizen_applications, citizens, services
from contract.wire import ErrorCode

#: How many applications a kiosk is shown, newest first.
MAX_LISTED = 50
#: How many applications one page of the staff list shows.
PAGE_SIZE = 100
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


class State(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    COLLECTED = "collected"
    REJECTED = "rejected"
    ON_HOLD = "on_hold"


#: Where each state may go. Staying put is always allowed (to change the note).
TRANSITIONS: dict[State, frozenset[State]] = {
    State.RECEIVED: frozenset({State.IN_PROGRESS, State.READY, State.ON_HOLD, State.REJECTED}),
    State.IN_PROGRESS: frozenset({State.READY, State.ON_HOLD, State.REJECTED}),
    State.ON_HOLD: frozenset({State.IN_PROGRESS, State.READY, State.REJECTED}),
    State.READY: frozenset({State.COLLECTED, State.IN_PROGRESS, State.ON_HOLD}),
    State.COLLECTED: frozenset(),
    State.REJECTED: frozenset(),
}


@dataclass(frozen=True)
class Application:
    reference: str
    office_id: str
    service_id: str
    title_id: str
    title_en: str
    submitted_at: dt.datetime
    state: State
    state_changed_at: dt.datetime
    note: str | None
    note_en: str | None = None

    def __repr__(self) -> str:  # whose it is never reaches a log; the reference may
        return f"Application({self.reference!r}, {self.state.value})"

    @property
    def version(self) -> str:
        """An opaque token that changes whenever the state or a note does."""
        parts = (self.state.value, self.state_changed_at, self.note, self.note_en)
        text = "\x1f".join("\x00" if p is None else str(p) for p in parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _application(row: Any) -> Application:
    return Application(
        reference=row.reference,
        office_id=row.office_id,
        service_id=row.service_id,
        title_id=row.title_id,
        title_en=row.title_en,
        submitted_at=row.submitted_at,
        state=State(row.state),
        state_changed_at=row.state_changed_at,
        note=row.note,
        note_en=row.note_en,
    )


def _citizen_id(conn: Connection, kind: KeyKind, key: str) -> int | None:
    column = citizens.c.nik if kind is KeyKind.NIK else citizens.c.card_number
    found = conn.execute(select(citizens.c.id).where(column == key)).scalar_one_or_none()
    return None if found is None else int(found)


def _list(conn: Connection, citizen_id: int) -> list[Application]:
    rows = conn.execute(
        select(citizen_applications)
        .where(citizen_applications.c.citizen_id == citizen_id)
        .order_by(citizen_applications.c.submitted_at.desc(), citizen_applications.c.id.desc())
        .limit(MAX_LISTED)
    )
    return [_application(r) for r in rows]


def for_office(
    conn: Connection,
    office_id: str | None,
    *,
    state: State | None = None,
    reference: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> list[Application]:
    """One page of an office's applications (``None``: every office's), recently changed first.

    ``reference``: only those whose reference starts with it (case-blind).
    Nothing of the citizen is read: staff find a file by its reference.
    """
    rows = conn.execute(
        listed(select(citizen_applications), citizen_applications, office_id, state, reference)
        .order_by(citizen_applications.c.state_changed_at.desc(), citizen_applications.c.id.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, PAGE_SIZE)))
    )
    return [_application(r) for r in rows]


def count_for_office(
    conn: Connection,
    office_id: str | None,
    *,
    state: State | None = None,
    reference: str | None = None,
) -> int:
    """How many applications :func:`for_office` pages through with the same filters."""
    query = select(func.count()).select_from(citizen_applications)
    return int(
        conn.execute(listed(query, citizen_applications, office_id, state, reference)).scalar_one()
    )


def for_citizen(
    conn: Connection,
    kind: KeyKind,
    value: str,
    **asks: Unpack[KioskAsks],
) -> list[Application] | Refused:
    """A citizen's applications, newest first (none if unknown), or :class:`Refused`.

    Found as a kiosk's every card-number or NIK lookup is: audited and
    counted against the kiosk's budget (:func:`central.office.citizens.kiosk_find`).
    """
    found = kiosk_find(conn, kind, value, **asks)
    if found is None or isinstance(found, Refused):
        return [] if found is None else found
    return _list(conn, int(found.id))


def staff_lookup(
    conn: Connection,
    kind: KeyKind,
    value: str,
    *,
    service_id: str,
    username: str,
    allowed_office: str | None,
    audit_key: bytes,
) -> int | None:
    """Whose application staff are about to record: the citizen's id, or ``None``.

    The service and the office are checked first (403, 404 as
    :class:`ApiError`), so a refused caller learns nothing of the key; the
    lookup itself is audited, found or not, in the caller's transaction, which
    the caller commits before it answers ``unknown_citizen`` or goes on.
    """
    _service_office(conn, service_id, allowed_office)
    if kind is KeyKind.UID:
        raise ValueError("applications are only found by a verified card number or NIK")
    key = normalise_key(kind, value)
    citizen_id = _citizen_id(conn, kind, key)
    audit_lookup(
        conn, kind, key, staff_username=username, audit_key=audit_key, found=citizen_id is not None
    )
    return citizen_id


def _service_office(conn: Connection, service_id: str, allowed_office: str | None) -> str:
    service = conn.execute(select(services.c.office_id).where(services.c.id == service_id)).first()
    if service is None:
        raise NotFound(f"no service {service_id!r}", code=ErrorCode.UNKNOWN_SERVICE)
    if allowed_office is not None and service.office_id != allowed_office:
        raise Forbidden("the service belongs to another office")
    return str(service.office_id)


def service_title(conn: Connection, service_id: str) -> tuple[str, str] | None:
    """The service's name in Bahasa Indonesia and English, from the newest catalog."""
    body = conn.execute(
        select(catalog_versions.c.body).order_by(catalog_versions.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    if body is None:
        return None
    for service in json.loads(body).get("services", []):
        if service.get("id") == service_id:
            name = service.get("name", {})
            return str(name.get("id", service_id)), str(name.get("en", name.get("id", service_id)))
    return None


def new_reference() -> str:
    return "BRK-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def create(
    conn: Connection,
    *,
    citizen_id: int,
    service_id: str,
    reference: str | None,
    title: tuple[str, str] | None,
    state: State,
    note: str | None,
    submitted_at: dt.datetime | None,
    actor: str,
    allowed_office: str | None,
    note_en: str | None = None,
) -> Application:
    """Record an application of a citizen found before (:func:`staff_lookup`); 403, 404, 409."""
    office_id = _service_office(conn, service_id, allowed_office)
    titles = title or service_title(conn, service_id) or (service_id, service_id)
    now = utc_now()
    values: dict[str, Any] = {
        "citizen_id": citizen_id,
        "office_id": office_id,
        "service_id": service_id,
        "title_id": titles[0],
        "title_en": titles[1],
        "state": state.value,
        "note": note,
        "note_en": note_en,
        "submitted_at": submitted_at or now,
        "state_changed_at": now,
        "updated_by": actor[:100],
    }
    for _attempt in range(5):
        ref = reference or new_reference()
        try:
            with conn.begin_nested():
                conn.execute(insert(citizen_applications).values(reference=ref, **values))
        except IntegrityError:
            if reference is not None:
                raise Conflict(f"application {reference!r} exists") from None
            continue  # a generated reference collided: draw another
        record_event(
            conn, actor=actor, action="application.created", subject=ref, detail=service_id
        )
        return get(conn, ref)
    raise RuntimeError("could not draw a free application reference")  # pragma: no cover


def get(conn: Connection, reference: str) -> Application:
    row = conn.execute(
        select(citizen_applications).where(citizen_applications.c.reference == reference)
    ).first()
    if row is None:
        raise NotFound(f"no application {reference!r}", code=ErrorCode.UNKNOWN_APPLICATION)
    return _application(row)


def change(
    conn: Connection,
    reference: str,
    *,
    state: State | None,
    note: str | None,
    set_note: bool,
    actor: str,
    allowed_office: str | None,
    note_en: str | None = None,
    set_note_en: bool = False,
    version: str | None = None,
) -> Application:
    """Move an application to ``state`` and/or set its notes (``set_note``: even to ``None``).

    ``note`` is the Indonesian note, ``note_en`` the English one; each is
    set only when its ``set_…`` says so. ``version``: the
    :attr:`Application.version` the change was made against; if the
    application changed since, :class:`StaleEdit` (409) and nothing is written.
    """
    row = conn.execute(
        select(citizen_applications)
        .where(citizen_applications.c.reference == reference)
        .with_for_update()
    ).first()
    unknown = NotFound(f"no application {reference!r}", code=ErrorCode.UNKNOWN_APPLICATION)
    if row is None:
        raise unknown
    require_reach(allowed_office, row.office_id, unknown)
    found = _application(row)
    stale = StaleEdit(f"application {reference!r} changed since the form was made")
    if version is not None and version != found.version:
        raise stale
    current = found.state
    values: dict[str, Any] = {"updated_by": actor[:100]}
    if state is not None and state is not current:
        if state not in TRANSITIONS[current]:
            raise InvalidApplicationTransition(
                f"an application {current.value} cannot become {state.value}"
            )
        values.update(state=state.value, state_changed_at=utc_now())
    if set_note:
        values["note"] = note
    if set_note_en:
        values["note_en"] = note_en
    written = conn.execute(
        update(citizen_applications)
        .where(
            citizen_applications.c.reference == reference,
            citizen_applications.c.state == row.state,
            citizen_applications.c.state_changed_at == row.state_changed_at,
            citizen_applications.c.note.is_not_distinct_from(row.note),
            citizen_applications.c.note_en.is_not_distinct_from(row.note_en),
        )
        .values(**values)
    )
    if written.rowcount != 1:  # changed between the read and the write
        raise stale
    if "state" in values:
        record_event(
            conn,
            actor=actor,
            action="application.state",
            subject=reference,
            detail=f"{current.value}->{values['state']}",
        )
        if values["state"] == State.READY.value:
            changed = conn.execute(
                select(citizen_applications).where(citizen_applications.c.reference == reference)
            ).one()
            if not triggers.application_ready(conn, changed, values["state_changed_at"]):
                record_event(  # counted: a ready application its citizen was not told of
                    conn,
                    actor=actor,
                    action="application.ready_not_told",
                    subject=reference,
                    detail="no yes to messages from its citizen",
                )
    return get(conn, reference)


#: The demo: (card number of a demo citizen, service, reference, state, notes (id, en)).
DEMO_APPLICATIONS: tuple[tuple[str, str, str, State, tuple[str | None, str | None]], ...] = (
    (
        "PKU-000001",
        "ktp-cetak-ulang",
        "BRK-DEMO0001",
        State.READY,
        ("Ambil di loket 2.", "Collect at counter 2."),
    ),
    ("PKU-000001", "izin-usaha-mikro", "BRK-DEMO0002", State.IN_PROGRESS, (None, None)),
    ("PKU-000002", "kk-perubahan", "BRK-DEMO0003", State.RECEIVED, (None, None)),
)


def seed_demo(conn: Connection) -> int:
    """The demo applications whose citizen and service exist and that are not there yet."""
    added = 0
    for card_number, service_id, reference, state, (note, note_en) in DEMO_APPLICATIONS:
        exists = conn.execute(
            select(citizen_applications.c.id).where(citizen_applications.c.reference == reference)
        ).first()
        has_service = conn.execute(select(services.c.id).where(services.c.id == service_id)).first()
        if exists is not None or has_service is None:
            continue
        citizen_id = _citizen_id(conn, KeyKind.CARD_NUMBER, card_number)
        if citizen_id is None:
            continue
        create(
            conn,
            citizen_id=citizen_id,
            service_id=service_id,
            reference=reference,
            title=None,
            state=state,
            note=note,
            note_en=note_en,
            submitted_at=utc_now() - dt.timedelta(days=3),
            actor="demo",
            allowed_office=None,
        )
        added += 1
    return added
