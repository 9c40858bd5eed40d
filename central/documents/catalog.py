"""The service catalog in the database: published versions, offices and services.

A catalog file is validated exactly as a kiosk validates it
(:meth:`contract.catalog.Catalog.from_json`), so the server never publishes
something every kiosk would reject. Publishing stores the canonical JSON as
a new version (unless the newest already has the same content) and brings
the ``offices`` and ``services`` tables in step, for the rows other tables
refer to (tickets, leases, statistics). Services missing from the new
version stay, marked inactive, so old references remain valid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from central.access.audit import utc_now
from central.database import startup_turn
from central.documents.versioned import Document, canonical, etag_for
from central.errors import CatalogLoadError
from central.tables import catalog_versions, offices, services
from contract.catalog import Catalog
from contract.errors import CatalogError


def read_catalog_file(path: Path) -> tuple[Catalog, Any]:
    """Read and validate a catalog file; returns the model and the raw JSON."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CatalogLoadError(f"catalog {path}: cannot read file ({reason})") from exc
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogLoadError(f"catalog {path}: not valid JSON ({exc})") from exc
    try:
        catalog = Catalog.from_json(data)
    except CatalogError as exc:
        raise CatalogLoadError(f"catalog {path}: invalid catalog ({exc})") from exc
    return catalog, data


def load_catalog(path: Path) -> Document:
    """The document a catalog file would be served as (its version, body and ETag)."""
    catalog, data = read_catalog_file(path)
    body = canonical(data)
    return Document(version=catalog.version, body=body, etag=etag_for(body))


def publish_catalog(conn: Connection, catalog: Catalog, data: Any) -> bool:
    """Store ``data`` as the newest catalog; ``False`` if it already is.

    A different content under a version string already published is refused:
    kiosks show the version, and two catalogs must not share one. So is an older
    catalog, published before the newest: a version is published once, and a
    centre does not go back to it (a process of the last release restarting beside
    the new one's would otherwise take the kiosks back). Publishing takes the
    start-up turn (:func:`central.database.startup_turn`) first: of two processes
    publishing the same catalog at once, the second finds it the newest.
    """
    startup_turn(conn)
    body = canonical(data)
    etag = etag_for(body)
    newest = conn.execute(
        select(catalog_versions.c.version, catalog_versions.c.etag)
        .order_by(catalog_versions.c.id.desc())
        .limit(1)
    ).first()
    if newest is not None and newest.etag == etag:
        return False
    same_version = conn.execute(
        select(catalog_versions.c.etag).where(catalog_versions.c.version == catalog.version)
    ).scalar_one_or_none()
    if newest is not None and same_version == etag:
        raise CatalogLoadError(
            f"catalog version {catalog.version!r} is older than the published "
            f"{newest.version!r}: a centre does not go back to an older catalog; "
            "to serve this content again, give it a new version"
        )
    if same_version is not None:
        raise CatalogLoadError(
            f"catalog version {catalog.version!r} was already published with other content; "
            "give the new catalog a new version"
        )
    conn.execute(
        insert(catalog_versions).values(
            version=catalog.version, body=body.decode("utf-8"), etag=etag, published_at=utc_now()
        )
    )
    _sync_rows(conn, catalog)
    return True


def _sync_rows(conn: Connection, catalog: Catalog) -> None:
    _make_active(
        conn,
        offices,
        {o.id: {"name": o.name, "city": o.city, "counters": o.counters} for o in catalog.offices},
    )
    _make_active(
        conn,
        services,
        {
            s.id: {
                "office_id": s.office_id,
                "category": s.category,
                "name": s.name("id")[:200],
                "ticket_prefix": s.ticket_prefix[:8],
                "counter": s.counter[:100],
                "kodepoli": s.poli.kodepoli if s.poli else None,
                "location_id": (s.poli.location_id or None) if s.poli else None,
            }
            for s in catalog.services
        },
    )


def _make_active(conn: Connection, table: Table, rows: dict[str, dict[str, Any]]) -> None:
    """Make ``rows`` (values by id) the active rows of ``table``.

    Each is inserted or updated; every other row stays, made inactive, since
    old tickets, leases and statistics still refer to it.
    """
    known = set(conn.execute(select(table.c.id)).scalars())
    for row_id, values in rows.items():
        if row_id in known:
            conn.execute(update(table).where(table.c.id == row_id).values(**values, active=True))
        else:
            conn.execute(insert(table).values(id=row_id, **values, active=True))
    conn.execute(update(table).where(table.c.id.not_in(list(rows))).values(active=False))


def catalog_marker(conn: Connection) -> object:
    return conn.execute(select(func.max(catalog_versions.c.id))).scalar_one_or_none()


def build_catalog(conn: Connection) -> Document | None:
    row = conn.execute(
        select(catalog_versions.c.version, catalog_versions.c.body, catalog_versions.c.etag)
        .order_by(catalog_versions.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Document(version=row.version, body=row.body.encode("utf-8"), etag=row.etag)


def has_catalog(conn: Connection) -> bool:
    return catalog_marker(conn) is not None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")
