"""What can happen to a kiosk session (events) and what it asks for (effects).

Events come from the reader, the citizen (through the UI) and the workers
that carry out effects. Results of effects carry the ``session`` number they
were asked for, so a late answer never leaks into the next citizen's session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cardio.citizen import CardIdentity


# --- events -----------------------------------------------------------------
@dataclass(frozen=True)
class CardTapped:
    reader: str


@dataclass(frozen=True)
class CardLeft:
    reader: str


@dataclass(frozen=True)
class CardRead:
    session: int
    identity: CardIdentity


@dataclass(frozen=True)
class CardReadFailed:
    session: int
    reason: str


@dataclass(frozen=True)
class ServiceSelected:
    service_id: str


@dataclass(frozen=True)
class FormOpened:
    """The citizen chose "Lanjut" on the service detail."""


@dataclass(frozen=True)
class FormSubmitted:
    values: Mapping[str, str]


@dataclass(frozen=True)
class Confirmed:
    pass


@dataclass(frozen=True)
class TicketReady:
    session: int
    ticket: IssuedTicket


@dataclass(frozen=True)
class IssueFailed:
    session: int
    reason: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Finish:
    pass


@dataclass(frozen=True)
class UserActivity:
    pass


@dataclass(frozen=True)
class Tick:
    """Time passed; the machine reads its clock and fires due timeouts."""


SessionEvent = (
    CardTapped
    | CardLeft
    | CardRead
    | CardReadFailed
    | ServiceSelected
    | FormOpened
    | FormSubmitted
    | Confirmed
    | TicketReady
    | IssueFailed
    | Back
    | Cancel
    | Finish
    | UserActivity
    | Tick
)


# --- effects ----------------------------------------------------------------
@dataclass(frozen=True)
class ReadCard:
    session: int
    reader: str


@dataclass(frozen=True)
class IssueTicket:
    session: int
    identity: CardIdentity
    service_id: str
    values: Mapping[str, str]
    language: str


@dataclass(frozen=True)
class WipeSession:
    """The session ended: drop every personal value held anywhere."""

    reason: str


Effect = ReadCard | IssueTicket | WipeSession


# --- results ----------------------------------------------------------------
@dataclass(frozen=True)
class IssuedTicket:
    number: str
    service_id: str
    counter: str
    printed: bool
    print_fault: str = ""
    pdf_location: str = ""
    #: The ticket's status page on the central server (its QR code); "" if unknown.
    status_url: str = ""
