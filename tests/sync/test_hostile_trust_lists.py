"""Trust and revocation lists a hostile or broken centre might send, over real HTTP
from a stand-in on 127.0.0.1: an empty trust list, and a version pinned near the
top that would make every genuine list after it look older (docs/card-format.md,
"Versions")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from contract.errors import TrustError, TrustRollback
from contract.trust import (
    MAX_LIST_VERSION,
    MAX_VERSION_STEP,
    Issuer,
    TrustStore,
    check_successor,
    kid_for,
    revocation_list_json,
    trust_list_json,
)
from kiosk.client.client import CentralClient
from kiosk.sync.documents import cached_trust, pull_trust
from offline_store import Store
from testkit.stand_in import StandIn

pytestmark = pytest.mark.timeout(60)

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _issuer(issuer_id: str) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return Issuer(kid_for(key), issuer_id, issuer_id, key)


PKU, JKT = _issuer("ID-PKU"), _issuer("ID-JKT")


class Lists:
    """What the stand-in serves at /api/v1/trust and /api/v1/revocations."""

    def __init__(self) -> None:
        self.trust: dict[str, Any] = trust_list_json([PKU, JKT], 3)
        self.revocations: dict[str, Any] = revocation_list_json({"ID-PKU": ["PKU-9"]}, 7)

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/v1/trust":
            return 200, self.trust
        if path == "/api/v1/revocations":
            return 200, self.revocations
        return 404, {"error": "not_found"}


@pytest.fixture
def lists() -> Lists:
    return Lists()


@pytest.fixture
def client(lists: Lists) -> Iterator[CentralClient]:
    centre = StandIn(lists.answer)
    c = CentralClient(centre.url, timeout_s=5)
    c.token = "stand-in"  # noqa: S105 (the stand-in checks no token)
    try:
        yield c
    finally:
        c.close()
        centre.close()


def _first(store: Store, client: CentralClient) -> TrustStore:
    first = pull_trust(store, client, NOW)
    assert first.trust is not None and first.refused == ()
    return first.trust


def test_an_empty_trust_list_is_refused_and_the_genuine_one_of_its_version_taken(
    store: Store, client: CentralClient, lists: Lists
) -> None:
    held = _first(store, client)
    lists.trust = trust_list_json([], 4)

    refused = pull_trust(store, client, NOW, held=held)

    assert refused.trust is None
    assert refused.refused == ("trust: trust list version 4 names no issuer; the one held does",)
    cached = cached_trust(store)
    assert cached is not None and cached.trust_version == 3, "the empty list was cached"
    # the centre's genuine list 4 is not "the same version with other content"
    lists.trust = trust_list_json([PKU], 4)
    taken = pull_trust(store, client, NOW, held=held)
    assert taken.trust is not None and taken.trust.trust_version == 4


def test_every_install_path_refuses_an_empty_trust_list_the_same_way() -> None:
    held = TrustStore.from_json(trust_list_json([PKU], 3))
    empty = TrustStore.from_json(trust_list_json([], 9))
    with pytest.raises(TrustRollback, match="names no issuer"):
        check_successor(held, empty)
    check_successor(TrustStore.empty(), empty)  # nobody trusted yet: nothing lost


def test_a_revocation_list_pinned_near_the_top_is_refused_as_suspicious(
    store: Store, client: CentralClient, lists: Lists, caplog: pytest.LogCaptureFixture
) -> None:
    held = _first(store, client)
    lists.revocations = revocation_list_json({"ID-PKU": ["PKU-9"]}, 7 + MAX_VERSION_STEP + 1)

    refused = pull_trust(store, client, NOW, held=held)

    assert refused.trust is None
    assert refused.refused == (
        f"trust: revocation list version {7 + MAX_VERSION_STEP + 1} is more than "
        f"{MAX_VERSION_STEP} past the 7 held",
    )
    assert "suspiciously" in caplog.text
    # the kiosk is not locked out: the centre's next genuine list is taken
    lists.revocations = revocation_list_json({"ID-PKU": ["PKU-9", "PKU-10"]}, 8)
    taken = pull_trust(store, client, NOW, held=held)
    assert taken.trust is not None and taken.trust.is_revoked("ID-PKU", "PKU-10")
    # a step within the bound is an ordinary new list
    lists.revocations = revocation_list_json({"ID-PKU": ["PKU-9"]}, 8 + MAX_VERSION_STEP)
    assert pull_trust(store, client, NOW, held=taken.trust).trust is not None


@pytest.mark.parametrize("version", [MAX_LIST_VERSION + 1, 2**63 - 1])
def test_a_version_past_the_documented_range_does_not_parse(version: int) -> None:
    with pytest.raises(TrustError, match="version must be a whole number from 1 to"):
        TrustStore.from_json(trust_list_json([PKU], 1), revocation_list_json({}, version))
    with pytest.raises(TrustError, match="version must be a whole number from 1 to"):
        TrustStore.from_json(trust_list_json([PKU], version))


def test_a_kiosk_that_holds_no_list_takes_any_version_in_range(
    store: Store, client: CentralClient, lists: Lists
) -> None:
    lists.revocations = revocation_list_json({}, MAX_LIST_VERSION)
    assert _first(store, client).revocation_version == MAX_LIST_VERSION
