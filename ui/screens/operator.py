"""The operator panel: the kiosk's parts at a glance, and what an operator may do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.errors import Failure
from kiosk.operator.panel import OperatorStatus
from kiosk.session.machine import SessionState
from kiosk.speech import SpeechOutput
from offline_store.models import StoredTicket
from printing.errors import PrintFault
from ui.screens.common import Screen, View, button, label, set_button_text
from ui.screens.wrapping import wrapping_text


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    return f"{minutes // 60} j {minutes % 60} m" if minutes >= 60 else f"{minutes} m"


#: The numbers the panel names; the rest are counted ("and 12 more"): on one line of its
#: own, the line fits either screen in the "A+" type.
UNPRINTED_SHOWN = 5


def _unprinted(tickets: tuple[StoredTicket, ...], view: View) -> str:
    """Today's tickets without paper, by number and why, newest first; "" if none."""
    if not tickets:
        return ""
    named = ", ".join(
        view.t("op_unprinted_ticket", number=t.number, why=print_fault_words(t.print_fault, view))
        for t in tickets[:UNPRINTED_SHOWN]
    )
    rest = len(tickets) - UNPRINTED_SHOWN
    if rest > 0:
        named = view.t("op_unprinted_more", named=named, more=rest)
    return view.t("op_unprinted", tickets=named)


#: Why a ticket has no paper, in staff's words; any other value is shown as it is.
_FAULT_WORDS = {
    Failure.SESSION_ENDED.value: "op_fault_session_ended",
    Failure.INTERRUPTED.value: "op_fault_interrupted",
    PrintFault.OUT_OF_PAPER.value: "op_fault_out_of_paper",
    PrintFault.OFFLINE.value: "op_fault_offline",
    PrintFault.OUTPUT_UNAVAILABLE.value: "op_fault_unavailable",
    PrintFault.TIMEOUT.value: "op_fault_timeout",
    PrintFault.FAILED.value: "op_fault_failed",
}


#: The sync engine's tasks and results (the sync log's own words), in staff's words; any
#: other value is shown as it is.
_TASK_WORDS = {
    "identity": "op_task_identity",
    "documents": "op_task_documents",
    "outbox": "op_task_outbox",
    "bookings": "op_task_bookings",
    "doctors": "op_task_doctors",
    "leases": "op_task_leases",
    "heartbeat": "op_task_heartbeat",
}
_RESULT_WORDS = {"ok": "op_result_ok", "failed": "op_result_failed"}
#: The sync engine's view of the centre (:data:`kiosk.sync.status.Connection`).
_CONNECTION_WORDS = {
    "online": "op_online",
    "offline": "op_offline",
    "unknown": "op_unknown",
    "refused": "op_refused_state",
}


def _words(words: dict[str, str], value: str, view: View) -> str:
    key = words.get(value)
    return view.t(key) if key else value


def print_fault_words(fault: str, view: View) -> str:
    """Why a ticket has no paper, for staff (the operator panel, the desk's list)."""
    key = _FAULT_WORDS.get(fault)
    return view.t(key) if key else (fault or view.t("op_fault_failed"))


