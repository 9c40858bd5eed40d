"""The central server's HTTP application.

:func:`create_app` builds a FastAPI app from :class:`CentralSettings`; all
state the app needs is loaded here, once, so a bad configuration fails at
startup rather than on the first kiosk request.

Endpoints:

* ``GET /health`` - liveness and the package version.
* ``GET /api/v1/catalog`` - the service catalog, with a strong ``ETag`` so
  kiosks can poll cheaply with ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Header, Response

from central.settings import CentralSettings
from kiosk.catalog import Catalog, CatalogError

CATALOG_PATH = "/api/v1/catalog"


class CatalogLoadError(Exception):
    """The configured catalog cannot be served; the message says why."""


@dataclass(frozen=True)
class CatalogDocument:
    """The catalog as served: canonical JSON bytes and their entity tag.

    Canonical means UTF-8, keys sorted, no insignificant whitespace: the
    content of the file as-is, but the tag does not change when only the
    file's formatting does.
    """

    version: str
    body: bytes
    etag: str


def load_catalog(path: Path) -> CatalogDocument:
    """Read, validate and canonicalise the catalog at ``path``.

    The catalog must pass the same validation the kiosk applies
    (:meth:`kiosk.catalog.Catalog.from_json`), so the server never publishes
    something every kiosk would reject.
    """
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
    body = _canonical(data)
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    return CatalogDocument(version=catalog.version, body=body, etag=etag)


def create_app(settings: CentralSettings) -> FastAPI:
    """Build the central app; raises :class:`CatalogLoadError` on a bad catalog."""
    catalog_path = settings.resolved_catalog_path()
    if catalog_path is None:
        raise CatalogLoadError(
            "no catalog configured: give a catalog file (--catalog PATH) "
            "or serve the demo catalog (--seed-demo)"
        )
    document = load_catalog(catalog_path)

    version = package_version()
    app = FastAPI(
        title="Anjungan central",
        version=version,
        # The interactive docs pull scripts from a CDN; the schema stays available.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalog = document

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": version}

    app.include_router(_catalog_router(document))
    return app


def _catalog_router(document: CatalogDocument) -> APIRouter:
    router = APIRouter(tags=["catalog"])
    headers = {"ETag": document.etag, "Cache-Control": "no-cache"}

    @router.get(
        CATALOG_PATH,
        response_class=Response,
        responses={
            200: {
                "description": "The service catalog (see docs/architecture.md).",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            304: {"description": "The catalog matches the entity tag sent."},
        },
    )
    def catalog(if_none_match: str | None = Header(default=None)) -> Response:
        if if_none_match is not None and etag_matches(if_none_match, document.etag):
            return Response(status_code=304, headers=headers)
        return Response(content=document.body, media_type="application/json", headers=headers)

    return router


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` value matches ``etag`` (weak comparison, RFC 9110)."""
    candidates = [c.strip() for c in if_none_match.split(",")]
    return any(c == "*" or c.removeprefix("W/") == etag for c in candidates)


def package_version() -> str:
    try:
        return metadata.version("anjungan")
    except metadata.PackageNotFoundError:
        return "dev"


def _canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")
