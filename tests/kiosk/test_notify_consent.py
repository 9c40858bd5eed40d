"""Consent to messages before a ticket: asked once, a no by default, and only a yes
puts the number in the registration (``"notify": {"phone": ...}``).

The machine's answers on an injected clock; then whole sessions through the
controller into the real store, whose outbox row is the body the centre receives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card, demo_trust_store
from cardio.readers.simulated import SimulatedReader
from contract.assurance import Assurance
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.config import CentralSection, Config, KioskSection, PrinterSection, SessionSection
from kiosk.controller import KioskController
from kiosk.errors import SessionProblem
from kiosk.executor import InlineExecutor
from kiosk.session import consent, events
from kiosk.session.machine import Phase, SessionMachine, Timeouts
from kiosk.wiring.printer import printer_from
from offline_store import Store
from testkit.clocks import ManualClock

SITI_CLAIMS = demo_card("siti").claims
assert SITI_CLAIMS is not None
SITI = CardIdentity(
    uid=b"\x04\xa1", citizen=Citizen.from_claims(SITI_CLAIMS), assurance=Assurance.UNVERIFIED
)
T = Timeouts()
WIB = dt.timezone(dt.timedelta(hours=7))
TYPED = "081299990000"


# -- the number: checked, offered, shown ------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("081234567890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("0812345678", "0812345678"),  # 10 digits, the shortest
        ("0812345678901", "0812345678901"),  # 13, the numbering plan's longest
        ("+62 0812 3456 7890", "081234567890"),  # the country code before the home form
        ("+62 (0)812-3456-7890", "081234567890"),
        *((f"0{p}12345678", f"0{p}12345678") for p in consent.MOBILE_PREFIXES),
    ],
)
def test_a_mobile_number_as_people_write_it(written: str, number: str) -> None:
    assert consent.mobile_number(written) == number


@pytest.mark.parametrize(
    "written",
    [
        "",
        "0212345678",
        "081234567",
        "0812345678901234",
        "08123456789012",  # 14 digits: longer than any mobile number
        "081234567890123",
        "0800 1234 5678",  # free call, not a mobile
        "0809 1234 5678",  # premium rate
        "0841 2345 678",  # no mobile network's
        "0861 2345 6789",
        "+62 800 1234 5678",
        "08123456789a",
        "+1 812 3456 7890",
        "٠٨١٢٣٤٥٦٧٨٩٠",
        "62 21 1234 5678",
    ],
)
def test_not_a_mobile_number(written: str) -> None:
    assert consent.mobile_number(written) is None


def test_the_question_shows_four_digits_and_three() -> None:
    assert consent.masked("081378901234") == "0813 ••••• 234"
    assert consent.masked("0812345678") == "0812 ••• 678"
    assert consent.grouped("08129999") == "0812 9999"


def test_the_accessibility_notes_show_the_mask_as_it_is() -> None:
    """docs/accessibility.md's table of the masked number: one row for every length a
    mobile number can have, each as :func:`consent.masked` shows it."""
    text = (Path(__file__).parents[2] / "docs" / "accessibility.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\s*\| (\d+) \| `([^`]+)` \| (\d+) \|$", text, re.M)
    lengths = range(consent.MIN_DIGITS, consent.MAX_DIGITS + 1)
    assert [int(n) for n, _, _ in rows] == list(lengths)
    for n, shown, unknown in rows:
        assert consent.masked("0812345678901"[: int(n)]) == shown
        assert shown.count(consent.MASK) == int(unknown)


def make(catalog: Catalog, clock: ManualClock, **kw: object) -> SessionMachine:
    return SessionMachine(lambda: catalog, clock, T, **kw)  # type: ignore[arg-type]


def to_confirming(m: SessionMachine) -> None:
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI))
    m.handle(events.ServiceSelected("puskesmas-umum"))
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({"phone": "081234567890"}))
    assert m.state.phase is Phase.CONFIRMING


def test_the_question_offers_the_phone_just_confirmed(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_confirming(m)  # the form's phone: 081234567890
    assert m.handle(events.Confirmed()) == []
    assert m.state.phase is Phase.CONSENT
    assert m.state.notify_phone == "081234567890"
    assert m.seconds_left() == T.consent and not m.idle_warning()


def test_an_answer_from_an_ended_session_answers_no_other(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    first = m.state.session
    m.handle(events.Cancel())  # the first citizen walks away; their taps may still be queued
    to_confirming(m)
    m.handle(events.Confirmed())
    assert m.state.session != first
    assert m.handle(events.NotifyAnswered(first, True)) == []
    assert m.handle(events.NotifyNumberWanted(first)) == []
    assert m.state.phase is Phase.CONSENT
    m.handle(events.NotifyNumberWanted(m.state.session))
    assert m.handle(events.NotifyPhoneEntered(first, TYPED)) == []
    assert m.state.phase is Phase.CONSENT_PHONE and m.state.notify_phone == "081234567890"


def test_the_record_phone_is_offered_when_the_form_has_none(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI, {"phone": "+62 813-7890-1234"}))
    m.handle(events.ServiceSelected("status-berkas"))  # no phone on this form
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({}))
    m.handle(events.Confirmed())
    assert m.state.notify_phone == "081378901234"


def test_yes_sends_the_number_no_sends_none(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    [issue] = m.handle(events.NotifyAnswered(m.state.session, True))
    assert isinstance(issue, events.IssueTicket)
    assert issue.notify_phone == "081234567890"
    assert "081234567890" not in repr(issue).replace(repr(dict(issue.values)), "")

    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    [issue] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone is None


def test_no_answer_in_time_is_a_no_and_the_ticket_is_issued(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    clock.advance(T.consent - 1)
    m.handle(events.UserActivity())  # a touch: the time starts again
    clock.advance(T.consent - 1)
    assert m.handle(events.Tick()) == []
    clock.advance(2)
    [issue] = m.handle(events.Tick())
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone is None
    assert m.state.phase is Phase.ISSUING


def test_another_number_on_the_keypad(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    m.handle(events.NotifyNumberWanted(m.state.session))
    assert m.state.phase is Phase.CONSENT_PHONE
    assert m.handle(events.NotifyPhoneEntered(m.state.session, "0212345678")) == []  # a landline
    assert (m.state.phase, m.state.problem) == (Phase.CONSENT_PHONE, SessionProblem.PHONE_INVALID)
    assert (
        m.handle(events.NotifyAnswered(m.state.session, True)) == []
    )  # the keypad's yes is its OK
    m.handle(events.Back())
    assert (m.state.phase, m.state.problem) == (Phase.CONSENT, None)
    m.handle(events.NotifyNumberWanted(m.state.session))
    [issue] = m.handle(events.NotifyPhoneEntered(m.state.session, TYPED))
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone == TYPED


def test_a_yes_without_a_known_number_opens_the_keypad(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Back())
    m.handle(events.FormSubmitted({"phone": ""}))  # the phone is required: still the form
    assert m.state.phase is Phase.FORM
    m.handle(events.Back())
    m.handle(events.Back())
    m.handle(events.ServiceSelected("status-berkas"))
    m.handle(events.FormOpened())
    m.handle(events.FormSubmitted({}))
    m.handle(events.Confirmed())
    assert (m.state.phase, m.state.notify_phone) == (Phase.CONSENT, None)
    assert m.handle(events.NotifyAnswered(m.state.session, True)) == []
    assert m.state.phase is Phase.CONSENT_PHONE
    [issue] = m.handle(
        events.NotifyAnswered(m.state.session, False)
    )  # "tanpa pemberitahuan" on the keypad
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone is None


def test_the_number_goes_with_the_session(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    assert m.state.personal
    assert m.handle(events.Cancel()) == [events.WipeSession(events.SessionEnd.CANCELLED)]
    assert m.state.phase is Phase.IDLE and m.state.notify_phone is None
    to_confirming(m)
    m.handle(events.Confirmed())
    m.handle(events.Back())
    assert m.state.phase is Phase.CONFIRMING


def test_the_ticket_numbered_at_the_question_is_the_one_her_answer_issues(
    catalog: Catalog, clock: ManualClock
) -> None:
    """What the number is asked with while she answers (kiosk/tickets/ahead.py) is the
    ticket her answer issues, but for the answer itself."""
    m = make(catalog, clock)
    to_confirming(m)
    assert m.ticket_request() is None  # the summary: nothing confirmed yet
    m.handle(events.Confirmed())
    ahead = m.ticket_request()
    assert ahead is not None and ahead.notify_phone is None
    [issue] = m.handle(events.NotifyAnswered(m.state.session, True))
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone == "081234567890"
    assert ahead == dataclasses.replace(issue, notify_phone=None)
    assert m.ticket_request() is None  # issuing: nothing more to ask


def test_a_refusal_of_the_number_is_told_at_the_question(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_confirming(m)
    m.handle(events.Confirmed())
    late = events.NumberRefused(m.state.session - 1, SessionProblem.ALREADY_REGISTERED)
    assert m.handle(late) == [] and m.state.phase is Phase.CONSENT  # another session's
    refused = events.NumberRefused(m.state.session, SessionProblem.ALREADY_REGISTERED)
    assert m.handle(refused) == [events.WipeSession(SessionProblem.ALREADY_REGISTERED)]
    assert (m.state.phase, m.state.problem) == (Phase.ERROR, SessionProblem.ALREADY_REGISTERED)


def test_a_complaints_question_has_no_number_to_refuse(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=True)
    assert m.ticket_request() is None
    refused = events.NumberRefused(m.state.session, SessionProblem.QUOTA_FULL)
    assert m.handle(refused) == [] and m.state.phase is Phase.CONSENT


def test_a_city_may_not_ask(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock, ask_notify=False)
    to_confirming(m)
    [issue] = m.handle(events.Confirmed())
    assert isinstance(issue, events.IssueTicket) and issue.notify_phone is None
    assert m.state.notify_phone is None


# -- whole sessions into the real store --------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def kiosk(
    tmp_path: Path, catalog: Catalog, clock: ManualClock
) -> Iterator[tuple[KioskController, SimulatedReader, Store]]:
    config = Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tmp_path / "tickets")),
        central=CentralSection(url="http://antrean.example"),
        session=SessionSection(),
    )
    (tmp_path / "tickets").mkdir()
    store = Store.open(config.store_path)
    reader = SimulatedReader()
    controller = KioskController(
        config,
        reader=reader,
        store=store,
        printer=printer_from(config),
        central=CentralClient(f"http://127.0.0.1:{closed_port()}", timeout_s=0.2),
        executor=InlineExecutor(),
        clock=clock,
        now=lambda: dt.datetime(2026, 12, 5, 9, 40, tzinfo=WIB),
        trust=demo_trust_store(),
    )
    controller._sync.use_catalog(catalog)
    controller.start()
    yield controller, reader, store
    controller.stop()
    store.close()


def to_question(controller: KioskController, reader: SimulatedReader, service: str) -> None:
    reader.tap(demo_card("siti").applet())
    reader.remove()
    controller.dispatch(events.ServiceSelected(service))
    controller.dispatch(events.FormOpened())
    controller.dispatch(events.FormSubmitted({"phone": "081234567890"}))
    controller.dispatch(events.Confirmed())
    assert controller.session().phase is Phase.CONSENT


def the_body(store: Store) -> dict[str, object]:
    [item] = store.outbox()
    assert item.kind == "service_registration"
    return item.payload


def test_a_no_sends_no_number_for_messages(
    kiosk: tuple[KioskController, SimulatedReader, Store],
) -> None:
    controller, reader, store = kiosk
    to_question(controller, reader, "puskesmas-umum")
    controller.dispatch(events.NotifyAnswered(controller.session().session, False))
    assert controller.session().phase is Phase.TICKET_ISSUED
    assert "notify" not in the_body(store)


def test_a_yes_sends_the_number_sealed_in_the_outbox(
    kiosk: tuple[KioskController, SimulatedReader, Store], tmp_path: Path
) -> None:
    controller, reader, store = kiosk
    to_question(controller, reader, "kk-perubahan")
    controller.dispatch(events.NotifyAnswered(controller.session().session, True))
    assert controller.session().phase is Phase.TICKET_ISSUED
    assert the_body(store)["notify"] == {"phone": "081234567890"}
    files = [p for p in (tmp_path / "data").iterdir() if p.name.startswith("kiosk.db")]
    assert files and not any(b"081234567890" in p.read_bytes() for p in files)
    controller.dispatch(events.Finish())
    assert controller.session().notify_phone is None


def test_a_number_typed_on_the_keypad(
    kiosk: tuple[KioskController, SimulatedReader, Store],
) -> None:
    controller, reader, store = kiosk
    to_question(controller, reader, "status-berkas")
    assert controller.session().notify_phone is None  # offline: no record, no phone field
    controller.dispatch(events.NotifyAnswered(controller.session().session, True))
    assert controller.session().phase is Phase.CONSENT_PHONE
    controller.dispatch(events.NotifyPhoneEntered(controller.session().session, TYPED))
    assert controller.session().phase is Phase.TICKET_ISSUED
    assert the_body(store)["notify"] == {"phone": TYPED}


def test_unanswered_is_a_ticket_without_messages(
    kiosk: tuple[KioskController, SimulatedReader, Store], clock: ManualClock
) -> None:
    controller, reader, store = kiosk
    to_question(controller, reader, "puskesmas-umum")
    clock.advance(T.consent + 1)
    controller.dispatch(events.Tick())
    assert controller.session().phase is Phase.TICKET_ISSUED
    assert "notify" not in the_body(store)


# -- the same question after a complaint (#16: "a complaint answered") ---------------

RECORD_PHONE = "081377778888"


def to_complaint_question(m: SessionMachine, *, card: bool) -> None:
    if card:
        [read] = m.handle(events.CardTapped("r0"))
        assert isinstance(read, events.ReadCard)
        m.handle(events.CardRead(read.session, SITI, {"phone": RECORD_PHONE}))
    m.handle(events.ComplaintOpened())
    assert m.handle(events.ComplaintSubmitted("antrean", "Antrean lama sekali")) == []
    assert m.state.phase is Phase.CONSENT and m.state.personal


def test_a_complaint_asks_with_the_record_phone_and_a_yes_sends_it(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=True)
    assert m.state.notify_phone == RECORD_PHONE  # offered from the city record
    [effect] = m.handle(events.NotifyAnswered(m.state.session, True))
    assert isinstance(effect, events.FileComplaint)
    assert (effect.category, effect.text, effect.notify_phone) == (
        "antrean",
        "Antrean lama sekali",
        RECORD_PHONE,
    )
    assert RECORD_PHONE not in repr(effect)
    assert m.state.phase is Phase.COMPLAINT_SENDING


def test_a_complaint_no_or_no_answer_files_it_without_a_number(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=True)
    [effect] = m.handle(events.NotifyAnswered(m.state.session, False))
    assert isinstance(effect, events.FileComplaint) and effect.notify_phone is None
    assert m.state.notify_phone is None

    m = make(catalog, clock)
    to_complaint_question(m, card=False)
    clock.advance(T.consent + 1)
    [effect] = m.handle(events.Tick())
    assert isinstance(effect, events.FileComplaint) and effect.notify_phone is None


def test_an_anonymous_complaint_gets_the_keypad(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=False)
    assert m.state.notify_phone is None and m.state.identity is None
    assert m.handle(events.NotifyAnswered(m.state.session, True)) == []
    assert m.state.phase is Phase.CONSENT_PHONE
    assert m.handle(events.NotifyPhoneEntered(m.state.session, "0212345678")) == []
    assert m.state.problem is SessionProblem.PHONE_INVALID
    [effect] = m.handle(events.NotifyPhoneEntered(m.state.session, TYPED))
    assert isinstance(effect, events.FileComplaint) and effect.notify_phone == TYPED
    assert effect.card_number is None


def test_back_from_the_question_returns_to_the_complaint(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=True)
    assert m.handle(events.Back()) == []
    assert m.state.phase is Phase.COMPLAINT
    assert m.state.complaint_draft is None and m.state.notify_phone is None


def test_a_complaint_question_cancelled_wipes_it(catalog: Catalog, clock: ManualClock) -> None:
    m = make(catalog, clock)
    to_complaint_question(m, card=False)
    assert m.handle(events.Cancel()) == [events.WipeSession(events.SessionEnd.CANCELLED)]
    assert m.state.complaint_draft is None and not m.state.personal


def test_a_city_that_does_not_ask_files_the_complaint_at_once(
    catalog: Catalog, clock: ManualClock
) -> None:
    m = make(catalog, clock, ask_notify=False)
    m.handle(events.ComplaintOpened())
    [effect] = m.handle(events.ComplaintSubmitted("antrean", "Antrean lama"))
    assert isinstance(effect, events.FileComplaint) and effect.notify_phone is None


def the_complaint_body(store: Store) -> dict[str, object]:
    [item] = store.outbox()
    assert item.kind == "complaint"
    return item.payload


def to_complaint(controller: KioskController) -> None:
    controller.dispatch(events.ComplaintOpened())  # anonymous, from the attract screen
    controller.dispatch(events.ComplaintSubmitted("antrean", "Antrean lama sekali"))
    assert controller.session().phase is Phase.CONSENT


def test_a_complaint_with_a_no_sends_no_number(
    kiosk: tuple[KioskController, SimulatedReader, Store],
) -> None:
    controller, _, store = kiosk
    to_complaint(controller)
    assert store.outbox() == []  # nothing filed before the answer
    controller.dispatch(events.NotifyAnswered(controller.session().session, False))
    assert controller.session().phase is Phase.COMPLAINT_FILED
    assert "notify" not in the_complaint_body(store)


def test_a_complaint_with_a_yes_sends_the_typed_number_sealed(
    kiosk: tuple[KioskController, SimulatedReader, Store], tmp_path: Path
) -> None:
    controller, _, store = kiosk
    to_complaint(controller)
    controller.dispatch(events.NotifyAnswered(controller.session().session, True))
    assert controller.session().phase is Phase.CONSENT_PHONE
    controller.dispatch(events.NotifyPhoneEntered(controller.session().session, TYPED))
    assert controller.session().phase is Phase.COMPLAINT_FILED
    assert the_complaint_body(store)["notify"] == {"phone": TYPED}
    files = [p for p in (tmp_path / "data").iterdir() if p.name.startswith("kiosk.db")]
    assert files and not any(TYPED.encode() in p.read_bytes() for p in files)
    controller.dispatch(events.Finish())
    assert controller.session().notify_phone is None
    assert controller.session().complaint_draft is None


def test_a_card_holders_complaint_unanswered_sends_no_number(
    kiosk: tuple[KioskController, SimulatedReader, Store], clock: ManualClock
) -> None:
    controller, reader, store = kiosk
    reader.tap(demo_card("siti").applet())
    reader.remove()
    to_complaint(controller)
    clock.advance(T.consent + 1)
    controller.dispatch(events.Tick())
    assert controller.session().phase is Phase.COMPLAINT_FILED
    body = the_complaint_body(store)
    assert "notify" not in body and body["card_number"] is not None


def test_the_registration_sent_carries_no_card_uid(
    kiosk: tuple[KioskController, SimulatedReader, Store],
) -> None:
    """The centre has no use for the card's UID: kept beside her name and NIK it would tie
    a card anyone near it can read to a person, so the registration does not carry it."""
    controller, reader, store = kiosk
    uid = demo_card("siti").applet().uid
    to_question(controller, reader, "puskesmas-umum")
    controller.dispatch(events.NotifyAnswered(controller.session().session, False))
    body = the_body(store)
    assert body["card_number"]  # the card was read, and its number goes
    assert "card_uid" not in body
    assert uid.hex() not in repr(body).lower()
