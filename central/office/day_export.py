"""The figures of an office day as CSV: one row per office and service, no personal data.

Every figure is a count or a span; the only text is the office's and the
service's names from the catalog. A spreadsheet would run a cell that
begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) as a
formula, so such a text cell is written with a leading ``'`` (OWASP's "CSV
injection" advice); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from central.office.dashboard import HOURS, OfficeDay, Spread

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = (
    "day",
    "office_id",
    "office",
    "service_id",
    "service",
    "issued",
    "served",
    "no_show",
    "waiting",
    "held",
    "called",
    "wait_median_min",
    "wait_p90_min",
    "service_median_min",
    "service_p90_min",
    *(f"issued_{hour:02d}h" for hour in range(HOURS)),
)


def safe_text(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _spread(spread: Spread) -> tuple[str, str]:
    return _minutes(spread.median_s), _minutes(spread.p90_s)


def csv_text(days: Sequence[OfficeDay], lang: str = "id") -> str:
    """The CSV of ``days`` (names in ``lang``), with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for office in days:
        for s in office.services:
            writer.writerow(
                (
                    office.day.isoformat(),
                    safe_text(office.office_id),
                    safe_text(office.name),
                    safe_text(s.service_id),
                    safe_text(s.name(lang)),
                    s.issued,
                    s.served,
                    s.no_show,
                    s.waiting,
                    s.held,
                    s.called,
                    *_spread(s.wait),
                    *_spread(s.service_time),
                    *s.per_hour,
                )
            )
    return out.getvalue()
