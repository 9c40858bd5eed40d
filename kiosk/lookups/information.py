"""The public information screen and the citizen's application status, without Qt (#7).

The application status also carries staff's answers to the complaints the
citizen filed with their card (#14): one more question to the centre, after
the applications, whose failure never hides the applications.

Both run off the GUI thread (they wait on the network with a short deadline)
and never raise: what could not be fetched comes back as a problem code the
screen explains ("offline": no answer now; "unverified": the card is not a
verified citizen card, so the centre is not asked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cardio.card.citizen import CardIdentity
from contract.assurance import ASSURANCE_ORDER, Assurance
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError
from kiosk.client.info import AnsweredComplaint, Application, HealthInfo, QueueState
from kiosk.errors import ApplicationsProblem

log = logging.getLogger(__name__)

#: Seconds the information screen waits for each answer from the centre.
INFO_DEADLINE_S = 2.0
#: Seconds a citizen waits for the list of their applications.
APPLICATIONS_DEADLINE_S = 1.5


@dataclass(frozen=True)
class Information:
    """What the information screen shows; ``None`` parts could not be fetched."""

    queue: QueueState | None
    health: HealthInfo | None
    #: False when the centre could not be asked at all (offline, not enrolled, failed).
    reachable: bool


@dataclass(frozen=True)
class ApplicationsAnswer:
    applications: tuple[Application, ...] = ()
    #: None when the list is right.
    problem: ApplicationsProblem | None = None
    #: Staff's answers to the citizen's complaints (none when they could not be asked).
    complaints: tuple[AnsweredComplaint, ...] = ()

    def __repr__(self) -> str:
        return (
            f"ApplicationsAnswer(<{len(self.applications)}>, <{len(self.complaints)} answers>, "
            f"problem={self.problem!r})"
        )


def fetch_information(central: CentralClient, *, online: bool | None) -> Information:
    """The queue (now serving per service) and, for health offices, beds and doctors."""
    if online is False or not central.token:
        return Information(queue=None, health=None, reachable=False)
    queue: QueueState | None = None
    health: HealthInfo | None = None
    reachable = False
    try:
        queue = central.queue_state(deadline_s=INFO_DEADLINE_S)
        reachable = True
    except CentralError as exc:
        log.warning("queue state unavailable: %s", exc)
    try:
        health = central.health_info(deadline_s=INFO_DEADLINE_S)
        reachable = True
    except CentralError as exc:
        log.warning("health information unavailable: %s", exc)
    return Information(queue=queue, health=health, reachable=reachable)


def can_ask_applications(identity: CardIdentity | None) -> bool:
    """Only a verified citizen card (signed or better, with a card number or NIK) is asked for."""
    if identity is None or identity.citizen is None:
        return False
    if ASSURANCE_ORDER[identity.assurance] < ASSURANCE_ORDER[Assurance.SIGNED]:
        return False
    return bool(identity.citizen.card_number or identity.citizen.nik)


def fetch_applications(
    central: CentralClient, identity: CardIdentity | None, *, online: bool | None
) -> ApplicationsAnswer:
    """The citizen's applications, by card number (else NIK) of a verified card."""
    citizen = identity.citizen if identity is not None else None
    if citizen is None or not can_ask_applications(identity):
        return ApplicationsAnswer(problem=ApplicationsProblem.UNVERIFIED)
    if online is False or not central.token:
        return ApplicationsAnswer(problem=ApplicationsProblem.OFFLINE)
    key = {"card_number": citizen.card_number} if citizen.card_number else {"nik": citizen.nik}
    try:
        found = central.applications(**key, deadline_s=APPLICATIONS_DEADLINE_S)
    except CentralError as exc:
        log.warning("applications unavailable: %s", exc)
        return ApplicationsAnswer(problem=ApplicationsProblem.OFFLINE)
    try:
        answered = central.answered_complaints(**key, deadline_s=APPLICATIONS_DEADLINE_S)
    except CentralError as exc:
        log.warning("answers to complaints unavailable: %s", exc)
        answered = ()
    return ApplicationsAnswer(applications=found, complaints=answered)
