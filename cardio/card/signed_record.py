"""The signed citizen record: a COSE_Sign1 (RFC 9052) over a CWT claims set (RFC 8392).

In the manner of the EU Digital COVID Certificate::

    18([                                   ; COSE_Sign1, tagged
      << {1: -7, 4: kid} >>,               ; protected: alg ES256, kid (8 bytes)
      {},                                  ; unprotected: empty
      << {1: iss, 4: exp, 6: iat,          ; CWT claims
          -65537: {citizen map}} >>,
      signature                            ; 64 bytes, r || s
    ])

The citizen map (text keys) is in docs/card-format.md; it includes
``card_key``, the card's own public key as a COSE_Key (EC2, P-256) that
INTERNAL AUTHENTICATE proves. Signing and verifying are the ``cwt`` library's;
this module decides what the claims mean and why a record is refused.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from cardio.card.citizen import Citizen, refused_character
from cardio.errors import CardRejected, MalformedCard, Reason
from contract.trust import Issuer, TrustStore


def _cwt() -> ModuleType:
    """The COSE library, imported on first use: it costs ~170 ms of start-up,
    which the kiosk spends after the attract screen is painted (see
    ``kiosk.controller.KioskController.start``)."""
    import cwt

    return cwt


#: CBOR tag of a COSE_Sign1 (RFC 9052 §4.2).
COSE_SIGN1_TAG = 18
ALG_ES256 = -7
HEADER_ALG = 1
HEADER_KID = 4
CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_NBF = 5
CLAIM_IAT = 6
#: The private claim holding the citizen map: the first value of the CWT
#: private-use range (less than -65536, RFC 8392 §9.1).
CLAIM_CITIZEN = -65537
CARD_KEY = "card_key"
#: Tolerance for a kiosk clock running behind the issuer's (iat and nbf only).
CLOCK_LEEWAY = dt.timedelta(minutes=5)

_COSE_KEY_KTY, _COSE_KEY_CRV, _COSE_KEY_X, _COSE_KEY_Y, _COSE_KEY_D = 1, -1, -2, -3, -4
_KTY_EC2, _CRV_P256 = 2, 1


@dataclass(frozen=True)
class VerifiedRecord:
    """A record whose signature, issuer, validity and NIK all checked out."""

    issuer: Issuer
    issued: dt.datetime
    expires: dt.datetime
    citizen: Citizen
    card_key: ec.EllipticCurvePublicKey = field(repr=False)


def cose_key(public_key: ec.EllipticCurvePublicKey) -> dict[int, Any]:
    """The card public key as the record carries it: ``{1: 2, -1: 1, -2: x, -3: y}``."""
    numbers = public_key.public_numbers()
    return {
        _COSE_KEY_KTY: _KTY_EC2,
        _COSE_KEY_CRV: _CRV_P256,
        _COSE_KEY_X: numbers.x.to_bytes(32, "big"),
        _COSE_KEY_Y: numbers.y.to_bytes(32, "big"),
    }


def sign(claims: Mapping[int, Any], private_key: ec.EllipticCurvePrivateKey, kid: bytes) -> bytes:
    """A COSE_Sign1 over the deterministic CBOR encoding of ``claims``."""
    return sign_payload(cbor2.dumps(dict(claims), canonical=True), private_key, kid)


def sign_payload(payload: bytes, private_key: ec.EllipticCurvePrivateKey, kid: bytes) -> bytes:
    """A COSE_Sign1 over ``payload`` as it is (:func:`sign` gives it good claims)."""
    numbers = private_key.private_numbers()
    signer = _cwt().COSEKey.new(
        {
            **cose_key(private_key.public_key()),
            _COSE_KEY_D: numbers.private_value.to_bytes(32, "big"),
            3: ALG_ES256,
            2: kid,
        }
    )
    protected = {HEADER_ALG: ALG_ES256, HEADER_KID: kid}
    signed = (
        _cwt()
        .COSE.new(deterministic_header=True)
        .encode_and_sign(payload, signer, protected=protected, unprotected={})
    )
    if not isinstance(signed, bytes):  # out="" asks cwt for bytes
        raise TypeError("cwt returned no bytes")
    return signed


def unverified_claims(record: bytes) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The protected header and the claims of a COSE_Sign1, without checking it.

    Nothing outside the signature is accepted: the record is exactly one
    tagged COSE_Sign1 in deterministic CBOR (no byte after it), its
    unprotected header is empty, and the protected header and the payload
    are each exactly one deterministic CBOR map. The claims' keys are integers
    (never ``true``/``false``, which Python would take for 1 and 0), and no
    text outside the citizen map holds a refused character (the citizen map is
    :func:`citizen_from_map`'s). Raises :class:`MalformedCard` otherwise.
    """
    message = strict_cbor(record, "record")
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise MalformedCard("record is not a tagged COSE_Sign1")
    parts = message.value
    if not isinstance(parts, list) or len(parts) != 4:
        raise MalformedCard("record is not a 4-element COSE_Sign1")
    protected_bytes, unprotected, payload, signature = parts
    if not all(isinstance(part, bytes) for part in (protected_bytes, payload, signature)):
        raise MalformedCard("COSE_Sign1 header, payload or signature is not a byte string")
    if unprotected != {}:
        raise MalformedCard("the unprotected header is not empty")
    protected = strict_cbor(protected_bytes, "protected header")
    claims = strict_cbor(payload, "claims")
    if not isinstance(protected, dict) or not isinstance(claims, dict):
        raise MalformedCard("record header or claims are not CBOR maps")
    if any(isinstance(key, bool) for key in protected):
        raise MalformedCard("a protected header label is not an integer or text")
    if any(not isinstance(key, int) or isinstance(key, bool) for key in claims):
        raise MalformedCard("a claim key is not an integer")
    for key, value in claims.items():
        if key != CLAIM_CITIZEN:
            check_texts(value, f"claim {key}")
    return protected, claims


