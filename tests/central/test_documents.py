"""Catalog, trust list and revocation list: exact formats, versions, ETag and 304."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from central.database import Database
from central.documents.trust_lists import import_revocation_list
from central.process import RunningCentral
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from contract.trust import REVOCATION_LIST_FORMAT, TRUST_LIST_FORMAT, TrustStore
from kiosk.client.client import CentralClient
from testkit.centre_accounts import bearer

pytestmark = pytest.mark.timeout(60)
PATHS = ("/api/v1/catalog", "/api/v1/trust", "/api/v1/revocations")


def demo(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_trust_list_is_the_demo_list_in_cardio_format(client: CentralClient) -> None:
    fetched = client.fetch_trust()
    assert fetched.data is not None and fetched.etag is not None
    expected = demo(DEMO_TRUST_LIST)
    assert fetched.data["format"] == TRUST_LIST_FORMAT
    assert fetched.data["issuers"] == expected["issuers"]
    assert fetched.data["version"] >= expected["version"]
    store = TrustStore.from_json(fetched.data)  # what a kiosk does with it
    assert [i.issuer_id for i in store.issuers.values()] == ["ID-PKU-DEMO"]


def test_revocation_list_is_in_cardio_format(client: CentralClient) -> None:
    fetched = client.fetch_revocations()
    assert fetched.data is not None
    assert fetched.data["format"] == REVOCATION_LIST_FORMAT
    assert set(fetched.data) == {"format", "version", "revoked"}
    store = TrustStore.from_json(demo(DEMO_TRUST_LIST), fetched.data)
    assert store.revocation_version == fetched.data["version"]


@pytest.mark.parametrize("path", PATHS)
def test_etag_and_304(central_server: RunningCentral, kiosk_token: str, path: str) -> None:
    url = central_server.url + path
    first = requests.get(url, headers=bearer(kiosk_token), timeout=5)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 66, "strong SHA-256 tag"
    again = requests.get(url, headers={**bearer(kiosk_token), "If-None-Match": etag}, timeout=5)
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    stale = requests.get(url, headers={**bearer(kiosk_token), "If-None-Match": '"x"'}, timeout=5)
    assert stale.status_code == 200 and stale.content == first.content


def test_client_fetches_with_etags(client: CentralClient) -> None:
    for fetch in (client.fetch_catalog, client.fetch_trust, client.fetch_revocations):
        first = fetch(None)
        assert first.data is not None and first.etag
        again = fetch(first.etag)
        assert again.not_modified and again.data is None and again.etag == first.etag


def test_a_new_revocation_list_is_a_new_version_on_every_process(
    central_server: RunningCentral, operator: Database, client: CentralClient
) -> None:
    before = client.fetch_revocations()
    assert before.data is not None and before.etag
    newer = demo(DEMO_REVOCATION_LIST)
    newer["revoked"]["ID-PKU-DEMO"].append("PKU-000099")
    try:
        with operator.begin() as conn:  # as another app process or an operator would
            assert import_revocation_list(conn, newer)
        after = client.fetch_revocations(before.etag)
        assert not after.not_modified and after.data is not None
        assert after.data["version"] == before.data["version"] + 1
        assert "PKU-000099" in after.data["revoked"]["ID-PKU-DEMO"]
        with operator.begin() as conn:
            assert not import_revocation_list(conn, newer), "the same list is not a new version"
    finally:
        with operator.begin() as conn:
            import_revocation_list(conn, demo(DEMO_REVOCATION_LIST))
