"""Pulling the catalog, the trust list and the revocation list with ``If-None-Match``.

Each is fetched with the ETag of the cached copy, so an unchanged document
costs a 304. A new one is checked before it is kept: a catalog the kiosk
cannot use, or a trust or revocation list that does not parse or would go
back to an older version (:func:`contract.trust.check_successor`), is refused:
logged, not cached, named in :attr:`Pulled.refused`, and the copy in use stays.
The trust and revocation lists are kept as the exact bytes received.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from contract.catalog import Catalog
from contract.errors import CatalogError, TrustError, TrustRollback, TrustVersionJump
from contract.trust import TrustStore, check_step, check_successor
from kiosk.client.client import CentralClient
from kiosk.client.results import DocumentFetch
from offline_store import CachedDocument, Store
from offline_store.models import TrustName

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pulled:
    """What changed: a new catalog (and its ETag) and/or a new trust store."""

    catalog: Catalog | None = None
    catalog_etag: str | None = None
    trust: TrustStore | None = None
    #: Documents fetched but refused, each ``name: why`` (no personal data).
    refused: tuple[str, ...] = ()


def pull_catalog(store: Store, client: CentralClient, now: dt.datetime) -> Pulled:
    """A new catalog if the centre has one the kiosk can use.

    The catalog's version is a name the city gives it, not a number, and a city
    may go back to an earlier catalog on purpose, so versions are not compared
    for order. The same version with other content is refused: the centre never
    publishes two catalogs under one version, so it is a forgery or a mix-up.
    """
    cached = store.catalog_document()
    fetched = client.fetch_catalog(cached.etag if cached else None)
    if fetched.not_modified or fetched.data is None:
        return Pulled()
    try:
        catalog = Catalog.from_json(fetched.data)
    except CatalogError as exc:
        log.error("central sent an unusable catalog, keeping the one in use: %s", exc)
        return Pulled(refused=(f"catalog: {exc}"[:200],))
    same_version = cached is not None and cached.version == catalog.version
    if same_version and cached is not None and json.loads(cached.body) != fetched.data:
        why = f"catalog: version {catalog.version} differs from the one held under it"
        log.error("central sent a catalog refused, keeping the one in use: %s", why)
        return Pulled(refused=(why,))
    store.save_catalog(fetched.data, fetched.etag, catalog.version, now)
    return Pulled(catalog=catalog, catalog_etag=fetched.etag)


def pull_trust(
    store: Store, client: CentralClient, now: dt.datetime, *, held: TrustStore | None = None
) -> Pulled:
    """Both lists; a new trust store when either changed, both parse, and neither
    goes back (:func:`contract.trust.check_successor` against the cached lists and
    ``held``, the running kiosk's store). A refused list is not cached."""
    cached_trust_doc, cached_revocations = (
        store.load_trust("trust_list"),
        store.load_trust("revocations"),
    )
    trust = client.fetch_trust(cached_trust_doc.etag if cached_trust_doc else None)
    revocations = client.fetch_revocations(cached_revocations.etag if cached_revocations else None)
    changed = not (trust.not_modified and revocations.not_modified)
    if not changed:
        return Pulled()
    trust_data = _data(trust, cached_trust_doc)
    revocations_data = _data(revocations, cached_revocations)
    if trust_data is None:
        return Pulled()
    try:
        trust_store = TrustStore.from_json(
            trust_data, revocations_data, source="central trust list"
        )
        floors = [floor for floor in (cached_trust(store), held) if floor is not None]
        for floor in floors:
            check_successor(floor, trust_store)
        check_step(floors, trust_store)
    except TrustVersionJump as exc:
        log.error("central sent a list whose version leaps suspiciously far, refused: %s", exc)
        return Pulled(refused=(f"trust: {exc}"[:200],))
    except TrustRollback as exc:
        log.error("central sent a trust or revocation list older than ours, refused: %s", exc)
        return Pulled(refused=(f"trust: {exc}"[:200],))
    except TrustError as exc:
        log.error("central sent an unusable trust or revocation list, keeping ours: %s", exc)
        return Pulled(refused=(f"trust: {exc}"[:200],))
    names: tuple[tuple[TrustName, DocumentFetch], ...] = (
        ("trust_list", trust),
        ("revocations", revocations),
    )
    for name, fetched in names:
        if not fetched.not_modified and fetched.data is not None:
            _keep(store, name, fetched, now)
    return Pulled(trust=trust_store)


def cached_trust(store: Store) -> TrustStore | None:
    """The trust store the centre last sent, from the cache (None if never fetched or unusable)."""
    trust, revocations = store.load_trust("trust_list"), store.load_trust("revocations")
    if trust is None:
        return None
    try:
        return TrustStore.from_json(
            json.loads(trust.body),
            json.loads(revocations.body) if revocations is not None else None,
            source="cached trust list",
        )
    except (TrustError, ValueError) as exc:
        log.error("cached trust list unusable: %s", exc)
        return None


def _data(fetched: DocumentFetch, cached: CachedDocument | None) -> Any:
    if not fetched.not_modified:
        return fetched.data
    return json.loads(cached.body) if cached is not None else None


def _keep(store: Store, name: TrustName, fetched: DocumentFetch, now: dt.datetime) -> None:
    data = fetched.data or {}
    body = fetched.raw or json.dumps(data).encode()
    version = str(data.get("version", ""))
    store.save_trust(name, body, version=version, etag=fetched.etag, now=now)
