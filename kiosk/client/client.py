"""The one place the kiosk talks HTTP to the central server.

Every request goes through :meth:`CentralClient._send`, which sets the
bearer token, gives the call its total deadline and its answer its size cap
(:mod:`kiosk.client.transport`), and turns every failure into the tree in
:mod:`kiosk.client.errors`; retries, backoff and idempotency keys belong
there too, and nowhere else. Whatever the server sends, nothing but a
:class:`~kiosk.client.errors.CentralError` leaves the client: bodies are read
by :func:`kiosk.client.strict_json.loads` and every parser's failure is mapped.

The kiosk authenticates with the bearer token it got by trading an
enrolment code (:meth:`CentralClient.enrol`); keeping that token on disk is
:mod:`kiosk.client.bearer`'s job. Personal data (a lookup's key, the answer)
travels only in JSON bodies and never appears in an error message. A path
segment that opens a citizen's page (a booking's code, a ticket's id) is sent
but never written: a request names it by a :class:`SecretPath`, whose every
written form (a log line, an error's message) shows it cut: a ticket's id to its
end, a booking's code to its start.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from contract.bookings import is_valid_code
from contract.shown import shown_code, shown_key
from contract.wire import Enrolment, HeartbeatAck, KioskInfo, Lease
from kiosk.client.bookings import (
    BookingInfo,
    BookingsToday,
    parse_booking_info,
    parse_bookings_today,
)
from kiosk.client.errors import (
    AnswerError,
    AnswerTooLarge,
    BadJSON,
    CentralAuthError,
    CentralError,
    CentralProtocolError,
    CentralRefused,
    CentralUnavailable,
    TransportFault,
    TrustUnusable,
    causes,
    is_dropped,
    is_garbled,
    is_untrusted,
    retry_after_s,
)
from kiosk.client.hospital import (
    DoctorsToday,
    Patient,
    parse_doctors_today,
    parse_patients,
)
from kiosk.client.info import (
    AnsweredComplaint,
    Application,
    HealthInfo,
    QueueState,
    parse_applications,
    parse_complaints,
    parse_health_info,
    parse_queue_state,
)
from kiosk.client.results import (
    RECORD_KEYS,
    Allocation,
    CatalogFetch,
    CitizenLookup,
    DocumentFetch,
    SubmissionResult,
    parse_heartbeat_ack,
    parse_kiosk_info,
    parse_lease,
)
from kiosk.client.strict_json import error_code, error_detail, loads

if TYPE_CHECKING:  # requests costs ~190 ms of start-up: imported on the first request
    import requests

    from kiosk.client.transport import AnswerKind
    from kiosk.config import CentralSection

T = TypeVar("T")
log = logging.getLogger(__name__)

__all__ = ["CatalogFetch", "CentralClient", "CitizenLookup", "DocumentFetch"]

CATALOG_PATH = "/api/v1/catalog"
TRUST_PATH = "/api/v1/trust"
REVOCATIONS_PATH = "/api/v1/revocations"
ENROL_PATH = "/api/v1/enrol"
LOOKUP_PATH = "/api/v1/citizens/lookup"
APPLICATIONS_PATH = "/api/v1/citizens/applications"
COMPLAINTS_PATH = "/api/v1/citizens/complaints"
HEALTH_INFO_PATH = "/api/v1/health-info"
QUEUE_PATH = "/api/v1/queue"
HEALTH_PATH = "/health"
KIOSK_ME_PATH = "/api/v1/kiosks/me"
TICKETS_PATH = "/api/v1/tickets"
ALLOCATE_PATH = f"{TICKETS_PATH}/allocate"
LEASES_PATH = "/api/v1/leases"
SUBMISSIONS_PATH = "/api/v1/submissions"
HEARTBEATS_PATH = "/api/v1/heartbeats"
BOOKINGS_PATH = "/api/v1/bookings"
BOOKINGS_TODAY_PATH = f"{BOOKINGS_PATH}/today"
DOCTORS_TODAY_PATH = "/api/v1/hospital/doctors/today"
PATIENTS_FIND_PATH = "/api/v1/hospital/patients/find"


@dataclass(frozen=True, repr=False)
class SecretPath:
    """A request's path with a segment that is a secret: a booking's code opens its page
    (``/b/{code}``: see it, move it, cancel it), a ticket's id its public page
    (``/t/{ticket_id}``), as docs/security.md says. The request is sent to ``path``;
    everything else writes ``shown`` (``str()``, ``repr()``, an f-string), the secret
    cut as the lines around it show it (:func:`shown_secret`).
    """

    path: str
    shown: str

    @classmethod
    def of(cls, prefix: str, secret: str, suffix: str = "") -> SecretPath:
        """``prefix/secret[suffix]``, shown ``prefix/<secret cut>[suffix]``."""
        return cls(f"{prefix}/{secret}{suffix}", f"{prefix}/{shown_secret(prefix, secret)}{suffix}")

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"SecretPath({self.shown!r})"


def shown_secret(route: str, secret: str) -> str:
    """A secret segment under ``route`` as written anywhere: a ticket's id by its end,
    as every kiosk line shows it (:func:`contract.shown.shown_key`: a kiosk's ids all
    start with its tag, so their starts tell no two apart), a booking's code by its
    first three digits, as the centre's lines show it (``482…``)."""
    if route == TICKETS_PATH:
        return shown_key(secret)
    return shown_code(secret)


