"""The ``cups`` backend: office printers and thermal printers with a CUPS driver.

Each job goes the same way, all within ``timeout_s``:

1. **Before**: the queue's state and reasons (``lpstat``). A queue that is
   disabled, not accepting, out of paper, cover open or offline is refused
   at once: nothing is queued that could print later for nobody.
2. **Submit** the PDF with ``lp -d QUEUE -o media=WxHmm`` (the page's own
   size, so a roll ticket is cut where it ends), reading the job id.
3. **Follow** the job until it leaves the not-completed list, watching the
   printer: if it stops (paper out, cover open, disabled) or the deadline
   passes, the job is **cancelled** and the fault raised. A ticket that was
   not printed now must never come out of the printer minutes later.
4. **After**: the state again, returned with the receipt, so a printer that
   ran out of paper on this ticket is known before the next citizen.

``lpstat`` cannot tell a completed job from one an operator cancelled; both
leave the queue, and both count as done here.
"""

from __future__ import annotations

import logging
import re
import time

from printing.errors import ERROR_FOR_FAULT, PrinterError, PrintFault, ToolError
from printing.printers.cups_tools import (
    QueueState,
    parse_default,
    parse_jobs,
    parse_queue,
    parse_request_id,
    run_tool,
    text,
)
from printing.printers.printer import Printer, PrinterStatus, PrintReceipt, check_pdf

log = logging.getLogger(__name__)

#: How often a job and its printer are looked at while it prints.
POLL_S = 0.05
#: Longest any one status question may take.
STATUS_TIMEOUT_S = 5.0

_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_A4_PT = (595.28, 841.89)


def media_for(pdf: bytes) -> str | None:
    """The ``media`` option for the PDF's first page: ``A4`` or ``Custom.WxHmm``."""
    match = _MEDIABOX.search(pdf)
    if match is None:
        return None
    x0, y0, x1, y1 = (float(value) for value in match.groups())
    width, height = x1 - x0, y1 - y0
    if abs(width - _A4_PT[0]) < 1 and abs(height - _A4_PT[1]) < 1:
        return "A4"
    return f"Custom.{width / 72 * 25.4:.1f}x{height / 72 * 25.4:.1f}mm"


class CupsPrinter(Printer):
    """Prints through the CUPS queue ``queue`` (empty: the default destination).

    ``server`` is ``host:port`` or a socket path, as ``lp -h`` takes it;
    empty: the system's CUPS. Keeps nothing open between jobs.
    """

    backend = "cups"

    def __init__(
        self, queue: str = "", *, server: str = "", timeout_s: float = 15.0, poll_s: float = POLL_S
    ) -> None:
        self.queue = queue
        self.server = server
        self.timeout_s = timeout_s
        self.poll_s = poll_s

    def __repr__(self) -> str:
        return f"CupsPrinter(queue={self.queue!r}, server={self.server!r})"

    # -- status ----------------------------------------------------------------
    def status(self) -> PrinterStatus:
        try:
            state = self.queue_state(STATUS_TIMEOUT_S)
        except ToolError as exc:
            return PrinterStatus(ready=False, fault=exc.fault, detail=exc.detail)
        fault = state.fault()
        if fault is not None:
            return PrinterStatus(ready=False, fault=fault[0], detail=fault[1])
        return PrinterStatus(ready=True, fault=None, detail=state.describe())

    def destination(self, timeout_s: float) -> str:
        """The queue to print to, asked anew each time when it is the default."""
        if self.queue:
            return self.queue
        out, _ = text(run_tool(["lpstat", "-d"], server=self.server, timeout_s=timeout_s))
        name = parse_default(out)
        if name is None:
            raise ToolError(PrintFault.OUTPUT_UNAVAILABLE, "no CUPS queue set and no default one")
        return name

    def queue_state(self, timeout_s: float) -> QueueState:
        queue = self.destination(timeout_s)
        args = ["lpstat", "-r", "-l", "-p", queue, "-a", queue]
        out, err = text(run_tool(args, server=self.server, timeout_s=timeout_s))
        return parse_queue(queue, out, err)

    # -- printing --------------------------------------------------------------
    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        check_pdf(pdf)
        deadline = time.monotonic() + self.timeout_s
        try:
            queue = self.destination(self._left(deadline))
            self._raise_if_faulty(self.queue_state(self._left(deadline)))
            job = self._submit(queue, pdf, job_name, deadline)
        except ToolError as exc:
            raise ERROR_FOR_FAULT[exc.fault](exc.detail) from None
        try:
            self._follow(queue, job, deadline)
        except (PrinterError, ToolError) as exc:
            self._cancel(job)
            if isinstance(exc, ToolError):
                raise ERROR_FOR_FAULT[exc.fault](f"job {job}: {exc.detail}") from None
            raise
        after = self.status()
        if not after.ready:
            log.warning("job %s printed, but the printer now reports: %s", job, after.detail)
        return PrintReceipt(backend=self.backend, job_id=job, printer_status=after)

    def _submit(self, queue: str, pdf: bytes, job_name: str, deadline: float) -> str:
        args = ["lp", "-d", queue, "-t", job_name[:200] or "job"]
        media = media_for(pdf)
        if media:
            args += ["-o", f"media={media}"]
        result = run_tool(args, server=self.server, timeout_s=self._left(deadline), data=pdf)
        out, err = text(result)
        job = parse_request_id(out)
        if result.returncode != 0 or job is None:
            fault = PrintFault.OFFLINE if "not accepting" in err else PrintFault.FAILED
            if "does not exist" in err:
                fault = PrintFault.OUTPUT_UNAVAILABLE
            raise ToolError(fault, f"lp refused the job: {err or out.strip() or 'no answer'}")
        log.info("ticket job %s submitted to %s", job, queue)
        return job

    def _follow(self, queue: str, job: str, deadline: float) -> None:
        while True:
            budget = min(STATUS_TIMEOUT_S, max(deadline - time.monotonic(), 0.5))
            args = ["lpstat", "-W", "not-completed", "-o", queue]
            out, _ = text(run_tool(args, server=self.server, timeout_s=budget))
            if job not in parse_jobs(out):
                return
            self._raise_if_faulty(self.queue_state(budget), job)
            if time.monotonic() >= deadline:
                raise ERROR_FOR_FAULT[PrintFault.TIMEOUT](
                    f"job {job} not finished within {self.timeout_s:g} s"
                )
            time.sleep(self.poll_s)

    def _raise_if_faulty(self, state: QueueState, job: str = "") -> None:
        fault = state.fault()
        if fault is not None:
            prefix = f"job {job}: " if job else ""
            raise ERROR_FOR_FAULT[fault[0]](prefix + fault[1])

    def _cancel(self, job: str) -> None:
        try:
            result = run_tool(["cancel", job], server=self.server, timeout_s=STATUS_TIMEOUT_S)
        except ToolError as exc:
            log.error("job %s could not be cancelled: %s", job, exc.detail)
            return
        if result.returncode != 0:
            log.error("job %s could not be cancelled: %s", job, text(result)[1])
        else:
            log.info("job %s cancelled: it must not print later", job)

    def _left(self, deadline: float) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ToolError(PrintFault.TIMEOUT, f"no answer from CUPS within {self.timeout_s:g} s")
        return left
