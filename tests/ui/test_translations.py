"""The Qt Linguist translations: complete, compiled, and nothing on screen left in the
source language when the citizen chose English."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.errors import Problem
from kiosk.session.events import (
    ComplaintOpened,
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    NotifyNumberWanted,
    NotifyPhoneEntered,
)
from kiosk.session.machine import Phase
from testkit.kiosk_window import (
    button_with,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from ui.texts import CONTEXT, I18N_DIR, LANGUAGES, TEXTS, qm_path, tr
from ui.window import KioskWindow

ROOT = Path(__file__).resolve().parents[2]
TS = I18N_DIR / "anjungan_en.ts"
BIN = Path(sys.executable).parent
#: As the Makefile's ``ts`` target runs it.
LUPDATE_OPTIONS = ("-no-obsolete", "-locations", "none", "-silent")
#: Calls whose first argument is shown to people; a literal there escapes translation.
SHOWING = {
    "setText",
    "setWindowTitle",
    "setPlaceholderText",
    "setToolTip",
    "addItem",
    "QLabel",
    "QPushButton",
}


def ts_messages(path: Path) -> dict[str, tuple[str, str]]:
    """source → (translation, its ``type`` attribute) in the one context."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    contexts = root.findall("context")
    assert [c.findtext("name") for c in contexts] == [CONTEXT]
    messages = {}
    for message in contexts[0].findall("message"):
        translation = message.find("translation")
        assert translation is not None
        messages[message.findtext("source") or ""] = (
            translation.text or "",
            translation.get("type", ""),
        )
    return messages


def test_every_text_has_a_finished_english_translation() -> None:
    messages = ts_messages(TS)
    assert set(messages) == set(TEXTS.values()), "run `make ts`, then translate"
    unfinished = [s for s, (text, kind) in messages.items() if kind or not text.strip()]
    assert unfinished == []


def test_every_problem_a_session_can_show_has_its_text_in_both_languages() -> None:
    """A screen shows ``problem_<code>``, and a code without its text would fall back to
    "something went wrong": every member of every reason a session keeps has its text
    and a finished English translation."""
    codes = [member for reasons in get_args(Problem) for member in reasons]
    assert len(codes) > 20  # the card's, the store's, the ticket's and the session's own
    missing = [code for code in codes if f"problem_{code}" not in TEXTS]
    assert missing == [], "add a problem_ text to ui/texts.py, then `make ts`"
    messages = ts_messages(TS)
    untranslated = [
        code
        for code in codes
        if messages.get(TEXTS[f"problem_{code}"], ("", "unfinished"))[1]
        or not messages[TEXTS[f"problem_{code}"]][0].strip()
    ]
    assert untranslated == [], "translate it in the .ts file, then `make translations`"


def test_lupdate_finds_every_text_and_nothing_else(tmp_path: Path) -> None:
    """The ``.ts`` file is what ``pyside6-lupdate`` makes from ui/texts.py: no text is
    hidden from translators, none is stale."""
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    subprocess.run(
        [BIN / "pyside6-lupdate", ROOT / "ui" / "texts.py", "-ts", fresh, *LUPDATE_OPTIONS],
        check=True,
        timeout=60,
    )
    assert ts_messages(fresh) == ts_messages(TS)


def test_the_compiled_file_is_built_from_the_current_sources(tmp_path: Path) -> None:
    built = tmp_path / "anjungan_en.qm"
    subprocess.run([BIN / "pyside6-lrelease", "-silent", TS, "-qm", built], check=True, timeout=60)
    assert qm_path("en").read_bytes() == built.read_bytes(), "run `make translations`"


def test_every_key_reads_differently_in_english_unless_it_is_the_same_word() -> None:
    same = {key for key in TEXTS if tr(key, "en") == tr(key, "id")}
    # Symbols, format-only rows and words both languages share.
    assert same == {
        "status_row",
        "doctor_row",
        "pin_ok",
        "op_printer",
        "op_unprinted_ticket",
        "desk_row",
        "larger_text",
        # the desk's: a number's name, a list row, and BPJS's own word
        "desk_nik",
        "desk_by_nik",
        "desk_result_row",
        "desk_payer_jkn",
        "patient_key_nik",  # the kiosk's keypad: NIK is NIK in English too
    }
    assert tr("welcome_named_F", "en", name="Siti") == "Welcome, Mrs Siti"
    assert LANGUAGES[0] == "id" and tr("tap_card", "xx") == "Tempelkan kartu Anda"


