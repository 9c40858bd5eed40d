"""Bad cards on purpose: forged, tampered, cloned and expired card images.

For tests, demos and ``kiosk card emulate --tamper``. Each returns a new
:class:`cardio.issuing.card_image.CardImage` and says which reason a kiosk that
trusts the original issuer gives for it:

* :func:`forged` — the record re-signed by a key nobody trusts:
  ``bad_signature`` (same kid kept) or ``unknown_issuer`` (the forger's kid);
* :func:`tampered` — one byte of the holder's name changed after signing:
  ``bad_signature``;
* :func:`cloned` — the genuine record copied onto a card with another key:
  ``clone_suspected``;
* :func:`expired` — a genuine record whose validity ended yesterday: ``expired``;
* :func:`trailing` — the genuine record with bytes after it: ``malformed``;
* :func:`unprotected` — the genuine record with an entry in its unprotected
  header: ``malformed``;
* :func:`bidi_name` — genuinely signed, the name holding a right-to-left
  override (U+202E): ``malformed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card import signed_record
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import IssuerKey, issue_card


def forged(image: CardImage, *, keep_kid: bool = True) -> CardImage:
    """The same claims signed by a fresh key that no trust list names."""
    protected, claims = signed_record.unverified_claims(_record(image))
    forger = ec.generate_private_key(ec.SECP256R1())
    kid = protected[signed_record.HEADER_KID] if keep_kid else b"FORGED!!"
    record = signed_record.sign(claims, forger, kid)
    return CardImage(image.uid, record, image.card_key, _label(image, "forged"))


def tampered(image: CardImage) -> CardImage:
    """The record with one byte of ``full_name`` changed after signing."""
    record = _record(image)
    _, claims = signed_record.unverified_claims(record)
    name = str(claims[signed_record.CLAIM_CITIZEN]["full_name"]).encode("utf-8")
    encoded = cbor2.dumps(name.decode("utf-8"))
    if record.count(encoded) != 1:
        raise ValueError("the name does not occur exactly once in the record")
    changed = encoded[:-1] + bytes([encoded[-1] ^ 0x01])  # flips a letter, keeps the length
    return CardImage(
        image.uid, record.replace(encoded, changed), image.card_key, _label(image, "tampered")
    )


def cloned(image: CardImage, *, uid: bytes | None = None) -> CardImage:
    """The genuine record on another card: a new private key (same UID by default)."""
    other = ec.generate_private_key(ec.SECP256R1())
    return CardImage(uid or image.uid, _record(image), other, _label(image, "cloned"))


def expired(
    issuer_key: IssuerKey,
    claims: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    uid: bytes | None = None,
    label: str = "",
) -> CardImage:
    """A genuinely signed card whose five-year validity ended a day before ``now``."""
    end = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
    return issue_card(
        issuer_key,
        claims,
        uid=uid,
        issued=end - dt.timedelta(days=5 * 365),
        expires=end,
        label=label,
    )


def trailing(image: CardImage, extra: bytes = b"\x00") -> CardImage:
    """The genuine record with ``extra`` after it, outside the signature."""
    return CardImage(image.uid, _record(image) + extra, image.card_key, _label(image, "trailing"))


def unprotected(image: CardImage, header: Mapping[Any, Any] | None = None) -> CardImage:
    """The genuine record with ``header`` (default: a ``kid``) in its unprotected header."""
    message = cbor2.loads(_record(image))
    message.value[1] = dict(header) if header is not None else {signed_record.HEADER_KID: b"x"}
    record = cbor2.dumps(message, canonical=True)
    return CardImage(image.uid, record, image.card_key, _label(image, "unprotected"))


#: The right-to-left override: "Siti\u202eanimA" shows as "SitiAmina".
RLO = "\u202e"


def bidi_name(
    issuer_key: IssuerKey,
    claims: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
    uid: bytes | None = None,
    label: str = "",
) -> CardImage:
    """A genuinely signed card whose ``full_name`` holds a right-to-left override."""
    name = str(claims.get("full_name", ""))
    first, _, rest = name.partition(" ")
    spoofed = f"{first} {RLO}{rest[::-1]}" if rest else f"{RLO}{name[::-1]}"
    return issue_card(
        issuer_key,
        {**claims, "full_name": spoofed},
        uid=uid,
        issued=now,
        label=label,
        check=False,
    )


def _record(image: CardImage) -> bytes:
    if image.record is None:
        raise ValueError("a UID-only card has no record to tamper with")
    return image.record


def _label(image: CardImage, what: str) -> str:
    return f"{image.label} ({what})" if image.label else what
