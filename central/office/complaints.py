"""Complaints (pengaduan) filed at kiosks, and the answers staff give them.

A kiosk files a complaint as a ``complaint`` submission; the centre copies
each new one into ``complaints`` (:func:`central.office.submissions._record_complaints`)
as ``open``. Staff of its office answer it (``answered``: the answer, who and
when), may answer again while it is answered (a correction), close it
(``closed``) and reopen a closed one to answer again. Every change is a
security event in the audit log (:func:`central.access.audit.record_event`).

Who may see one:

* staff of the complaint's office (or of every office): everything, through
  :func:`for_office` and :func:`get`; another office's complaint is answered
  as unknown (:func:`central.access.staff.require_reach`);
* whoever holds the reference (printed on the receipt; 60 random bits):
  :func:`public_view`, which carries the state and the answer, never the
  card number nor the text (see its docstring);
* a kiosk, for the citizen whose verified card it has just read:
  :func:`for_citizen`, audited and counted against the kiosk's lookup budget
  like their applications (:func:`central.office.citizens.kiosk_find`).

Answers are plain text (the pages escape them; the kiosk shows plain
labels), at most :data:`MAX_ANSWER` characters.

Two staff may answer the same complaint at once. The answer form carries
the complaint's :attr:`Complaint.version` as it was shown; :func:`answer`
given that version writes only if the complaint is still as it was (the
``UPDATE`` is guarded by the state and answer read), else it raises
:class:`central.errors.StaleEdit` and writes nothing: one answer never
silently replaces another.

Staff list an office's complaints a page at a time (:func:`for_office`,
:func:`count_for_office`): open ones first, the oldest first (they are the
overdue ones), then the answered and closed ones, the newest first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, Unpack

from sqlalchemy import Connection, case, func, select, update

from central.access.audit import record_event, utc_now
from central.access.staff import require_reach
from central.errors import InvalidComplaintTransition, NotFound, StaleEdit, Unprocessable
from central.messages import triggers
from central.office.citizens import KeyKind, KioskAsks, Refused, kiosk_find, normalise_key
from central.office.listing import listed
from central.office.plain_text import has_invisible
from central.tables import complaints
from contract.shown import shown_reference

#: The longest answer staff may give (characters).
MAX_ANSWER = 2000
#: How many complaints one page of the staff list shows.
PAGE_SIZE = 100
#: How many answered complaints a kiosk is shown, newest answer first.
MAX_FOR_CITIZEN = 20


class State(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class Complaint:
    """A complaint as staff see it (personal: the text and the card number)."""

    reference: str
    office_id: str
    kiosk_id: str
    category: str
    text: str
    language: str
    card_number: str | None
    created_at: dt.datetime
    received_at: dt.datetime
    state: State
    answer: str | None
    answered_at: dt.datetime | None
    answered_by: str | None
    closed_at: dt.datetime | None

    def __repr__(self) -> str:  # the text, the card and the whole reference never reach a log
        return f"Complaint({shown_reference(self.reference)!r}, {self.state.value})"

    @property
    def version(self) -> str:
        """An opaque token that changes whenever the state or the answer does."""
        return _version(self.state.value, self.answer, self.answered_at, self.answered_by)


def _version(*parts: object) -> str:
    text = "\x1f".join("\x00" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class PublicComplaint:
    """What anyone holding the reference sees: no text, no card, no staff name."""

    reference: str
    office_id: str
    category: str
    created_at: dt.datetime
    state: State
    answer: str | None
    answered_at: dt.datetime | None

    def __repr__(self) -> str:  # the whole reference never reaches a log
        return f"PublicComplaint({shown_reference(self.reference)!r}, {self.state.value})"


class Step(Protocol):
    """:func:`close` or :func:`reopen`: a step on one complaint by a staff member."""

    def __call__(
        self, conn: Connection, reference: str, *, actor: str, allowed_office: str | None
    ) -> Complaint: ...


def _complaint(row: Any) -> Complaint:
    return Complaint(
        reference=row.reference,
        office_id=row.office_id,
        kiosk_id=row.kiosk_id,
        category=row.category,
        text=row.text,
        language=row.language,
        card_number=row.card_number,
        created_at=row.created_at,
        received_at=row.received_at,
        state=State(row.state),
        answer=row.answer,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        closed_at=row.closed_at,
    )


def _public(row: Any) -> PublicComplaint:
    return PublicComplaint(
        reference=row.reference,
        office_id=row.office_id,
        category=row.category,
        created_at=row.created_at,
        state=State(row.state),
        answer=row.answer,
        answered_at=row.answered_at,
    )


def _unknown(reference: str) -> NotFound:
    return NotFound(f"no complaint {reference[:64]!r}")


def for_office(
    conn: Connection,
    office_id: str | None,
    *,
    state: State | None = None,
    reference: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> list[Complaint]:
    """One page of an office's complaints (``None``: every office's).

    Open ones first, the oldest first; then the others, the newest first.
    ``reference``: only those whose reference starts with it (case-blind).
    """
    is_open = complaints.c.state == State.OPEN.value
    rows = conn.execute(
        listed(select(complaints), complaints, office_id, state, reference)
        .order_by(
            case((is_open, 0), else_=1),
            case((is_open, complaints.c.created_at)).asc(),
            case((~is_open, complaints.c.created_at)).desc(),
            complaints.c.reference,
        )
        .offset(max(0, offset))
        .limit(max(1, min(limit, PAGE_SIZE)))
    )
    return [_complaint(r) for r in rows]


def count_for_office(
    conn: Connection,
    office_id: str | None,
    *,
    state: State | None = None,
    reference: str | None = None,
) -> int:
    """How many complaints :func:`for_office` pages through with the same filters."""
    query = listed(
        select(func.count()).select_from(complaints), complaints, office_id, state, reference
    )
    return int(conn.execute(query).scalar_one())


def get(conn: Connection, reference: str, *, allowed_office: str | None) -> Complaint:
    """One complaint, for staff of its office; another office's is unknown (404)."""
    row = conn.execute(select(complaints).where(complaints.c.reference == reference)).first()
    if row is None:
        raise _unknown(reference)
    require_reach(allowed_office, row.office_id, _unknown(reference))
    return _complaint(row)


