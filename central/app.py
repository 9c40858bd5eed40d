"""The central server's HTTP application.

:func:`create_app` builds a FastAPI app from :class:`CentralSettings`. All
the work that can fail on a bad configuration happens here, once, before
anything is served: the files to load are read and checked, the database is
migrated to head, the catalog, trust lists and demo data are published.

Endpoints (every one in docs/central-api.md; the schema at ``/openapi.json``):

* ``GET /health``: liveness and the package version (public);
* ``POST /api/v1/enrol``: a kiosk trades an enrolment code for a token (public);
* ``GET /api/v1/catalog``, ``/trust``, ``/revocations``: versioned documents
  with ETags (kiosks);
* ``POST /api/v1/citizens/lookup``: a citizen's record, audited (kiosks);
* ``/api/v1/kiosks/me``, ``/tickets/allocate``, ``/leases``, ``/queue``,
  ``/submissions``: the kiosk's queue numbers and outbox (kiosks);
* ``/api/v1/public/tickets/{id}`` and ``/t/{id}``: a ticket's status (public);
* ``/api/v1/staff/...``: login (public), me, logout, enrolment codes and
  kiosk revocation (admins).
"""

from __future__ import annotations

from importlib import metadata

from fastapi import FastAPI

from central.api import include_routers
from central.audit import audit_key
from central.catalog_store import CatalogLoadError, has_catalog, load_catalog
from central.database import Database, migrate
from central.deps import AppContext
from central.documents import etag_matches
from central.errors import install_error_handlers
from central.ratelimit import RateLimiter
from central.seed import load_startup_data, read_startup_files
from central.settings import CentralSettings

__all__ = ["CatalogLoadError", "create_app", "etag_matches", "load_catalog", "package_version"]


def create_app(settings: CentralSettings, *, db: Database | None = None) -> FastAPI:
    """Build the app on a migrated, loaded database.

    Raises :class:`CatalogLoadError` or :class:`central.seed.SeedError` for a
    bad file, :class:`central.database.DatabaseError` or SQLAlchemy's
    ``OperationalError`` for an unusable database. ``db`` (tests) overrides
    ``settings.db_url``; the app does not dispose of it.
    """
    startup = read_startup_files(settings)
    database = db or Database(settings.resolved_db_url)
    migrate(database)
    load_startup_data(database, startup)
    with database.read() as conn:
        if not has_catalog(conn):
            raise CatalogLoadError(
                "no catalog configured: give a catalog file (--catalog PATH) "
                "or serve the demo catalog (--seed-demo)"
            )
    context = AppContext(
        settings=settings,
        db=database,
        limiter=RateLimiter(settings.rate_per_minute, settings.rate_burst),
        auth_limiter=RateLimiter(settings.auth_rate_per_minute, settings.auth_rate_per_minute),
        audit_key=audit_key(database, settings.audit_key),
    )

    version = package_version()
    app = FastAPI(
        title="Anjungan central",
        version=version,
        summary="The city's reference server for Anjungan kiosks (docs/central-api.md).",
        # The interactive docs pull scripts from a CDN; the schema stays available.
        docs_url=None,
        redoc_url=None,
        max_body_size=settings.max_body_bytes,
    )
    app.state.central = context
    install_error_handlers(app)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness and the server's version; no credentials needed."""
        return {"status": "ok", "version": version}

    include_routers(app)
    return app


def package_version() -> str:
    try:
        return metadata.version("anjungan")
    except metadata.PackageNotFoundError:
        return "dev"
