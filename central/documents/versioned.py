"""Versioned JSON documents served with a strong ETag: the catalog, trust and revocation lists.

A :class:`Document` is canonical JSON bytes (UTF-8, keys sorted, no
insignificant whitespace) and the quoted SHA-256 of those bytes as its
entity tag, so the same content always has the same tag, on every app
process. :class:`DocumentCache` keeps the last built document per name in
this process and rebuilds it only when the database says the version moved
(one small query per request).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from sqlalchemy import Connection


@dataclass(frozen=True)
class Document:
    version: str
    body: bytes
    etag: str


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def make_document(version: str, data: Any) -> Document:
    body = canonical(data)
    return Document(version=version, body=body, etag=etag_for(body))


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` value matches ``etag`` (weak comparison, RFC 9110)."""
    candidates = [c.strip() for c in if_none_match.split(",")]
    return any(c == "*" or c.removeprefix("W/") == etag for c in candidates)


def document_response(document: Document, if_none_match: str | None) -> Response:
    """200 with the body, or 304 when the caller's tag still matches; ETag on both."""
    headers = {"ETag": document.etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and etag_matches(if_none_match, document.etag):
        return Response(status_code=304, headers=headers)
    return Response(content=document.body, media_type="application/json", headers=headers)


#: Responses documented in the OpenAPI for every document endpoint.
DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}},
    304: {"description": "The document matches the entity tag sent in If-None-Match."},
}


class DocumentCache:
    """The last built document per name, rebuilt when its version marker changes."""

    def __init__(self) -> None:
        self._cached: dict[str, tuple[object, Document]] = {}
        self._lock = threading.Lock()

    def get(
        self,
        name: str,
        conn: Connection,
        marker: Callable[[Connection], object],
        build: Callable[[Connection], Document | None],
    ) -> Document | None:
        """The document ``name``; ``marker`` is a cheap query that changes with the content."""
        current = marker(conn)
        with self._lock:
            cached = self._cached.get(name)
        if cached is not None and cached[0] == current:
            return cached[1]
        document = build(conn)
        if document is not None:
            with self._lock:
                self._cached[name] = (current, document)
        return document
