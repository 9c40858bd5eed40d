"""The city's record of a card's holder, asked of the centre inside the read effects (#7).

A verified card's record pre-fills the form's ``record.*`` fields; it is cached
in the store (sealed, ``store.record_ttl_s``), which answers when offline or
slow. A UID-only card's holder is named only once the citizen proves the date
of birth, and is never cached: offline, nothing could prove it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from cardio.card.citizen import CardIdentity, Citizen
from contract.assurance import Assurance
from contract.errors import NikError
from contract.nik import parse_nik
from contract.wire import ErrorCode
from kiosk.client.errors import CentralError, CentralUnavailable
from kiosk.lookups.centre import CentreAccess
from kiosk.session.events import BirthDateChecked, ProofOutcome, ProveBirthDate
from offline_store import Store, StoreError

log = logging.getLogger(__name__)


class Registry:
    def __init__(
        self,
        centre: CentreAccess,
        store: Store,
        *,
        deadline_s: float,
        now: Callable[[], dt.datetime],
    ) -> None:
        self._centre = centre
        self._store = store
        self._deadline_s = deadline_s
        self._now = now

    def can_prove(self) -> bool:
        """Whether a UID-only card's holder could prove the date of birth now."""
        try:
            return self._centre.may_ask()
        except Exception:
            log.exception("central token unreadable")
            return False

    def record_of(self, citizen: Citizen) -> dict[str, str] | None:
        """The city's record of a verified card's holder (the read asks for no other).

        Asked of the centre by card number (or NIK), with a short deadline; a
        found record is cached, and the cache answers when the centre cannot.
        """
        key = citizen.card_number or citizen.nik
        if not key:
            return None
        if self._centre.may_ask():
            central = self._centre.client
            try:
                found = (
                    central.lookup_citizen(card_number=key, deadline_s=self._deadline_s)
                    if citizen.card_number
                    else central.lookup_citizen(nik=key, deadline_s=self._deadline_s)
                )
            except CentralError as exc:
                log.warning("city record lookup failed: %s", exc)
            else:
                record = dict(found.record) if found is not None else {}
                try:
                    self._store.put_citizen_record(key, record, self._now())
                except StoreError as exc:
                    log.error("city record not cached: %s", exc)
                return record or None
        try:
            cached = self._store.get_citizen_record(key, self._now())
        except StoreError as exc:
            log.error("cached city record unreadable: %s", exc)
            return None
        return {k: str(v) for k, v in cached.items() if isinstance(v, str)} if cached else None

    def prove(self, effect: ProveBirthDate) -> BirthDateChecked:
        """Whether the typed date of birth is the UID-only card's holder's.

        The centre names the holder and sends the record only then; it counts
        wrong dates per card and per kiosk and answers 429 when either is
        locked. Only its ``too_many_attempts`` (wrong dates for this card or from
        this kiosk) is ``locked``; every other failure (offline, slow, refused,
        the kiosk's lookup budget, the general rate limit, anything unexpected) is
        ``unavailable``: the citizen carries on and fills the form by hand.
        """
        try:
            found = self._centre.client.lookup_citizen(
                uid=effect.uid.hex().upper(),
                birth_date=effect.birth_date,
                deadline_s=self._deadline_s,
            )
        except CentralUnavailable as exc:
            locked = exc.status == 429 and exc.code == ErrorCode.TOO_MANY_ATTEMPTS
            log.warning("date of birth not checked: %s", exc)
            outcome = ProofOutcome.LOCKED if locked else ProofOutcome.UNAVAILABLE
            return BirthDateChecked(effect.session, outcome)
        except CentralError as exc:
            log.warning("date of birth not checked: %s", exc)
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        except Exception:
            log.exception("date of birth not checked: unexpected failure")
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        if found is None:
            return BirthDateChecked(effect.session, ProofOutcome.MISMATCH)
        holder = holder_of(found.full_name, found.nik, found.card_number)
        if holder is None:
            return BirthDateChecked(effect.session, ProofOutcome.UNAVAILABLE)
        identity = CardIdentity(effect.uid, holder, Assurance.UNVERIFIED)
        log.info("date of birth matched: the registry's holder unlocked")
        return BirthDateChecked(
            effect.session, ProofOutcome.MATCHED, identity, dict(found.record) or None
        )


def holder_of(full_name: str | None, nik: str | None, card_number: str | None) -> Citizen | None:
    """The registry's holder of a UID-only card (date of birth and sex from the NIK)."""
    if full_name is None or nik is None:
        return None
    try:
        parsed = parse_nik(nik)
    except NikError as exc:
        log.error("the registry's record for this card has an unusable NIK: %s", exc)
        return None
    return Citizen(
        card_number=card_number or "",
        nik=nik,
        full_name=full_name,
        date_of_birth=parsed.birth_date,
        sex=parsed.sex,
    )
