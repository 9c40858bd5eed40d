"""Keeping the printer's health fresh: polled, after every job, after a test print.

Every job and status check goes through one :class:`PrinterMonitor`, which
records the printer's health; :class:`PrinterRefresh` asks it off the GUI
thread and tells the kiosk's status listeners when the health they were last
told has changed. The poll also deletes the kept documents with personal data
past ``printer.personal_retention_s``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kiosk.config import Config
from kiosk.executor import Executor
from kiosk.tickets.issue import PrintSetup
from kiosk.wiring.printer import (
    PrinterHealth,
    PrinterMonitor,
    print_setup,
    print_test_ticket,
)
from printing import Printer, PrinterStatus
from printing.documents import Language


class PrinterRefresh:
    def __init__(
        self,
        config: Config,
        printer: Printer,
        executor: Executor,
        changed: Callable[[], None],
        now: Callable[[], dt.datetime],
    ) -> None:
        #: Every job and status check goes through it; it keeps the printer's health.
        self.monitor = PrinterMonitor(printer, now)
        #: What every ticket, slip and receipt is printed with.
        self.setup: PrintSetup = print_setup(config, self.monitor)
        self._executor = executor
        #: Called on the GUI thread when the health changed since it was last told.
        self._changed = changed
        self._shown = self.monitor.health

    @property
    def health(self) -> PrinterHealth:
        """The printer's state, fault and since when: for the screens and the heartbeat."""
        return self.monitor.health

    def refresh(self) -> None:
        """Ask the printer for its state in the background; a healthy answer clears a fault.

        Runs at start and every ``printer.status_poll_s``.
        """

        def changed(_: object) -> None:  # a state or a failure: either is news
            self.noticed()

        self._executor.run_in_background(self._check, changed, changed)

    def noticed(self) -> None:
        """After a job: tell the listeners if the health changed (GUI thread)."""
        health = self.monitor.health
        if health != self._shown:
            self._shown = health
            self._changed()

    def test_print(
        self,
        office: str,
        language: Language,
        now: Callable[[], dt.datetime],
        done: Callable[[bool], None] = lambda _: None,
    ) -> None:
        """Print the operator's test ticket; a successful one clears a fault."""
        setup = self.setup

        def finished(printed: bool) -> None:
            self.noticed()
            done(printed)

        self._executor.run_in_background(
            lambda: print_test_ticket(setup, office, language, now()),
            finished,
            lambda _: finished(False),
        )

    def _check(self) -> PrinterStatus:
        """Purge the kept slips past their retention, then ask for the state (any thread)."""
        self.monitor.purge_personal()
        return self.monitor.status()
