"""One check's result, and the names of every check ``kiosk doctor`` makes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: The whole run's deadline: every probe runs at once and is given up on after this.
RUN_DEADLINE_S = 12.0


class Severity(StrEnum):
    #: Failing, a citizen could not be served: ``kiosk doctor`` exits 1.
    FAIL = "fail"
    #: Failing, something wants attention; citizens are still served.
    WARN = "warn"


#: Every check, in the order they are shown (the JSON's ``checks``).
NAMES = (
    "config",
    "store",
    "pcscd",
    "readers",
    "nfc",
    "printer",
    "centre",
    "token",
    "clock",
    "outbox",
    "disk",
    "data_folder",
    "translations",
    "drivers",
)


@dataclass(frozen=True)
class Check:
    """One check: its name, whether it passed, how bad a failure is, what was found
    and, when it failed, the fix in one sentence (Bahasa Indonesia / English).

    ``detail`` and ``fix`` never carry personal data or a token."""

    name: str
    ok: bool
    severity: Severity
    detail: str
    fix: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "severity": self.severity.value,
            "detail": self.detail,
            "fix": self.fix,
        }


def passed(name: str, detail: str) -> Check:
    return Check(name, True, Severity.FAIL, detail)


def failed(name: str, detail: str, fix: str, severity: Severity = Severity.FAIL) -> Check:
    return Check(name, False, severity, detail, fix)


def serves(checks: list[Check]) -> bool:
    """Every check whose failure stops a citizen being served passed."""
    return all(c.ok or c.severity is not Severity.FAIL for c in checks)
