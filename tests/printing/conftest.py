"""Shared fixtures for the printing tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from printing.documents import TicketDocument
from printing.layouts.ticket import render_ticket_pdf

#: Western Indonesia Time, the office's local time in these tests.
WIB = timezone(timedelta(hours=7), "WIB")


@pytest.fixture
def ticket() -> TicketDocument:
    """An Indonesian ticket issued on 22 November 2026 at 21:40 WIB."""
    return TicketDocument(
        number="A-017",
        service_name="Kartu Keluarga",
        office_name="Dinas Kependudukan Kota Bandung",
        counter="3",
        issued_at=datetime(2026, 11, 22, 21, 40, tzinfo=WIB),
        language="id",
    )


@pytest.fixture
def ticket_pdf(ticket: TicketDocument) -> bytes:
    return render_ticket_pdf(ticket)