def view(conn: Connection, reference: str, *, allowed_office: str | None, actor: str) -> Complaint:
    """One complaint as staff read it, text and all (:func:`get`), written to the audit
    log as ``complaint_view`` naming its reference: the text is the citizen's own words
    about their case, and a signed one is tied to their card. In the same transaction:
    a view the log could not take is not shown. Another office's is unknown (404), and
    logs nothing."""
    found = get(conn, reference, allowed_office=allowed_office)
    signed = "signed" if found.card_number else "anonymous"
    record_event(conn, actor=actor, action="complaint_view", subject=found.reference, detail=signed)
    return found


def _locked(conn: Connection, reference: str, allowed_office: str | None) -> Complaint:
    row = conn.execute(
        select(complaints).where(complaints.c.reference == reference).with_for_update()
    ).first()
    if row is None:
        raise _unknown(reference)
    require_reach(allowed_office, row.office_id, _unknown(reference))
    return _complaint(row)


def clean_answer(text: str) -> str:
    """The answer as kept: trimmed, line ends as ``\\n``; 422 if empty, too long or not text."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise Unprocessable("an answer needs some text")
    if len(cleaned) > MAX_ANSWER:
        raise Unprocessable(f"an answer has at most {MAX_ANSWER} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in cleaned) or "\x7f" in cleaned:
        raise Unprocessable("an answer is plain text")
    if has_invisible(cleaned):
        raise Unprocessable("an answer holds characters that would reorder or hide it")
    return cleaned


def answer(
    conn: Connection,
    reference: str,
    text: str,
    *,
    actor: str,
    allowed_office: str | None,
    version: str | None = None,
) -> Complaint:
    """Answer an open complaint, or correct the answer of an answered one (409 if closed).

    ``version``: the :attr:`Complaint.version` the answer was written against;
    if the complaint changed since, :class:`StaleEdit` (409) and nothing is written.
    """
    cleaned = clean_answer(text)
    found = _locked(conn, reference, allowed_office)
    if found.state is State.CLOSED:
        raise InvalidComplaintTransition("a closed complaint is reopened before it is answered")
    if version is not None and version != found.version:
        raise StaleEdit(f"complaint {reference!r} changed since the answer was begun")
    written = conn.execute(
        update(complaints)
        .where(
            complaints.c.reference == reference,
            complaints.c.state == found.state.value,
            complaints.c.answer.is_not_distinct_from(found.answer),
            complaints.c.answered_at.is_not_distinct_from(found.answered_at),
        )
        .values(
            state=State.ANSWERED.value,
            answer=cleaned,
            answered_at=utc_now(),
            answered_by=actor[:100],
        )
    )
    if written.rowcount != 1:  # changed between the read and the write
        raise StaleEdit(f"complaint {reference!r} changed since the answer was begun")
    action = "complaint.answered" if found.state is State.OPEN else "complaint.answer_changed"
    record_event(conn, actor=actor, action=action, subject=reference)
    if found.state is State.OPEN:
        triggers.complaint_answered(conn, reference, found.office_id, utc_now())
    return get(conn, reference, allowed_office=allowed_office)


def close(conn: Connection, reference: str, *, actor: str, allowed_office: str | None) -> Complaint:
    """Close a complaint, answered or not (closing a closed one changes nothing)."""
    found = _locked(conn, reference, allowed_office)
    if found.state is State.CLOSED:
        return found
    conn.execute(
        update(complaints)
        .where(complaints.c.reference == reference)
        .values(state=State.CLOSED.value, closed_at=utc_now())
    )
    record_event(
        conn, actor=actor, action="complaint.closed", subject=reference, detail=found.state.value
    )
    return get(conn, reference, allowed_office=allowed_office)


def reopen(
    conn: Connection, reference: str, *, actor: str, allowed_office: str | None
) -> Complaint:
    """Reopen a closed complaint: ``answered`` if it has an answer (kept), else ``open``."""
    found = _locked(conn, reference, allowed_office)
    if found.state is not State.CLOSED:
        raise InvalidComplaintTransition("only a closed complaint is reopened")
    state = State.ANSWERED if found.answer else State.OPEN
    conn.execute(
        update(complaints)
        .where(complaints.c.reference == reference)
        .values(state=state.value, closed_at=None)
    )
    record_event(conn, actor=actor, action="complaint.reopened", subject=reference)
    return get(conn, reference, allowed_office=allowed_office)


def public_view(conn: Connection, reference: str) -> PublicComplaint | None:
    """The complaint's state and answer for whoever holds its reference, or ``None``.

    Neither the card number nor the complaint's text is given, though the
    text is the citizen's own: the receipt that carries the reference (and
    its QR code) is paper, and paper is left on the kiosk, photographed and
    passed on; the text may name people or describe the citizen's case. The
    citizen knows what they wrote; what they need here is whether it was
    answered, and the answer, which staff write knowing that whoever holds
    the reference reads it. The staff member's name is not shown either.
    """
    row = conn.execute(select(complaints).where(complaints.c.reference == reference)).first()
    return None if row is None else _public(row)


def for_citizen(
    conn: Connection, kind: KeyKind, value: str, **asks: Unpack[KioskAsks]
) -> list[PublicComplaint] | Refused:
    """The answered complaints a verified card's holder filed, newest answer first.

    Found as their applications are (:func:`central.office.citizens.kiosk_find`:
    audited, budgeted; asking again after the applications counts nothing).
    Complaints are kept by the card number they were filed with: a NIK finds
    them through the city's record of its card.
    """
    found = kiosk_find(conn, kind, value, **asks)
    if isinstance(found, Refused):
        return found
    if kind is KeyKind.CARD_NUMBER:
        card = normalise_key(kind, value)
    elif found is not None and found.card_number:
        card = str(found.card_number)
    else:
        return []
    rows = conn.execute(
        select(complaints)
        .where(complaints.c.card_number == card, complaints.c.answer.is_not(None))
        .order_by(complaints.c.answered_at.desc(), complaints.c.reference)
        .limit(MAX_FOR_CITIZEN)
    )
    return [_public(r) for r in rows]
