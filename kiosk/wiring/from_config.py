"""What the configuration says, in the shapes the running kiosk takes.

The trust store the card reads are verified against, and the session's
timeouts (the desk's longer idle timeout included). The printer's own
adapters live with it in :mod:`kiosk.wiring.printer`.
"""

from __future__ import annotations

from pathlib import Path

from contract.trust import TrustStore
from kiosk.config import Config
from kiosk.session.machine import Timeouts


def trust_from(config: Config) -> TrustStore:
    """The trust store the configuration names (``card.trust_list``, ``card.revocation_list``).

    No trust list: an empty store (no card is verified). Raises
    :class:`contract.errors.TrustError` if a named file cannot be used.
    """
    if not config.card.trust_list:
        return TrustStore.empty()
    revocation_list = config.card.revocation_list
    revocations = Path(revocation_list).expanduser() if revocation_list else None
    return TrustStore.load(Path(config.card.trust_list).expanduser(), revocations)


def timeouts_from(config: Config, *, desk: bool = False) -> Timeouts:
    """The session's timeouts; at a hospital desk (#7) the longer idle one for every wait
    on the citizen (:meth:`Timeouts.at_desk`)."""
    s = config.session
    timeouts = Timeouts(
        read=s.read_timeout_s,
        idle=s.idle_timeout_s,
        idle_warning=s.idle_warning_s,
        issuing=s.issuing_timeout_s,
        ticket_display=s.ticket_display_s,
        done_display=s.done_display_s,
        error_display=s.error_display_s,
        consent=s.consent_timeout_s,
    )
    if desk:
        timeouts = timeouts.at_desk(s.desk_idle_timeout_s)
    return timeouts
