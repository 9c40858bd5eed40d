"""What the touchscreen tells the service manager: ready, then alive (``sd_notify``).

The kiosk runs as a systemd service with ``Type=notify`` and ``WatchdogSec=``
(packaging/systemd/anjungan-kiosk.service). :class:`ServiceNotifier` sends
``READY=1`` once the screen has really been painted (its own first-paint watch,
never the window's time-out that opens the store of a hidden window) and the
store's opening has settled; while the store is ready and no frame is painted
yet, ``STATUS=`` says the kiosk waits for its screen. ``WATCHDOG=1`` comes from a
timer on the GUI thread at
:func:`contract.systemd.watchdog_interval_s`: a GUI thread that hangs stops the
pings, and systemd kills and restarts the kiosk. The protocol itself is
:mod:`contract.systemd`; outside systemd every send is a no-op.

A store that cannot be opened is also "ready", with ``STATUS=`` saying the
kiosk is out of service: the screen tells the operator why, and a restart
would not open it (a missing key, a broken file), only hide that screen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from contract.systemd import notify, watchdog_interval_s
from kiosk.controller import KioskController
from ui.first_paint import FirstPaint

log = logging.getLogger(__name__)

#: What ``systemctl status`` shows of the kiosk (``STATUS=``).
IN_SERVICE = "Melayani / in service"
OUT_OF_SERVICE = "Tidak melayani / out of service"
NOT_PAINTED = "Menunggu layar tergambar / waiting for the screen to be painted"


class ServiceNotifier(QObject):
    """Tells the service manager the kiosk is ready, then that its GUI thread runs.

    ``screen`` is the widget whose first painted frame means a citizen can see the
    kiosk. ``env`` is the process's environment (``NOTIFY_SOCKET``,
    ``WATCHDOG_USEC``, ``WATCHDOG_PID``); None: :data:`os.environ`. Create it on
    the GUI thread.
    """

    def __init__(
        self,
        controller: KioskController,
        screen: QWidget,
        *,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._env = env
        self.ready_sent = False
        self.painted = False
        self._state = ""
        self.watchdog = QTimer(self)
        self.watchdog.timeout.connect(self.ping)
        interval = watchdog_interval_s(env)
        if interval is not None:
            self.watchdog.start(max(1, int(interval * 1000)))
            log.info("feeding the service manager's watchdog every %.3g s", interval)
        else:
            _say_why_no_watchdog(os.environ if env is None else env)
        FirstPaint(screen, self._painted, parent=self)
        if screen.isVisible():  # shown already: its next frame is the one to wait for
            screen.update()
        controller.subscribe_status(self._status_changed)
        self._status_changed()

    def ping(self) -> None:
        """One ``WATCHDOG=1``: the GUI thread has come round its event loop again."""
        notify("WATCHDOG=1", self._env)

    def _painted(self) -> None:
        self.painted = True
        self._status_changed()

    def _status_changed(self) -> None:
        status = self._controller.status()
        if not status.store_settled:
            return
        state = IN_SERVICE if status.store_failure is None else OUT_OF_SERVICE
        if not self.painted:
            if self._state != NOT_PAINTED:  # systemctl status says what it waits for
                self._state = NOT_PAINTED
                notify(f"STATUS={NOT_PAINTED}", self._env)
            return
        if not self.ready_sent:
            self.ready_sent = True
            self._state = state
            notify(f"READY=1\nSTATUS={state}", self._env)
            log.info("told the service manager: ready (%s)", state)
        elif state != self._state:  # the store broke, or opens again: systemctl status says so
            self._state = state
            notify(f"STATUS={state}", self._env)


def _say_why_no_watchdog(env: Mapping[str, str]) -> None:
    """A watchdog the unit set up but this process may not feed is a restart every
    ``WatchdogSec=``: say so in the log, where the operator will look."""
    usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec:
        return
    if pid and pid != str(os.getpid()):
        log.warning(
            "WATCHDOG_USEC is set but WATCHDOG_PID=%s is not this process (%d): the watchdog "
            "is not fed here and the service manager will restart the kiosk; start it through "
            "`env -u WATCHDOG_PID` as packaging/systemd's unit does",
            pid,
            os.getpid(),
        )
    else:
        log.warning("WATCHDOG_USEC=%r is not a number of microseconds: no watchdog fed", usec)
