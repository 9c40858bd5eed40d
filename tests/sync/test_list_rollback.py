"""Lists that would go back, and catalogs the kiosk refuses, from the real central server.

The centre on its own never serves an older list; here its database is set back as
a restore from an old backup would, and its own document cache serves the result
with a new ETag. The kiosk keeps what it holds, says why in its status and logs
the look as ``failed`` (docs/sync.md, "Catalog and trust lists").
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from cardio.emulators.demo_cards import DEMO_ISSUER_ID, demo_trust_store
from central.database import Database
from central.documents.trust_lists import REVOCATIONS, import_revocation_list, list_version
from central.documents.versioned import canonical, etag_for
from central.process import RunningCentral
from central.tables import catalog_versions, list_versions, revoked_cards
from contract.demo import DEMO_TRUST_LIST
from contract.trust import TrustStore, revocation_list_json
from testkit.centres import BACKENDS, own_centre
from testkit.sync_kiosk import Kiosk

pytestmark = pytest.mark.timeout(90)

SITI = "PKU-000001"


@pytest.fixture(scope="module", params=BACKENDS)
def central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCentral]:
    """A centre of this module's own, on SQLite then PostgreSQL: its lists are set back."""
    yield from own_centre(request, tmp_path_factory, "rollback")


def _revoke_siti(db_url: str) -> int:
    """The city revokes Siti's card: the centre's revocation list goes up. Its version."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            version = (list_version(conn, REVOCATIONS) or 0) + 1
            wanted = revocation_list_json({DEMO_ISSUER_ID: [SITI, "PKU-000005"]}, version)
            import_revocation_list(conn, wanted)
            return list_version(conn, REVOCATIONS) or 0
    finally:
        db.dispose()


def _set_back(db_url: str, version: int) -> None:
    """The centre's revocations as they were: Siti no longer revoked, under ``version``."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            conn.execute(delete(revoked_cards).where(revoked_cards.c.card_number == SITI))
            conn.execute(
                update(list_versions)
                .where(list_versions.c.name == REVOCATIONS)
                .values(version=version)
            )
    finally:
        db.dispose()


def _look_again(kiosk: Kiosk) -> tuple[str, ...]:
    kiosk.clock.advance(kiosk.config.sync.documents_interval_s + 1)
    return kiosk.engine.run_once().failed


def _cached(kiosk: Kiosk) -> TrustStore:
    trust = kiosk.engine.cached_trust()
    assert trust is not None
    return trust


