"""The read effect and the registry: a failing lookup never costs the citizen the read,
and a UID-only card's holder is named only after the centre confirmed the date of birth."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import pytest

from cardio.card.layout import encode_record
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from central.settings import DEMO_ENROLMENT_CODE
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from kiosk.client.client import CentralClient
from kiosk.config import CardSection, Config, KioskSection, PrinterSection, SyncSection
from kiosk.controller import KioskController
from kiosk.executor import Done, Executor, Failed, InlineExecutor, settle
from kiosk.session.events import (
    BirthDateEntered,
    Cancel,
    FormOpened,
    ProofSkipped,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from kiosk.session.prefill import Source
from kiosk.wiring.from_config import trust_from
from offline_store import Store
from printing import make_printer
from testkit.centres import DEMO_CATALOG
from testkit.clocks import ManualClock
from testkit.peers import RawServer, http_reply
from testkit.sync_kiosk import IMPATIENT_S, PATIENT_S
from testkit.todays_bookings import booking

pytestmark = pytest.mark.timeout(60)
T = TypeVar("T")

RINA_NIK = "1471055506900003"
SITI = demo_card("siti")
EKTP = demo_card("ektp")
NESTED = b"[" * 200_000  # a body json cannot parse without running out of stack


#: Centres that fail, each in its own way, at the lookup.
FAILING = {
    "unavailable": http_reply("503 Service Unavailable", b'{"error":"unavailable"}'),
    "refused": http_reply("401 Unauthorized", b'{"error":"unauthorized"}'),
    "not_json": http_reply("200 OK", b"{not json"),
    "nested_json": http_reply("200 OK", NESTED),
    "found_garbled": http_reply("200 OK", b'{"found": true, "record": [], "holder": 7}'),
    "silent": None,  # accepts, never answers: the lookup's deadline
}


class Build(Protocol):
    def __call__(
        self,
        url: str,
        token: str,
        *,
        trusted: bool = True,
        executor: Executor | None = None,
        deadline_s: float = PATIENT_S,
    ) -> KioskController: ...


class AnswersHeld:
    """Runs the work at once; hands what it sends ahead (``call_soon``) over at once, as the
    GUI thread would while the worker goes on; keeps the work's own answer until
    :meth:`release` (a worker still waiting for the centre)."""

    def __init__(self) -> None:
        self.answers: list[Callable[[], None]] = []

    def run_in_background(self, work: Callable[[], T], done: Done[T], failed: Failed) -> None:
        self.answers.append(settle(work, done, failed))

    def call_soon(self, fn: Callable[[], None]) -> None:
        fn()

    def release(self) -> None:
        answers, self.answers = self.answers, []
        for answer in answers:
            answer()


@pytest.fixture
def build(tmp_path: Path, clock: ManualClock) -> Iterator[Build]:
    """A controller on the simulated reader, talking to the centre at ``url`` with ``token``."""
    made: list[tuple[KioskController, Store]] = []

    def make(
        url: str,
        token: str,
        *,
        trusted: bool = True,
        executor: Executor | None = None,
        deadline_s: float = PATIENT_S,
    ) -> KioskController:
        """``trusted=False``: a kiosk with no trust list (every card unverified).
        ``deadline_s``: the client's and the lookup's; a healthy centre gets what a loaded
        machine needs, a failing one (:func:`failing_centre`) :data:`IMPATIENT_S`, so a
        silent one's wait stays short."""
        folder = tmp_path / f"kiosk{len(made)}"
        demo = {"trust_list": str(DEMO_TRUST_LIST), "revocation_list": str(DEMO_REVOCATION_LIST)}
        config = Config(
            kiosk=KioskSection(data_dir=str(folder)),
            printer=PrinterSection(output_dir=str(folder)),
            card=CardSection(**demo) if trusted else CardSection(),
            sync=SyncSection(lookup_deadline_s=deadline_s),
        )
        store = Store.open(config.store_path)
        controller = KioskController(
            config,
            reader=SimulatedReader(),
            store=store,
            printer=make_printer("pdf_file", output_dir=folder),
            central=CentralClient(url, token=token, timeout_s=deadline_s),
            executor=executor or InlineExecutor(),
            clock=clock,
            trust=trust_from(config),
        )
        controller.start()
        made.append((controller, store))
        return controller

    yield make
    for controller, store in made:
        controller.stop()
        store.close()


