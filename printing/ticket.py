"""What a queue ticket says, independent of paper and printer.

A :class:`TicketDocument` is built from a ticket that is already stored;
the layout turns it into a PDF and a :class:`printing.printer.Printer`
prints that. It holds no personal data (no name, no NIK), so its default
``repr`` is safe to log. Documents that do carry personal data (the
registration slip, later) must hide those fields from ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

#: Languages a ticket can be printed in (ISO 639-1).
Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


@dataclass(frozen=True)
class TicketDocument:
    """The printable content of one queue ticket.

    ``issued_at`` must be timezone-aware; it is printed in its own timezone
    (the office's local time), not converted.
    """

    #: Queue number as called out, e.g. ``"A-017"``.
    number: str
    service_name: str
    office_name: str
    #: Counter (loket) to go to; empty when not yet known.
    counter: str
    issued_at: datetime
    language: Language

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("a ticket needs a number")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}; expected one of {LANGUAGES}")