def test_an_older_revocation_list_is_refused_and_the_revoked_card_stays_revoked(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    revoked_at = _revoke_siti(central.db_url)
    assert "documents" not in _look_again(kiosk)
    assert _cached(kiosk).revocation_version == revoked_at
    assert _cached(kiosk).is_revoked(DEMO_ISSUER_ID, SITI)

    _set_back(central.db_url, revoked_at - 1)  # the centre restored from an old backup
    failed = _look_again(kiosk)

    assert "documents" in failed
    trust = _cached(kiosk)
    assert trust.revocation_version == revoked_at and trust.is_revoked(DEMO_ISSUER_ID, SITI)
    status = kiosk.engine.status()
    assert status.connection == "online"
    assert status.refused == (
        f"trust: revocation list version {revoked_at - 1} is lower than the {revoked_at} held",
    )
    logged = kiosk.store.last_sync("documents")
    assert logged is not None and logged.result == "failed"
    assert logged.detail.startswith("refused: trust: revocation list version")


def test_the_same_version_with_other_content_is_refused(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    revoked_at = _revoke_siti(central.db_url)
    _look_again(kiosk)
    # Siti taken off under the same version (the centre's cache is keyed by the
    # version: it is moved once and read, so the centre builds the list anew)
    _set_back(central.db_url, revoked_at + 100)
    kiosk.client.fetch_revocations()
    _set_back(central.db_url, revoked_at)
    assert "documents" in _look_again(kiosk)
    assert _cached(kiosk).is_revoked(DEMO_ISSUER_ID, SITI)
    assert kiosk.engine.status().refused == (
        f"trust: revocation list version {revoked_at} differs from the one held under it",
    )


def test_a_list_older_than_the_running_kiosks_is_refused_even_with_nothing_cached(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    """The kiosk's configured lists are a floor too: the engine asks the running kiosk."""
    served = _revoke_siti(central.db_url)
    newer = TrustStore.from_json(
        json.loads(DEMO_TRUST_LIST.read_text(encoding="utf-8")),
        revocation_list_json({DEMO_ISSUER_ID: [SITI, "PKU-000005"]}, served + 5),
    )
    kiosk.engine._trust_source = lambda: newer
    kiosk.engine.run_once()
    assert kiosk.store.load_trust("revocations") is None, "a refused list is not cached"
    assert kiosk.engine.status().refused == (
        f"trust: revocation list version {served} is lower than the {served + 5} held",
    )


def test_a_cached_list_older_than_the_configured_one_is_not_taken_at_start(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    kiosk.engine.run_once()
    cached = _cached(kiosk)
    configured = TrustStore(
        cached.issuers,
        {DEMO_ISSUER_ID: frozenset({SITI})},
        cached.trust_version,
        cached.revocation_version + 1,
    )
    assert kiosk.engine.cached_trust(configured) is None
    assert kiosk.engine.status().refused[0].startswith("cached trust: revocation list version")
    assert kiosk.engine.cached_trust(demo_trust_store()) is not None, "the DEMO files are older"


# -- the catalog ------------------------------------------------------------------------


def _serve_catalog(db_url: str, body: dict[str, object], *, replace_version: bool) -> None:
    """Publish ``body`` at the centre as its newest catalog, bypassing its own checks.

    ``replace_version``: the version ``body`` names is taken off the row that held it
    first (a row keeps its id, so the centre's cache would not notice otherwise).
    """
    db = Database(db_url)
    text = canonical(body)
    try:
        with db.begin() as conn:
            if replace_version:
                conn.execute(
                    update(catalog_versions)
                    .where(catalog_versions.c.version == body["version"])
                    .values(version=f"{body['version']}-was")
                )
            conn.execute(
                insert(catalog_versions).values(
                    version=body["version"],
                    body=text.decode("utf-8"),
                    etag=etag_for(text),
                    published_at=dt.datetime.now(dt.UTC),
                )
            )
    finally:
        db.dispose()


def _served_catalog(db_url: str, offset: int = 0) -> dict[str, object]:
    """The newest catalog the centre holds (``offset``: the one before it, and so on)."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            row = conn.execute(
                select(catalog_versions.c.body)
                .order_by(catalog_versions.c.id.desc())
                .offset(offset)
                .limit(1)
            ).one()
    finally:
        db.dispose()
    data: dict[str, object] = json.loads(row.body)
    return data


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(lambda c: {"offices": "none"}, id="offices-not-a-list"),
        pytest.param(lambda c: {"services": ["x", *c["services"]]}, id="a-string-for-a-service"),
    ],
)
def test_a_catalog_the_kiosk_cannot_use_is_logged_as_refused_not_ok(
    kiosk: Kiosk, central: RunningCentral, breakage: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    seen: list[str] = []
    kiosk.engine.on_catalog(lambda catalog, etag: seen.append(catalog.version))
    kiosk.engine.run_once()
    held = kiosk.store.catalog_document()
    assert held is not None and len(seen) == 1
    served = _served_catalog(central.db_url)
    tag = uuid.uuid4().hex[:8]  # the centre is the module's: versions never repeat
    broken = {**served, "version": f"broken-{tag}", **breakage(served)}
    _serve_catalog(central.db_url, broken, replace_version=False)

    assert "documents" in _look_again(kiosk)

    assert kiosk.store.catalog_document() == held and len(seen) == 1
    logged = kiosk.store.last_sync("documents")
    assert logged is not None and logged.result == "failed"
    assert logged.detail.startswith("refused: catalog:")
    assert kiosk.engine.status().refused[0].startswith("catalog:")
    # the city publishes a good one again: taken, and the refusal is gone
    good = {**_served_catalog(central.db_url, offset=1), "version": f"good-{tag}"}
    _serve_catalog(central.db_url, good, replace_version=False)
    assert "documents" not in _look_again(kiosk)
    assert seen == [held.version, f"good-{tag}"] and kiosk.engine.status().refused == ()


def test_a_catalog_under_the_version_held_with_other_content_is_refused(
    kiosk: Kiosk, central: RunningCentral
) -> None:
    seen: list[str] = []
    kiosk.engine.on_catalog(lambda catalog, etag: seen.append(catalog.version))
    kiosk.engine.run_once()
    held = kiosk.store.catalog_document()
    assert held is not None
    served = _served_catalog(central.db_url)
    listed = served["offices"]
    assert isinstance(listed, list)
    offices = [dict(o) for o in listed]
    offices[0]["name"] = "Kantor Palsu"
    _serve_catalog(central.db_url, {**served, "offices": offices}, replace_version=True)

    assert "documents" in _look_again(kiosk)

    assert kiosk.store.catalog_document() == held and len(seen) == 1
    assert kiosk.engine.status().refused == (
        f"catalog: version {held.version} differs from the one held under it",
    )
