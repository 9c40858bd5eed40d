"""Trust and revocation lists: the documented JSON, and clear errors for bad files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.emulators.demo_cards import demo_trust_store
from cardio.issuing.issuer import generate_issuer_key
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from contract.errors import TrustError, TrustReason, TrustRollback
from contract.trust import (
    TrustStore,
    check_step,
    check_successor,
    kid_for,
    revocation_list_json,
)
from testkit.cards import DEMO_ISSUER

ISSUER = generate_issuer_key("ID-PKU", "Kota Pekanbaru")


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_the_demo_lists_load_by_kid_and_issuer() -> None:
    store = demo_trust_store()
    [issuer] = store.issuers.values()
    assert issuer.kid == DEMO_ISSUER.kid and issuer.issuer_id == "ID-PKU-DEMO"
    assert "DEMO" in issuer.name
    assert store.trust_version == 1 and store.revocation_version == 1
    assert store.is_revoked("ID-PKU-DEMO", "PKU-000005")
    assert not store.is_revoked("ID-PKU-DEMO", "PKU-000001")
    assert not store.is_revoked("ID-PKU", "PKU-000005")  # revocations are per issuer
    assert json.loads(DEMO_TRUST_LIST.read_text())["format"] == "anjungan-trust-list/1"
    assert json.loads(DEMO_REVOCATION_LIST.read_text())["format"] == "anjungan-revocation-list/1"


def test_kid_is_the_first_8_bytes_of_sha256_over_the_spki() -> None:
    public = ISSUER.private_key.public_key()
    spki = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert kid_for(public) == hashlib.sha256(spki).digest()[:8] == ISSUER.kid


def test_a_written_trust_list_loads_back(tmp_path: Path) -> None:
    path = write(tmp_path / "trust.json", ISSUER.trust_list(version=3))
    revoked = write(tmp_path / "revoked.json", revocation_list_json({"ID-PKU": ["PKU-9"]}, 12))
    store = TrustStore.load(path, revoked)
    assert store.issuer(ISSUER.kid) == ISSUER.issuer
    assert (store.trust_version, store.revocation_version) == (3, 12)
    assert store.is_revoked("ID-PKU", "PKU-9") and store.trusts_anyone
    assert not TrustStore.empty().trusts_anyone


def _entry(**changes: Any) -> dict[str, Any]:
    return {**ISSUER.issuer.to_json(), **changes}


def _trust(**changes: Any) -> dict[str, Any]:
    return {**ISSUER.trust_list(), **changes}


OTHER_KEY = ec.generate_private_key(ec.SECP384R1()).public_key()
OTHER_PEM = OTHER_KEY.public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
).decode()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("{not json", "not valid JSON"),
        ([], "not a JSON object"),
        (_trust(format="anjungan-trust-list/2"), "format must be"),
        (_trust(version=0), "version"),
        (_trust(version="1"), "version"),
        (_trust(version=True), "version"),
        (_trust(issuers={}), "issuers must be a list"),
        (_trust(issuers=["x"]), r"issuers\[0\]: not a JSON object"),
        (_trust(issuers=[_entry(issuer="Pekanbaru")]), r"issuers\[0\]\.issuer"),
        (_trust(issuers=[_entry(kid="00" * 8)]), r"issuers\[0\]\.kid: must be"),
        (_trust(issuers=[_entry(public_key="-----BEGIN")]), "not a PEM public key"),
        (_trust(issuers=[_entry(public_key=OTHER_PEM)]), "P-256"),
        (_trust(issuers=[_entry(), _entry()]), r"issuers\[1\]: kid .* listed twice"),
        (_trust(issuers=[_entry(name=7)]), "name"),
    ],
)
def test_a_bad_trust_list_names_the_file_and_field(tmp_path: Path, data: Any, problem: str) -> None:
    path = write(tmp_path / "trust.json", data)
    with pytest.raises(TrustError, match=problem) as caught:
        TrustStore.load(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"format": "anjungan-trust-list/1", "version": 1}, "format must be"),
        (revocation_list_json({}, 1) | {"revoked": []}, "revoked must be an object"),
        (revocation_list_json({"pekanbaru": ["A"]}), "issuer id"),
        (revocation_list_json({}) | {"revoked": {"ID-PKU": "PKU-1"}}, "list of card numbers"),
        (revocation_list_json({}) | {"revoked": {"ID-PKU": [""]}}, "list of card numbers"),
    ],
)
def test_a_bad_revocation_list_names_the_file(tmp_path: Path, data: Any, problem: str) -> None:
    trust = write(tmp_path / "trust.json", ISSUER.trust_list())
    revoked = write(tmp_path / "revoked.json", data)
    with pytest.raises(TrustError, match=problem) as caught:
        TrustStore.load(trust, revoked)
    assert str(revoked) in str(caught.value)


def test_a_missing_file_is_a_trust_error(tmp_path: Path) -> None:
    with pytest.raises(TrustError, match="cannot read"):
        TrustStore.load(tmp_path / "absent.json")
    trust = write(tmp_path / "trust.json", ISSUER.trust_list())
    with pytest.raises(TrustError, match="cannot read"):
        TrustStore.load(trust, tmp_path / "absent-revocations.json")


def _lists(trust_version: int, revoked: list[str], revocation_version: int) -> TrustStore:
    trust = json.loads(DEMO_TRUST_LIST.read_text())
    trust["version"] = trust_version
    revocations = revocation_list_json({"ID-PKU-DEMO": revoked}, revocation_version)
    return TrustStore.from_json(trust, revocations)


def test_a_list_may_only_go_forward() -> None:
    held = _lists(2, ["PKU-000001"], 5)
    check_successor(held, _lists(2, ["PKU-000001"], 5))  # the same lists again
    check_successor(held, _lists(3, ["PKU-000001"], 6))
    check_successor(held, _lists(2, [], 6))  # a card un-revoked under a new version
    with pytest.raises(TrustRollback, match="revocation list version 4 is lower than the 5 held"):
        check_successor(held, _lists(2, [], 4))
    with pytest.raises(TrustRollback, match="trust list version 1 is lower than the 2 held"):
        check_successor(held, _lists(1, ["PKU-000001"], 5))
    with pytest.raises(TrustRollback, match="revocation list version 5 differs"):
        check_successor(held, _lists(2, [], 5))
    with pytest.raises(TrustRollback, match="revocation list version 0 is lower"):
        no_revocations = {**json.loads(DEMO_TRUST_LIST.read_text()), "version": 2}
        check_successor(held, TrustStore.from_json(no_revocations))


def test_a_trust_list_under_the_same_version_with_another_key_is_refused() -> None:
    held = _lists(2, [], 1)
    other = TrustStore.from_json(ISSUER.trust_list(version=2), held_revocations(held))
    with pytest.raises(TrustRollback, match="trust list version 2 differs"):
        check_successor(held, other)


def held_revocations(held: TrustStore) -> dict[str, Any]:
    return revocation_list_json(held.revoked, held.revocation_version)


def test_each_refusal_of_a_list_says_its_reason() -> None:
    held = _lists(2, ["PKU-000001"], 5)
    with pytest.raises(TrustError) as unusable:
        TrustStore.from_json({"format": "anjungan-trust-list/1"})
    with pytest.raises(TrustRollback) as rollback:
        check_successor(held, _lists(1, ["PKU-000001"], 5))
    with pytest.raises(TrustRollback) as jump:
        check_step([held], _lists(2, ["PKU-000001"], 5 + 10_001))
    assert unusable.value.reason is TrustReason.UNUSABLE
    assert rollback.value.reason is TrustReason.ROLLBACK
    assert jump.value.reason is TrustReason.VERSION_JUMP
