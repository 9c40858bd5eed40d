"""Whatever a card answers, the kiosk gets an identity or a CardError with a reason.

Hypothesis generates records, mutations of a good record, signed claims of
every shape, truncated answers and odd status words. The catch-all in
``read_identity`` would turn a crash into ``malformed`` too, so these tests
also insist it is never needed ("unexpected ..." in the detail).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardio.card.citizen import CardIdentity
from cardio.card.citizen_card import read_identity
from cardio.card.layout import card_file
from cardio.card.ndef_cose import NDEF_TYPE, StaticNdefTag
from cardio.card.signed_record import CARD_KEY, cose_key
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from cardio.errors import CardError, Reason
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import sign_citizen
from contract.trust import TrustStore
from testkit.cards import CHALLENGE, DEMO_ISSUER, DEMO_TRUST, NOW, Recorder

SITI = demo_card("siti").image()
GOOD = SITI.record or b""
assert SITI.card_key is not None
SITI_CLAIMS = {
    **(demo_card("siti").claims or {}),
    CARD_KEY: cose_key(SITI.card_key.public_key()),
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(card: Any, trust: TrustStore | None = DEMO_TRUST) -> CardIdentity | CardError:
    try:
        return read_identity(card, trust, now=lambda: NOW, challenge=lambda: CHALLENGE)
    except CardError as exc:
        assert exc.reason in set(Reason)
        assert not exc.detail.startswith("unexpected"), exc.detail
        return exc


def applet_with(record: bytes) -> CitizenCardApplet:
    file = len(record).to_bytes(2, "big") + record if record else b"\x00\x00"
    return CitizenCardApplet(SITI.uid, file, SITI.card_key)


@FAST
@given(st.binary(max_size=700))
def test_any_record_bytes_give_an_identity_or_a_reason(record: bytes) -> None:
    for trust in (DEMO_TRUST, None):
        outcome(Recorder(applet_with(record)), trust)


@FAST
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), min_size=1, max_size=4),
    st.integers(0, len(GOOD)),
)
def test_a_damaged_good_record_never_passes_as_something_else(
    flips: list[tuple[int, int]], keep: int
) -> None:
    damaged = bytearray(GOOD)
    for position, mask in flips:
        damaged[position] ^= mask
    for record in (bytes(damaged), GOOD[:keep]):
        result = outcome(Recorder(applet_with(record)))
        if isinstance(result, CardIdentity):  # only an unchanged record may pass
            assert record == GOOD


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.binary(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12) | st.integers(-5, 5), inner, max_size=5)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        *("card_number", "nik", "full_name", "date_of_birth", "sex"),
        *("address", "card_key", "blood_type", "bpjs_number"),
    ]
)


@FAST
@given(st.dictionaries(field_names, cbor_values, max_size=9), st.booleans())
def test_signed_claims_of_any_shape_give_an_identity_or_a_reason(
    changes: dict[str, Any], drop_key: bool
) -> None:
    claims: dict[str, Any] = {**SITI_CLAIMS, **changes}
    if drop_key:
        claims.pop("card_key", None)
    issued = NOW - dt.timedelta(days=1)
    record = sign_citizen(DEMO_ISSUER, claims, issued, issued + dt.timedelta(days=365))
    for trust in (DEMO_TRUST, None):
        outcome(Recorder(CitizenCardApplet(SITI.uid, card_file(record), SITI.card_key)), trust)


@FAST
@given(st.integers(0, 7), st.binary(max_size=6))
def test_truncated_answers_and_odd_status_words_give_a_reason(step: int, answer: bytes) -> None:
    class Odd(Recorder):
        def transmit(self, apdu: bytes) -> bytes:
            real = super().transmit(apdu)
            return answer if len(self.sent) - 1 == step else real

    outcome(Odd(CitizenCardApplet.from_image(SITI)))


@FAST
@given(st.sampled_from([*range(0x6100, 0x6FFF, 0x37), 0x9000, 0x6282, 0x6D00]))
def test_every_status_word_to_internal_authenticate_is_clone_suspected(sw: int) -> None:
    class Refusing(Recorder):
        def transmit(self, apdu: bytes) -> bytes:
            real = super().transmit(apdu)
            return sw.to_bytes(2, "big") if apdu[1] == 0x88 else real

    result = outcome(Refusing(CitizenCardApplet.from_image(SITI)))
    assert isinstance(result, CardError) and result.reason is Reason.CLONE_SUSPECTED


@FAST
@given(
    st.lists(
        st.tuples(st.sampled_from([NDEF_TYPE, "application/cose", "text/plain"]), st.binary()),
        max_size=3,
    )
)
def test_any_ndef_message_gives_an_identity_or_a_reason(records: list[tuple[str, bytes]]) -> None:
    outcome(StaticNdefTag(SITI.uid, records))
    outcome(CardImage(SITI.uid, GOOD, None).ndef_tag())
