"""A UID-only card in the session machine: nothing personal until the date of birth matches."""

from __future__ import annotations

import datetime as dt

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.nik import Sex
from kiosk.session.events import (
    BirthDateChecked,
    BirthDateEntered,
    Cancel,
    CardRead,
    CardTapped,
    FormOpened,
    ProofOutcome,
    ProofSkipped,
    ProveBirthDate,
    ReadCard,
    ServiceSelected,
    Tick,
    WipeSession,
)
from kiosk.session.machine import (
    INTERACTIVE,
    MAX_PROOF_ATTEMPTS,
    Phase,
    SessionMachine,
    Timeouts,
)
from testkit.clocks import ManualClock

T = Timeouts()
UID = b"\x08\xc0\xff\xee"
UID_ONLY = CardIdentity(uid=UID, citizen=None, assurance=Assurance.UNVERIFIED)
RINA = Citizen(
    card_number="",
    nik="1471055506900003",
    full_name="Rina Wulandari",
    date_of_birth=dt.date(1990, 6, 15),
    sex=Sex.FEMALE,
)
PROVEN = CardIdentity(uid=UID, citizen=RINA, assurance=Assurance.UNVERIFIED)
RECORD = {"medical_record_number": "RM-2021-017733", "phone": "081277001234"}


def make(catalog: Catalog, clock: ManualClock) -> SessionMachine:
    return SessionMachine(lambda: catalog, clock, T)


def to_proving(m: SessionMachine) -> int:
    [effect] = m.handle(CardTapped("r0"))
    assert isinstance(effect, ReadCard)
    m.handle(CardRead(effect.session, UID_ONLY, None, can_prove=True))
    assert m.state.phase is Phase.PROVING
    return effect.session


def type_date(m: SessionMachine, digits: str) -> ProveBirthDate:
    [effect] = m.handle(BirthDateEntered(digits))
    assert isinstance(effect, ProveBirthDate)
    assert m.state.phase is Phase.PROVING_CHECK
    return effect