@pytest.fixture
def failing_centre() -> Iterator[Callable[[bytes | None], str]]:
    servers: list[RawServer] = []

    def start(reply: bytes | None) -> str:
        servers.append(RawServer(reply))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()


def tap(controller: KioskController, card_key: str) -> None:
    reader = controller._reader
    assert isinstance(reader, SimulatedReader)
    reader.tap(demo_card(card_key).applet())


@pytest.mark.parametrize("failure", FAILING, ids=list(FAILING))
def test_a_failing_city_record_lookup_keeps_the_card_read(
    build: Build, failing_centre: Callable[[bytes | None], str], failure: str
) -> None:
    controller = build(failing_centre(FAILING[failure]), "token", deadline_s=IMPATIENT_S)
    tap(controller, "siti")
    state = controller.session()
    assert state.phase is Phase.IDENTIFIED, "the read is kept, whatever the registry did"
    assert state.identity is not None and state.identity.assurance is Assurance.CLONE_PROOF
    assert state.identity.citizen is not None and SITI.claims is not None
    assert state.identity.citizen.full_name == SITI.claims["full_name"]
    assert state.record is None


@pytest.mark.parametrize("failure", FAILING, ids=list(FAILING))
def test_a_failing_date_of_birth_check_carries_on_without_pre_fill(
    build: Build, failing_centre: Callable[[bytes | None], str], failure: str
) -> None:
    controller = build(failing_centre(FAILING[failure]), "token", deadline_s=IMPATIENT_S)
    tap(controller, "ektp")
    assert controller.session().phase is Phase.PROVING
    controller.dispatch(BirthDateEntered("15061990"))
    state = controller.session()
    assert (state.phase, state.problem) == (Phase.IDENTIFIED, "birth_date_unavailable")
    assert state.identity is not None and state.identity.citizen is None
    assert state.record is None


def test_too_many_attempts_at_the_centre_says_so(
    build: Build, failing_centre: Callable[[bytes | None], str]
) -> None:
    locked = http_reply(
        "429 Too Many Requests", b'{"error":"too_many_attempts"}', "Retry-After: 3600"
    )
    controller = build(failing_centre(locked), "token", deadline_s=IMPATIENT_S)
    tap(controller, "ektp")
    controller.dispatch(BirthDateEntered("15061990"))
    state = controller.session()
    assert (state.phase, state.problem) == (Phase.IDENTIFIED, "birth_date_locked")
    assert state.identity is not None and state.identity.citizen is None


@pytest.mark.parametrize(
    "body", [b'{"error":"too_many_lookups"}', b'{"error":"rate_limited"}', b"", b"{not json"]
)
def test_only_the_centres_too_many_attempts_locks_the_card(
    build: Build, failing_centre: Callable[[bytes | None], str], body: bytes
) -> None:
    # The kiosk's lookup budget or the general rate limit says nothing about this card.
    busy = http_reply("429 Too Many Requests", body, "Retry-After: 900")
    controller = build(failing_centre(busy), "token", deadline_s=IMPATIENT_S)
    tap(controller, "ektp")
    controller.dispatch(BirthDateEntered("15061990"))
    state = controller.session()
    assert (state.phase, state.problem) == (Phase.IDENTIFIED, "birth_date_unavailable")
    assert state.identity is not None and state.identity.citizen is None


def test_offline_a_uid_only_card_is_not_asked_for_a_date(
    build: Build, failing_centre: Callable[[bytes | None], str]
) -> None:
    controller = build(failing_centre(None), "token", deadline_s=IMPATIENT_S)
    controller._sync.online = False
    tap(controller, "ektp")
    state = controller.session()
    assert state.phase is Phase.IDENTIFIED and state.identity is not None
    assert state.identity.citizen is None and state.record is None


