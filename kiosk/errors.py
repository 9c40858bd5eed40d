"""Every error the kiosk raises outside its centre client, and the reasons it reports.

The centre client's own tree is :mod:`kiosk.client.errors`; the card reader's is
:mod:`cardio.errors`, the printer's :mod:`printing.errors`, the local store's
:mod:`offline_store.errors`. Here:

* :class:`ConfigError` — the configuration file cannot be used (names the key);
* :class:`PinFormatError` — an operator PIN or stored PIN hash that cannot be used;
* :class:`TicketingError` — a ticket cannot be issued or reprinted
  (:class:`TicketingReason` says why).

Reasons are :class:`~enum.StrEnum`\\ s: their values are the codes the session
keeps as its ``problem``, the screens translate and the logs show, so each
compares equal to the string it has always been.
"""

from __future__ import annotations

from enum import StrEnum


class ConfigError(ValueError):
    """The configuration cannot be used. ``key`` is dotted, e.g. ``card.backend``."""

    def __init__(self, key: str, problem: str, source: str = "") -> None:
        where = f" in {source}" if source else ""
        super().__init__(f"{key}: {problem}{where}")
        self.key = key
        self.problem = problem


class PinFormatError(ValueError):
    """A PIN that is not 4 to 12 digits, or a stored hash that cannot be read."""


class TicketingReason(StrEnum):
    """Why a ticket cannot be issued or reprinted."""

    NO_CATALOG = "no_catalog"
    SERVICE_UNKNOWN = "service_unknown"
    TICKET_UNKNOWN = "ticket_unknown"


class TicketingError(Exception):
    """A ticket cannot be issued or reprinted; ``reason`` says why."""

    def __init__(self, reason: TicketingReason) -> None:
        super().__init__(reason)
        self.reason = reason


class Failure(StrEnum):
    """What went wrong on the kiosk's side of a session or a health check."""

    #: Issuing a ticket failed in a way nothing above foresaw.
    ISSUE_FAILED = "issue_failed"
    #: What the citizen gave could not be kept (the local store failed).
    STORE_FAILED = "store_failed"
    #: No card reader is connected.
    NO_READER = "no_reader"
    #: Rendering or printing a document failed in a way the printer did not name.
    PRINT_FAILED = "failed"
