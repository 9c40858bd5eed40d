"""Paging a staff list: which slice of it a page shows, and the links to the others.

A list page reads ``?offset=`` through :func:`page_of` (garbage is the first
page, past the end is the last page) and renders ``_pager.html`` with the
:class:`Pager`: "1–100 dari 105", and "Sebelumnya" / "Berikutnya" links that
keep the page's other filters. The texts are :data:`TEXTS`, which a page
merges into its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from central.api.deps import AppContext
from central.web.pages import LANGUAGES, Texts

TEXTS: Texts = {
    "paging.count": ("{first}–{last} dari {total}", "{first}–{last} of {total}"),
    "paging.total": ("{total} data", "{total} items"),
    "paging.prev": ("Sebelumnya", "Previous"),
    "paging.next": ("Berikutnya", "Next"),
    "paging.label": ("Halaman daftar", "List pages"),
}


@dataclass(frozen=True)
class Pager:
    """One page of ``total`` items, ``size`` a page, starting at ``offset``."""

    path: str
    keep: Mapping[str, str]
    offset: int
    size: int
    total: int
    shown: int

    @property
    def first(self) -> int:
        return self.offset + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.offset + self.shown

    def _link(self, offset: int) -> str:
        query = {k: v for k, v in self.keep.items() if v}
        if offset:
            query["offset"] = str(offset)
        return f"{self.path}?{urlencode(query)}" if query else self.path

    @property
    def previous(self) -> str | None:
        return self._link(max(0, self.offset - self.size)) if self.offset > 0 else None

    @property
    def next(self) -> str | None:
        return self._link(self.offset + self.size) if self.offset + self.size < self.total else None


def page_of(offset: str | None, total: int, size: int) -> int:
    """The offset a page starts at: the one asked for, on a page boundary, within the list."""
    try:
        asked = max(0, int(offset or "0"))
    except ValueError:
        asked = 0
    last_page = max(0, (total - 1) // size * size)
    return min(asked // size * size, last_page)


#: ``(conn, office_id, *, state=, reference=[, offset=])``: an office module's count or find.
_Finds = Callable[..., Any]


@dataclass(frozen=True)
class Listing:
    """One page of a staff list filtered by state and a reference's start."""

    chosen: str
    search: str
    items: list[Any]
    pager: Pager


def listing(
    request: Request,
    ctx: AppContext,
    office_id: str | None,
    *,
    path: str,
    state: StrEnum | None,
    search: str,
    offset: str | None,
    size: int,
    count: _Finds,
    find: _Finds,
) -> Listing:
    """The page of ``path``'s list the request asks for: counted, sliced, with its pager."""
    with ctx.db.read() as conn:
        total = count(conn, office_id, state=state, reference=search)
        start = page_of(offset, total, size)
        found = find(conn, office_id, state=state, reference=search, offset=start)
    chosen = state.value if state else ""
    asked = request.query_params.get("lang", "")  # never written back unless a language
    keep = {"state": chosen, "q": search, "lang": asked if asked in LANGUAGES else ""}
    return Listing(chosen, search, list(found), Pager(path, keep, start, size, total, len(found)))
