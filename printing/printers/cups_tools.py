"""CUPS through its command-line client (``lp``, ``lpstat``, ``cancel``).

The cups-client tools find the server the way every CUPS program does
(``-h``, ``$CUPS_SERVER``, ``client.conf``, the local socket), speak IPP
with authentication and encryption as configured, and need no C extension
(pycups has no wheel and builds against libcups2-dev). Their output is read
in the C locale. This module runs them and parses what they print; the
backend that uses it is :mod:`printing.printers.cups`.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from printing.errors import PrintFault, ToolError

_REQUEST_ID = re.compile(r"request id is (\S+) \(")
_PRINTER_LINE = re.compile(r"^printer (\S+) (.*)$")

#: printer-state-reasons keywords (RFC 8011 / PWG 5100.9) and the fault each
#: means. A "-report" or "-warning" suffix is informational (e.g.
#: ``media-low-warning``); a bare keyword or "-error" stops the printer. CUPS
#: itself reports an unreachable device as ``offline-report``, which counts.
PAPER_REASONS = {
    "media-empty": "paper roll empty",
    "media-needed": "paper needed",
    "media-jam": "paper jam",
    "cover-open": "cover open",
    "door-open": "door open",
    "interlock-open": "cover interlock open",
}
OFFLINE_REASONS = {
    "offline": "printer offline",
    "shutdown": "printer shut down",
    "paused": "queue disabled (paused)",
    "connecting-to-device": "",  # transient: not a fault on its own
    "timed-out": "printer not answering",
}


def run_tool(
    args: list[str], *, server: str, timeout_s: float, data: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run one cups-client command (``lp``, ``lpstat``, ``cancel``) against ``server``."""
    command = [args[0], *(["-h", server] if server else []), *args[1:]]
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        return subprocess.run(  # noqa: S603 (fixed tool names, arguments from config)
            command,
            input=data if data is not None else b"",
            capture_output=True,
            timeout=max(timeout_s, 0.1),
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise ToolError(
            PrintFault.OUTPUT_UNAVAILABLE, f"{args[0]} not found: install cups-client"
        ) from None
    except subprocess.TimeoutExpired:
        raise ToolError(
            PrintFault.TIMEOUT, f"{args[0]} did not answer within {timeout_s:.1f} s"
        ) from None


def text(result: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    return (
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace").strip(),
    )


@dataclass(frozen=True)
class QueueState:
    """A CUPS queue as ``lpstat -r -l -p Q -a Q`` describes it."""

    queue: str
    scheduler_running: bool
    exists: bool
    enabled: bool = False
    accepting: bool = False
    printing: bool = False
    reasons: tuple[str, ...] = ()
    #: The printer's state message (why it was disabled, what the driver said).
    message: str = ""

    def fault(self) -> tuple[PrintFault, str] | None:
        """The fault that keeps this queue from printing now, or None."""
        if not self.scheduler_running:
            return PrintFault.OUTPUT_UNAVAILABLE, "CUPS scheduler is not running"
        if not self.exists:
            return PrintFault.OUTPUT_UNAVAILABLE, f"no CUPS queue named {self.queue!r}"
        why = f" ({self.message})" if self.message else ""
        for reason in self.reasons:
            base, severity = split_reason(reason)
            if base in PAPER_REASONS and severity == "error":
                return PrintFault.OUT_OF_PAPER, f"{PAPER_REASONS[base]} [{reason}]{why}"
        for reason in self.reasons:
            base, severity = split_reason(reason)
            if OFFLINE_REASONS.get(base) and (severity == "error" or base == "offline"):
                return PrintFault.OFFLINE, f"{OFFLINE_REASONS[base]} [{reason}]{why}"
        if not self.enabled:
            return PrintFault.OFFLINE, f"queue {self.queue} is disabled{why}"
        if not self.accepting:
            return PrintFault.OFFLINE, f"queue {self.queue} is not accepting jobs{why}"
        return None

    def describe(self) -> str:
        state = "printing" if self.printing else "idle" if self.enabled else "disabled"
        reasons = " ".join(self.reasons) or "none"
        accepting = "accepting" if self.accepting else "not accepting"
        return f"queue {self.queue}: {state}, {accepting}, reasons: {reasons}"


def split_reason(reason: str) -> tuple[str, str]:
    """``media-empty-error`` → (``media-empty``, ``error``); bare keywords are errors."""
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)], suffix[1:]
    return reason, "error"


def parse_queue(queue: str, stdout: str, stderr: str) -> QueueState:
    """Read ``lpstat -r -l -p QUEUE -a QUEUE`` (C locale)."""
    if "scheduler is not running" in stdout:
        return QueueState(queue, scheduler_running=False, exists=False)
    lines = stdout.splitlines()
    found = False
    enabled = printing = False
    message = ""
    reasons: tuple[str, ...] = ()
    accepting = False
    for i, line in enumerate(lines):
        match = _PRINTER_LINE.match(line)
        if match and match.group(1) == queue:
            found = True
            rest = match.group(2)
            enabled = not rest.startswith("disabled")
            printing = rest.startswith("now printing")
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt.startswith("\t") and not nxt.startswith("\tForm mounted:"):
                message = nxt.strip()
        elif line.startswith("\tAlerts:") and found and not reasons:
            words = line.split(":", 1)[1].replace(",", " ").split()
            reasons = tuple(word for word in words if word != "none")
        elif line.startswith(f"{queue} accepting requests"):
            accepting = True
    if not found or "Invalid destination" in stderr:
        return QueueState(queue, scheduler_running=True, exists=False)
    return QueueState(queue, True, True, enabled, accepting, printing, reasons, message)


def parse_request_id(stdout: str) -> str | None:
    """The job id in ``lp``'s answer (``request id is Q-17 (1 file(s))``)."""
    match = _REQUEST_ID.search(stdout)
    return match.group(1) if match else None


def parse_jobs(stdout: str) -> set[str]:
    """Job ids listed by ``lpstat -o``: the first word of each unindented line."""
    return {line.split()[0] for line in stdout.splitlines() if line and not line[0].isspace()}


def parse_default(stdout: str) -> str | None:
    """The default destination in ``lpstat -d``'s answer, if there is one."""
    match = re.search(r"system default destination: (\S+)", stdout)
    return match.group(1) if match else None
