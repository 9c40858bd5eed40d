"""Issuing cards: issuer keys, and signed card images made from citizen claims.

What ``kiosk card keygen`` and ``kiosk card issue`` do, as functions:

* :func:`generate_issuer_key` makes an ES256 (P-256) issuer key;
  :meth:`IssuerKey.save` writes it as an issuer key file (JSON, mode 0600)
  and :meth:`IssuerKey.trust_list` gives the trust list kiosks load.
* :func:`issue_card` checks the claims (shape, NIK, NIK against date of birth
  and sex), makes the card's own key pair, signs the record and returns a
  :class:`cardio.issuing.card_image.CardImage`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card import signed_record
from cardio.card.layout import MAX_RECORD
from cardio.errors import CardError, IssueError
from cardio.issuing.card_image import CardImage
from cardio.issuing.secret_files import read_json, write_secret_json
from contract.errors import TrustError
from contract.trust import Issuer, check_issuer_id, kid_for, trust_list_json

ISSUER_KEY_FORMAT = "anjungan-issuer-key/1"
#: Validity of a card unless ``expires`` is given: five years.
DEFAULT_VALIDITY = dt.timedelta(days=5 * 365 + 1)
#: Keys a citizen claims file may have (the record's citizen map without ``card_key``).
CLAIM_KEYS = frozenset(
    {"card_number", "nik", "full_name", "date_of_birth", "sex", "address"}
    | {"blood_type", "bpjs_number"}
)


@dataclass(frozen=True)
class IssuerKey:
    """An issuer's signing key (P-256) and its issuer id (``ID-PKU``)."""

    issuer_id: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    name: str = ""

    @property
    def kid(self) -> bytes:
        return kid_for(self.private_key.public_key())

    @property
    def issuer(self) -> Issuer:
        """The public half, as a trust list entry."""
        return Issuer(self.kid, self.issuer_id, self.name, self.private_key.public_key())

    def trust_list(self, version: int = 1) -> dict[str, Any]:
        """A trust list (JSON object) naming this key alone."""
        return trust_list_json([self.issuer], version)

    def to_json(self) -> dict[str, Any]:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {
            "format": ISSUER_KEY_FORMAT,
            "issuer": self.issuer_id,
            "name": self.name,
            "kid": self.kid.hex(),
            "private_key": pem.decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: Any) -> IssuerKey:
        if not isinstance(data, dict) or data.get("format") != ISSUER_KEY_FORMAT:
            raise IssueError(f"not an issuer key file (format {ISSUER_KEY_FORMAT!r})")
        try:
            issuer_id = check_issuer_id(data.get("issuer", ""))
            key = serialization.load_pem_private_key(
                str(data.get("private_key", "")).encode("ascii"), password=None
            )
        except (TrustError, ValueError, TypeError, UnicodeEncodeError) as exc:
            raise IssueError(f"issuer key file: {exc}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise IssueError("issuer key file: the key must be EC P-256 (ES256)")
        name = data.get("name", "")
        return cls(issuer_id, key, name if isinstance(name, str) else "")

    def save(self, path: Path) -> None:
        """Write the key file with mode 0600: whoever reads it can issue cards."""
        write_secret_json(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> IssuerKey:
        return cls.from_json(read_json(path, IssueError))


def generate_issuer_key(issuer_id: str, name: str = "") -> IssuerKey:
    """A new issuer key for ``issuer_id`` (e.g. ``ID-PKU``, "Kota Pekanbaru")."""
    try:
        check_issuer_id(issuer_id)
    except TrustError as exc:
        raise IssueError(str(exc)) from None
    return IssuerKey(issuer_id, ec.generate_private_key(ec.SECP256R1()), name)


def issue_card(
    issuer_key: IssuerKey,
    claims: Mapping[str, Any],
    *,
    uid: bytes | None = None,
    issued: dt.datetime | None = None,
    expires: dt.datetime | None = None,
    card_key: ec.EllipticCurvePrivateKey | None = None,
    label: str = "",
    check: bool = True,
) -> CardImage:
    """Sign ``claims`` into a new card image with a fresh card key pair.

    ``claims`` is the citizen map (docs/card-format.md) without ``card_key``.
    ``uid`` defaults to a random 7-byte UID, ``issued`` to now, ``expires`` to
    :data:`DEFAULT_VALIDITY` later. ``check=False`` signs the claims as they are:
    only for making broken cards in tests.
    """
    issued = (issued or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    expires = expires or issued + DEFAULT_VALIDITY
    if check:
        _check(claims, issued, expires)
    card_key = card_key or ec.generate_private_key(ec.SECP256R1())
    citizen_map = {**claims, signed_record.CARD_KEY: signed_record.cose_key(card_key.public_key())}
    record = sign_citizen(issuer_key, citizen_map, issued, expires)
    if len(record) > MAX_RECORD:
        raise IssueError(f"the record is {len(record)} bytes; a card holds {MAX_RECORD}")
    return CardImage(uid or random_uid(), record, card_key, label)


def sign_citizen(
    issuer_key: IssuerKey, citizen_map: Mapping[str, Any], issued: dt.datetime, expires: dt.datetime
) -> bytes:
    """The COSE_Sign1 record for a complete citizen map (``card_key`` included)."""
    claims = {
        signed_record.CLAIM_ISS: issuer_key.issuer_id,
        signed_record.CLAIM_IAT: int(issued.timestamp()),
        signed_record.CLAIM_EXP: int(expires.timestamp()),
        signed_record.CLAIM_CITIZEN: dict(citizen_map),
    }
    return signed_record.sign(claims, issuer_key.private_key, issuer_key.kid)


def random_uid() -> bytes:
    """A 7-byte ISO 14443-3 UID (double size) for a new virtual card."""
    return b"\x04" + os.urandom(6)


def _check(claims: Mapping[str, Any], issued: dt.datetime, expires: dt.datetime) -> None:
    unknown = sorted(set(claims) - CLAIM_KEYS)
    if unknown:
        raise IssueError(f"unknown claim {unknown[0]!r} (known: {', '.join(sorted(CLAIM_KEYS))})")
    if expires <= issued:
        raise IssueError("the card would expire before it is issued")
    try:
        signed_record.citizen_from_map(claims, reference=issued.date())
    except CardError as exc:
        raise IssueError(f"claims refused ({exc.reason.value}): {exc.detail}") from None
