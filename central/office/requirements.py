"""What a citizen must bring for a service, in both languages, from the catalog being served.

The catalog (central/demo_data/catalog.json, published by the city) gives
each service a list of ``requirements``, each ``{"id": ..., "en": ...}``.
The booking pages show them before and after a booking; they are parsed
once per catalog version, as :func:`central.office.queue.catalog_facts` does.
"""

from __future__ import annotations

import json
import threading

from sqlalchemy import Connection

from central.documents.catalog import build_catalog, catalog_marker
from central.documents.versioned import DocumentCache

#: service id → [(Indonesian, English)] of the newest catalog.
Requirements = dict[str, list[tuple[str, str]]]

_lock = threading.Lock()
_parsed: dict[str, Requirements] = {}


def _parse(body: bytes) -> Requirements:
    data = json.loads(body)
    found: Requirements = {}
    for service in data.get("services", []):
        items = []
        for item in service.get("requirements") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                english = item.get("en")
                items.append((item["id"], english if isinstance(english, str) else item["id"]))
        found[str(service["id"])] = items
    return found


def service_requirements(conn: Connection, documents: DocumentCache) -> Requirements:
    """Each service's requirements in the catalog being served (empty without a catalog)."""
    document = documents.get("catalog", conn, catalog_marker, build_catalog)
    if document is None:
        return {}
    with _lock:
        cached = _parsed.get(document.etag)
    if cached is not None:
        return cached
    parsed = _parse(document.body)
    with _lock:
        _parsed.clear()
        _parsed[document.etag] = parsed
    return parsed


def requirements_in(found: Requirements, service_id: str, lang: str) -> list[str]:
    """The requirements of ``service_id`` in ``lang`` (``id`` or ``en``)."""
    pick = 1 if lang == "en" else 0
    return [pair[pick] for pair in found.get(service_id, [])]
