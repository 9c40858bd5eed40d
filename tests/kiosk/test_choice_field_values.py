"""A choice field only ever holds one of its choices: the catalog lists each once, and a
value from the card or the record that is not among them is left for the citizen to choose
(locked, it would leave no tile chosen and none to choose: the citizen stuck on the form)."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cardio.card.citizen import CardIdentity, Citizen
from cardio.emulators.demo_cards import demo_card
from contract.assurance import Assurance
from contract.catalog import Catalog, FieldType, FormField, Text
from contract.errors import CatalogError
from kiosk.session import events
from kiosk.session.machine import Phase, SessionMachine, Timeouts
from kiosk.session.prefill import Source, prefill
from testkit.clocks import ManualClock

DEMO = Path(__file__).parents[2] / "central" / "demo_data" / "catalog.json"
CLAIMS = demo_card("siti").claims
assert CLAIMS is not None
SITI = CardIdentity(
    uid=b"\x04\xa1", citizen=Citizen.from_claims(CLAIMS), assurance=Assurance.UNVERIFIED
)
SEX = str(CLAIMS["sex"])


def _choice(prefill_from: str, choices: tuple[str, ...], editable: bool = False) -> FormField:
    return FormField(
        name="alasan",
        label=Text({"id": "Alasan"}),
        type=FieldType.CHOICE,
        prefill=prefill_from,
        editable=editable,
        choices=choices,
    )


@pytest.mark.parametrize("editable", [False, True])
def test_a_card_value_not_among_the_choices_is_left_for_the_citizen(
    editable: bool, caplog: pytest.LogCaptureFixture
) -> None:
    field = _choice("card.full_name", ("Rusak", "Hilang"), editable)
    with caplog.at_level(logging.WARNING, logger="kiosk.session.prefill"):
        assert prefill((field,), SITI, service_id="ktp-cetak") == {}
    [warning] = caplog.records
    assert "ktp-cetak" in warning.getMessage() and "alasan" in warning.getMessage()
    assert SITI.citizen is not None and SITI.citizen.full_name not in caplog.text


def test_a_record_value_not_among_the_choices_is_left_for_the_citizen() -> None:
    field = _choice("record.pekerjaan", ("Petani", "Pedagang"))
    assert prefill((field,), SITI, {"pekerjaan": "Nelayan"}) == {}


def test_a_value_among_the_choices_is_filled_and_locked() -> None:
    field = _choice("card.sex", (SEX, "lainnya"))
    [(name, value)] = prefill((field,), SITI).items()
    assert (name, value.value, value.source, value.locked) == ("alasan", SEX, Source.CARD, True)


def _with_locked_choice() -> Catalog:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    service = copy.deepcopy(data["services"][0])
    service["id"] = "locked-choice"
    service["assurance"] = "unverified"
    service["form"] = [
        {
            "name": "alasan",
            "label": {"id": "Alasan", "en": "Reason"},
            "type": "choice",
            "choices": ["Rusak", "Hilang"],
            "prefill": "card.full_name",
        }
    ]
    data["services"].append(service)
    return Catalog.from_json(data)


def test_the_citizen_chooses_and_goes_on_where_the_card_value_is_no_choice() -> None:
    catalog = _with_locked_choice()
    m = SessionMachine(lambda: catalog, ManualClock(), Timeouts())
    [read] = m.handle(events.CardTapped("r0"))
    assert isinstance(read, events.ReadCard)
    m.handle(events.CardRead(read.session, SITI))
    m.handle(events.ServiceSelected("locked-choice"))
    m.handle(events.FormOpened())
    assert "alasan" not in m.state.values
    m.handle(events.FormSubmitted({"alasan": "Hilang"}))
    assert m.state.phase is Phase.CONFIRMING
    assert m.state.values["alasan"].value == "Hilang"


def test_the_catalog_refuses_a_choice_listed_twice() -> None:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    field = next(f for s in data["services"] for f in s.get("form", []) if f["type"] == "choice")
    field["choices"] = [*field["choices"], field["choices"][0]]
    with pytest.raises(CatalogError, match="choices: each choice only once"):
        Catalog.from_json(data)


def test_a_choice_has_words_in_each_language_and_keeps_one_value() -> None:
    catalog = Catalog.from_json(json.loads(DEMO.read_text(encoding="utf-8")))
    reason = next(f for f in catalog.service("ktp-cetak-ulang").form if f.name == "reason")
    assert reason.choices == ("Rusak", "Hilang")  # what is stored and sent
    assert [reason.choice_label(c, "en") for c in reason.choices] == ["Damaged", "Lost"]
    assert [reason.choice_label(c, "id") for c in reason.choices] == ["Rusak", "Hilang"]
    assert reason.choice_label("Rusak", "fr") == "Rusak"  # no words there: the Indonesian


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"Patah": {"en": "Broken"}}, "'Patah' is not one of the choices"),
        ({"Rusak": "Damaged"}, "must map languages to words"),
        ({"Rusak": {"id": "Rusak sekali", "en": "Damaged"}}, "must map languages to words"),
        ({"Rusak": {"en": 3}}, "must be a text"),
        (["Damaged", "Lost"], "must map a choice to its words"),
    ],
)
def test_the_catalog_refuses_words_for_no_choice_or_not_words(labels: object, message: str) -> None:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    field = next(f for s in data["services"] for f in s.get("form", []) if f["name"] == "reason")
    field["choice_labels"] = labels
    with pytest.raises(CatalogError, match=message):
        Catalog.from_json(data)
