"""A hospital's poli: today's doctors, JKN or umum, and a patient found without a card.

- :class:`DoctorScreen` (``doctor``): the poli's doctors of today, one big row each
  with the hours and the places left for JKN and umum; a doctor with no place left
  says "Penuh" and cannot be chosen. A ``quota_full`` answer from the centre comes
  back here, told plainly, with the places counted again.
- :class:`PayerScreen` (``payer``): JKN (BPJS Kesehatan) or umum (paying), each
  with its places left; one with none cannot be chosen.
- :class:`PatientNumberScreen` (``patient_number``): No. RM, BPJS card number or NIK
  on the large keypad, for a patient without a card;
  :class:`PatientBirthScreen` (``patient_birth``, ``patient_check``): then the date
  of birth, as the UID card's proof asks it.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from contract.hospital import DoctorToday, Payer
from kiosk.session.events import (
    Back,
    BirthDateEntered,
    Cancel,
    DoctorChosen,
    PatientKey,
    PatientNumberEntered,
    PayerChosen,
)
from kiosk.session.machine import PATIENT_DIGITS, Phase, SessionState
from ui.problems import problem_notice, shown_problem
from ui.screens.birth_date import DIGITS as BIRTH_DIGITS
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.digit_pad import DigitPadScreen
from ui.screens.message import NoticeBlock
from ui.screens.wrapping import WrappingButton, wrapping_button, wrapping_text


def doctor_line(doctor: DoctorToday, view: View) -> str:
    """ "dr. Ani · 08.00–12.00 · Sisa kuota: JKN 4, umum 5" (or "Penuh", or "Praktik
    sudah selesai" when the hours are over)."""
    hours = view.t("poli_doctor_hours", starts=doctor.starts, ends=doctor.ends)
    if doctor.closed:
        left = view.t("doctor_closed")
    elif doctor.left_jkn <= 0 and doctor.left_non_jkn <= 0:
        left = view.t("doctor_full")
    else:
        left = view.t("doctor_left", jkn=doctor.left_jkn, umum=doctor.left_non_jkn)
    return f"{doctor.doctor_name}\n{hours}\n{left}"


class DoctorScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.title = wrapping_text("title")  # with the poli's name, from the catalog
        self.prompt = label(name="subtitle")
        self.notice = NoticeBlock()
        self.list_host = QWidget()
        self.rows = QVBoxLayout(self.list_host)
        self.rows.setSpacing(16)
        self.rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_host)
        self.scroll_area = scroll
        #: One row per doctor shown, by schedule id.
        self.doctors: dict[str, WrappingButton] = {}
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        for widget in (self.title, self.prompt, self.notice):
            self.box.addWidget(widget)
        self.box.addWidget(scroll, 1)
        self.button_row(self.cancel, self.back)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        poli = service.name(view.lang) if service else ""
        self.title.setText(view.t("doctor_title", poli=poli))
        self.prompt.setText(view.t("doctor_prompt") if state.doctors else "")
        problem = state.problem if state.phase is Phase.DOCTOR else None
        self.notice.show_notice(problem_notice(problem) if problem else None, view)
        shown = tuple(d.schedule_id for d in state.doctors)
        if shown != tuple(self.doctors):
            self._rebuild(state.doctors)
        for doctor in state.doctors:
            row = self.doctors[doctor.schedule_id]
            row.setText(doctor_line(doctor, view))
            row.setEnabled(not doctor.closed and (doctor.left_jkn > 0 or doctor.left_non_jkn > 0))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.cancel, view.t("cancel"))

    def _chosen(self, schedule_id: str) -> None:
        self._view.dispatch(DoctorChosen(schedule_id))

    def _rebuild(self, doctors: tuple[DoctorToday, ...]) -> None:
        for row in self.doctors.values():
            self.rows.removeWidget(row)
            row.deleteLater()
        self.doctors = {}
        for i, doctor in enumerate(doctors):
            schedule = doctor.schedule_id
            row = wrapping_button("", partial(self._chosen, schedule), "choiceTile")
            row.setProperty("schedule", schedule)
            self.rows.insertWidget(i, row)
            self.doctors[schedule] = row

    def clear(self) -> None:
        self._rebuild(())
        self.notice.clear()


class PayerScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.title = label(name="title")
        self.doctor = wrapping_text("subtitle")  # a name without spaces breaks inside
        self.notice = NoticeBlock()
        self.payers: dict[Payer, WrappingButton] = {
            payer: wrapping_button("", partial(self._chosen, payer), "choiceTile", centred=True)
            for payer in Payer
        }
        tiles = QHBoxLayout()
        tiles.setSpacing(24)
        for tile in self.payers.values():
            tiles.addWidget(tile, 1)
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        for widget in (self.title, self.doctor, self.notice):
            self.box.addWidget(widget)
        self.box.addStretch(1)
        self.box.addLayout(tiles)
        self.box.addStretch(1)
        self.button_row(self.cancel, self.back)

    def _chosen(self, payer: Payer) -> None:
        self._view.dispatch(PayerChosen(payer))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        doctor = state.doctor
        self.title.setText(view.t("payer_title"))
        self.doctor.setText(doctor_line(doctor, view).replace("\n", " · ") if doctor else "")
        own = state.problem if state.phase is Phase.PAYER else None
        problem = shown_problem(own, state.tap_waiting)
        self.notice.show_notice(problem_notice(problem) if problem else None, view)
        for payer, tile in self.payers.items():
            left = doctor.left(payer) if doctor else 0
            name = view.t("payer_jkn" if payer is Payer.JKN else "payer_umum")
            words = view.t("payer_left", n=left) if left > 0 else view.t("doctor_full")
            tile.setText(f"{name}\n{words}")
            tile.setEnabled(left > 0)
        set_button_text(self.back, view.t("back"))
        set_button_text(self.cancel, view.t("cancel"))

    def clear(self) -> None:
        self.doctor.setText("")
        self.notice.clear()


#: The keypad's kinds of number, in the order of their buttons.
PATIENT_KEYS = (PatientKey.NORM, PatientKey.NOMORKARTU, PatientKey.NIK)


class PatientNumberScreen(DigitPadScreen):
    max_digits = max(PATIENT_DIGITS[PatientKey.NIK])

    def __init__(self, view: View) -> None:
        super().__init__(view, "patientNumberPad")
        self.key = PatientKey.NORM
        self.kinds: dict[PatientKey, QPushButton] = {}
        for key in PATIENT_KEYS:
            kind = button("", partial(self._choose, key))
            kind.setCheckable(True)
            self.kinds[key] = kind
        self.kinds_row = QHBoxLayout()
        self.kinds_row.setSpacing(16)
        for kind in self.kinds.values():
            self.kinds_row.addWidget(kind, 1)
        self.box.insertLayout(0, self.kinds_row)
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        self.button_row(self.cancel)

    def _choose(self, key: PatientKey) -> None:
        self.key = key
        self.max_digits = max(PATIENT_DIGITS[key])
        self.entered = self.entered[: self.max_digits]
        for k, kind in self.kinds.items():
            kind.setChecked(k is key)
        self.hint.setText(self._view.t(f"patient_hint_{key.value}"))
        self._entered_changed()

    def submit(self) -> None:
        digits, self.entered = self.entered, ""
        self._entered_changed()
        self._view.dispatch(PatientNumberEntered(self.key, digits))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        self.title.setText(view.t("patient_title"))
        for key, kind in self.kinds.items():
            set_button_text(kind, view.t(f"patient_key_{key.value}"))
        self._choose(state.patient_key if state.problem else self.key)
        self.notice.show_notice(problem_notice(state.problem) if state.problem else None, view)
        set_button_text(self.ok, view.t("patient_ok"))
        set_button_text(self.erase, view.t("pin_erase"))
        set_button_text(self.cancel, view.t("cancel"))

    def clear(self) -> None:
        self.entered = ""
        self.key = PatientKey.NORM
        self._entered_changed()
        self.notice.clear()

    def left(self) -> None:
        self.clear()

    def _show(self) -> None:
        self.display.setText(self.entered or "_")


class PatientBirthScreen(DigitPadScreen):
    max_digits = BIRTH_DIGITS

    def __init__(self, view: View) -> None:
        super().__init__(view, "birthDatePad")
        self._checking = False
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        self.button_row(self.cancel, self.back)

    def submit(self) -> None:
        digits, self.entered = self.entered, ""
        self._entered_changed()
        self._view.dispatch(BirthDateEntered(digits))

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        checking = state.phase is Phase.PATIENT_CHECK
        self.title.setText(view.t("patient_checking" if checking else "patient_birth_title"))
        self.hint.setText(view.t("patient_birth_hint"))
        problem = state.problem if state.phase is Phase.PATIENT_BIRTH else None
        self.notice.show_notice(problem_notice(problem) if problem else None, view)
        set_button_text(self.ok, view.t("patient_ok"))
        set_button_text(self.erase, view.t("pin_erase"))
        set_button_text(self.back, view.t("back"))
        set_button_text(self.cancel, view.t("cancel"))
        self._checking = checking
        for key in [self.erase, self.ok, self.back]:
            key.setEnabled(not checking)
        self._entered_changed()

    def _typing(self) -> bool:
        return not self._checking

    def clear(self) -> None:
        self.entered = ""
        self._entered_changed()
        self.notice.clear()

    def left(self) -> None:
        self.clear()

    def _show(self) -> None:
        slots = self.entered.ljust(BIRTH_DIGITS, "_")
        self.display.setText(f"{slots[:2]} {slots[2:4]} {slots[4:]}")