@pytest.fixture
def enrolled(demo_central: str) -> str:
    with CentralClient(demo_central) as client:
        return client.enrol(DEMO_ENROLMENT_CODE, "test").token


def test_the_holder_is_named_only_after_the_right_date(
    build: Build, demo_central: str, enrolled: str
) -> None:
    controller = build(demo_central, enrolled)
    fetched = controller._centre.client.fetch_catalog()  # as the sync engine would bring it
    assert fetched.data is not None
    controller._sync.use_catalog(Catalog.from_json(fetched.data))
    tap(controller, "ektp")
    state = controller.session()
    assert state.phase is Phase.PROVING
    assert state.identity is not None and state.identity.citizen is None and state.record is None

    controller.dispatch(BirthDateEntered("16061990"))  # a day off
    state = controller.session()
    assert (state.phase, state.problem) == (Phase.PROVING, "birth_date_mismatch")
    assert state.identity is not None and state.identity.citizen is None

    controller.dispatch(BirthDateEntered("15061990"))
    state = controller.session()
    assert state.phase is Phase.IDENTIFIED
    assert state.identity is not None and state.identity.citizen is not None
    assert state.identity.citizen.nik == RINA_NIK
    assert state.identity.citizen.date_of_birth == dt.date(1990, 6, 15)
    assert state.identity.assurance is Assurance.UNVERIFIED, "a UID can be copied"
    assert state.record is not None and state.record["medical_record_number"] == "RM-2021-017733"
    controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    assert controller.session().values["full_name"].value == "Rina Wulandari"
    # Nothing kept for offline: the store never answers for a UID-only card's holder.
    assert controller._store.get_citizen_record(RINA_NIK, controller.now()) is None


def test_skipping_the_date_names_no_one(build: Build, demo_central: str, enrolled: str) -> None:
    controller = build(demo_central, enrolled)
    tap(controller, "ektp")
    controller.dispatch(ProofSkipped())
    state = controller.session()
    assert state.phase is Phase.IDENTIFIED
    assert state.identity is not None and state.identity.citizen is None and state.record is None


def test_an_unsigned_card_naming_someone_else_gets_no_city_record(
    build: Build, demo_central: str, enrolled: str
) -> None:
    """A kiosk that trusts no issuer reads claims anyone can write: a home-made card
    with a neighbour's card number must not bring the neighbour's record, online or
    from the cache."""
    controller = build(demo_central, enrolled, trusted=False)
    reader = controller._reader
    assert isinstance(reader, SimulatedReader)
    siti_record = {"phone": "081378901234"}
    controller._store.put_citizen_record("PKU-000001", siti_record, dt.datetime.now(dt.UTC))
    forged = {"card_number": "PKU-000001", "nik": "1471011708790009",
              "full_name": "Penyusup", "date_of_birth": "1979-08-17", "sex": "M"}  # fmt: skip
    seen: list[str] = []
    for online in (True, False):
        controller._sync.online = online
        reader.tap(CitizenCardApplet(bytes.fromhex("04DEADBEEF0001"), encode_record(forged)))
        state = controller.session()
        assert state.identity is not None
        assert state.identity.assurance is Assurance.UNVERIFIED
        assert state.record is None, "an unsigned card named a stranger's record"
        seen.append(str(state.identity.citizen.full_name if state.identity.citizen else ""))
        controller.dispatch(Cancel())
        reader.remove()
    assert seen == ["Penyusup", "Penyusup"]  # what the card itself says, nothing more


def _cache_sitis_booking(controller: KioskController) -> None:
    """Siti's booking of today in the store's cache, and the demo catalog in use."""
    controller._sync.use_catalog(Catalog.from_json(json.loads(DEMO_CATALOG.read_text())))
    now = controller.now()
    office = controller.config.kiosk.office_id
    held = booking(now.date(), office_id=office)
    controller._store.save_bookings(office, now.date(), [held], etag=None, now=now)