class OperatorScreen(Screen):
    def __init__(
        self,
        *,
        on_test_print: Callable[[], None],
        on_test_read: Callable[[], None],
        on_reload: Callable[[], None],
        on_exit: Callable[[], None],
        on_close: Callable[[], None],
        speech_output: Callable[[], SpeechOutput] = lambda: SpeechOutput.UNCHECKED,
    ) -> None:
        super().__init__()
        #: Whether the kiosk can be heard (ui/speech.py looks once the screen is painted).
        self.speech_output = speech_output
        self.title = label(name="title")
        # What the centre, the readers and the faults say: a word wider than the panel (a
        # catalog's version, an address in a fault) breaks inside its line, never cut.
        self.lines: dict[str, QLabel] = {
            key: wrapping_text("operatorLine")
            for key in (
                "central",
                "catalog",
                "reader",
                "printer",
                "outbox",
                "sync",
                "engine",
                "refused",
                "store",
                "speech",
            )
        }
        self.message = label(name="badge")
        self.message.hide()
        self.test_print = button("", on_test_print)
        self.test_read = button("", on_test_read)
        self.reload = button("", on_reload)
        self.exit = button("", on_exit)
        self.exit.setObjectName("danger")
        self.leave = button("", on_close, "primary")
        self.box.addWidget(self.title)
        # One line under another in a scroll area: a long fault or a day of tickets
        # without paper is read in full, in either screen and the "A+" type, never cut
        # (rows at the top by a stretch below them: a wrapped line keeps its height).
        host = QWidget()
        lines = QVBoxLayout(host)
        lines.setContentsMargins(0, 0, 0, 0)
        for line in self.lines.values():
            lines.addWidget(line)
        # A day's numbers without paper, which staff must read in full.
        self.lines["unprinted"] = wrapping_text("operatorLine")
        self.lines["unprinted"].hide()
        lines.addWidget(self.lines["unprinted"])
        lines.addStretch(1)
        self.status_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(host)
        self.box.addWidget(scroll, 1)
        self.box.addWidget(self.message)
        self.button_row(self.test_print, self.test_read)
        self.button_row(self.reload, self.exit)
        self.button_row(self.leave)
        self.status: OperatorStatus | None = None

    def render_state(self, state: SessionState, view: View) -> None:
        self.title.setText(view.t("operator_title"))
        for widget, key in (
            (self.test_print, "op_test_print"),
            (self.test_read, "op_test_read"),
            (self.reload, "op_reload"),
            (self.exit, "op_exit"),
            (self.leave, "close"),
        ):
            set_button_text(widget, view.t(key))
        self._render_status(view)

    def show_status(self, status: OperatorStatus, view: View) -> None:
        self.status = status
        self._render_status(view)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _render_status(self, view: View) -> None:
        speech = view.t(f"op_speech_{self.speech_output().value}")
        self.lines["speech"].setText(view.t("op_speech", state=speech))
        s = self.status
        if s is None:
            for key, line in self.lines.items():
                if key != "speech":
                    line.setText(view.t("loading"))
            return
        central = {True: "op_online", False: "op_offline", None: "op_unknown"}[s.online]
        self.lines["central"].setText(view.t("op_central", state=view.t(central)))
        self.lines["catalog"].setText(view.t("op_catalog", version=s.catalog_version or "-"))
        readers = ", ".join(s.readers) or s.reader_error or view.t("op_reader_none")
        self.lines["reader"].setText(view.t("op_reader", state=readers))
        printer = (
            view.t("op_printer_ok")
            if s.printer.ok
            else view.t("op_printer_fault", fault=s.printer.fault or s.printer.detail)
        )
        self.lines["printer"].setText(view.t("op_printer", state=printer))
        if s.outbox is not None:
            self.lines["outbox"].setText(
                view.t(
                    "op_outbox",
                    pending=s.outbox.depth,
                    dead=s.outbox.dead,
                    age=_age(s.outbox.oldest_unsent_age_s),
                )
            )
        else:
            self.lines["outbox"].setText("")
        last = s.last_sync
        if last is None:
            text = view.t("op_sync_never")
        else:
            when = last.finished_at.astimezone().strftime("%H:%M:%S")
            text = view.t(
                "op_sync_run",
                task=_words(_TASK_WORDS, last.task, view),
                result=_words(_RESULT_WORDS, last.result, view),
                time=when,
            )
            if s.last_sync_ok is not None and s.last_sync_ok is not last:
                ok_at = s.last_sync_ok.finished_at.astimezone().strftime("%H:%M:%S")
                text += " " + view.t("op_sync_last_ok", time=ok_at)
        self.lines["sync"].setText(view.t("op_sync", last=text))
        engine = ""
        if s.sync is not None:
            y = s.sync
            success = y.last_success.astimezone().strftime("%H:%M:%S") if y.last_success else "-"
            engine = view.t(
                "op_engine",
                connection=_words(_CONNECTION_WORDS, y.connection, view),
                success=success,
                code=y.kiosk_code or "-",
                leases=sum(lease.left for lease in y.leases),
            )
            if y.last_error:
                engine += f"\n{y.last_error[:120]}"
        self.lines["engine"].setText(engine)
        self.lines["engine"].setVisible(bool(engine))
        # An older trust list, a catalog it cannot use: refused, and the operator sees why.
        refused = s.sync.refused if s.sync is not None else ()
        text = view.t("op_refused", what="; ".join(refused)[:300]) if refused else ""
        self.lines["refused"].setText(text)
        self.lines["refused"].setVisible(bool(text))
        store = view.t("op_store_error", error=s.store_error) if s.store_error else ""
        self.lines["store"].setText(store)
        self.lines["store"].setVisible(bool(store))
        self.lines["unprinted"].setText(_unprinted(s.not_handed_out, view))
        self.lines["unprinted"].setVisible(bool(s.not_handed_out))

    def clear(self) -> None:
        self.status = None
        self.say("")