def _literal_shown(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in SHOWING or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    if isinstance(first, ast.JoinedStr):
        return "".join(v.value for v in first.values if isinstance(v, ast.Constant))
    return None


def test_no_screen_shows_a_literal_that_skips_translation() -> None:
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        if path.name.startswith("screenshots"):
            continue  # sample values typed into the pictures' forms
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                text = _literal_shown(node)
                # Two letters in a row make a word; symbols and digits need no translation.
                if text is not None and re.search(r"[A-Za-z]{2}", text):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    offenders.append(f"{where} {text!r}")
    # The window title is the product's name, the same in every language (any line).
    assert [re.sub(r":\d+ ", " ", o) for o in offenders] == ["ui/window.py 'Anjungan'"]


def _shown(window: KioskWindow) -> list[str]:
    texts = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.property("demo"):
            continue  # the demo's simulated cards are labelled by holder
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            texts.append(w.placeholderText())
    return [t for t in texts if t]


def _pieces(source: str) -> list[str]:
    """The fixed words of a source text: the parts between its ``{fields}``."""
    return [p.strip() for p in re.split(r"\{[^}]*\}", source) if len(p.strip()) >= 5]


#: Indonesian that must not be seen in English: each text that translates to
#: something else, by its fixed pieces.
INDONESIAN = sorted(
    {
        piece
        for key, source in TEXTS.items()
        if tr(key, "en") != source
        for piece in _pieces(source)
        if piece not in tr(key, "en")
    }
)


@pytest.fixture
def english_kiosk(tmp_path: Path, demo_central: str, qtbot: QtBot) -> Iterator[KioskWindow]:
    with running_kiosk(qtbot, demo_config(tmp_path, demo_central)) as window:
        wait_for_catalog(qtbot, window.controller)
        window.toggle_language()
        assert window.controller.status().language == "en"
        yield window


def test_no_visible_string_is_left_in_indonesian(english_kiosk: KioskWindow, qtbot: QtBot) -> None:
    kiosk, c = english_kiosk, english_kiosk.controller
    assert len(INDONESIAN) > 100  # the check has teeth

    def check(screen: str) -> None:
        left = [(t, p) for t in _shown(kiosk) for p in INDONESIAN if p in t]
        assert left == [], f"{screen}: untranslated"

    check("attract")
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert "Welcome, Mrs Siti Aminah" in _shown(kiosk)
    check("services")
    tile = next(
        b
        for b in kiosk.findChildren(QAbstractButton)
        if b.property("service_id") == "puskesmas-umum"
    )
    click(qtbot, tile)
    wait_phase(qtbot, kiosk, Phase.SERVICE_CHOSEN)
    check("service detail")
    c.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    check("form")
    c.dispatch(FormSubmitted({"phone": "12"}))
    check("form with messages")
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    check("confirm")
    c.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    assert "Send notifications to 0812 ••••• 890?" in _shown(kiosk)
    check("consent question")
    c.dispatch(NotifyNumberWanted(c.session().session))
    c.dispatch(NotifyPhoneEntered(c.session().session, "12"))
    wait_phase(qtbot, kiosk, Phase.CONSENT_PHONE)
    check("consent keypad with a message")
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    check("ticket")
    click(qtbot, button_with(kiosk, tr("finish", "en")))
    wait_phase(qtbot, kiosk, Phase.DONE)
    check("thank you")
    click(qtbot, button_with(kiosk, tr("finish", "en")))
    wait_phase(qtbot, kiosk, Phase.IDLE)
    if kiosk.controller.status().language != "en":
        kiosk.toggle_language()
    c.dispatch(ComplaintOpened())
    wait_phase(qtbot, kiosk, Phase.COMPLAINT)
    check("complaint")
