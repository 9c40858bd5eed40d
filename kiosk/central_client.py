"""The one place the kiosk talks HTTP to the central server.

Every request goes through :meth:`CentralClient._send`, which sets the
timeouts and the bearer token and turns every failure into the tree in
:mod:`kiosk.central_errors`; retries, backoff and idempotency keys belong
there too, and nowhere else.

The kiosk authenticates with the bearer token it got by trading an
enrolment code (:meth:`CentralClient.enrol`); keeping that token on disk is
:mod:`kiosk.central_token`'s job. Personal data (a lookup's key, the answer)
travels only in JSON bodies and never appears in an error message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kiosk.central_errors import (
    CentralAuthError,
    CentralError,
    CentralProtocolError,
    CentralUnavailable,
    error_code,
    is_garbled,
)
from kiosk.central_results import (
    RECORD_KEYS,
    CatalogFetch,
    CitizenLookup,
    DocumentFetch,
    Enrolment,
)

if TYPE_CHECKING:  # requests costs ~190 ms of start-up: imported on the first request
    import requests

__all__ = ["CatalogFetch", "CentralClient", "CitizenLookup", "DocumentFetch", "Enrolment"]

CATALOG_PATH = "/api/v1/catalog"
TRUST_PATH = "/api/v1/trust"
REVOCATIONS_PATH = "/api/v1/revocations"
ENROL_PATH = "/api/v1/enrol"
LOOKUP_PATH = "/api/v1/citizens/lookup"
HEALTH_PATH = "/health"


class CentralClient:
    """A client for one central server at ``base_url`` (``http(s)://host[:port][/prefix]``).

    ``timeout_s`` bounds connecting and each wait for data. ``token`` is the
    kiosk's bearer token (also set by :meth:`enrol`). A ``session`` passed in
    stays the caller's to close; one created here is closed by :meth:`close`
    (or leaving a ``with`` block).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 3.0,
        token: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"central URL must be http(s)://host[:port], not {base_url!r}")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.token = token
        self._owns_session = session is None
        self._session = session

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
        return Enrolment(kiosk_id=kiosk_id, office_id=office_id, token=token)

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

    # -- citizen records ---------------------------------------------------------------
    def lookup_citizen(
        self,
        *,
        card_number: str | None = None,
        nik: str | None = None,
        uid: str | None = None,
        deadline_s: float = 1.5,
    ) -> CitizenLookup | None:
        """The city's record for one key (exactly one), or ``None`` if it has none.

        ``deadline_s`` bounds connecting and each wait for data, so a citizen
        at the screen never waits long: on a timeout this raises
        :class:`CentralUnavailable` and the kiosk carries on without.
        """
        keys = {"card_number": card_number, "nik": nik, "uid": uid}
        given = {k: v for k, v in keys.items() if v is not None}
        if len(given) != 1:
            raise ValueError("give exactly one of card_number, nik, uid")
        if deadline_s <= 0:
            raise ValueError("deadline_s must be positive")
        status, _, body = self._send("POST", LOOKUP_PATH, body=given, timeout_s=deadline_s)
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

    def health(self) -> bool:
        """Whether the server answers its health check; never raises."""
        try:
            status, _, body = self._send("GET", HEALTH_PATH, auth=False)
            self._expect(HEALTH_PATH, status, 200)
            return self._json_object(HEALTH_PATH, body).get("status") == "ok"
        except CentralError:
            return False

    def close(self) -> None:
        if self._owns_session and self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the one place that sends --------------------------------------------------------
    def _url(self, path: str) -> str:
        return self.base_url + path

    def _fetch_document(self, path: str, etag: str | None) -> DocumentFetch:
        headers = {"If-None-Match": etag} if etag else {}
        status, response_headers, body = self._send("GET", path, headers=headers)
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
        return DocumentFetch(not_modified=False, etag=response_headers.get("ETag"), data=data)

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        timeout_s: float | None = None,
        auth: bool = True,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one request; returns status, headers and body, or raises a CentralError."""
        import requests

        url = self._url(path)
        timeout = timeout_s or self.timeout_s
        all_headers = {"Accept": "application/json", **(headers or {})}
        if auth and self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if self._session is None:
            self._session = requests.Session()
        try:
            with self._session.request(
                method,
                url,
                headers=all_headers,
                json=body,
                timeout=(timeout, timeout),
                allow_redirects=False,
            ) as response:
                content = response.content
                status, response_headers = response.status_code, response.headers
        except requests.Timeout as exc:
            raise CentralUnavailable(f"{url}: timed out after {timeout:g} s") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if is_garbled(exc):
                raise CentralProtocolError(f"{url}: the answer is not HTTP ({exc})") from exc
            raise CentralUnavailable(f"{url}: cannot reach the server ({exc})") from exc
        except requests.RequestException as exc:
            raise CentralProtocolError(f"{url}: unusable answer ({exc})") from exc
        if status >= 500 or status == 429:
            raise CentralUnavailable(f"{url}: server answered {status}", status=status)
        if status in (401, 403):
            code = error_code(content)
            raise CentralAuthError(
                f"{url}: credentials refused ({status} {code or 'no reason given'})",
                status=status,
                code=code,
            )
        return status, response_headers, content

    def _expect(self, path: str, status: int, expected: int) -> None:
        if status != expected:
            raise CentralProtocolError(
                f"{self._url(path)}: unexpected status {status}", status=status
            )

    def _json_object(self, path: str, body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError as exc:  # includes UnicodeDecodeError
            raise CentralProtocolError(f"{self._url(path)}: body is not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise CentralProtocolError(
                f"{self._url(path)}: expected a JSON object, got {type(data).__name__}"
            )
        return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
