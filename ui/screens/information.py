"""Public information (queue, beds, doctors on duty) and the citizen's application status.

The status screen also lists staff's answers to the citizen's complaints, and
shows each note in the screen's language only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.client.info import APPLICATION_STATES
from kiosk.errors import ApplicationsProblem
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.screens.common import (
    Screen,
    View,
    button,
    label,
    plain_label,
    service_name,
    set_button_text,
)
from ui.screens.message import NoticeBlock


def _row(text: str, name: str = "infoRow") -> QLabel:
    return plain_label(text, name, wrap=True)


class _ListScreen(Screen):
    """A title, a notice and a scrolling list of rows, with a back button."""

    def __init__(self, on_back: Callable[[], None]) -> None:
        super().__init__()
        self.title = label(name="title")
        self.notice = NoticeBlock()
        self.host = QWidget()
        self.rows = QVBoxLayout(self.host)
        self.rows.setSpacing(12)
        self.rows.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.list_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.host)
        self.back = button("", on_back, "primary")
        self.box.addWidget(self.title)
        self.box.addWidget(self.notice)
        self.box.addWidget(scroll, 1)
        self.button_row(self.back)
        self.loading = True

    def warn(self, problem: str, view: View) -> None:
        """Why the list cannot be shown (:data:`ui.problems.NOTICES`); "" clears it."""
        self.notice.show_notice(NOTICES[problem] if problem else None, view)

    def render_state(self, state: SessionState, view: View) -> None:
        self.list_area.setAccessibleName(view.t("scroll_list"))

    def clear(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                if isinstance(widget, QLabel):
                    widget.setText("")  # personal: gone now, not at the next event loop
                widget.setParent(None)
                widget.deleteLater()
        self.notice.clear()
        self.loading = True

    def add(self, text: str, name: str = "infoRow") -> None:
        self.rows.addWidget(_row(text, name))


class InformationScreen(_ListScreen):
    """Now serving per service; beds by ward and doctors on duty where the office has them."""

    def __init__(self, on_back: Callable[[], None]) -> None:
        super().__init__(on_back)
        self.info: Information | None = None

    def render_state(self, state: SessionState, view: View) -> None:
        super().render_state(state, view)
        self.title.setText(view.t("information_title"))
        set_button_text(self.back, view.t("back"))

    def show_information(self, info: Information | None, view: View) -> None:
        super().clear()
        self.info = info
        if info is None:
            self.add(view.t("loading"))
            return
        self.loading = False
        if not info.reachable:
            self.warn("cannot_check", view)
            return
        self.warn("" if info.queue is not None else "cannot_check", view)
        if info.queue is not None:
            self.add(view.t("queue_title"), "subtitle")
            for service in info.queue.services:
                self.add(
                    view.t(
                        "queue_row",
                        service=service_name(view.catalog, service.service_id, view.lang),
                        now=service.now_serving or view.t("queue_none_serving"),
                        waiting=service.waiting,
                        minutes=service.estimated_wait_minutes,
                    )
                )
            if not info.queue.services:
                self.add(view.t("queue_empty"))
        health = info.health
        if health is not None and not health.empty:
            if health.wards:
                self.add(view.t("beds_title"), "subtitle")
                for ward in health.wards:
                    self.add(
                        view.t(
                            "beds_row", ward=ward.name, free=ward.beds_free, total=ward.beds_total
                        )
                    )
            self.add(view.t("doctors_title"), "subtitle")
            for doctor in health.doctors:
                self.add(
                    view.t(
                        "doctor_row",
                        name=doctor.name,
                        specialty=doctor.specialty,
                        room=doctor.room,
                        start=doctor.start,
                        until=doctor.until,
                    )
                )
            if not health.doctors:
                self.add(view.t("doctors_none"))
            if health.updated_at:
                self.add(view.t("info_updated", time=health.updated_at[:16].replace("T", " ")))

    def clear(self) -> None:
        super().clear()
        self.info = None


class ApplicationsScreen(_ListScreen):
    """The citizen's applications and whether each is ready (personal: wiped with the session)."""

    def render_state(self, state: SessionState, view: View) -> None:
        super().render_state(state, view)
        self.title.setText(view.t("status_title"))
        set_button_text(self.back, view.t("back"))

    def show_answer(self, answer: ApplicationsAnswer | None, view: View) -> None:
        super().clear()
        if answer is None:
            self.add(view.t("loading"))
            return
        self.loading = False
        if answer.problem is ApplicationsProblem.UNVERIFIED:
            self.warn("status_unverified", view)
            return
        if answer.problem:
            self.warn("cannot_check", view)
            return
        if not answer.applications:
            self.add(view.t("status_none"))
        for application in answer.applications:
            state = application.state if application.state in APPLICATION_STATES else "unknown"
            text = view.t(
                "status_row",
                title=application.title_in(view.lang),
                reference=application.reference,
                state=view.t(f"state_{state}"),
            )
            note = application.note_in(view.lang)
            if note:
                text += f"\n{note}"
            self.add(text, "readyRow" if application.ready else "infoRow")
        if answer.complaints:
            self.add(view.t("complaints_answered_title"), "subtitle")
        for complaint in answer.complaints:
            self.add(
                view.t(
                    "complaint_answer_row",
                    reference=complaint.reference,
                    date=complaint.answered_on(),
                    answer=complaint.answer,
                )
            )
