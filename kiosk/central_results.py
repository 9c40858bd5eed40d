"""What :class:`kiosk.central_client.CentralClient` returns (plain data, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The record keys a lookup may fill (``record.<key>`` in the catalog's forms).
RECORD_KEYS = ("medical_record_number", "family_card_number", "phone")


@dataclass(frozen=True)
class DocumentFetch:
    """The result of fetching a versioned document (catalog, trust or revocation list).

    ``not_modified`` means the ``etag`` sent still matches and ``data`` is
    ``None``; otherwise ``data`` is the JSON object (not yet validated: see
    :meth:`kiosk.catalog.Catalog.from_json`, :meth:`cardio.trust.TrustStore.from_json`)
    and ``etag`` its new tag.
    """

    not_modified: bool
    etag: str | None
    data: dict[str, Any] | None


#: The name the catalog's fetch had first.
CatalogFetch = DocumentFetch


@dataclass(frozen=True)
class Enrolment:
    """What :meth:`CentralClient.enrol` got: the kiosk's id, office and bearer token."""

    kiosk_id: str
    office_id: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class CitizenLookup:
    """A citizen's city record: what the card does not hold.

    ``record`` has the keys of :data:`RECORD_KEYS` the city knows. For a
    lookup by UID, ``full_name`` and ``nik`` say whom the registry lists as
    the card's holder (unverified: a UID can be copied).
    """

    record: Mapping[str, str]
    full_name: str | None = None
    nik: str | None = None
    card_number: str | None = None

    def __repr__(self) -> str:  # personal data never reaches a log by accident
        return f"CitizenLookup(<{len(self.record)} record fields>, holder={self.nik is not None})"