#: A request's path: a route's own, or one holding a secret (written only as shown).
RequestPath = str | SecretPath


def _sent_path(path: RequestPath) -> str:
    return path.path if isinstance(path, SecretPath) else path


#: The routes whose next segment is a secret, and their children that are not one.
_SECRET_UNDER = (BOOKINGS_PATH, TICKETS_PATH)
_NOT_SECRET = (BOOKINGS_TODAY_PATH, ALLOCATE_PATH)


def shown_path(path: str) -> str:
    """``path`` (after ``central.url``'s own path, if any) as written anywhere: a secret
    segment cut as :class:`SecretPath` shows it."""
    for route in _SECRET_UNDER:
        at = path.find(route + "/")
        if at < 0 or path[at:].partition("?")[0] in _NOT_SECRET:
            continue
        secret, slash, tail = path[at + len(route) + 1 :].partition("/")
        return path[:at] + SecretPath.of(route, secret, slash + tail).shown
    return path


class _SecretsOutOfUrllib3(logging.Filter):
    """urllib3 writes each request's path or URL in its own lines (at DEBUG: ``kiosk
    --verbose``; a header it cannot parse at WARNING, the default level): a secret
    segment of it is written as the client's own lines show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(shown_path(a) if isinstance(a, str) else a for a in record.args)
        return True


#: Every urllib3 logger a request's lines are written to. A logger's filter sees only
#: the records made on it, not its children's, so each one holds the filter.
_URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)

for _name in _URLLIB3_LOGGERS:
    logging.getLogger(_name).addFilter(_SecretsOutOfUrllib3())


def _hidden(text: str, path: RequestPath) -> str:
    """``text`` (an HTTP library's words, which may quote the URL) with the secret shown."""
    return text.replace(path.path, path.shown) if isinstance(path, SecretPath) else text


class CentralClient:
    """A client for one central server at ``base_url`` (``http(s)://host[:port][/prefix]``).

    ``timeout_s`` bounds each call in total: connecting, the TLS handshake,
    sending, the answer's headers and its body. Fetching a document (catalog,
    trust list, revocations) may take ``documents_timeout_s`` instead (None:
    ``timeout_s``); calls a citizen waits for take their own ``deadline_s``.
    ``token`` is the kiosk's bearer token (also set by :meth:`enrol`). TLS is verified against the
    system's certificate authorities plus ``ca_bundle`` (a PEM file or a
    folder of them), never certifi's list alone. The session is made on the
    first request and closed by :meth:`close` (or leaving a ``with`` block).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 3.0,
        documents_timeout_s: float | None = None,
        token: str | None = None,
        ca_bundle: str = "",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"central URL must be http(s)://host[:port], not {base_url!r}")
        if timeout_s <= 0 or (documents_timeout_s is not None and documents_timeout_s <= 0):
            raise ValueError("timeout_s and documents_timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.documents_timeout_s = documents_timeout_s or timeout_s
        self.token = token
        self.ca_bundle = ca_bundle
        self._session: requests.Session | None = None
        #: Answers the server gave whole (any status): the sync engine tells from it
        #: whether the centre answered a step at all, or only failed to.
        self.answers = 0

    @classmethod
    def from_config(cls, central: CentralSection) -> CentralClient:
        """The client ``[central]`` describes (``url``, the timeouts, ``ca_bundle``)."""
        return cls(
            central.url,
            timeout_s=central.timeout_s,
            documents_timeout_s=central.documents_timeout_s,
            ca_bundle=central.ca_bundle,
        )

    def __repr__(self) -> str:
        return f"CentralClient({self.base_url!r}, token={'set' if self.token else 'none'})"

    # -- enrolment -----------------------------------------------------------------
    def enrol(self, code: str, name: str = "") -> Enrolment:
        """Trade a one-time enrolment code for this kiosk's token (kept in :attr:`token`).

        A used, expired or unknown code raises :class:`CentralAuthError`
        (``code`` says which).
        """
        status, _, body = self._send(
            "POST", ENROL_PATH, body={"code": code, "name": name}, auth=False
        )
        self._expect(ENROL_PATH, status, 201)
        data = self._json_object(ENROL_PATH, body)
        fields = [data.get(k) for k in ("kiosk_id", "office_id", "token")]
        if not all(isinstance(f, str) and f for f in fields):
            raise CentralProtocolError(f"{self._url(ENROL_PATH)}: enrolment answer incomplete")
        kiosk_id, office_id, token = (str(f) for f in fields)
        self.token = token
        kiosk_code = data.get("kiosk_code")
        return Enrolment(
            kiosk_id=kiosk_id,
            office_id=office_id,
            token=token,
            kiosk_code=kiosk_code if isinstance(kiosk_code, str) else "",
        )

    def kiosk_me(self) -> KioskInfo:
        """Who the centre says this kiosk is (its office and short kiosk code)."""
        return self._parse(KIOSK_ME_PATH, parse_kiosk_info, self._call("GET", KIOSK_ME_PATH))

    # -- the queue (the sync engine's calls) -------------------------------------------
    def allocate_ticket(
        self,
        ticket_id: str,
        service_id: str,
        *,
        deadline_s: float,
        hospital: Mapping[str, str] | None = None,
        sent: Callable[[], None] | None = None,
        hold_s: int | None = None,
    ) -> Allocation:
        """A number for ``ticket_id`` from the centre's queue, within ``deadline_s``.

        A replay of the same ``ticket_id`` gets the same number. An unknown
        service raises :class:`CentralRefused` (``unknown_service``). ``hospital``
        (``schedule_id``, ``payer``) takes a doctor's quota place with the number: none
        left is :class:`CentralRefused` with ``quota_full`` (no number used). ``sent`` is
        called once the request is written, before the centre's answer is read
        (:func:`kiosk.client.transport.deadline`); never if it was not sent. ``hold_s``: the
        number is asked ahead, while the citizen is still at the kiosk; the centre calls
        it no sooner than that many seconds (at most its own bound) unless the ticket's
        registration arrives first. None: callable at once, as before (a field an older
        centre refuses: 422, a lease's number then).
        """
        body: dict[str, Any] = {"ticket_id": ticket_id, "service_id": service_id}
        if hospital is not None:
            body["hospital"] = dict(hospital)
        if hold_s is not None:
            body["hold_s"] = hold_s
        data = self._call(
            "POST",
            ALLOCATE_PATH,
            body,
            ok=(200, 201),
            timeout_s=deadline_s,
            sent=sent,
            replay_safe=True,  # the same ticket id gets the same number
        )
        return self._parse(ALLOCATE_PATH, Allocation.from_json, data)

    def void_ticket(self, ticket_id: str) -> None:
        """Tell the centre this kiosk never kept ``ticket_id``, numbered online: void it.

        Idempotent. :class:`CentralRefused` with ``unknown_ticket`` (the centre
        never numbered it) or ``conflict`` (it was registered or called): either
        way nothing is left to void.
        """
        path = SecretPath.of(TICKETS_PATH, ticket_id, "/void")
        self._call("POST", path, {}, replay_safe=True)

    def request_lease(self, service_id: str, day: dt.date, size: int) -> Lease:
        """Lease a block of ``size`` numbers of ``service_id``'s queue on ``day``."""
        body = {"service_id": service_id, "day": day.isoformat(), "size": size}
        return self._parse(LEASES_PATH, parse_lease, self._call("POST", LEASES_PATH, body))

    def return_lease(self, lease_id: str, first_unused: int) -> tuple[int, int] | None:
        """Give back a lease's numbers from ``first_unused`` on; the range returned, if any."""
        path = f"{LEASES_PATH}/{lease_id}/return"
        data = self._call("POST", path, {"first_unused": first_unused}, replay_safe=True)
        returned = data.get("returned")
        if (
            isinstance(returned, list)
            and len(returned) == 2
            and all(isinstance(n, int) for n in returned)
        ):
            return int(returned[0]), int(returned[1])
        return None

    def submit(self, items: Sequence[Mapping[str, Any]]) -> list[SubmissionResult]:
        """Send outbox items (``key``, ``kind``, ``body``); one result per item, same order."""
        data = self._call(  # each item stored once by its key
            "POST", SUBMISSIONS_PATH, {"items": list(items)}, kind="list", replay_safe=True
        )
        return self._submission_results(data, [item["key"] for item in items])

    def submit_encoded(self, keys: Sequence[str], items: Sequence[bytes]) -> list[SubmissionResult]:
        """:meth:`submit` of items the caller encoded already (each item's JSON object,
        as UTF-8), so an item cut into a batch by its size is encoded once."""
        raw = b'{"items":[' + b",".join(items) + b"]}"
        data = self._call("POST", SUBMISSIONS_PATH, raw=raw, kind="list", replay_safe=True)
        return self._submission_results(data, keys)

    def _submission_results(
        self, data: dict[str, Any], keys: Sequence[str]
    ) -> list[SubmissionResult]:
        raw = data.get("results")
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise CentralProtocolError(f"{self._url(SUBMISSIONS_PATH)}: results do not match")
        results = [
            self._parse(SUBMISSIONS_PATH, SubmissionResult.from_json, r)
            for r in raw
            if isinstance(r, dict)
        ]
        if [r.key for r in results] != list(keys):
            raise CentralProtocolError(f"{self._url(SUBMISSIONS_PATH)}: results out of order")
        return results

    def heartbeat(self, body: Mapping[str, Any]) -> HeartbeatAck:
        """Tell the centre this kiosk is alive and how its parts are."""
        data = self._call("POST", HEARTBEATS_PATH, body, replay_safe=True)
        return self._parse(HEARTBEATS_PATH, parse_heartbeat_ack, data)

    # -- versioned documents ---------------------------------------------------------
    def fetch_catalog(self, etag: str | None = None) -> DocumentFetch:
        """Fetch the catalog; with ``etag``, the server may answer "not modified"."""
        return self._fetch_document(CATALOG_PATH, etag)

    def fetch_trust(self, etag: str | None = None) -> DocumentFetch:
        """Fetch the trust list of issuer keys (``anjungan-trust-list/1``)."""
        return self._fetch_document(TRUST_PATH, etag)

    def fetch_revocations(self, etag: str | None = None) -> DocumentFetch:
        """Fetch the revocation list (``anjungan-revocation-list/1``)."""
        return self._fetch_document(REVOCATIONS_PATH, etag)

    # -- appointments ------------------------------------------------------------------
    def bookings_today(self, etag: str | None = None) -> BookingsToday | None:
        """Today's bookings of this kiosk's office (the office's day); None: nothing new.

        Personal data (NIK, card number, first name) for the store's sealed
        cache only. None when the list is not modified (a 304 to ``etag``) or
        the centre keeps no bookings (a 404: a centre from before appointments).
        The call is bounded by ``documents_timeout_s`` and the answer by its own cap.
        """
        headers = {"If-None-Match": etag} if etag else {}
        status, response_headers, body = self._send(
            "GET",
            BOOKINGS_TODAY_PATH,
            headers=headers,
            timeout_s=self.documents_timeout_s,
            kind="bookings",
        )
        if (status == 304 and etag) or status == 404:
            return None
        self._expect(BOOKINGS_TODAY_PATH, status, 200)
        data = self._json_object(BOOKINGS_TODAY_PATH, body)
        new_etag = response_headers.get("ETag")
        return self._parse(BOOKINGS_TODAY_PATH, lambda d: parse_bookings_today(d, new_etag), data)

    def booking(self, code: str, *, deadline_s: float = 1.5) -> BookingInfo | None:
        """Where and when the booking ``code`` is (no personal data); None: no such booking.

        For a code the kiosk does not hold among today's: a citizen waits,
        so ``deadline_s`` bounds the whole call.
        """
        if not is_valid_code(code):
            raise ValueError("not a booking code")
        path = SecretPath.of(BOOKINGS_PATH, code)
        status, _, body = self._send("GET", path, timeout_s=deadline_s)
        if status == 404 and error_code(body) == "unknown_booking":
            return None
        self._expect(path, status, 200)
        return self._parse(path, parse_booking_info, self._json_object(path, body))

    # -- hospital ------------------------------------------------------------------------
    def doctors_today(self) -> DoctorsToday | None:
        """The doctors practising today at this kiosk's office, with the quota left now.

        None when the centre has no hospital routes (a 404: a centre from before them,
        or an office with no schedules). Bounded by ``documents_timeout_s``; the answer
        by the ``list`` cap.
        """
        status, _, body = self._send(
            "GET", DOCTORS_TODAY_PATH, timeout_s=self.documents_timeout_s, kind="list"
        )
        if status == 404:
            return None
        self._expect(DOCTORS_TODAY_PATH, status, 200)
        data = self._json_object(DOCTORS_TODAY_PATH, body)
        return self._parse(DOCTORS_TODAY_PATH, parse_doctors_today, data)

    def find_patient(
        self, by: str, value: str, birth_date: dt.date, *, deadline_s: float = 1.5
    ) -> Patient | None:
        """The hospital's patient with this No. RM, NIK or BPJS number and date of birth.

        None for an unknown patient and a wrong date of birth alike (404
        ``unknown_patient``). The key and the date travel only in the body.
        """
        if by not in ("norm", "nik", "nomorkartu"):
            raise ValueError("find a patient by norm, nik or nomorkartu")
        if deadline_s <= 0:
            raise ValueError("deadline_s must be positive")
        body = {"by": by, "value": value, "birth_date": birth_date.isoformat()}
        status, _, content = self._send("POST", PATIENTS_FIND_PATH, body=body, timeout_s=deadline_s)
        if status == 404 and error_code(content) == "unknown_patient":
            return None
        if 400 <= status < 500:
            code = error_code(content)
            raise CentralRefused(
                f"{self._url(PATIENTS_FIND_PATH)}: refused ({status} {code or 'no reason'})",
                status=status,
                code=code,
            )
        self._expect(PATIENTS_FIND_PATH, status, 200)
        data = self._json_object(PATIENTS_FIND_PATH, content)
        return self._parse(PATIENTS_FIND_PATH, parse_patients, data)[0]

    # -- citizen records ---------------------------------------------------------------
    def lookup_citizen(
        self,
        *,
        card_number: str | None = None,
        nik: str | None = None,
        uid: str | None = None,
        birth_date: dt.date | None = None,
        deadline_s: float = 1.5,
    ) -> CitizenLookup | None:
        """The city's record for one key (exactly one), or ``None`` if it has none.

        A ``uid`` alone never finds anyone (a UID proves nothing): give the
        ``birth_date`` the citizen typed, and the centre answers with the
        record and the holder only if it is the holder's. Too many wrong
        dates: :class:`CentralUnavailable` with ``status`` 429 and the
        ``retry_after_s`` the centre gave.

        ``deadline_s`` bounds the whole call (a drip too), so a citizen
        at the screen never waits long: on a timeout this raises
        :class:`CentralUnavailable` and the kiosk carries on without.
        """
        given: dict[str, str] = _one_key(deadline_s, card_number=card_number, nik=nik, uid=uid)
        if birth_date is not None:
            if uid is None:
                raise ValueError("birth_date goes with uid only")
            given["birth_date"] = birth_date.isoformat()
        status, _, body = self._send(  # a read, in a body so the key is in no URL
            "POST", LOOKUP_PATH, body=given, timeout_s=deadline_s, replay_safe=True
        )
        self._expect(LOOKUP_PATH, status, 200)
        data = self._json_object(LOOKUP_PATH, body)
        if data.get("found") is not True:
            return None
        record = data.get("record") or {}
        holder = data.get("holder") or {}
        if not isinstance(record, dict) or not isinstance(holder, dict):
            raise CentralProtocolError(f"{self._url(LOOKUP_PATH)}: lookup answer malformed")
        return CitizenLookup(
            record={k: v for k in RECORD_KEYS if isinstance(v := record.get(k), str) and v},
            full_name=_text(holder.get("full_name")),
            nik=_text(holder.get("nik")),
            card_number=_text(holder.get("card_number")),
        )

    # -- what the touchscreen shows (#7) ---------------------------------------------------
    def applications(
        self,
        *,
        card_number: str | None = None,
        nik: str | None = None,
        deadline_s: float = 1.5,
    ) -> tuple[Application, ...]:
        """A citizen's applications and their state (exactly one key; verified cards only).

        Like :meth:`lookup_citizen`, ``deadline_s`` bounds the whole call
        and a timeout raises :class:`CentralUnavailable`.
        """
        given = _one_key(deadline_s, card_number=card_number, nik=nik)
        status, _, body = self._send(
            "POST",
            APPLICATIONS_PATH,
            body=given,
            timeout_s=deadline_s,
            kind="list",
            replay_safe=True,
        )
        self._expect(APPLICATIONS_PATH, status, 200)
        data = self._json_object(APPLICATIONS_PATH, body)
        return self._parse(APPLICATIONS_PATH, parse_applications, data)

    def answered_complaints(
        self,
        *,
        card_number: str | None = None,
        nik: str | None = None,
        deadline_s: float = 1.5,
    ) -> tuple[AnsweredComplaint, ...]:
        """Staff's answers to the complaints a citizen filed with their card (see ``applications``).

        A centre from before complaints were answered (404) has none to give.
        """
        given = _one_key(deadline_s, card_number=card_number, nik=nik)
        status, _, body = self._send(
            "POST",
            COMPLAINTS_PATH,
            body=given,
            timeout_s=deadline_s,
            kind="list",
            replay_safe=True,
        )
        if status == 404:
            return ()
        self._expect(COMPLAINTS_PATH, status, 200)
        data = self._json_object(COMPLAINTS_PATH, body)
        return self._parse(COMPLAINTS_PATH, parse_complaints, data)

    def health_info(self, *, deadline_s: float = 2.0) -> HealthInfo | None:
        """Beds by ward and doctors on duty at this kiosk's office; None if it has none."""
        status, _, body = self._send("GET", HEALTH_INFO_PATH, timeout_s=deadline_s, kind="list")
        if status == 404:
            return None
        self._expect(HEALTH_INFO_PATH, status, 200)
        data = self._json_object(HEALTH_INFO_PATH, body)
        return self._parse(HEALTH_INFO_PATH, parse_health_info, data)

    def queue_state(self, *, deadline_s: float = 2.0) -> QueueState:
        """Now serving and people waiting, per service of this kiosk's office, today."""
        status, _, body = self._send("GET", QUEUE_PATH, timeout_s=deadline_s, kind="list")
        self._expect(QUEUE_PATH, status, 200)
        data = self._json_object(QUEUE_PATH, body)
        return self._parse(QUEUE_PATH, parse_queue_state, data)

    def health(self) -> bool:
        """Whether the server answers its health check; never raises."""
        try:
            status, _, body = self._send("GET", HEALTH_PATH, auth=False)
            self._expect(HEALTH_PATH, status, 200)
            return self._json_object(HEALTH_PATH, body).get("status") == "ok"
        except CentralError:
            return False

    def server_time(self) -> dt.datetime | None:
        """The centre's clock (its health check's ``Date``, to the second); None if it
        sends none or a bad one. Raises a :class:`CentralError` if it does not answer,
        and :class:`CentralProtocolError` if what answers is not an Anjungan centre
        (a captive portal, another service with a ``/health``): the body must be the
        centre's ``{"status": "ok", "version": ...}``."""
        status, headers, content = self._send("GET", HEALTH_PATH, auth=False)
        self._expect(HEALTH_PATH, status, 200)
        data = self._json_object(HEALTH_PATH, content)
        if data.get("status") != "ok" or not isinstance(data.get("version"), str):
            raise CentralProtocolError(
                f"{self._url(HEALTH_PATH)}: not an Anjungan centre's health answer"
            )
        import email.utils  # not at the kiosk's start: the first health answer needs it

        try:
            when = email.utils.parsedate_to_datetime(headers.get("Date") or "")
        except (TypeError, ValueError):
            return None
        return when if when.tzinfo is not None else None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the one place that sends --------------------------------------------------------
    def _url(self, path: RequestPath) -> str:
        """``path``'s URL as written in a log line or an error: a secret in it shown cut."""
        return self.base_url + str(path)

    def _fetch_document(self, path: str, etag: str | None) -> DocumentFetch:
        headers = {"If-None-Match": etag} if etag else {}
        status, response_headers, body = self._send(
            "GET", path, headers=headers, timeout_s=self.documents_timeout_s, kind="document"
        )
        if status == 304:
            if not etag:
                raise CentralProtocolError(
                    f"{self._url(path)}: 304 Not Modified to a request without an ETag",
                    status=status,
                )
            return DocumentFetch(
                not_modified=True, etag=response_headers.get("ETag") or etag, data=None
            )
        self._expect(path, status, 200)
        data = self._json_object(path, body)
        return DocumentFetch(
            not_modified=False, etag=response_headers.get("ETag"), data=data, raw=body
        )

    def _call(
        self,
        method: str,
        path: RequestPath,
        body: Mapping[str, Any] | None = None,
        *,
        ok: tuple[int, ...] = (200, 201),
        timeout_s: float | None = None,
        kind: AnswerKind = "small",
        raw: bytes | None = None,
        sent: Callable[[], None] | None = None,
        replay_safe: bool | None = None,
    ) -> dict[str, Any]:
        """Send, expect one of ``ok``, return the JSON object; a 4xx is :class:`CentralRefused`.

        ``raw``: a body encoded as JSON already, sent instead of ``body``.
        """
        status, _, content = self._send(
            method,
            path,
            body=body,
            timeout_s=timeout_s,
            kind=kind,
            raw=raw,
            sent=sent,
            replay_safe=replay_safe,
        )
        if status not in ok:
            code = error_code(content)
            if 400 <= status < 500:
                raise CentralRefused(
                    f"{self._url(path)}: refused ({status} {code or 'no reason given'})",
                    status=status,
                    code=code,
                    detail=error_detail(content),
                )
            self._expect(path, status, ok[0])
        return self._json_object(path, content)

    def _parse(
        self, path: RequestPath, parse: Callable[[dict[str, Any]], T], data: dict[str, Any]
    ) -> T:
        try:
            return parse(data)
        except AnswerError as exc:
            words = _hidden(str(exc), path)
            raise CentralProtocolError(f"{self._url(path)}: answer malformed ({words})") from exc
        except Exception as exc:  # a parser's own defect: still no answer crashes a caller
            log.error("the parser of %s failed on an answer: %s", path, type(exc).__name__)
            raise CentralProtocolError(
                f"{self._url(path)}: answer malformed ({type(exc).__name__})"
            ) from exc

    def _send(
        self,
        method: str,
        path: RequestPath,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        timeout_s: float | None = None,
        auth: bool = True,
        kind: AnswerKind = "small",
        raw: bytes | None = None,
        sent: Callable[[], None] | None = None,
        replay_safe: bool | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one request; returns status, headers and body, or raises a CentralError.

        The whole call, connecting to the last byte, takes at most ``timeout_s``
        (default :attr:`timeout_s`); the body, inflated, at most ``ANSWER_CAPS[kind]``.
        ``sent`` hears that the request is written, before the answer is read (once).

        ``replay_safe`` (by default: a GET or HEAD) says the centre answers the same
        request made twice as it answers it once (a number by its ticket id, a batch by
        its items' keys, a lookup): when the connection is closed before any answer,
        the request is made once more on a new connection, within the same deadline.
        That is the kept-alive connection the proxy closed for idleness just as the
        request went out; without the second try, one citizen got a leased number and
        the kiosk stopped asking the centre for numbers for a minute.
        """
        from kiosk.client import transport

        url = self._url(path)
        seconds = timeout_s or self.timeout_s
        all_headers = {"Accept": "application/json", **(headers or {})}
        if auth and self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if raw is not None:
            all_headers["Content-Type"] = "application/json"
        safe = method in ("GET", "HEAD") if replay_safe is None else replay_safe
        said = _once(sent)
        started = time.monotonic()
        failure: tuple[CentralError, TransportFault] | None = None
        for attempt in (1, 2):
            left = seconds - (time.monotonic() - started)
            watch: transport.Watch | None = None
            answered = False
            try:
                if self._session is None:
                    self._session = transport.new_session(self.ca_bundle)
                with (
                    transport.deadline(left, said) as watch,
                    self._session.request(
                        method,
                        self.base_url + _sent_path(path),
                        headers=all_headers,
                        json=body,
                        data=raw,
                        timeout=(left, left),
                        allow_redirects=False,
                        stream=True,
                    ) as response,
                ):
                    answered = True
                    status, response_headers = response.status_code, response.headers
                    content = transport.read_capped(response, transport.ANSWER_CAPS[kind])
                break
            except Exception as exc:
                expired = watch is not None and watch.expired
                if (
                    attempt == 1
                    and safe
                    and not expired
                    and not answered
                    and is_dropped(exc)
                    and left > ASK_AGAIN_MIN_S
                ):
                    # The connection was closed before any answer: most often one the
                    # centre's proxy closed for idleness as the request went out. The call
                    # may be made twice: asked once more on a new connection.
                    log.info("%s: connection closed before any answer; asking once more", url)
                    continue
                failure = (
                    _failure(url, seconds, exc, expired=expired, path=path),
                    _fault(exc, path),
                )
                break
        if failure is not None:  # raised here, out of the handler: nothing holds ``exc``
            error, fault = failure
            raise error from fault
        if watch is not None and watch.expired:  # cut mid-headers: a short answer to http.client
            raise CentralUnavailable(f"{url}: timed out after {seconds:g} s", timed_out=True)
        if status < 500:
            self.answers += 1
        if status >= 500 or status == 429:
            raise CentralUnavailable(
                f"{url}: server answered {status}",
                status=status,
                retry_after_s=retry_after_s(response_headers.get("Retry-After")),
                code=error_code(content),
            )
        if status in (401, 403):
            code = error_code(content)
            raise CentralAuthError(
                f"{url}: credentials refused ({status} {code or 'no reason given'})",
                status=status,
                code=code,
            )
        return status, response_headers, content

    def _expect(self, path: RequestPath, status: int, expected: int) -> None:
        if status != expected:
            raise CentralProtocolError(
                f"{self._url(path)}: unexpected status {status}", status=status
            )

    def _json_object(self, path: RequestPath, body: bytes) -> dict[str, Any]:
        try:
            data = loads(body)
        except BadJSON as exc:
            words = _hidden(str(exc), path)
            raise CentralProtocolError(f"{self._url(path)}: body is not JSON ({words})") from exc
        if not isinstance(data, dict):
            raise CentralProtocolError(
                f"{self._url(path)}: expected a JSON object, got {type(data).__name__}"
            )
        return data


def _one_key(deadline_s: float, **keys: str | None) -> dict[str, str]:
    """The one key a lookup is by (exactly one of ``keys`` given), its deadline checked."""
    given = {k: v for k, v in keys.items() if v is not None}
    if len(given) != 1:
        raise ValueError(f"give exactly one of {', '.join(keys)}")
    if deadline_s <= 0:
        raise ValueError("deadline_s must be positive")
    return given


def _failure(
    url: str, seconds: float, exc: Exception, *, expired: bool, path: RequestPath
) -> CentralError:
    """The :class:`CentralError` for what went wrong while sending to ``url`` (as shown).

    The HTTP library's own words may quote the URL sent (``Max retries exceeded with
    url: /api/v1/bookings/<the code>``): a secret of ``path`` in them is shown cut too.
    """
    import requests

    words = _hidden(str(exc), path)
    if expired or isinstance(exc, requests.Timeout):
        return CentralUnavailable(f"{url}: timed out after {seconds:g} s", timed_out=True)
    if isinstance(exc, AnswerTooLarge):
        return CentralProtocolError(f"{url}: {words}")
    if isinstance(exc, TrustUnusable):
        return CentralUnavailable(
            f"{url}: this kiosk's certificate authorities cannot be loaded; check "
            f"central.ca_bundle and the system store ({words})"
        )
    if isinstance(exc, requests.exceptions.SSLError) and is_untrusted(exc):
        return CentralUnavailable(
            f"{url}: the server's certificate is not trusted; install the city's certificate"
            f" authority in the system store or set central.ca_bundle ({words})"
        )
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        if is_garbled(exc):
            return CentralProtocolError(f"{url}: the answer is not HTTP ({words})")
        return CentralUnavailable(f"{url}: cannot reach the server ({words})")
    if isinstance(exc, requests.RequestException):
        return CentralProtocolError(f"{url}: unusable answer ({words})")
    log.error("sending to %s failed unexpectedly: %s", url, type(exc).__name__)
    return CentralProtocolError(f"{url}: unusable answer ({type(exc).__name__})")


def _fault(exc: Exception, path: RequestPath) -> TransportFault:
    """The cause a client's error is raised from in place of ``exc``: its kinds and words,
    a secret of ``path`` cut. ``exc`` itself (a ``requests`` exception keeps the request
    sent, its URL whole, and its words may quote it) goes no further."""
    kinds = dict.fromkeys(type(cause).__name__ for cause in causes(exc))
    return TransportFault(f"{' ← '.join(kinds)}: {_hidden(str(exc), path)}")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


#: Seconds a call must have left to ask once more after its connection was closed.
ASK_AGAIN_MIN_S = 0.05


def _once(sent: Callable[[], None] | None) -> Callable[[], None] | None:
    """``sent``, called at most once however many times the request is written."""
    if sent is None:
        return None
    heard = False

    def said() -> None:
        nonlocal heard
        if not heard:
            heard = True
            sent()

    return said
