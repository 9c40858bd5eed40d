"""Text from the centre or a card is shown as it is, never read as markup.

A QLabel left to itself guesses whether its text is HTML; a service, office,
doctor, ward, application or citizen name holding ``<b>`` would then be drawn
bold, and an ``<img>`` or ``<a>`` would reach the renderer. Every label in
``ui/`` is made by ``ui.screens.common.plain_label``. The kiosk is walked
through each screen with marked-up data and every label is checked.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from cardio.card.citizen import CardIdentity, Citizen
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.nik import Sex
from contract.wire import Ward
from kiosk.client.info import Application, DoctorOnDuty, HealthInfo, QueueState
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.events import CardRead, CardTapped, FormOpened, FormSubmitted, ServiceSelected
from kiosk.session.machine import Phase
from testkit.kiosk_window import offline_config, running_kiosk
from ui.window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOG = ROOT / "central" / "demo_data" / "catalog.json"


def mark(text: str) -> str:
    return f"<b>{text}</b>"


def marked_catalog() -> Catalog:
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    for office in data["offices"]:
        office["name"] = mark(office["name"])
    for category in data["categories"]:
        category["name"] = {k: mark(v) for k, v in category["name"].items()}
    for service in data["services"]:
        for key in ("name", "description"):
            service[key] = {k: mark(v) for k, v in service[key].items()}
        for field in service["form"]:
            field["label"] = {k: mark(v) for k, v in field["label"].items()}
    return Catalog.from_json(data)


def rich_labels(window: KioskWindow) -> list[str]:
    """Labels anywhere in the window (shown or not) that may read their text as markup."""
    QApplication.processEvents()
    return [
        f"{w.objectName() or type(w).__name__}: {w.text()!r}"
        for w in window.findChildren(QLabel)
        if w.textFormat() != Qt.TextFormat.PlainText
    ]


def shown_texts(window: KioskWindow) -> list[str]:
    QApplication.processEvents()
    return [w.text() for w in window.findChildren(QLabel) if w.isVisibleTo(window)]


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, offline_config(tmp_path)) as window:
        qtbot.waitUntil(lambda: window.controller.status().online is False, timeout=5000)
        window.controller._sync.use_catalog(marked_catalog())
        window.status_changed()
        yield window


def _identify(window: KioskWindow, full_name: str) -> None:
    """A citizen whose card name holds markup (the read effect itself is left aside)."""
    machine = window.controller._machine
    machine.handle(CardTapped("sim"))
    citizen = Citizen(
        card_number="PKU-000009",
        nik="1471015203850002",
        full_name=full_name,
        date_of_birth=dt.date(1985, 3, 12),
        sex=Sex("F"),
    )
    identity = CardIdentity(uid=b"\x04\x11", citizen=citizen, assurance=Assurance.SIGNED)
    window.controller.dispatch(CardRead(machine.state.session, identity))
    assert machine.state.phase is Phase.IDENTIFIED


def test_every_screen_shows_marked_up_data_as_plain_text(kiosk: KioskWindow) -> None:
    seen: set[str] = set()
    catalog = kiosk.controller.status().catalog
    assert catalog is not None
    office = catalog.office(kiosk.controller.config.kiosk.office_id)

    def check(step: str) -> None:
        assert rich_labels(kiosk) == [], f"{step}: labels that may render markup"
        seen.update(t for t in shown_texts(kiosk) if "<b>" in t)

    check("attract")
    _identify(kiosk, mark("Siti Aminah"))
    check("services")
    service = next(s for s in catalog.services_for(office.id) if s.form)
    kiosk.controller.dispatch(ServiceSelected(service.id))
    check("service detail")
    kiosk.controller.dispatch(FormOpened())
    check("form")
    values = {f.name: mark("nilai") for f in service.form if f.type == "text"}
    kiosk.controller.dispatch(FormSubmitted(values))
    check("confirm or form with messages")

    view = kiosk.view
    info = Information(
        queue=QueueState(office.id, "2026-11-22", ()),
        health=HealthInfo(
            office.id,
            None,
            (
                Ward(
                    "w1", mark("Bangsal Mawar"), 12, 5, dt.datetime(2026, 11, 22, 1, tzinfo=dt.UTC)
                ),
            ),
            (DoctorOnDuty(mark("dr. Andi"), mark("Umum"), mark("Poli 1"), "08:00", "14:00"),),
        ),
        reachable=True,
    )
    kiosk.stack.setCurrentWidget(kiosk.overlays.information)
    kiosk.overlays.information.show_information(info, view)
    check("information")
    answer = ApplicationsAnswer(
        applications=(
            Application(
                "APP-1",
                service.id,
                {"id": mark("Izin Usaha"), "en": mark("Business permit")},
                "2026-11-20",
                "received",
                None,
                mark("catatan"),
            ),
        )
    )
    kiosk.stack.setCurrentWidget(kiosk.overlays.applications)
    kiosk.overlays.applications.show_answer(answer, view)
    check("applications")

    joined = "\n".join(seen)
    for literal in (
        mark(office.name.removeprefix("<b>").removesuffix("</b>")),
        mark("Siti Aminah"),
        service.name(view.lang),
        mark("Bangsal Mawar"),
        mark("dr. Andi"),
        mark("Izin Usaha"),
    ):
        assert literal in joined, f"{literal!r} was not shown literally"


#: Qt calls that read text as markup; none of them is used on data in ui/.
MARKUP_CALLS = {
    "setHtml",
    "insertHtml",
    "setToolTip",
    "showText",
    "QMessageBox",
    "QTextBrowser",
    "QGraphicsTextItem",
    "RichText",
    "AutoText",
    "MarkdownText",
}


def _ui_sources() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted((ROOT / "ui").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_labels_are_made_only_by_the_plain_text_factory() -> None:
    makers = []
    for path, tree in _ui_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "QLabel":
                    makers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert len(makers) == 1 and makers[0].startswith("ui/screens/common.py:"), (
        f"a QLabel made outside plain_label: {makers}"
    )


def test_no_markup_reading_widget_or_call_in_ui() -> None:
    used = []
    for path, tree in _ui_sources():
        for node in ast.walk(tree):
            name = getattr(node, "attr", None) or getattr(node, "id", None)
            if name in MARKUP_CALLS:
                used.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert used == []


def test_the_factory_shows_a_tag_literally(qtbot: QtBot) -> None:
    from ui.screens.common import label, plain_label

    for widget in (plain_label(mark("x")), label(mark("x"))):
        qtbot.addWidget(widget)
        assert widget.textFormat() == Qt.TextFormat.PlainText
        assert widget.text() == "<b>x</b>"
