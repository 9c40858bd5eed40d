"""Reading a card at the kiosk: the Anjungan citizen card, an NDEF tag, or a UID.

:func:`read_identity` is the one entry point. On a connection that speaks
APDUs it sends GET UID, SELECTs the citizen application, READs the record in
chunks, verifies it (:mod:`cardio.card.signed_record`) and, for a good record, asks
the card to prove its key with INTERNAL AUTHENTICATE (:mod:`cardio.card.card_auth`).
A card without the application is read for an NDEF record if its connection
gives one (:class:`cardio.readers.reader.NdefConnection`); failing that, the UID
alone is the identity.

Where the record sits on the card: :mod:`cardio.card.layout`. Byte-level
format: docs/card-format.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cardio.card import apdu, signed_record
from cardio.card.card_auth import new_challenge, verify_challenge
from cardio.card.citizen import CardIdentity
from cardio.card.layout import AID, MAX_RECORD
from cardio.card.ndef_cose import find_cose
from cardio.errors import CardError, CardRejected, MalformedCard, Reason, UnsupportedCard
from cardio.readers.reader import CardConnection, NdefConnection
from contract.assurance import Assurance
from contract.trust import TrustStore

#: SELECT answers meaning "no Anjungan application here" (not an error).
_NOT_A_CITIZEN_CARD = (apdu.SW_FILE_NOT_FOUND, apdu.SW_INS_NOT_SUPPORTED, apdu.SW_CLA_NOT_SUPPORTED)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def read_identity(
    card: CardConnection,
    trust: TrustStore | None = None,
    *,
    now: Callable[[], dt.datetime] = _utc_now,
    challenge: Callable[[], bytes] = new_challenge,
) -> CardIdentity:
    """Read and verify whatever card is on ``card``.

    ``trust`` holds the issuer keys and revocations; without it (or with an
    empty one) the kiosk verifies nothing and every card reads as
    ``unverified``. ``now`` and ``challenge`` are the clock and the
    INTERNAL AUTHENTICATE challenge source (a fresh 32 random bytes per read).

    Raises :class:`cardio.errors.CardError` subclasses, never anything else:
    :class:`CardRejected` with a :class:`Reason` for a card the kiosk refuses.
    """
    store = trust if trust is not None else TrustStore.empty()
    try:
        return _read(card, store, now, challenge)
    except CardError:
        raise
    except Exception as exc:  # a backend or library bug must still become a reason
        raise MalformedCard(f"unexpected {type(exc).__name__} while reading") from exc


def _identity_from_record(
    uid: bytes, record: bytes, trust: TrustStore, now: dt.datetime, *, clone_proof: bool
) -> tuple[CardIdentity, signed_record.VerifiedRecord | None]:
    """The identity a record gives, before any anti-clone proof.

    ``clone_proof`` is the level a verified record reaches if its card then
    proves its key; the caller does that with the returned record.
    """
    if not trust.trusts_anyone:
        citizen = signed_record.read_unverified(record)
        return CardIdentity(uid, citizen, Assurance.UNVERIFIED), None
    verified = signed_record.verify(record, trust, now)
    level = Assurance.CLONE_PROOF if clone_proof else Assurance.SIGNED
    identity = CardIdentity(
        uid, verified.citizen, level, issuer=verified.issuer.issuer_id, expires=verified.expires
    )
    return identity, verified


def _read(
    card: CardConnection,
    trust: TrustStore,
    now: Callable[[], dt.datetime],
    challenge: Callable[[], bytes],
) -> CardIdentity:
    uid_resp = apdu.Response.parse(card.transmit(apdu.GET_UID))
    if not uid_resp.ok:
        raise UnsupportedCard(f"GET UID answered {uid_resp.sw:04X}")
    uid = uid_resp.data
    if len(uid) not in apdu.UID_LENGTHS:
        raise MalformedCard(f"a UID of {len(uid)} bytes (4, 7, 8 or 10 expected)")
    selected = apdu.Response.parse(card.transmit(apdu.select_aid(AID)))
    if selected.sw in _NOT_A_CITIZEN_CARD:
        if isinstance(card, NdefConnection):
            return _read_ndef(card, uid, trust, now)
        return CardIdentity(uid=uid, citizen=None, assurance=Assurance.UNVERIFIED)
    if not selected.ok:
        raise UnsupportedCard(f"SELECT answered {selected.sw:04X}")
    record = _read_record(card)  # the application is there: no NDEF fallback
    identity, verified = _identity_from_record(uid, record, trust, now(), clone_proof=True)
    if verified is not None:
        _prove_card_key(card, verified, challenge())
    return identity


def _read_ndef(
    tag: NdefConnection, uid: bytes, trust: TrustStore, now: Callable[[], dt.datetime]
) -> CardIdentity:
    """An NDEF tag can be copied byte for byte: a good record is ``signed`` at best."""
    record = find_cose(tag.ndef_records())
    if record is None:
        return CardIdentity(uid=uid, citizen=None, assurance=Assurance.UNVERIFIED)
    identity, _ = _identity_from_record(uid, record, trust, now(), clone_proof=False)
    return identity


def _prove_card_key(
    card: CardConnection, verified: signed_record.VerifiedRecord, challenge: bytes
) -> None:
    """INTERNAL AUTHENTICATE: the card must sign our fresh challenge with its key."""
    answer = apdu.Response.parse(card.transmit(apdu.internal_authenticate(challenge)))
    if not answer.ok:
        raise CardRejected(
            Reason.CLONE_SUSPECTED, f"INTERNAL AUTHENTICATE answered {answer.sw:04X}"
        )
    if not verify_challenge(verified.card_key, challenge, answer.data):
        raise CardRejected(Reason.CLONE_SUSPECTED, "the card did not prove the record's key")


def _read_record(card: CardConnection) -> bytes:
    length = int.from_bytes(_read_binary(card, 0, 2), "big")
    if length == 0 or length > MAX_RECORD:
        raise MalformedCard(f"record length {length} out of range")
    body = bytearray()
    while len(body) < length:
        body += _read_binary(card, 2 + len(body), min(apdu.READ_CHUNK, length - len(body)))
    return bytes(body)


def _read_binary(card: CardConnection, offset: int, length: int) -> bytes:
    """Exactly ``length`` bytes at ``offset``: a card that answers more or fewer
    bytes than asked is not telling the truth about its file (malformed)."""
    resp = apdu.Response.parse(card.transmit(apdu.read_binary(offset, length)))
    if not resp.ok:
        raise MalformedCard(f"READ BINARY at {offset} answered {resp.sw:04X}")
    if len(resp.data) != length:
        raise MalformedCard(
            f"READ BINARY at {offset} answered {len(resp.data)} bytes, {length} asked"
        )
    return resp.data