def strict_cbor(data: bytes, what: str, *, deterministic: bool = True) -> Any:
    """Exactly one CBOR item: no byte after it, and (``deterministic``) encoded
    as RFC 8949 §4.2 says, so duplicate map keys, indefinite lengths and
    over-long heads are refused too. :class:`MalformedCard` names ``what``."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:  # cbor2 raises several unrelated types
        raise MalformedCard(f"{what} is not CBOR: {type(exc).__name__}") from None
    if stream.tell() != len(data):
        raise MalformedCard(f"{len(data) - stream.tell()} bytes after the {what}")
    if deterministic:
        try:
            again = cbor2.dumps(value, canonical=True)
        except Exception as exc:  # a value cbor2 decoded but cannot write back
            raise MalformedCard(f"{what} does not re-encode: {type(exc).__name__}") from None
        if again != data:
            raise MalformedCard(f"{what} is not deterministic CBOR")
    return value


def verify(record: bytes, trust: TrustStore, now: dt.datetime) -> VerifiedRecord:
    """Check ``record`` against ``trust`` at ``now``; raise :class:`CardRejected` if refused."""
    protected, _ = unverified_claims(record)
    if protected.get(HEADER_ALG) != ALG_ES256:
        raise CardRejected(Reason.BAD_SIGNATURE, "algorithm is not ES256")
    kid = protected.get(HEADER_KID)
    if not isinstance(kid, bytes) or not kid:
        raise MalformedCard("no kid in the protected header")
    issuer = trust.issuer(kid)
    if issuer is None:
        raise CardRejected(Reason.UNKNOWN_ISSUER, f"kid {kid.hex()} is not on the trust list")
    try:
        _, _, payload = (
            _cwt().COSE.new(verify_kid=True).decode_with_headers(record, [_verifier(issuer)])
        )
    except Exception as exc:  # VerifyError, or ValueError for a misshapen signature
        raise CardRejected(Reason.BAD_SIGNATURE, type(exc).__name__) from None
    claims = cbor2.loads(payload)  # unverified_claims decoded these very bytes already
    if claims.get(CLAIM_ISS) != issuer.issuer_id:
        raise CardRejected(Reason.UNKNOWN_ISSUER, f"record is not issued by {issuer.issuer_id}")
    issued, expires = _validity(claims, now)
    citizen, card_key = citizen_of(claims, reference=issued.date())
    if trust.is_revoked(issuer.issuer_id, citizen.card_number):
        raise CardRejected(Reason.REVOKED, f"revoked by {issuer.issuer_id}")
    return VerifiedRecord(issuer, issued, expires, citizen, card_key)


def read_unverified(record: bytes) -> Citizen:
    """The citizen of a record without checking its signature (the kiosk trusts nobody).

    Accepts a COSE_Sign1 and, from the foundation, the version 0 record (a
    plain CBOR map of text claims, in deterministic CBOR like the signed one).
    Shape and NIK are still checked.
    """
    decoded = strict_cbor(record, "record")
    if isinstance(decoded, dict):  # version 0
        return citizen_from_map(decoded)
    _, claims = unverified_claims(record)
    data = claims.get(CLAIM_CITIZEN)
    if not isinstance(data, dict):
        raise MalformedCard(f"claim {CLAIM_CITIZEN} (citizen) is missing or not a map")
    return citizen_from_map(data)


def citizen_of(
    claims: Mapping[Any, Any], *, reference: dt.date | None = None
) -> tuple[Citizen, ec.EllipticCurvePublicKey]:
    """The citizen map and card key of a claims set, NIK checked against the claims."""
    data = claims.get(CLAIM_CITIZEN)
    if not isinstance(data, dict):
        raise MalformedCard(f"claim {CLAIM_CITIZEN} (citizen) is missing or not a map")
    citizen = citizen_from_map(data, reference=reference)
    return citizen, _card_key(data.get(CARD_KEY))


def citizen_from_map(data: Mapping[Any, Any], *, reference: dt.date | None = None) -> Citizen:
    """Shape checks, then the NIK: malformed if it cannot exist, ``nik_mismatch``
    if it contradicts the date of birth or sex.

    The citizen map and its address map have text keys only, and no text in
    the map, at any depth and in keys too (unknown entries included), holds a
    refused character (:func:`cardio.card.citizen.refused_character`)."""
    _text_keys(data, "the citizen map")
    if isinstance(data.get("address"), dict):
        _text_keys(data["address"], "field 'address'")
    check_texts(data, "")
    citizen = Citizen.from_claims(data)
    if reference is not None and citizen.date_of_birth > reference:
        raise MalformedCard("field 'date_of_birth' is after the issue date")
    nik = citizen.check_nik(reference)
    if not nik.matches(citizen.date_of_birth, citizen.sex):
        raise CardRejected(Reason.NIK_MISMATCH, "NIK disagrees with date of birth or sex")
    return citizen


def _text_keys(data: Mapping[Any, Any], what: str) -> None:
    if not all(isinstance(key, str) for key in data):
        raise MalformedCard(f"a key of {what} is not text")


def check_texts(value: Any, path: str) -> None:
    """Refuse ``value`` if any text in it (map keys too, at any depth) holds a
    character no claim may hold. Iterative: nesting depth is cbor2's limit, not
    Python's recursion limit. ``path`` names the field in the message."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            refused = refused_character(item)
            if refused is not None:
                name = where if where.startswith("claim ") else f"field '{where}'"
                raise MalformedCard(f"{name} holds the control character {refused}")
        elif isinstance(item, Mapping):  # dict, or cbor2's FrozenDict for a map key
            for key, inner in item.items():
                if isinstance(key, str) and refused_character(key) is not None:
                    raise MalformedCard(
                        f"a key in {where or 'the citizen map'} holds the control character"
                        f" {refused_character(key)}"
                    )
                if not isinstance(key, str | int):
                    stack.append((where, key))
                inner_name = key if isinstance(key, str | int) else "?"
                stack.append((f"{where}.{inner_name}" if where else str(inner_name), inner))
        elif isinstance(item, list | tuple):
            stack.extend((where, inner) for inner in item)
        elif isinstance(item, cbor2.CBORTag):
            stack.append((where, item.value))


