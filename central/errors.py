"""Every error the central server raises, in one place.

A request the server refuses is an :class:`ApiError`: ``status`` and ``code``
are stable, and the handlers :func:`central.app.create_app` installs answer it as::

    {"error": "<stable code>", "detail": "<what went wrong, for people>"}

* :class:`ApiError` — :class:`Unauthorized` (401), :class:`Forbidden` and
  :class:`EnrolmentRefused` (403), :class:`NotFound` (404), :class:`Conflict`
  (409: :class:`LeaseLimit`, :class:`QuotaFull`, :class:`DoctorClosed`,
  :class:`AlreadyRegistered`, :class:`IdentityConflict`, :class:`InvalidApplicationTransition`,
  :class:`InvalidComplaintTransition`, :class:`StaleEdit`, :class:`Disputed`,
  :class:`NoDesk`),
  :class:`InvalidTicketTransition` (409: :class:`CounterBusy`, :class:`HeldGoesBack`,
  :class:`PastDayTicket`),
  :class:`Unprocessable` (:class:`TextWithNul`), :class:`UnknownCounter`,
  :class:`InvalidPatient` and
  :class:`InvalidRange` (422),
  :class:`TooManyRequests` (429: :class:`TooManyAttempts`,
  :class:`TooManyLookups`, :class:`LoginLocked`).
* :class:`InvalidItem` — a kiosk's submission item that will never succeed;
  it answers that item ``invalid``, never the whole request.
* Integrations (BPJS, SATUSEHAT; central/integrations/): :class:`IntegrationsError`
  (the ``--integrations`` file), :class:`ExchangeError` (one HTTP exchange:
  :class:`TooSlow`, :class:`TooLarge`, :class:`Unreachable`), :class:`DecryptError`
  (a BPJS answer that does not decrypt), :class:`BpjsError` (a BPJS call:
  :class:`BpjsUnavailable`, retried; :class:`BpjsRefused`, BPJS's own refusal).
* Starting a server: :class:`CatalogLoadError`, :class:`SeedError` (a file
  to load), :class:`DatabaseError` (the database), :class:`BindError` (the
  address), :class:`CentralStartError` (a server child process that did not
  come up).
* Serving: :class:`WriteQueueTimeout` (SQLite: a write that waited past the busy
  timeout for its turn behind the process's other writes; an outage, answered 503
  as a lock held past the wait is: central/outage.py), and :class:`WriteQueueFull`
  (SQLite: as many of the process's writes waiting already as it lets wait, so the
  readers keep their threads: the same outage, at once);
  :class:`NestedWrite` (SQLite: a write begun inside another of the same thread, which
  would wait for itself: the code's fault, a 500).

Nothing here imports the web stack, so a kiosk that starts a centre as a child
process (``kiosk demo``) catches :class:`CentralStartError` without FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping

from contract.wire import ErrorCode


class ApiError(Exception):
    """A request the server refuses; ``status`` and ``code`` are stable."""

    status = 400
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(
        self,
        detail: str,
        *,
        code: ErrorCode | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    """No credential, or one the server does not accept (unknown, revoked, expired)."""

    status = 401
    code = ErrorCode.UNAUTHENTICATED

    def __init__(self, detail: str = "a valid bearer token is required") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    """A valid credential of the wrong kind or role for this endpoint."""

    status = 403
    code = ErrorCode.FORBIDDEN


class NotFound(ApiError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Conflict(ApiError):
    status = 409
    code = ErrorCode.CONFLICT


class SlotLengthInUse(Conflict):
    """A service's slot length cannot change while it has bookings to come.

    Its slots' places are counted per start time: a new length would put
    new slots over the booked ones and sell their places twice.
    """

    def __init__(self, to_come: int) -> None:
        super().__init__(
            f"Lama slot tidak dapat diubah: layanan ini masih punya {to_come} janji yang "
            f"akan datang. / The slot length cannot change while the service has {to_come} "
            "bookings to come; change it once they are over or cancelled."
        )
        self.to_come = to_come


class TooManyRequests(ApiError):
    status = 429
    code = ErrorCode.RATE_LIMITED

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"too many requests; try again in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )
        self.retry_after_s = retry_after_s


class TooManyAttempts(TooManyRequests):
    """Too many wrong dates of birth for a UID-only card, or from one kiosk (#7)."""

    code = ErrorCode.TOO_MANY_ATTEMPTS


class TooManyLookups(TooManyRequests):
    """A kiosk used up its hourly budget of card-number/NIK lookups (or of misses)."""

    code = ErrorCode.TOO_MANY_LOOKUPS


class LoginLocked(TooManyRequests):
    """Failed logins in a row locked this staff username for a while."""

    code = ErrorCode.LOGIN_LOCKED

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.detail = (
            "terlalu banyak percobaan masuk yang gagal; coba lagi dalam "
            f"{retry_after_s} detik / too many failed logins; try again in {retry_after_s} s"
        )


class EnrolmentRefused(ApiError):
    """The code is unknown, used or expired; ``code`` says which, the body does not."""

    status = 403
    code = ErrorCode.ENROLMENT_REFUSED


class LeaseLimit(Conflict):
    """The kiosk holds as many leases or numbers of this queue as it may (409)."""

    code = ErrorCode.LEASE_LIMIT


class QuotaFull(Conflict):
    """The doctor has no place left today for this payer: no number was used (409)."""

    code = ErrorCode.QUOTA_FULL

    def __init__(self, payer: str) -> None:
        who = "JKN" if payer == "jkn" else "umum"
        super().__init__(
            f"Kuota {who} dokter ini hari ini sudah habis; pilih dokter lain. / "
            f"This doctor's {who} quota for today is used up; choose another doctor."
        )


class DoctorClosed(Conflict):
    """The doctor's hours today are over: no place taken, no number used (409)."""

    code = ErrorCode.DOCTOR_CLOSED

    def __init__(self) -> None:
        super().__init__(
            "Praktik dokter ini hari ini sudah selesai; pilih dokter lain. / "
            "This doctor's hours today are over; choose another doctor."
        )


class AlreadyRegistered(Conflict):
    """The patient has a live visit at the poli today: no place taken, no number used (409)."""

    code = ErrorCode.ALREADY_REGISTERED


class IdentityConflict(Conflict):
    """The patient's keys name different people, or not the record's: nothing taken (409)."""

    code = ErrorCode.IDENTITY_CONFLICT


class InvalidPatient(ApiError):
    """The patient's NIK cannot exist or the date of birth is not past: nothing taken (422)."""

    status = 422
    code = ErrorCode.INVALID_PATIENT


class InvalidApplicationTransition(Conflict):
    """An application's state cannot go there (:data:`central.office.applications.TRANSITIONS`)."""

    code = ErrorCode.INVALID_TRANSITION


class InvalidComplaintTransition(Conflict):
    """A complaint cannot go there (a closed one is reopened before it is answered)."""

    code = ErrorCode.INVALID_TRANSITION


class StaleEdit(Conflict):
    """Someone changed the record since the form was made from it: nothing was written."""


class Disputed(Conflict):
    """Two kiosks registered this ticket id: the public page shows neither."""

    code = ErrorCode.TICKET_DISPUTED


class InvalidTicketTransition(ApiError):
    """The ticket is not in the state the counter's action needs."""

    status = 409
    code = ErrorCode.INVALID_TRANSITION


class CounterBusy(InvalidTicketTransition):
    """The counter still has a ticket called: close, hold or transfer it before calling another
    (call next, call back) or leaving the counter."""

    code = ErrorCode.COUNTER_BUSY


class HeldGoesBack(InvalidTicketTransition):
    """A ticket held at a counter the office no longer has, closed while an active service of
    the office could take it back: it is sent back to a queue (transfer), not closed."""


class PastDayTicket(InvalidTicketTransition):
    """A transfer of a ticket of a day before today (called or held before midnight): its
    number is its day's, and no queue of today takes it; it is closed where it is."""


class UnknownCounter(ApiError):
    """A counter the office does not have (:func:`central.office.counters.offered`): the
    caller's mistake, refused before anything is called, sent or announced (422)."""

    status = 422
    code = ErrorCode.UNKNOWN_COUNTER


class NoDesk(Conflict):
    """A counter action by a staff member who has not chosen a counter and its services yet."""


class Unprocessable(ApiError):
    """A well-formed request that asks for something impossible (422)."""

    status = 422
    code = ErrorCode.INVALID_REQUEST


class TextWithNul(Unprocessable):
    """A text a statement would carry holds a NUL character (U+0000): refused before the
    database, on both backends (:func:`central.database.make_engine`), so nothing is done.
    PostgreSQL holds no NUL in text: without this, such a text failed the request with a
    500 wherever no check of its own came first. Never quotes the text."""

    def __init__(self) -> None:
        super().__init__(
            "Teks berisi karakter NUL (kode 0) yang tidak dapat disimpan; tidak ada yang "
            "diubah. / A text holds a NUL character (code 0), which cannot be stored; "
            "nothing was changed."
        )


class InvalidRange(ApiError):
    status = 422
    code = ErrorCode.INVALID_RANGE


class InvalidItem(Exception):
    """An item that will never succeed; ``code`` goes to the kiosk as ``error``."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class CatalogLoadError(Exception):
    """The catalog cannot be published or served; the message says why."""


class SeedError(Exception):
    """A file to load at start is unusable; the message names it."""


class DatabaseError(Exception):
    """The database URL is unusable or the database cannot be reached."""


class WriteQueueTimeout(Exception):
    """SQLite: a write's turn behind this process's other writes did not come within
    ``--sqlite-busy-timeout`` (central/write_queue.py). Nothing was written."""


class WriteQueueFull(WriteQueueTimeout):
    """SQLite: as many of this process's writes wait already as it lets wait, the rest
    of its route threads being the readers' (central/write_queue.py); this one is
    refused at once and holds no thread. Nothing was written."""


class NestedWrite(RuntimeError):
    """SQLite: a write transaction begun while the same thread holds another open. The
    inner one would wait for the outer, which waits for it: the code's fault, refused at
    once (central/write_queue.py)."""


class BindError(Exception):
    """The server cannot listen on the configured address."""


class CentralStartError(Exception):
    """The central server did not come up; the message carries its stderr tail."""


# -- the office's web pages (central/web/): answered as pages, never as JSON -----------
class LoginRequired(Exception):
    """A staff page without a valid session: the login form answers (303 for GET, 401 else)."""


class PageRefused(Exception):
    """A page request refused: ``reason`` is a text key of :mod:`central.web.session`."""

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


# -- integrations: BPJS and SATUSEHAT (central/integrations/) ---------------------------
class IntegrationsError(ValueError):
    """The integrations file cannot be used; the text says why (Indonesian, then English)."""


class ExchangeError(Exception):
    """A service could not be reached, was too slow, or answered too much."""


class TooSlow(ExchangeError):
    pass


class TooLarge(ExchangeError):
    pass


class Unreachable(ExchangeError):
    pass


class DecryptError(ValueError):
    """A BPJS answer that does not decrypt or decompress: garbage, or another secret's."""


# SATUSEHAT (central/integrations/satusehat/)
class SatusehatError(Exception):
    """A call that did not do what it was asked."""


class SatusehatUnavailable(SatusehatError):
    def __init__(self, message: str, after: str | None = None, code: str = "unreachable") -> None:
        super().__init__(message)
        #: The server's ``Retry-After`` as it came, if any.
        self.after = after
        #: The HTTP status, or a word when there was none (for the staff's list).
        self.code = code


class SatusehatRefused(SatusehatError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class SatusehatTokenError(Exception):
    """No token: the message says why (never the secret)."""


class InvalidResource(ValueError):
    """The resource would be refused; it is not sent. The message names the elements."""


class WsrsInvalid(ValueError):
    """A WS RS request BPJS sent that cannot be answered; ``message`` is the answer's."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BpjsError(Exception):
    """A call to BPJS that did not succeed; ``code`` and ``message`` for staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class BpjsUnavailable(BpjsError):
    """Down, slow, garbage, or the signature refused: try again later."""


class BpjsRefused(BpjsError):
    """BPJS read the call and refused it (its own code and message)."""


class ConfigFileError(ValueError):
    """The centre's settings file cannot be used; the message names the file and the key."""

    def __init__(self, detail: str) -> None:
        # As the kiosk says it of its own file: Indonesian first, then English.
        super().__init__(f"konfigurasi salah / bad configuration: {detail}")