def test_a_verified_cards_booking_shows_first_with_the_centre_failing(
    build: Build, failing_centre: Callable[[bytes | None], str]
) -> None:
    controller = build(failing_centre(FAILING["unavailable"]), "token", deadline_s=IMPATIENT_S)
    _cache_sitis_booking(controller)
    tap(controller, "siti")
    state = controller.session()
    assert state.phase is Phase.APPOINTMENT and state.booking is not None
    assert state.booking.service_id == "ktp-cetak-ulang"


def test_claims_no_issuer_signed_find_no_booking(
    build: Build, failing_centre: Callable[[bytes | None], str]
) -> None:
    """Anyone can write a neighbour's card number on a blank card: unverified claims
    open neither the city's record nor the cached bookings."""
    controller = build(
        failing_centre(FAILING["unavailable"]), "token", trusted=False, deadline_s=IMPATIENT_S
    )
    _cache_sitis_booking(controller)
    tap(controller, "siti")
    state = controller.session()
    assert state.identity is not None and state.identity.assurance is Assurance.UNVERIFIED
    assert (state.phase, state.booking) == (Phase.IDENTIFIED, None)


def test_the_greeting_does_not_wait_for_the_city_record(
    build: Build, demo_central: str, enrolled: str
) -> None:
    """The card's holder is greeted once the card is verified; the centre's record
    follows, and a form opened before it came waits for it: it is pre-filled from the
    record as before."""
    executor = AnswersHeld()
    controller = build(demo_central, enrolled, executor=executor)
    controller._sync.use_catalog(Catalog.from_json(json.loads(DEMO_CATALOG.read_text())))
    tap(controller, "siti")
    state = controller.session()
    assert state.phase is Phase.IDENTIFIED, "greeted while the record is still on its way"
    assert state.identity is not None and state.identity.citizen is not None
    assert state.record_pending and state.record is None
    controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    controller.dispatch(FormOpened())
    assert controller.session().phase is Phase.SERVICE_CHOSEN, "the form waits for the record"
    executor.release()  # the centre's answer
    state = controller.session()
    assert state.phase is Phase.FORM and not state.record_pending
    assert state.record is not None and state.record["phone"] == "081378901234"
    phone = state.values["phone"]
    assert (phone.value, phone.source) == ("081378901234", Source.RECORD)


def test_a_tap_waiting_for_a_record_that_never_comes_goes_on_without(
    build: Build, failing_centre: Callable[[bytes | None], str]
) -> None:
    """A silent centre: the record's deadline passes, the waiting tap is taken without
    pre-fill from the record; a second tap while waiting is not taken twice."""
    executor = AnswersHeld()
    controller = build(
        failing_centre(FAILING["silent"]), "token", executor=executor, deadline_s=IMPATIENT_S
    )
    controller._sync.use_catalog(Catalog.from_json(json.loads(DEMO_CATALOG.read_text())))
    tap(controller, "siti")
    controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    controller.dispatch(FormOpened())
    controller.dispatch(FormOpened())  # a second tap: taken once
    assert controller.session().phase is Phase.SERVICE_CHOSEN
    executor.release()
    state = controller.session()
    assert (state.phase, state.record, state.record_pending) == (Phase.FORM, None, False)
    assert state.service is not None and state.service.id == "ktp-cetak-ulang"
    assert "phone" not in state.values


def test_a_record_answering_after_the_session_ended_is_not_taken(
    build: Build, demo_central: str, enrolled: str
) -> None:
    executor = AnswersHeld()
    controller = build(demo_central, enrolled, executor=executor)
    controller._sync.use_catalog(Catalog.from_json(json.loads(DEMO_CATALOG.read_text())))
    tap(controller, "siti")
    controller.dispatch(ServiceSelected("ktp-cetak-ulang"))
    controller.dispatch(FormOpened())
    controller.dispatch(Cancel())
    executor.release()
    state = controller.session()
    assert state.phase is not Phase.FORM, "the cancelled session's tap was taken"
    assert state.record is None and not state.personal
