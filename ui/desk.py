"""The hospital registration desk (``kiosk run --desk``): a clerk's keyboard-first screen.

A clerk at a hospital desk works with a physical keyboard and mouse, and many
patients come without their card. The desk is one screen of normal-size
widgets, every action reachable from the keyboard (Tab moves through the
fields in reading order; Enter confirms the part being typed in):

- **F2** find a patient by No. RM, NIK, BPJS card number, or name with date of
  birth (a list to choose from for a name; the centre audits it as a lookup);
- **F3** a new patient (their No. RM from the centre);
- the visit: poli, a doctor with quota left today, JKN or umum, BPJS number,
  referral number, kind of visit, every field editable; **Ctrl+Enter** registers
  it and prints the ticket and the slip, the way the kiosk does;
- **F5** reprint the ticket (and the current patient's slip) of today's list;
- **F8** cancel a registration of today's list, with a reason (a ``visit_cancel``
  through the outbox: offline too);
- **F9** next patient: every widget holding the patient's data is wiped.

A card tapped at the desk finds its holder by NIK. Today's list holds no
personal data and stays.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from cardio.card.citizen import Citizen
from contract.assurance import Assurance
from contract.catalog import Catalog
from contract.hospital import JENIS_KUNJUNGAN, DoctorToday, Payer
from contract.nik import Sex
from kiosk.client.errors import CentralAuthError, CentralRefused, CentralUnavailable
from kiosk.client.hospital_desk import DeskPatient, FindBy, PatientList, check_key
from kiosk.controller import KioskController
from kiosk.errors import SessionProblem, TicketingError
from kiosk.session.events import Cancel, Finish, IssuedTicket
from kiosk.session.machine import INTERACTIVE, Phase, SessionState
from kiosk.tickets.desk import (
    CancelState,
    DeskIssued,
    DeskVisit,
    Problem,
    patient_problem,
    problem_of,
)
from offline_store.models import StoredTicket
from ui.screens.common import View, plain_label, service_name
from ui.tasks import FreshRead, QtExecutor

log = logging.getLogger(__name__)

#: The desk's own sizes: a screen read at arm's length with a mouse, not touched.
DESK_STYLE = """
QWidget { font-size: 15px; }
QPushButton { min-height: 28px; min-width: 0px; padding: 4px 12px; border-radius: 4px;
    border: 1px solid #1d5fa8; }
QLineEdit, QComboBox { min-height: 26px; padding: 2px 6px; border: 1px solid #8896a6;
    border-radius: 3px; }
QLineEdit:focus, QComboBox:focus, QListWidget:focus, QPushButton:focus {
    border: 2px solid #1d5fa8; }
QComboBox QAbstractItemView::item { min-height: 24px; }
QComboBox::drop-down { width: 24px; }
QLabel#deskMessage { color: #8a1c1c; font-weight: bold; }
QLabel#deskResult { font-size: 18px; font-weight: bold; }
"""

FIND_KEYS = (FindBy.NORM, FindBy.NIK, FindBy.NOMORKARTU, FindBy.NAME)
VISIT_KINDS = JENIS_KUNJUNGAN


def parse_date(text: str) -> dt.date | None:
    """A date typed as DD-MM-YYYY (or DD/MM/YYYY, or YYYY-MM-DD); None if it is none.

    The year has four digits: "12-03-85" is no date (not the year 85).
    """
    text = text.strip().replace("/", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        parts.reverse()  # YYYY-MM-DD
    day, month, year = parts
    if len(year) != 4 or not 1 <= len(day) <= 2 or not 1 <= len(month) <= 2:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def show_date(day: dt.date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _button(text: str, on_click: Callable[[], None], name: str) -> QPushButton:
    """A desk button: reachable with Tab, pressed with Space or Enter."""
    widget = QPushButton(text.replace("&", "&&"))
    widget.setObjectName(name)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.setAutoDefault(True)  # Enter on a focused button presses it
    widget.clicked.connect(lambda _checked=False: on_click())
    return widget


def wipe_text(widget: QLineEdit | QPlainTextEdit | QTextEdit) -> None:
    """Empty a text widget for good: no Ctrl+Z (undo) or redo brings the text back.

    (``QLineEdit.clear()`` is an edit Ctrl+Z undoes; ``setText`` starts a new history.)
    """
    if isinstance(widget, QLineEdit):
        widget.setText("")
    else:
        widget.setPlainText("")
        widget.document().clearUndoRedoStacks()


def _field(name: str, *, digits: int = 0) -> QLineEdit:
    widget = QLineEdit()
    widget.setObjectName(name)
    if digits:
        widget.setMaxLength(digits)
    return widget


#: What the desk says of each of the centre's refusals of the doctor's place.
_DOCTOR_REFUSED_WORDS: dict[str, str] = {
    SessionProblem.QUOTA_FULL: "desk_quota_full",
    SessionProblem.DOCTOR_CLOSED: "desk_doctor_closed_now",
    SessionProblem.DOCTOR_UNAVAILABLE: "desk_doctor_unavailable",
}
#: What the desk says of each of the centre's refusals of the patient (no number used).
_PATIENT_REFUSED_WORDS: dict[str, str] = {
    SessionProblem.ALREADY_REGISTERED: "desk_already_registered",
    SessionProblem.IDENTITY_CONFLICT: "desk_identity_conflict",
    SessionProblem.INVALID_PATIENT: "desk_invalid_patient",
}


class DeskView(QFrame):
    """The whole desk: find, patient, visit, and today's list."""

    def __init__(self, controller: KioskController, executor: QtExecutor, view: View) -> None:
        super().__init__()
        self.setObjectName("deskView")
        self.setStyleSheet(DESK_STYLE)
        self.controller = controller
        self.executor = executor
        self.view = view
        #: The patient shown (personal: wiped by :meth:`next_patient`); None: none yet.
        self.patient: DeskPatient | None = None
        #: The patients a name found, in the list's order (personal).
        self.found: tuple[DeskPatient, ...] = ()
        #: The last visit registered for this patient (its slip is reprinted with F5).
        self.issued: DeskIssued | None = None
        self.doctors: tuple[DoctorToday, ...] = ()
        # Reads asked again and again: one on its way at a time, the newest state shown.
        self._doctors_read = FreshRead(
            "today's doctors",
            lambda done, failed: self.controller.doctors_today(done, failed),
            self._doctors,
            self._doctors_failed,
        )
        self._tickets_read = FreshRead(
            "today's tickets",
            lambda done, failed: self.controller.tickets_today(done, failed),
            self._show,
            lambda _: self._show([]),
        )
        self._cancels_read = FreshRead(
            "the cancels' states",
            lambda done, failed: self.controller.cancel_states(
                [ticket.id for ticket in self.tickets], done, failed
            ),
            self._cancel_states,
            self._cancel_states_failed,
        )
        self.tickets: list[StoredTicket] = []
        #: Where the cancel of each ticket of today's list stands (from the store's
        #: outbox: the centre's answer, kept across a restart).
        self.cancels: dict[str, CancelState] = {}
        #: The registration F8 named (its ticket id): Enter cancels that one, whatever
        #: the list shows by then. None: the one selected when the cancel is asked.
        self._cancel_target: str | None = None
        #: True while the list is refilled (a selection made by the desk, not the clerk).
        self._filling_today = False
        #: Whether the kiosk was out of service (its store unusable) at the last status:
        #: back in service, today's list is read again.
        self._out_of_service = False
        #: Bumped by every wipe and every patient shown: an answer for the patient before
        #: is dropped.
        self._generation = 0
        #: The actions waiting for their answer ("patient", "visit", "reprint", "cancel";
        #: a search is a read, never refused):
        #: one of each at a time, whichever key, field or button asked for it.
        self._busy: set[str] = set()
        #: The patient's data (NIK, name, date of birth, sex, BPJS number) the centre
        #: refused to save: no visit goes with it until the clerk loads the patient's
        #: record or corrects the data. None: nothing refused.
        self._refused: tuple[str, str, dt.date | None, str, str] | None = None
        #: The centre's own words for that refusal (shown again at Ctrl+Enter).
        self._refused_reason = ""
        self._phase = controller.session().phase
        self._catalog_shown: Catalog | None = None

        # -- find ---------------------------------------------------------------------
        self.find_by = QComboBox()
        self.find_by.setObjectName("deskFindBy")
        self.find_value = _field("deskFindValue", digits=100)
        self.find_birth = _field("deskFindBirth", digits=10)
        self.find_button = _button("", self.find_patient, "deskFind")
        self.results = QListWidget()
        self.results.setObjectName("deskResults")
        self.results.itemActivated.connect(lambda _item: self.choose_result())
        self.find_value.returnPressed.connect(self.find_patient)
        self.find_birth.returnPressed.connect(self.find_patient)
        self.find_box = QGroupBox()
        find_form = QFormLayout(self.find_box)
        self.find_labels = [plain_label(), plain_label(), plain_label()]
        find_form.addRow(self.find_labels[0], self.find_by)
        find_form.addRow(self.find_labels[1], self.find_value)
        find_form.addRow(self.find_labels[2], self.find_birth)
        find_form.addRow(self.find_button)
        find_form.addRow(self.results)

        # -- the patient -------------------------------------------------------------
        self.norm = _field("deskNorm")
        self.norm.setReadOnly(True)
        self.norm.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.nik = _field("deskNik", digits=16)
        self.nomorkartu = _field("deskNomorkartu", digits=13)
        self.name = _field("deskName", digits=100)
        self.birth = _field("deskBirth", digits=10)
        self.sex = QComboBox()
        self.sex.setObjectName("deskSex")
        self.phone = _field("deskPhone", digits=20)
        self.address = _field("deskAddress", digits=200)
        self.new_button = _button("", self.new_patient, "deskNew")
        self.save_button = _button("", self.save_patient, "deskSavePatient")
        self.patient_box = QGroupBox()
        patient_form = QFormLayout(self.patient_box)
        self.patient_fields: list[tuple[str, QWidget]] = [
            ("desk_norm", self.norm),
            ("desk_nik", self.nik),
            ("desk_nomorkartu", self.nomorkartu),
            ("desk_name", self.name),
            ("desk_birth", self.birth),
            ("desk_sex", self.sex),
            ("desk_phone", self.phone),
            ("desk_address", self.address),
        ]
        self.patient_labels: list[QLabel] = []
        for _key, widget in self.patient_fields:
            caption = plain_label()
            caption.setBuddy(widget)
            self.patient_labels.append(caption)
            patient_form.addRow(caption, widget)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.save_button)
        patient_form.addRow(row)

        # -- the visit -----------------------------------------------------------------
        self.poli = QComboBox()
        self.poli.setObjectName("deskPoli")
        self.doctor = QComboBox()
        self.doctor.setObjectName("deskDoctor")
        self.payer = QComboBox()
        self.payer.setObjectName("deskPayer")
        self.referral = _field("deskReferral", digits=64)
        self.visit_kind = QComboBox()
        self.visit_kind.setObjectName("deskVisitKind")
        self.register_button = _button("", self.register_visit, "deskRegister")
        self.poli.currentIndexChanged.connect(lambda _i: self._fill_doctors())
        self.payer.currentIndexChanged.connect(lambda _i: self._fill_doctors())
        self.referral.returnPressed.connect(self.register_visit)
        self.visit_box = QGroupBox()
        visit_form = QFormLayout(self.visit_box)
        self.visit_fields: list[tuple[str, QWidget]] = [
            ("desk_poli", self.poli),
            ("desk_doctor", self.doctor),
            ("desk_payer", self.payer),
            ("desk_referral", self.referral),
            ("desk_visit_kind", self.visit_kind),
        ]
        #: The chosen doctor's hours and both quotas left, in full (word-wrapped):
        #: legible at 1366x768 whatever the doctor's name.
        self.doctor_info = plain_label(name="deskDoctorInfo", wrap=True)
        self.visit_labels: list[QLabel] = []
        for _key, widget in self.visit_fields:
            caption = plain_label()
            caption.setBuddy(widget)
            self.visit_labels.append(caption)
            if widget is self.doctor:  # the widest text: a row of its own, full width
                visit_form.addRow(caption)
                visit_form.addRow(widget)
                visit_form.addRow(self.doctor_info)
            else:
                visit_form.addRow(caption, widget)
        self.doctor.currentIndexChanged.connect(lambda _i: self._show_doctor())
        visit_form.addRow(self.register_button)
        self.result = plain_label(name="deskResult", wrap=True)
        visit_form.addRow(self.result)

        # -- today's list -----------------------------------------------------------------
        self.title = plain_label(name="subtitle")
        self.today = QListWidget()
        self.today.setObjectName("deskToday")
        self.today.setWordWrap(True)
        self.today.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.today.currentRowChanged.connect(lambda _row: self._selection_moved())
        self.reprint_button = _button("", self.reprint, "deskReprint")
        self.cancel_reason = _field("deskCancelReason", digits=200)
        self.cancel_button = _button("", self.cancel_visit, "deskCancel")
        self.cancel_reason.returnPressed.connect(self.cancel_visit)
        self.next_patient_button = _button("", self.next_patient, "deskNext")
        self.today_box = QGroupBox()
        today_column = QVBoxLayout(self.today_box)
        today_column.addWidget(self.today, 1)
        today_column.addWidget(self.reprint_button)
        today_column.addWidget(self.cancel_reason)
        today_column.addWidget(self.cancel_button)

        self.message = plain_label(name="deskMessage", wrap=True)
        left = QVBoxLayout()
        left.addWidget(self.find_box, 1)
        middle = QVBoxLayout()
        middle.addWidget(self.patient_box)
        middle.addWidget(self.visit_box)
        middle.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.next_patient_button)
        right.addWidget(self.today_box, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(middle, 5)
        columns.addLayout(right, 3)
        box = QVBoxLayout(self)
        box.addWidget(self.message)
        box.addLayout(columns, 1)

        # Tab goes down each column, in reading order.
        order: list[QWidget] = [
            self.find_by,
            self.find_value,
            self.find_birth,
            self.find_button,
            self.results,
            self.nik,
            self.nomorkartu,
            self.name,
            self.birth,
            self.sex,
            self.phone,
            self.address,
            self.new_button,
            self.save_button,
            self.poli,
            self.doctor,
            self.payer,
            self.referral,
            self.visit_kind,
            self.register_button,
            self.next_patient_button,
            self.today,
            self.reprint_button,
            self.cancel_reason,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.shortcuts = {
            "F2": self.focus_find,
            "F3": self.new_patient,
            "F5": self.reprint,
            "F8": self.focus_cancel,
            "F9": self.next_patient,
            "Ctrl+Return": self.register_visit,
            "Ctrl+Enter": self.register_visit,
        }
        for keys, action in self.shortcuts.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)
        controller.subscribe(self._state_changed)
        controller.subscribe_status(self._status_changed)
        #: The clock of the idle wipe (a test gives its own).
        self.clock: Callable[[], float] = time.monotonic
        self._last_touch = self.clock()
        self.idle_timer = QTimer(self)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start(1000)
        self.render_panel()

    # -- the language ------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        return self.view.t(key, **values)

    def render_panel(self) -> None:
        """Every caption in the desk's language (the language switch)."""
        self.find_box.setTitle(self.t("desk_find_title"))
        for caption, key in zip(
            self.find_labels, ("desk_find_by", "desk_find_value", "desk_birth"), strict=True
        ):
            caption.setText(self.t(key))
        self._set_items(self.find_by, [self.t(f"desk_by_{by.value}") for by in FIND_KEYS])
        self.find_button.setText(self.t("desk_find"))
        self.patient_box.setTitle(self.t("desk_patient_title"))
        for caption, (key, _widget) in zip(self.patient_labels, self.patient_fields, strict=True):
            caption.setText(self.t(key))
        self._set_items(self.sex, ["", self.t("desk_sex_l"), self.t("desk_sex_p")])
        self.new_button.setText(self.t("desk_new"))
        self.save_button.setText(self.t("desk_save_patient"))
        self.visit_box.setTitle(self.t("desk_visit_title"))
        for caption, (key, _widget) in zip(self.visit_labels, self.visit_fields, strict=True):
            caption.setText(self.t(key))
        self._set_items(self.payer, [self.t("desk_payer_jkn"), self.t("desk_payer_umum")])
        self._set_items(self.visit_kind, [self.t(f"desk_visit_kind_{k}") for k in VISIT_KINDS])
        self.register_button.setText(self.t("desk_register"))
        self.today_box.setTitle(self.t("desk_today"))
        self.reprint_button.setText(self.t("desk_reprint"))
        self.cancel_reason.setPlaceholderText(self.t("desk_cancel_reason"))
        self.cancel_button.setText(self.t("desk_cancel"))
        self.next_patient_button.setText(self.t("desk_next"))
        self._fill_polis()
        self._show(self.tickets)

    @staticmethod
    def _set_items(box: QComboBox, texts: list[str]) -> None:
        index = box.currentIndex()
        box.blockSignals(True)
        box.clear()
        box.addItems(texts)
        box.setCurrentIndex(max(index, 0))
        box.blockSignals(False)

    def say(self, key: str, **values: object) -> None:
        """A message above the desk (an error, or what just happened)."""
        self.message.setText(self.t(key, **values) if key else "")

    def point_at(self, problem: Problem) -> None:
        """Say what is wrong and put the cursor in the field at fault."""
        self.say(problem.key)
        widget: QWidget | None = {
            "nik": self.nik,
            "nomorkartu": self.nomorkartu,
            "name": self.name,
            "birth": self.birth,
            "sex": self.sex,
            "referral": self.referral,
            "visit_kind": self.visit_kind,
            "doctor": self.doctor,
        }.get(problem.field)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    @staticmethod
    def _identity(patient: DeskPatient) -> tuple[str, str, dt.date | None, str, str]:
        return (patient.nik, patient.name, patient.birth_date, patient.sex, patient.nomorkartu)

    def centre_words(self, exc: CentralRefused) -> str:
        """The centre's reason ("Bahasa / English") in the desk's language; "" for none."""
        if not exc.detail:
            return ""
        parts = [part.strip() for part in exc.detail.split(" / ", 1)]
        return parts[1] if self.view.lang == "en" and len(parts) == 2 else parts[0]

    def _begin(self, action: str) -> bool:
        """Start ``action`` unless one is already waiting for its answer (a second
        Ctrl+Enter, Enter in the last field, a double click: one visit, one ticket);
        the clerk is told why nothing happens, even after F9 for another patient."""
        if action in self._busy:
            log.info("desk %s already in progress: the repeat ignored", action)
            self.say("desk_still_sending")
            return False
        self._busy.add(action)
        return True

    def _end(self, action: str) -> None:
        self._busy.discard(action)

    def _run(
        self, action: str, done: Callable[..., None], failed: Callable[[Exception], None]
    ) -> tuple[Callable[..., None], Callable[[Exception], None]]:
        """``done`` and ``failed`` that first end ``action`` (whatever the answer)."""

        def done_(*args: object) -> None:
            self._end(action)
            done(*args)

        def failed_(exc: Exception) -> None:
            self._end(action)
            failed(exc)

        return done_, failed_

    # -- find --------------------------------------------------------------------------------
    def focus_find(self) -> None:
        self.find_value.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_value.selectAll()

    def find_patient(self) -> None:
        by = FIND_KEYS[self.find_by.currentIndex()]
        value = self.find_value.text().strip()
        birth = parse_date(self.find_birth.text()) if self.find_birth.text().strip() else None
        if by is not FindBy.NAME:
            value = value.replace(" ", "").replace(".", "").replace("-", "")
        problem = check_key(by, value, birth)
        if problem is not None or birth is None:
            self.say(problem or "desk_bad_birth_date")
            at_fault = (
                self.find_birth
                if birth is None and problem in (None, "desk_bad_birth_date")
                else self.find_value
            )
            at_fault.setFocus(Qt.FocusReason.OtherFocusReason)
            at_fault.selectAll()
            return
        # A new search ends the patient shown: a search that finds no one must not
        # leave the one before on screen, ready for Ctrl+Enter. A search is a read and
        # never refused: one still on its way (the patient before F9, the idle wipe or
        # a card) answers for a patient wiped since, and that answer is dropped.
        self._wipe_patient()
        self.say("desk_finding")
        generation = self._generation
        self.controller.find_patients(
            by,
            value,
            birth,
            lambda found: self._found(generation, found),
            lambda exc: self._failed(generation, exc, away="desk_centre_away_type_in"),
        )

    def _found(self, generation: int, found: tuple[DeskPatient, ...]) -> None:
        if generation != self._generation:
            return
        self.found = found
        self.results.clear()
        if not found:
            self.say("desk_not_found")
            return
        # More match than the centre answers: say so, never show ten of many as all.
        self.say("desk_more" if isinstance(found, PatientList) and found.more else "")
        for patient in found:
            self.results.addItem(
                self.t(
                    "desk_result_row",
                    norm=patient.norm or "—",
                    name=patient.name,
                    birth=show_date(patient.birth_date),
                )
            )
        self.results.setCurrentRow(0)
        if len(found) == 1:
            self.choose_result()
        else:
            self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose_result(self) -> None:
        row = self.results.currentRow()
        if 0 <= row < len(self.found):
            self.show_patient(self.found[row])
            self.poli.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_patient(self, patient: DeskPatient) -> None:
        # Another patient on screen is a new patient: an answer still on its way (a
        # visit registered or a patient saved for the one shown before, chosen from
        # the same list) must not land under this one. The search or card read that
        # found ``patient`` checked its own generation before calling here.
        # His values are written over the fields: the clipboard first, when it holds
        # what they held (a corrected phone no field nor patient found holds after).
        self._wipe_clipboard([w for _key, w in self.patient_fields if isinstance(w, QLineEdit)])
        self._generation += 1
        self.patient = patient
        self._refused = None  # the record loaded: the centre's own data
        self.issued = None
        self.result.setText("")
        self.norm.setText(patient.norm)
        self.nik.setText(patient.nik)
        self.nomorkartu.setText(patient.nomorkartu)
        self.name.setText(patient.name)
        self.birth.setText(show_date(patient.birth_date))
        self.sex.setCurrentIndex({"L": 1, "P": 2}.get(patient.sex, 0))
        self.phone.setText(patient.phone)
        self.address.setText(patient.address)
        self.payer.setCurrentIndex(0 if patient.nomorkartu else 1)
        self._refresh_doctors()  # the places left as of this patient, not of the last one

    def _refresh_doctors(self) -> None:
        if self._catalog_shown is not None:
            self._ask_doctors()

    def _ask_doctors(self) -> None:
        self._doctors_read.ask()

    def edited_patient(self) -> DeskPatient:
        """The patient as the fields now say (the clerk may correct any of them)."""
        return DeskPatient(
            norm=self.norm.text().strip(),
            nik=self.nik.text().strip(),
            nomorkartu=self.nomorkartu.text().strip(),
            name=" ".join(self.name.text().split()),
            birth_date=parse_date(self.birth.text()),
            sex=("", "L", "P")[max(self.sex.currentIndex(), 0)],
            phone=self.phone.text().strip(),
            address=self.address.text().strip(),
        )

    # -- a new patient ---------------------------------------------------------------------
    def new_patient(self) -> None:
        """Empty the patient's fields for a new one (F3)."""
        self._wipe_patient()
        self.say("desk_new_hint")
        self.nik.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save_patient(self) -> None:
        patient = self.edited_patient()
        if patient.norm:
            self.say("desk_has_norm", norm=patient.norm)
            return
        problem = patient_problem(patient, self.controller.now().date())
        if problem is None and patient.sex == "":
            problem = Problem("desk_bad_sex", "sex")
        if problem is not None:
            self.point_at(problem)
            return
        if not self._begin("patient"):
            return
        self.say("desk_saving")
        generation = self._generation
        self.controller.register_patient(
            patient,
            *self._run(
                "patient",
                lambda norm: self._saved(generation, patient, norm),
                lambda exc: self._not_saved(generation, patient, exc),
            ),
        )

    def _not_saved(self, generation: int, patient: DeskPatient, exc: Exception) -> None:
        if generation == self._generation and isinstance(exc, CentralRefused):
            # The centre will not keep these data: no visit with them either.
            self._refused = self._identity(patient)
            self._refused_reason = self.centre_words(exc)
        self._failed(generation, exc, away="desk_centre_away_type_in")

    def _saved(self, generation: int, patient: DeskPatient, norm: str) -> None:
        if generation != self._generation:
            log.info("a patient saved after the desk moved on: the No. RM not shown")
            return
        if self._identity(self.edited_patient()) != self._identity(patient):
            # Corrected while it was saved: the No. RM is the data sent, not these.
            self.say("desk_saved_changed", norm=norm)
            return
        self._refused, self._refused_reason = None, ""
        self.patient = DeskPatient(
            norm=norm,
            nik=patient.nik,
            nomorkartu=patient.nomorkartu,
            name=patient.name,
            birth_date=patient.birth_date,
            sex=patient.sex,
            phone=patient.phone,
            address=patient.address,
        )
        self.norm.setText(norm)
        self.say("desk_saved", norm=norm)
        self.poli.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the visit -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Today's tickets (from the store) and today's doctors (from the centre)."""
        self._tickets_read.ask()
        self._refresh_doctors()  # none before the first catalog: not enrolled yet

    def _status_changed(self) -> None:
        """Back in service (the store opened after all): today's list read again, not
        left saying "none" from the read that failed while it was out."""
        out = self.controller.status().out_of_service
        if self._out_of_service and not out:
            self._tickets_read.ask()
        self._out_of_service = out

    def catalog_changed(self) -> None:
        """A new catalog (the first one after start-up): its polis, and today's doctors."""
        if self.view.catalog is self._catalog_shown:
            return
        first = self._catalog_shown is None
        self._catalog_shown = self.view.catalog
        self._fill_polis()
        if first:  # enrolled by now: the centre answers the desk
            self._ask_doctors()

    def _doctors(self, doctors: tuple[DoctorToday, ...]) -> None:
        self.doctors = doctors
        if self.message.text() == self.t("desk_no_doctors"):
            self.say("")
        self._fill_doctors()

    def _doctors_failed(self, exc: Exception) -> None:
        log.warning("today's doctors not fetched: %s", type(exc).__name__)
        self.say("desk_no_doctors")

    def _polis(self) -> list[tuple[str, str]]:
        """The office's polis: (service id, name)."""
        catalog = self.view.catalog
        if catalog is None:
            return []
        return [
            (s.id, s.name(self.view.lang))
            for s in catalog.services
            if s.office_id == self.view.office_id and s.poli is not None
        ]

    def _fill_polis(self) -> None:
        chosen = self.poli.currentData()
        self.poli.blockSignals(True)
        self.poli.clear()
        for service_id, name in self._polis():
            self.poli.addItem(name, service_id)
        index = self.poli.findData(chosen) if chosen else 0
        self.poli.setCurrentIndex(max(index, 0))
        self.poli.blockSignals(False)
        self._fill_doctors()

    def _payer(self) -> Payer:
        return Payer.JKN if self.payer.currentIndex() == 0 else Payer.UMUM

    def _fill_doctors(self) -> None:
        service_id = self.poli.currentData()
        chosen = self.doctor.currentData()
        jkn = self._payer() is Payer.JKN
        self.doctor.blockSignals(True)
        self.doctor.clear()
        model = self.doctor.model()
        first_open = -1
        for doctor in self.doctors:
            if doctor.service_id != service_id:
                continue
            left = doctor.left_jkn if jkn else doctor.left_non_jkn
            if doctor.closed:  # hours over: the centre would refuse, the cache must too
                key, left = "desk_doctor_closed", 0
            else:
                key = "desk_doctor_row" if left > 0 else "desk_doctor_full"
            self.doctor.addItem(
                self.t(
                    key,
                    name=doctor.doctor_name,
                    starts=doctor.starts,
                    ends=doctor.ends,
                    jkn=doctor.left_jkn,
                    non_jkn=doctor.left_non_jkn,
                ),
                doctor.schedule_id,
            )
            index = self.doctor.count() - 1
            if left <= 0 and isinstance(model, QStandardItemModel):
                item = model.item(index)
                if item is not None:
                    item.setEnabled(False)  # shown, never chosen
            elif first_open < 0:
                first_open = index
        index = self.doctor.findData(chosen) if chosen else -1
        if index < 0 or not self._open(index):
            index = first_open
        self.doctor.setCurrentIndex(index)
        self.doctor.blockSignals(False)
        metrics = self.doctor.fontMetrics()
        widest = max(
            (
                metrics.horizontalAdvance(self.doctor.itemText(i))
                for i in range(self.doctor.count())
            ),
            default=0,
        )
        self.doctor.view().setMinimumWidth(widest + 40)  # the list: every row in full
        self._show_doctor()

    def _show_doctor(self) -> None:
        """The chosen doctor's hours and the quota left for JKN and non-JKN, in full."""
        doctor = self._chosen_doctor()
        self.doctor_info.setText(
            self.t(
                "desk_doctor_info",
                starts=doctor.starts,
                ends=doctor.ends,
                jkn=doctor.left_jkn,
                non_jkn=doctor.left_non_jkn,
            )
            if doctor is not None
            else ""
        )

    def _open(self, index: int) -> bool:
        model = self.doctor.model()
        if not isinstance(model, QStandardItemModel):
            return True
        item = model.item(index)
        return item is not None and item.isEnabled()

    def _chosen_doctor(self) -> DoctorToday | None:
        schedule_id = self.doctor.currentData()
        if self.doctor.currentIndex() < 0 or not self._open(self.doctor.currentIndex()):
            return None
        return next((d for d in self.doctors if d.schedule_id == schedule_id), None)

    def register_visit(self) -> None:
        """Register the visit of the patient shown (Ctrl+Enter): ticket and slip."""
        if "visit" in self._busy:  # the one in flight answers first
            self.say("desk_still_sending")
            return
        patient = self.edited_patient()
        # A patient without a No. RM (typed while the centre is away) is a new one:
        # the centre gives the No. RM when the registration arrives.
        if not patient.norm and not (patient.nik or patient.name or self.birth.text().strip()):
            self.say("desk_no_patient")
            self.focus_find()
            return
        if self._refused is not None and self._refused == self._identity(patient):
            if self._refused_reason:
                self.message.setText(self.t("desk_refused_still", reason=self._refused_reason))
            else:
                self.say("desk_refused_patient")
            self.nik.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        doctor = self._chosen_doctor()
        if doctor is None or not self.poli.currentData():
            self.point_at(Problem("desk_no_doctor", "doctor"))
            return
        visit = DeskVisit(
            patient=patient,
            service_id=str(self.poli.currentData()),
            doctor=doctor,
            payer=self._payer(),
            nomorkartu=patient.nomorkartu,
            nomorreferensi=self.referral.text().strip(),
            jeniskunjungan=VISIT_KINDS[max(self.visit_kind.currentIndex(), 0)],
            new_patient=not patient.norm,
            language=self.view.lang,
        )
        problem = problem_of(visit, self.controller.now().date())
        if problem is not None:
            self.point_at(problem)
            return
        if not self._begin("visit"):
            return
        self.say("desk_registering")
        self.register_button.setEnabled(False)
        generation = self._generation
        self.controller.register_visit(
            visit,
            *self._run(
                "visit",
                lambda issued: self._registered(generation, issued),
                lambda exc: self._failed(generation, exc),
            ),
        )

    def _registered(self, generation: int, issued: DeskIssued) -> None:
        self.register_button.setEnabled(True)
        self.refresh()  # the list, and the quota left
        if generation != self._generation:
            return
        self.issued = issued
        place = issued.hospital
        if place is not None:
            self.result.setText(
                self.t(
                    "desk_issued",
                    number=issued.ticket.number,
                    antrean=place.nomorantrean,
                    time=place.estimated_at.strftime("%H:%M"),
                )
            )
        elif issued.ticket.estimated_at:  # numbered offline: the kiosk's estimate
            self.result.setText(
                self.t(
                    "desk_issued_offline_at",
                    number=issued.ticket.number,
                    time=issued.ticket.estimated_at,
                )
            )
        else:
            self.result.setText(self.t("desk_issued_offline", number=issued.ticket.number))
        self.say("" if issued.ticket.printed else "desk_not_printed")

    # -- today's list: reprint and cancel ------------------------------------------------------
    def _selected_ticket(self) -> StoredTicket | None:
        row = self.today.currentRow()
        if not self.tickets:
            return None
        return self.tickets[row] if 0 <= row < len(self.tickets) else self.tickets[0]

    def _ticket(self, ticket_id: str | None) -> StoredTicket | None:
        return next((t for t in self.tickets if t.id == ticket_id), None)

    def _selection_moved(self) -> None:
        """The clerk chose another row: a cancel named before no longer holds."""
        if not self._filling_today and self._cancel_target is not None:
            self._cancel_target = None
            self.say("")

    def reprint(self) -> None:
        """Print the selected ticket of today's list again (F5); with this patient's slip."""
        ticket = self._selected_ticket()
        if ticket is None:
            self.say("desk_nothing_selected")
            return
        slip = (
            self.issued.slip
            if self.issued is not None and self.issued.ticket_id == ticket.id
            else None
        )
        if not self._begin("reprint"):  # a double F5: one paper (and one slip), not two
            return
        self.controller.reprint(
            ticket.id,
            slip,
            *self._run(
                "reprint",
                lambda printed: self._reprinted(ticket, printed),
                lambda exc: self._failed(self._generation, exc),
            ),
        )

    def _reprinted(self, ticket: StoredTicket, printed: IssuedTicket) -> None:
        """Say how the reprint went; the list is read again, its paper mark with it."""
        self.say("desk_reprinted" if printed.printed else "desk_not_printed", number=ticket.number)
        self._tickets_read.ask()

    def focus_cancel(self) -> None:
        """F8: the reason of the cancel of the selected registration."""
        ticket = self._selected_ticket()
        if ticket is None:
            self.say("desk_nothing_selected")
            return
        if self.today.currentRow() < 0:
            self.today.setCurrentRow(0)  # the first, as _selected_ticket said
        self._cancel_target = ticket.id  # Enter cancels this one, and no other
        self.say("desk_cancel_hint", number=ticket.number)
        self.cancel_reason.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def cancel_visit(self) -> None:
        """Cancel the registration F8 named (else the one selected), with the reason typed."""
        ticket = (
            self._ticket(self._cancel_target)
            if self._cancel_target is not None
            else self._selected_ticket()
        )
        reason = self.cancel_reason.text().strip()
        if ticket is None:
            self.say("desk_nothing_selected")
            return
        if not reason:
            self.say("desk_cancel_needs_reason")
            self.cancel_reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not self._begin("cancel"):
            return
        self.controller.cancel_visit(
            ticket.id,
            reason,
            *self._run(
                "cancel",
                lambda queued: self._cancelled(ticket, queued, reason),
                lambda exc: self._failed(self._generation, exc),
            ),
        )

    def _cancelled(self, ticket: StoredTicket, queued: bool, reason: str) -> None:
        """The cancel is in the outbox: it waits for the centre's answer (not done yet)."""
        if self._cancel_target == ticket.id:
            self._cancel_target = None
        # The reason may name the patient: a copy of it goes with its field, and so does
        # a copy of the reason sent, should the clerk have typed on while it was sent.
        self._empty([self.cancel_reason], also=(reason,))
        self.say("desk_cancel_queued" if queued else "desk_cancelled_before", number=ticket.number)
        self._ask_cancel_states()

    def _ask_cancel_states(self) -> None:
        if self.tickets:
            self._cancels_read.ask()

    def _cancel_states_failed(self, exc: Exception) -> None:
        log.warning("the cancels' states not read: %s", type(exc).__name__)

    def _cancel_states(self, states: dict[str, CancelState]) -> None:
        self.cancels = states
        for row, ticket in enumerate(self.tickets):
            item = self.today.item(row)
            if item is not None:
                item.setText(self._row_text(ticket))

    def _row_text(self, ticket: StoredTicket) -> str:
        text = self.t(
            "desk_row",
            number=ticket.number,
            time=ticket.issued_at.strftime("%H:%M"),
            service=service_name(self.view.catalog, ticket.service_id, self.view.lang),
        )
        if ticket.not_handed_out:
            from ui.screens.operator import print_fault_words

            why = print_fault_words(ticket.print_fault, self.view)
            text = self.t("desk_row_unprinted", row=text, why=why)
        state = self.cancels.get(ticket.id)
        return text if state is None else self.t(f"desk_row_cancel_{state.value}", row=text)

    def _show(self, tickets: list[StoredTicket]) -> None:
        """Fill today's list; the row selected stays the same registration (by ticket id)."""
        selected = self._selected_ticket() if self.today.currentRow() >= 0 else None
        self._filling_today = True
        try:
            self._fill_today(tickets, selected.id if selected else None)
        finally:
            self._filling_today = False

    def _fill_today(self, tickets: list[StoredTicket], selected: str | None) -> None:
        self.tickets = tickets
        self.today.clear()
        for ticket in tickets:
            self.today.addItem(QListWidgetItem(self._row_text(ticket)))
        if not tickets:
            self.today.addItem(self.t("desk_none"))
            return
        self._ask_cancel_states()
        row = next((i for i, t in enumerate(tickets) if t.id == selected), -1)
        if row >= 0:
            self.today.setCurrentRow(row)

    # -- the next patient ---------------------------------------------------------------------
    def next_patient(self) -> None:
        """End this patient (F9): wipe every widget holding their data, end a card session."""
        phase = self.controller.session().phase
        if phase in INTERACTIVE:
            self.controller.dispatch(Cancel())
        elif phase is Phase.TICKET_ISSUED:
            self.controller.dispatch(Finish())  # -> done (wiped)
            self.controller.dispatch(Finish())  # -> idle, ready for the next tap
        elif phase in (Phase.DONE, Phase.ERROR):
            self.controller.dispatch(Finish())
        self._empty(self._text_widgets())  # the search and the cancel reason too
        self._wipe_patient()
        self._cancel_target = None
        self.say("")
        self.focus_find()

    def _wipe_patient(self) -> None:
        self._empty(self._patient_widgets())  # first: the patient shown counts as held
        self._generation += 1
        self.patient = None
        self._refused, self._refused_reason = None, ""
        self.found = ()
        self.issued = None
        self.results.clear()
        self.sex.setCurrentIndex(0)
        self.visit_kind.setCurrentIndex(0)
        self.result.setText("")
        self.register_button.setEnabled("visit" not in self._busy)

    # -- the idle wipe ------------------------------------------------------------------------
    def touched(self) -> None:
        """A key or a click anywhere in the window (the window's event filter)."""
        self._last_touch = self.clock()

    def _text_widgets(self) -> list[QLineEdit | QPlainTextEdit | QTextEdit]:
        """Every field the clerk types in: each may hold a patient's data."""
        return [
            *self.findChildren(QLineEdit),
            *self.findChildren(QPlainTextEdit),
            *self.findChildren(QTextEdit),
        ]

    @staticmethod
    def _typed(widget: QLineEdit | QPlainTextEdit | QTextEdit) -> str:
        return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()

    def _patient_widgets(self) -> list[QLineEdit | QPlainTextEdit | QTextEdit]:
        """The fields a patient's wipe empties: the patient's own, and the referral."""
        fields = [w for _key, w in self.patient_fields if isinstance(w, QLineEdit)]
        return [*fields, self.referral]

    def _empty(
        self, widgets: list[QLineEdit | QPlainTextEdit | QTextEdit], also: tuple[str, ...] = ()
    ) -> None:
        """Empty ``widgets`` for good, the clipboard first when it holds what they held
        (or ``also``). Every field that held a patient's or a cancel's words is emptied
        here and nowhere else: once a field is empty, neither F9 nor the idle wipe would
        know that the clipboard still holds a copy of it."""
        self._wipe_clipboard(widgets, also)
        for widget in widgets:
            wipe_text(widget)

    def _held(self, widgets: list[QLineEdit | QPlainTextEdit | QTextEdit]) -> list[str]:
        """What ``widgets`` hold, and the patients shown or found: what a copy may be of.
        (Three characters at least: a copied "08" is wiped with a phone that holds it, but
        a field holding "08" does not wipe a longer copy that contains it.)"""
        held = [self._typed(w).strip() for w in widgets]
        for p in (self.patient, *self.found):
            if p is not None:
                held += [p.nik, p.norm, p.nomorkartu, p.name, p.phone]
        return [text for text in held if len(text) >= 3]

    def _wipe_clipboard(
        self, widgets: list[QLineEdit | QPlainTextEdit | QTextEdit], also: tuple[str, ...] = ()
    ) -> None:
        """Empty the clipboard (and the X selection) when it holds what ``widgets`` held,
        or ``also``: a NIK or name the clerk copied stays no longer than the patient does."""
        held = self._held(widgets) + [t.strip() for t in also if len(t.strip()) >= 3]
        clipboard = QGuiApplication.clipboard()
        modes = [QClipboard.Mode.Clipboard]
        if clipboard.supportsSelection():
            modes.append(QClipboard.Mode.Selection)
        for mode in modes:
            copied = clipboard.text(mode).strip()
            if copied and any(copied in text or text in copied for text in held):
                clipboard.clear(mode)

    def holds_patient(self) -> bool:
        """Whether any widget holds something of a patient (the search and the cancel
        reason included: a name or a NIK may be typed there too). A copy of it counts
        with it: the clipboard holds a patient's value only while a field or the patient
        shown does, for every wipe of a patient's fields wipes the clipboard first."""
        typed = any(self._typed(w) for w in self._text_widgets())
        return bool(self.patient or self.found or self.issued or typed)

    def check_idle(self) -> None:
        """Nobody at the keyboard for ``session.desk_idle_timeout_s``: wipe the patient."""
        if CancelState.WAITING in self.cancels.values():
            self._ask_cancel_states()  # the centre's answer shown once it came
        limit = self.controller.config.session.desk_idle_timeout_s
        if self.holds_patient() and self.clock() - self._last_touch >= limit:
            log.info("desk idle for %.0f s: the patient's data wiped", limit)
            self.next_patient()

    # -- failures ---------------------------------------------------------------------------
    def _failed(self, generation: int, exc: Exception, away: str = "desk_centre_away") -> None:
        """Say why an action failed (``away``: what to say when the centre is away)."""
        self.register_button.setEnabled("visit" not in self._busy)  # a visit may be on its way
        if generation != self._generation:
            return
        log.warning("desk action failed: %s", type(exc).__name__)  # never the patient's data
        reason = str(exc.reason) if isinstance(exc, TicketingError) else ""
        refused = _DOCTOR_REFUSED_WORDS.get(reason)
        if refused is not None:
            self.say(refused)
            self.refresh()  # the doctors counted again
        elif reason in _PATIENT_REFUSED_WORDS:
            self.say(_PATIENT_REFUSED_WORDS[reason])  # nothing stored, nothing printed
        elif isinstance(exc, CentralUnavailable) and exc.status == 429:
            self.say("desk_too_many")
        elif isinstance(exc, CentralUnavailable):
            self.say(away)
        elif isinstance(exc, CentralAuthError) and exc.status == 403:
            # the token is good but not for this: a kiosk staff did not make a desk
            self.say("desk_not_a_desk")
        elif isinstance(exc, CentralRefused) and self.centre_words(exc):
            self.message.setText(self.centre_words(exc))  # the centre's own reason
        elif isinstance(exc, CentralRefused):
            self.say("desk_refused")
        elif isinstance(exc, ValueError):
            self.say("desk_bad_input")
        else:
            self.say("desk_failed")

    # -- a card tapped at the desk ----------------------------------------------------------
    def _state_changed(self, state: SessionState) -> None:
        before, self._phase = self._phase, state.phase
        if state.phase in (Phase.IDLE, Phase.READING) or before is state.phase:
            return
        citizen = state.identity.citizen if state.identity is not None else None
        usable = (
            citizen is not None
            and state.identity is not None
            and state.identity.assurance is not Assurance.UNVERIFIED
        )
        # The card's session ends at once: the desk holds the patient from here.
        QTimer.singleShot(0, self, self._end_card_session)
        if not usable or citizen is None:
            self.say("desk_card_unusable")
            return
        self._card(citizen)

    def _end_card_session(self) -> None:
        if self.controller.session().phase not in (Phase.IDLE, Phase.READING):
            self.next_patient_phase_only()

    def next_patient_phase_only(self) -> None:
        phase = self.controller.session().phase
        if phase in INTERACTIVE:
            self.controller.dispatch(Cancel())
        elif phase in (Phase.TICKET_ISSUED, Phase.DONE, Phase.ERROR):
            self.controller.dispatch(Finish())

    def _card(self, citizen: Citizen) -> None:
        """Find the card's holder by NIK; a holder who is no patient yet is a new one."""
        self._wipe_patient()
        from_card = DeskPatient(
            norm="",
            nik=citizen.nik,
            nomorkartu=citizen.bpjs_number or "",
            name=citizen.full_name,
            birth_date=citizen.date_of_birth,
            sex={Sex.MALE: "L", Sex.FEMALE: "P"}.get(citizen.sex, ""),
        )
        generation = self._generation
        self.say("desk_finding")

        def found(patients: tuple[DeskPatient, ...]) -> None:
            if generation != self._generation:
                return
            if patients:
                self.say("")
                self.show_patient(patients[0])
            else:
                self.show_patient(from_card)
                self.say("desk_card_new")

        self.controller.find_patients(
            FindBy.NIK,
            citizen.nik,
            citizen.date_of_birth,
            found,
            lambda exc: self._failed(generation, exc),
        )