def _validity(claims: Mapping[Any, Any], now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    times: dict[int, dt.datetime] = {}
    for key in (CLAIM_IAT, CLAIM_EXP, CLAIM_NBF):
        value = claims.get(key)
        if value is None and key == CLAIM_NBF:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise MalformedCard(f"claim {key} is not a NumericDate")
        try:
            times[key] = dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise MalformedCard(f"claim {key} is out of range") from None
    issued, expires = times[CLAIM_IAT], times[CLAIM_EXP]
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    not_before = max(issued, times.get(CLAIM_NBF, issued))
    if now < not_before - CLOCK_LEEWAY:
        raise CardRejected(Reason.NOT_YET_VALID, f"valid from {not_before.date()}")
    if now >= expires:
        raise CardRejected(Reason.EXPIRED, f"expired on {expires.date()}")
    return issued, expires


def _card_key(data: Any) -> ec.EllipticCurvePublicKey:
    if not isinstance(data, dict) or _COSE_KEY_D in data:
        raise MalformedCard("card_key is not a public COSE_Key")
    if data.get(_COSE_KEY_KTY) != _KTY_EC2 or data.get(_COSE_KEY_CRV) != _CRV_P256:
        raise MalformedCard("card_key is not an EC2 P-256 key")
    try:
        key = _cwt().COSEKey.new(dict(data)).key
    except Exception:  # cwt checks the coordinates and that the point is on the curve
        raise MalformedCard("card_key is not a valid P-256 point") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise MalformedCard("card_key is not a public key")
    return key


def _verifier(issuer: Issuer) -> Any:
    return _cwt().COSEKey.new({**cose_key(issuer.public_key), 3: ALG_ES256, 2: issuer.kid})