def test_a_uid_only_card_asks_for_the_date_of_birth_and_holds_nothing_personal(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_proving(m)
    assert m.state.identity is UID_ONLY and m.state.record is None
    assert Phase.PROVING in INTERACTIVE  # the idle timeout runs while the citizen types


def test_without_the_centre_a_uid_only_card_is_greeted_at_once(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    [effect] = m.handle(CardTapped("r0"))
    assert isinstance(effect, ReadCard)
    m.handle(CardRead(effect.session, UID_ONLY, None, can_prove=False))
    assert m.state.phase is Phase.IDENTIFIED and m.state.identity is UID_ONLY


def test_a_matched_date_unlocks_the_holder_and_the_record(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = to_proving(m)
    effect = type_date(m, "15061990")
    assert (effect.session, effect.uid, effect.birth_date) == (session, UID, dt.date(1990, 6, 15))
    assert "1990" not in repr(effect) and "15" not in repr(BirthDateEntered("15061990"))
    m.handle(BirthDateChecked(session, ProofOutcome.MATCHED, PROVEN, RECORD))
    assert m.state.phase is Phase.IDENTIFIED
    assert m.state.identity is PROVEN and m.state.record == RECORD
    m.handle(ServiceSelected("ktp-cetak-ulang"))
    assert m.state.values["full_name"].value == "Rina Wulandari"


def test_skipping_carries_on_without_anything_personal(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_proving(m)
    assert m.handle(ProofSkipped()) == []
    assert m.state.phase is Phase.IDENTIFIED
    assert m.state.identity is UID_ONLY and m.state.record is None
    m.handle(ServiceSelected("ktp-cetak-ulang"))
    m.handle(FormOpened())
    assert m.state.values == {}, "the citizen fills the form by hand"


@pytest.mark.parametrize("digits", ["", "1506199", "31021990", "15131990", "15061850", "1506199a"])
def test_a_date_that_is_not_one_is_not_sent(
    catalog: Catalog, clock: ManualClock, digits: str
) -> None:
    m = make(catalog, clock)
    to_proving(m)
    assert m.handle(BirthDateEntered(digits)) == []
    assert (m.state.phase, m.state.problem, m.state.proof_attempts) == (
        Phase.PROVING,
        "birth_date_invalid",
        0,
    )


def test_wrong_dates_get_another_try_then_the_session_carries_on(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    session = to_proving(m)
    for attempt in range(1, MAX_PROOF_ATTEMPTS):
        type_date(m, "01011990")
        m.handle(BirthDateChecked(session, ProofOutcome.MISMATCH))
        assert (m.state.phase, m.state.problem) == (Phase.PROVING, "birth_date_mismatch")
        assert m.state.proof_attempts == attempt
    type_date(m, "01011990")
    m.handle(BirthDateChecked(session, ProofOutcome.MISMATCH))
    assert (m.state.phase, m.state.problem) == (Phase.IDENTIFIED, "birth_date_gave_up")
    assert m.state.identity is UID_ONLY and m.state.record is None
    assert m.handle(BirthDateEntered("15061990")) == [], "no more tries in this session"


@pytest.mark.parametrize(
    ("outcome", "problem"),
    [
        (ProofOutcome.LOCKED, "birth_date_locked"),
        (ProofOutcome.UNAVAILABLE, "birth_date_unavailable"),
    ],
)
def test_a_locked_or_unreachable_centre_carries_on_without_pre_fill(
    catalog: Catalog, clock: ManualClock, outcome: ProofOutcome, problem: str
) -> None:
    m = make(catalog, clock)
    session = to_proving(m)
    type_date(m, "15061990")
    m.handle(BirthDateChecked(session, outcome))
    assert (m.state.phase, m.state.problem) == (Phase.IDENTIFIED, problem)
    assert m.state.identity is UID_ONLY and m.state.record is None


def test_a_slow_centre_times_out_into_the_services(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    session = to_proving(m)
    type_date(m, "15061990")
    clock.advance(T.read + 0.1)
    m.handle(Tick())
    assert (m.state.phase, m.state.problem) == (Phase.IDENTIFIED, "birth_date_unavailable")
    # Its answer, late: ignored, nothing unlocked.
    m.handle(BirthDateChecked(session, ProofOutcome.MATCHED, PROVEN, RECORD))
    assert m.state.identity is UID_ONLY and m.state.record is None


def test_a_late_match_never_reaches_the_next_citizen(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    first = to_proving(m)
    type_date(m, "15061990")
    clock.advance(T.read + 0.1)  # the centre is slow: the first citizen goes on, then leaves
    m.handle(Tick())
    effects = m.handle(Cancel())
    assert [type(e) for e in effects] == [WipeSession]
    second = to_proving(m)
    assert second != first
    m.handle(BirthDateChecked(first, ProofOutcome.MATCHED, PROVEN, RECORD))
    assert m.state.phase is Phase.PROVING and m.state.identity is UID_ONLY


def test_a_match_for_another_card_is_not_taken(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    session = to_proving(m)
    type_date(m, "15061990")
    other = CardIdentity(uid=b"\x04\x01\x02\x03", citizen=RINA, assurance=Assurance.UNVERIFIED)
    m.handle(BirthDateChecked(session, ProofOutcome.MATCHED, other, RECORD))
    assert m.state.identity is UID_ONLY and m.state.record is None


def test_the_idle_timeout_ends_the_proof(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_proving(m)
    clock.advance(T.idle + 0.1)
    effects = m.handle(Tick())
    assert m.state.phase is Phase.IDLE and m.state.identity is None
    assert [type(e) for e in effects] == [WipeSession]


def test_a_signed_card_never_asks_for_a_date(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    [effect] = m.handle(CardTapped("r0"))
    assert isinstance(effect, ReadCard)
    signed = CardIdentity(uid=UID, citizen=RINA, assurance=Assurance.SIGNED, issuer="DEMO")
    m.handle(CardRead(effect.session, signed, None, can_prove=True))
    assert m.state.phase is Phase.IDENTIFIED
