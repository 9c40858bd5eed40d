"""Issuer keys, issuing a card from claims, and card image files."""

from __future__ import annotations

import base64
import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.errors import CardImageError, IssueError
from cardio.issuing.card_image import CARD_IMAGE_FORMAT, CardImage
from cardio.issuing.issuer import IssuerKey, generate_issuer_key, issue_card
from contract.assurance import Assurance
from contract.trust import TrustStore
from testkit.cards import citizen_claims, read

PKU = generate_issuer_key("ID-PKU", "Kota Pekanbaru")
PKU_TRUST = TrustStore.from_json(PKU.trust_list())


def test_an_issued_card_reads_as_clone_proof_with_its_issuers_trust_list() -> None:
    image = issue_card(PKU, citizen_claims(), label="Siti")
    assert len(image.uid) == 7 and image.uid[0] == 0x04
    identity = read(CitizenCardApplet.from_image(image), PKU_TRUST, now=dt.datetime.now(dt.UTC))
    assert identity.assurance is Assurance.CLONE_PROOF and identity.issuer == "ID-PKU"
    assert identity.citizen is not None
    assert identity.citizen.to_claims()["kelurahan"] == "Simpang Empat"
    assert identity.citizen.to_claims()["bpjs_number"] == "0001234567890"


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        (citizen_claims(nik="9971015203850001"), "malformed.*province code 99"),
        (citizen_claims(sex="M"), "nik_mismatch"),
        (citizen_claims(nickname="Siti"), "unknown claim 'nickname'"),
        ({k: v for k, v in citizen_claims().items() if k != "full_name"}, "full_name"),
    ],
)
def test_issuing_refuses_claims_no_kiosk_would_accept(claims: dict[str, Any], problem: str) -> None:
    with pytest.raises(IssueError, match=problem):
        issue_card(PKU, claims)


def test_issuing_refuses_a_card_that_expires_before_it_is_issued() -> None:
    issued = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(IssueError, match="expire"):
        issue_card(PKU, citizen_claims(), issued=issued, expires=issued)


def test_issuer_ids_look_like_id_pku() -> None:
    for bad in ("PKU", "id-pku", "ID PKU", ""):
        with pytest.raises(IssueError):
            generate_issuer_key(bad)


def test_issuer_key_file_round_trips_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "issuer-key.json"
    PKU.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["format"] == "anjungan-issuer-key/1"
    assert data["issuer"] == "ID-PKU" and data["kid"] == PKU.kid.hex()
    assert data["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    loaded = IssuerKey.load(path)
    assert (loaded.issuer_id, loaded.name, loaded.kid) == ("ID-PKU", "Kota Pekanbaru", PKU.kid)


@pytest.mark.parametrize(
    "content",
    ["{", "[]", '{"format": "anjungan-issuer-key/1", "issuer": "ID-PKU", "private_key": "x"}'],
)
def test_a_bad_issuer_key_file_is_an_issue_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(IssueError):
        IssuerKey.load(path)


def test_card_image_file_is_the_documented_json(tmp_path: Path) -> None:
    image = issue_card(PKU, citizen_claims(), uid=bytes.fromhex("04A1B2C3D4E5F6"), label="Siti")
    path = tmp_path / "card.json"
    image.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert list(data) == ["format", "label", "uid", "record", "card_private_key"]
    assert data["format"] == CARD_IMAGE_FORMAT == "anjungan-card-image/1"
    assert data["uid"] == "04A1B2C3D4E5F6"
    assert base64.b64decode(data["record"]) == image.record
    assert data["card_private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    loaded = CardImage.load(path)
    assert (loaded.uid, loaded.record, loaded.label) == (image.uid, image.record, "Siti")
    assert (
        read(CitizenCardApplet.from_image(loaded), PKU_TRUST, now=dt.datetime.now(dt.UTC)).citizen
        is not None
    )


def test_a_uid_only_card_image_has_no_record_and_no_key(tmp_path: Path) -> None:
    path = tmp_path / "ektp.json"
    CardImage(bytes.fromhex("08C0FFEE"), None, None).save(path)
    data = json.loads(path.read_text())
    assert data == {
        "format": "anjungan-card-image/1",
        "uid": "08C0FFEE",
        "record": None,
        "card_private_key": None,
    }
    assert CitizenCardApplet.from_image(CardImage.load(path)).execute(
        bytes.fromhex("FFCA000000")
    ) == bytes.fromhex("08C0FFEE9000")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"format": "anjungan-card-image/0"}, "format"),
        ({"uid": "04A1"}, "uid"),
        ({"uid": "zz"}, "uid"),
        ({"record": "not base64!"}, "base64"),
        ({"record": ""}, "record must be"),
        ({"card_private_key": "-----BEGIN PRIVATE KEY-----"}, "PEM"),
        ({"label": 5}, "label"),
    ],
)
def test_a_bad_card_image_names_the_field(
    tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    data = {**issue_card(PKU, citizen_claims()).to_json(), **changes}
    path = tmp_path / "card.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CardImageError, match=problem) as caught:
        CardImage.load(path)
    assert str(path) in str(caught.value)


def test_reprs_keep_personal_data_and_keys_out() -> None:
    image = issue_card(PKU, citizen_claims(), label="Siti")
    assert "Aminah" not in repr(image) and "PRIVATE" not in repr(image)
    assert "PRIVATE" not in repr(PKU) and "PRIVATE" not in repr(CitizenCardApplet.from_image(image))
