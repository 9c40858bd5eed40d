"""What the touchscreen tells the service manager: ready, then alive (``sd_notify``).

The kiosk runs as a systemd service with ``Type=notify`` and ``WatchdogSec=``
(packaging/systemd/anjungan-kiosk.service). :class:`ServiceNotifier` sends
``READY=1`` once the first screen is painted and the store's opening has
settled, and ``WATCHDOG=1`` from a timer on the GUI thread at
:func:`contract.systemd.watchdog_interval_s`: a GUI thread that hangs stops the
pings, and systemd kills and restarts the kiosk. The protocol itself is
:mod:`contract.systemd`; outside systemd every send is a no-op.

A store that cannot be opened is also "ready", with ``STATUS=`` saying the
kiosk is out of service: the screen tells the operator why, and a restart
would not open it (a missing key, a broken file), only hide that screen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer

from contract.systemd import notify, watchdog_interval_s
from kiosk.controller import KioskController

log = logging.getLogger(__name__)

#: What ``systemctl status`` shows of the kiosk (``STATUS=``).
IN_SERVICE = "Melayani / in service"
OUT_OF_SERVICE = "Tidak melayani / out of service"


class ServiceNotifier(QObject):
    """Tells the service manager the kiosk is ready, then that its GUI thread runs.

    ``env`` is the process's environment (``NOTIFY_SOCKET``, ``WATCHDOG_USEC``,
    ``WATCHDOG_PID``); None: :data:`os.environ`. Create it on the GUI thread.
    """

    def __init__(
        self,
        controller: KioskController,
        *,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._env = env
        self.ready_sent = False
        self._state = ""
        self.watchdog = QTimer(self)
        self.watchdog.timeout.connect(self.ping)
        interval = watchdog_interval_s(env)
        if interval is not None:
            self.watchdog.start(max(1, int(interval * 1000)))
            log.info("feeding the service manager's watchdog every %.3g s", interval)
        controller.subscribe_status(self._status_changed)
        self._status_changed()

    def ping(self) -> None:
        """One ``WATCHDOG=1``: the GUI thread has come round its event loop again."""
        notify("WATCHDOG=1", self._env)

    def _status_changed(self) -> None:
        status = self._controller.status()
        if not status.store_settled:
            return
        state = IN_SERVICE if status.store_failure is None else OUT_OF_SERVICE
        if not self.ready_sent:
            self.ready_sent = True
            self._state = state
            notify(f"READY=1\nSTATUS={state}", self._env)
            log.info("told the service manager: ready (%s)", state)
        elif state != self._state:  # the store broke, or opens again: systemctl status says so
            self._state = state
            notify(f"STATUS={state}", self._env)
